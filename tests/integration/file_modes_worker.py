"""Make every kind of file the app writes, under ``umask 0``; print their modes as JSON.

    python file_modes_worker.py WORK_DIR

Run by test_file_modes.py in its own process so the permissive umask cannot leak into other
tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import sys
from datetime import date
from pathlib import Path

from tracker.cli import main as cli_main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def main() -> int:
    os.umask(0)
    work = Path(sys.argv[1])
    modes: dict[str, str] = {}
    db_path = work / "data" / "nested" / "diary.db"  # directories the app must create
    db = Database(str(db_path))
    clinic = Clinic(db)
    pid = clinic.add_patient(name="Anna", condition="fibromyalgia", start=date(2026, 1, 1))
    clinic.check_in(pid, CheckIn(day=date(2026, 1, 2), taken=True, mg=0.75))
    # The -wal and -shm files exist while a connection is open.
    with db.engine.connect():
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{db_path}{suffix}")
            modes[f"db{suffix}"] = mode(path) if path.exists() else "missing"
    modes["dir:data"] = mode(work / "data")
    modes["dir:nested"] = mode(work / "data" / "nested")
    modes["backup"] = mode(db.backup(reason="manual"))
    db.downgrade("0001_initial")
    db.dispose()
    upgraded = Database(str(db_path))  # an outdated file: backed up before migrating
    assert upgraded.backup_path is not None
    modes["pre-upgrade backup"] = mode(upgraded.backup_path)
    upgraded.dispose()

    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["--db", str(db_path), "--role", "clinician", "export", "--all", "--out",
                         str(work / "exports" / "cohort")])
    if code == 0:
        for line in out.getvalue().splitlines():
            modes[f"export:{Path(line).name}"] = mode(Path(line))
        modes["dir:exports"] = mode(work / "exports")
        modes["dir:exports/cohort"] = mode(work / "exports" / "cohort")
    else:
        modes["export"] = f"failed: {err.getvalue().strip()}"
    report = work / "reports" / "anna.html"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli_main(["--db", str(db_path), "report", "--patient", "1", "--out", str(report)])
    modes["report"] = mode(report) if code == 0 else f"failed: {err.getvalue().strip()}"
    cli_db = work / "cli.db"
    with contextlib.redirect_stdout(io.StringIO()):
        cli_main(["--db", str(cli_db), "patient", "add", "--name", "Bo", "--condition",
                  "fibromyalgia", "--start", "2026-01-01"])
    modes["cli db"] = mode(cli_db)
    print(json.dumps(modes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
