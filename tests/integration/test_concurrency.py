"""Patient and clinician at once, from separate processes: nobody sees "database is locked".

SQLite runs in WAL mode (readers never block the writer), write transactions take the write
lock up front (BEGIN IMMEDIATE) and wait under a 30 s busy timeout. The same test runs against
PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker.models import DoseEntry, Patient, SymptomScore
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import HEAD_REVISION, Database

WORKER = Path(__file__).with_name("concurrency_worker.py")
SECONDS = 4.0
START = date(2026, 1, 1)


def _spawn(h, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=h.child_env(LDN_TRACKER_TODAY="2026-06-01"), cwd=h.root)


def _finish(proc: subprocess.Popen[str]) -> tuple[int, list[str], str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out.splitlines(), err


@pytest.mark.slow
def test_patient_writes_while_clinician_reads(db_target: str, tmp_path: Path, h) -> None:
    db = Database(db_target)
    clinic = Clinic(db)
    app_patient = h.add_patient(clinic, "Anna")
    cli_patient = h.add_patient(clinic, "Bo")
    db.dispose()

    started = time.monotonic()
    procs = {
        "patient": _spawn(h, "patient", db_target, str(app_patient), str(SECONDS), "0"),
        "cli-patient": _spawn(h, "cli-patient", db_target, str(cli_patient), str(SECONDS),
                              "0"),
        "clinician": _spawn(h, "clinician", db_target, str(app_patient), str(SECONDS),
                            str(tmp_path)),
    }
    results = {name: _finish(proc) for name, proc in procs.items()}
    elapsed = time.monotonic() - started

    for name, (code, lines, err) in results.items():
        errors = [line for line in lines if line.startswith("E ")]
        assert not errors, f"{name}: {errors}"
        assert "locked" not in err.lower() and "Traceback" not in err, f"{name}: {err}"
        assert code == 0, f"{name} exited {code}: {err}"

    def days(name: str) -> set[int]:
        return {int(line.split()[1]) for line in results[name][1] if line.startswith("W ")}

    db = Database(db_target)
    try:
        with db.read() as session:
            dose_days = {
                pid: {(d - START).days for d in session.scalars(
                    select(DoseEntry.day).where(DoseEntry.patient_id == pid))}
                for pid in (app_patient, cli_patient)}
            fatigue = {(d - START).days for d in session.scalars(
                select(SymptomScore.day).where(SymptomScore.patient_id == cli_patient,
                                               SymptomScore.symptom == "fatigue"))}
        assert days("patient") <= dose_days[app_patient]
        assert days("cli-patient") <= dose_days[cli_patient]
        assert days("cli-patient") <= fatigue
        assert Clinic(db).verify_audit().ok
    finally:
        db.dispose()

    writes = len(days("patient")) + 2 * len(days("cli-patient"))
    reads = int(next(line for line in results["clinician"][1] if line.startswith("R "))
                .split()[1])
    worst = max(float(line.split()[1]) for name in ("patient", "cli-patient")
                for line in results[name][1] if line.startswith("M "))
    print(f"\n{db_target.split('://')[0] if '://' in db_target else 'sqlite'}: "
          f"{writes} writes ({writes / SECONDS:.0f}/s), slowest {worst:.2f} s, "
          f"{reads} clinician rounds in {elapsed:.1f} s")
    assert len(days("patient")) >= 5 and len(days("cli-patient")) >= 2
    assert reads >= 1


OPEN_AND_ADD = """
import sys, time
from datetime import date
from tracker.storage.database import Database
from tracker.services.clinic import CheckIn, Clinic
target, at, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
time.sleep(max(0.0, at - time.time()))
clinic = Clinic(Database(target))
print(clinic.add_patient(name=name, condition="fibromyalgia", start=date(2026, 1, 1)))
"""


def test_first_open_by_several_processes_at_once(db_target: str, h) -> None:
    """The patient's app and the clinician's command open a new database in the same instant:
    both migrate it, or one waits for the other; neither fails."""
    at = time.time() + 1.5  # past the imports of every process
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_AND_ADD, db_target, str(at), f"P{i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=h.child_env(), cwd=h.root)
             for i in range(8)]
    outcomes = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, code in outcomes:
        assert code == 0, err
        assert out.strip().isdigit()
    db = Database(db_target)
    try:
        assert db.current_revision() == HEAD_REVISION
        with db.read() as session:
            names = set(session.scalars(select(Patient.name)))
        assert names == {f"P{i}" for i in range(8)}
        assert Clinic(db).verify_audit().ok
    finally:
        db.dispose()


def test_open_waits_for_a_writer_holding_a_new_file(tmp_path: Path) -> None:
    """Another process is half-way through writing a new, still rollback-journal file (as the
    first opener is while it migrates): opening waits for its commit instead of failing with
    "database is locked" while switching the file to WAL."""
    path = tmp_path / "tracker.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE scratch (x INTEGER)")
    other.execute("BEGIN")
    other.execute("INSERT INTO scratch VALUES (1)")
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        db = Database(str(path))
        try:
            assert db.current_revision() == HEAD_REVISION
            with db.read() as session:
                assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            db.dispose()
    finally:
        releaser.join()
        other.close()


def test_day_offsets_are_in_the_past() -> None:
    assert START + timedelta(days=1000) < date(2029, 1, 1)


OTHER_PROCESS_READS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute("SELECT count(*) FROM patient").fetchone()[0])
conn.close()  # the last connection to close checkpoints and removes the -wal and -shm
"""


def test_opening_an_open_database_again_keeps_its_locks(tmp_path: Path, h) -> None:
    """Opening the same file a second time in one process must not drop the first
    connection's locks (closing *any* descriptor of a file releases the process's POSIX
    locks on it). Otherwise another process closing its connection believes it is the last,
    removes the -wal and -shm under our feet, and writes fail with "disk I/O error" or vanish.
    """
    path = tmp_path / "shared.db"
    first = Database(str(path))
    clinic = Clinic(first)
    pid = h.add_patient(clinic)
    wal = Path(f"{path}-wal")
    with first.engine.connect():  # a connection stays open, as in the running app
        assert wal.exists()
        second = Database(str(path))  # e.g. a command run from inside the app
        done = subprocess.run([sys.executable, "-c", OTHER_PROCESS_READS, str(path)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert wal.exists(), "another process removed the WAL of an open database"
        clinic.check_in(pid, CheckIn(day=START, taken=True, mg=0.75))
        second.dispose()
    first.dispose()
    check = Database(str(path))
    try:
        assert Clinic(check).day_entries(pid, START).mg == 0.75
    finally:
        check.dispose()
