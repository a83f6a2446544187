"""One patient's diary is read from the covering indexes of migration 0006 alone, not row by
row from the tables (docs/performance.md "The check-in (issue 15)"): every check-in, ``dose``
and Today's first screen pay for this read, and with the rows of a real clinic spread over the
whole table a row fetched from its table page costs a B-tree search of its own.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

from .conftest import add_patient


def test_the_diary_read_uses_only_indexes(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "tracker.db"))
    try:
        clinic = Clinic(db, actor="patient:test")
        pid = add_patient(clinic)
        day = date(2026, 1, 1)
        for n in range(3):
            clinic.check_in(pid, CheckIn(day=day + timedelta(days=n), taken=True, mg=1.5,
                                         effects={"headache": 1} if n else {},
                                         no_side_effects=not n, scores={"pain": 4}))
        before = clinic.inputs(pid)[1]
    finally:
        db.dispose()

    connection = sqlite3.connect(tmp_path / "tracker.db")
    try:
        from tracker.storage.records import Records

        statements: list[str] = []
        connection.set_trace_callback(statements.append)
        diary = Records(connection).diary(pid)
        connection.set_trace_callback(None)
        assert diary == before and diary.doses and diary.effects and diary.scores
        assert diary.clear_days
        plans = {sql.split(" FROM ")[1].split()[0]:
                 " ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
                 for sql in statements}
    finally:
        connection.close()
    for table in ("dose_entry", "side_effect_report", "clear_day", "symptom_score"):
        assert "COVERING INDEX" in plans[table], (table, plans[table])
        assert "TEMP B-TREE" not in plans[table], (table, plans[table])  # no sort either
