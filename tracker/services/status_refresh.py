"""The cohort's stale status rows recomputed in a process of their own.

A new day makes every patient's derived status stale (``patient_status``, a cache: adherence,
"no entry for 3 days", today's dose and phase change without a write). Recomputing it is each
patient's plan, ~36 ms a patient on a three-year diary, about a minute for a clinic of 2,000.
In a thread of the app it held the interpreter (the GIL) all that time, and the clinic screen,
drawn meanwhile, answered slowly; in a process of its own it runs on another core and the app
stays as quick as on a day with every row current. The process opens the same database
(``tracker.storage``, as every connection) and writes through the same
:meth:`Clinic.refresh_status`, a few patients per transaction.

A plain ``python -m`` child: one signal stops it, and it shares nothing with the app but the
database. What it is to do is written to its standard input (a server URL may carry a
password: never on a command line).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

from tracker.services.clinic import Clinic

MODULE = "tracker.services.status_refresh"


class BackgroundRefresh:
    """One refresh process at a time, stopped when its screen goes (or the app quits): the
    rows it has not committed yet stay stale, and are recomputed the next time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def run(self, clinic: Clinic, patient_ids: Sequence[int]) -> bool:
        """Recompute ``patient_ids``' status rows in a child process and wait for it (call it
        from a worker thread): True once all are done. A database another process cannot open
        (an in-memory one) is refreshed here instead."""
        ids = list(patient_ids)
        target = str(clinic.db.target)
        if not ids or self._stopped:
            return not ids
        if target in ("", ":memory:") or "mode=memory" in target:
            clinic.refresh_status(ids)
            return True
        task = json.dumps({"target": target, "actor": clinic.actor, "ids": ids}).encode()
        process = subprocess.Popen([sys.executable, "-m", MODULE], stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._process = process
        process.communicate(task)
        self._process = None
        return process.returncode == 0

    def stop(self) -> None:
        """End a refresh under way (its open transaction is rolled back) and any to come."""
        self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> int:
    from tracker.storage.database import Database

    task = json.loads(sys.stdin.buffer.read())
    db = Database(task["target"], migrate=False, backup=False, create=False)
    try:
        Clinic(db, actor=task["actor"]).refresh_status(int(i) for i in task["ids"])
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
