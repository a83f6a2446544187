"""A patient writing check-ins as fast as it can, to be SIGKILLed by test_crash_safety.py.

    python crash_writer.py DB PATIENT_ID FIRST_DAY_OFFSET COUNT

Each write is announced before it starts (``B k offset mg``) and reported after its
transaction committed (``W k offset mg``), one flushed line each, so the test knows which
writes must survive the kill and which one may or may not have. Every fourth write corrects an
earlier day (an audited update) instead of adding a new one.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta

from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

START = date(2026, 1, 1)
DOSES = (0.75, 1.0, 1.5, 2.0, 3.0)


def main() -> None:
    path, pid, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    clinic = Clinic(Database(path), actor="patient:crash")
    print("ready", flush=True)
    new_days = 0
    for k in range(count):
        if k % 4 == 3 and new_days:
            offset = first + (k * 7) % new_days
            reason = "correction"
        else:
            offset = first + new_days
            new_days += 1
            reason = None
        mg = DOSES[k % len(DOSES)]
        print(f"B {k} {offset} {mg}", flush=True)
        clinic.check_in(pid, CheckIn(
            day=START + timedelta(days=offset), taken=True, mg=mg, time="21:30",
            confirm_above_max=True, effects={"headache": k % 5}, scores={"pain": k % 11},
            note=f"write {k}", reason=reason))
        print(f"W {k} {offset} {mg}", flush=True)
    print("done", flush=True)
    time.sleep(60)  # wait to be killed: the test decides when


if __name__ == "__main__":
    main()
