"""Nothing lost: SIGKILL a process writing check-ins at random moments, then check the file.

After every kill: each write the writer reported committed is in the database (and the one in
flight is either wholly there or wholly absent), ``PRAGMA integrity_check`` says ok,
``PRAGMA foreign_key_check`` finds nothing, and the application opens the file and verifies the
audit trail's hash chain.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.services.clinic import Clinic
from tracker.storage.database import HEAD_REVISION, Database

KILLS = 30
DAYS_PER_ROUND = 40
START = date(2026, 1, 1)
WRITER = Path(__file__).with_name("crash_writer.py")


def _spawn(h, path: Path, pid: int, first: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(path), str(pid), str(first), str(DAYS_PER_ROUND)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        env=h.child_env(LDN_TRACKER_TODAY="2029-06-01"), cwd=h.root)


def _kill_after(proc: subprocess.Popen[str], delay: float) -> list[str]:
    """Let the writer run ``delay`` seconds after it is ready, SIGKILL it, return its lines."""
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first.strip() != "ready":
        proc.kill()
        _out, err = proc.communicate()
        raise AssertionError(f"writer did not start: {first!r} {err}")
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    # Not communicate(): it reads the raw pipe and would drop lines readline() already
    # buffered (a "B" line written right after "ready" vanished that way).
    out = proc.stdout.read()
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    assert "Traceback" not in err, err
    return out.splitlines()


def _check_file(path: Path) -> None:
    """The raw file, before the app touches it: intact, no dangling foreign keys."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _doses(path: Path, pid: int) -> dict[int, float]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT day, mg FROM dose_entry WHERE patient_id = ?", (pid,))
        return {(date.fromisoformat(d) - START).days: mg for d, mg in rows}
    finally:
        conn.close()


def _expect(lines: list[str], before: dict[int, float]) -> tuple[dict[int, float],
                                                                  dict[int, float], int]:
    """(values that must be there, values of the one write in flight, writes committed)."""
    committed = dict(before)
    in_flight: dict[int, float] = {}
    writes = 0
    for line in lines:
        kind, *rest = line.split()
        if kind == "B":
            _k, offset, mg = rest
            in_flight = {int(offset): float(mg)}
        elif kind == "W":
            _k, offset, mg = rest
            committed[int(offset)] = float(mg)
            in_flight = {}
            writes += 1
    return committed, in_flight, writes


@pytest.mark.slow
def test_sigkill_while_writing_loses_nothing(tmp_path: Path, h) -> None:
    path = tmp_path / "diary.db"
    db = Database(str(path))
    pid = h.add_patient(Clinic(db))
    db.dispose()
    rng = random.Random(int(os.environ.get("LDN_CRASH_SEED", "20261127")))
    expected: dict[int, float] = {}
    total_writes = 0
    mid_write = 0
    started = time.monotonic()
    for round_no in range(KILLS):
        proc = _spawn(h, path, pid, round_no * DAYS_PER_ROUND)
        lines = _kill_after(proc, rng.uniform(0.0, 0.35))
        expected, in_flight, writes = _expect(lines, expected)
        total_writes += writes
        mid_write += bool(in_flight)

        _check_file(path)
        found = _doses(path, pid)
        for offset, mg in expected.items():
            if offset in in_flight and found.get(offset) == in_flight[offset]:
                continue  # the write in flight committed before the kill: allowed
            assert found.get(offset) == mg, (round_no, offset, mg, found.get(offset))
        unexpected = set(found) - set(expected) - set(in_flight)
        assert not unexpected, (round_no, unexpected)
        expected = dict(found)  # the in-flight write, if it landed, is now history

        db = Database(str(path))
        try:
            assert db.current_revision() == HEAD_REVISION
            result = Clinic(db).verify_audit()
            assert result.ok, result
        finally:
            db.dispose()
    elapsed = time.monotonic() - started
    print(f"\n{KILLS} kills, {total_writes} committed writes, {mid_write} kills mid-write, "
          f"{elapsed:.1f} s")
    assert total_writes > KILLS, "the writer hardly wrote: the kills missed the writes"
    assert mid_write >= KILLS // 3, "too few kills landed in the middle of a write"


@pytest.mark.slow
def test_sigkill_while_creating_the_database(tmp_path: Path, h) -> None:
    """Killed while the first open creates and migrates the file: the next open finishes it."""
    rng = random.Random(7)
    for round_no in range(6):
        path = tmp_path / f"new-{round_no}.db"
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from tracker.storage.database import Database; "
             "Database(sys.argv[1]); print('opened', flush=True)", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=h.child_env(),
            cwd=h.root)
        # Import takes ~0.4 s, then creating the schema: aim the kill around the migration.
        time.sleep(rng.uniform(0.3, 0.8))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        if path.exists() and path.stat().st_size:
            _check_file(path)
        db = Database(str(path))
        try:
            assert db.current_revision() == HEAD_REVISION
            clinic = Clinic(db)
            pid = h.add_patient(clinic)
            assert clinic.patient(pid).name == "Anna"
            assert clinic.verify_audit().ok
        finally:
            db.dispose()


def test_day_offsets_fit_the_plan_horizon() -> None:
    """The writer's days stay before the pinned today, so plans stay short and fast."""
    last = START + timedelta(days=KILLS * DAYS_PER_ROUND)
    assert last < date(2029, 6, 1)
