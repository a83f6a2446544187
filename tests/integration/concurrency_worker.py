"""One party of test_concurrency.py, in its own process, for a few seconds.

    python concurrency_worker.py ROLE DB PATIENT_ID SECONDS [OUT_DIR]

Roles: ``patient`` (check-ins through Clinic), ``cli-patient`` (``ldn-tracker dose``/``score``
through the command line's ``main``) and ``clinician`` (plans, every row of every table, the
audit chain, and ``plan``/``alerts``/``summary``/``export`` through ``main``).

Output, one flushed line each: ``W day`` after a committed write, ``R n`` for reads and
``M seconds`` for the slowest write at the end,
``E message`` for anything a user would have seen as an error (then exit 1).
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
import traceback
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

import tracker.cli as tracker_cli
from tracker.cli import main as cli_main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

START = date(2026, 1, 1)
MIN_WRITES = 5


_last_error: list[str] = []
_real_run = tracker_cli.run


def _recording_run(args: Any) -> int:
    """``tracker.cli.run``, remembering the exception the command line turns into a message."""
    try:
        return _real_run(args)
    except Exception:
        _last_error[:] = [traceback.format_exc(limit=-6)]
        raise


tracker_cli.run = _recording_run


def run_cli(argv: list[str]) -> str | None:
    """``ldn-tracker ARGV`` in this process; the user's error text, or None on success."""
    out, err = io.StringIO(), io.StringIO()
    _last_error.clear()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    if code != 0:
        cause = " | ".join(_last_error).replace("\n", " / ")
        return f"exit {code}: {err.getvalue().strip()} [cause: {cause}]"
    return None


def patient(db_path: str, pid: int, seconds: float, first: int) -> int:
    clinic = Clinic(Database(db_path), actor="patient:concurrency")
    deadline = time.monotonic() + seconds
    k = 0
    worst = 0.0
    while time.monotonic() < deadline or k < MIN_WRITES:  # a loaded machine still writes
        day = first + k
        began = time.monotonic()
        clinic.check_in(pid, CheckIn(day=START + timedelta(days=day), taken=True, mg=0.75,
                                     effects={"headache": k % 3}, scores={"pain": k % 10},
                                     note=f"evening {k}"))
        worst = max(worst, time.monotonic() - began)
        print(f"W {day}", flush=True)
        k += 1
    print(f"M {worst:.3f}", flush=True)
    return 0


def cli_patient(db_path: str, pid: int, seconds: float, first: int) -> int:
    deadline = time.monotonic() + seconds
    k = 0
    worst = 0.0
    while time.monotonic() < deadline or k < MIN_WRITES:
        day = (START + timedelta(days=first + k)).isoformat()
        began = time.monotonic()
        problem = run_cli(["--db", db_path, "dose", "--patient", str(pid), "--date", day,
                           "--mg", "1"])
        problem = problem or run_cli(["--db", db_path, "score", "--patient", str(pid),
                                      "--date", day, "--symptom", "fatigue", "--value", "4"])
        if problem:
            print(f"E {problem}", flush=True)
            return 1
        worst = max(worst, (time.monotonic() - began) / 2)
        print(f"W {first + k}", flush=True)
        k += 1
    print(f"M {worst:.3f}", flush=True)
    return 0


def clinician(db_path: str, pid: int, seconds: float, out_dir: str) -> int:
    db = Database(db_path)
    clinic = Clinic(db, actor="clinician:concurrency")
    deadline = time.monotonic() + seconds
    reads = 0
    commands = [
        ["plan", "--patient", str(pid), "--format", "json"],
        ["alerts", "--patient", str(pid)],
        ["patient", "list"],
        ["summary", "--patient", str(pid), "--format", "json"],
        ["--role", "clinician", "export", "--all", "--out", str(Path(out_dir) / "export")],
        ["verify"],
    ]
    while time.monotonic() < deadline:
        for patient_info in clinic.list_patients():
            clinic.plan(patient_info.id)
            clinic.alerts(patient_info.id)
        with db.engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                conn.execute(text(f'SELECT * FROM "{table}"')).all()
        result = clinic.verify_audit()
        if not result.ok:
            print(f"E audit chain broken while writing: {result.problem}", flush=True)
            return 1
        for argv in commands:
            problem = run_cli(["--db", db_path, *argv])
            if problem:
                print(f"E {' '.join(argv)}: {problem}", flush=True)
                return 1
        reads += 1
    print(f"R {reads}", flush=True)
    return 0


def main() -> int:
    role, db_path, pid, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    extra = sys.argv[5] if len(sys.argv) > 5 else ""
    try:
        if role == "patient":
            return patient(db_path, pid, seconds, int(extra or 0))
        if role == "cli-patient":
            return cli_patient(db_path, pid, seconds, int(extra or 0))
        if role == "clinician":
            return clinician(db_path, pid, seconds, extra)
    except Exception as exc:  # noqa: BLE001 - the test reads this line
        print(f"E {type(exc).__name__}: {exc}".replace("\n", " "), flush=True)
        return 1
    raise SystemExit(f"unknown role {role}")


if __name__ == "__main__":
    sys.exit(main())
