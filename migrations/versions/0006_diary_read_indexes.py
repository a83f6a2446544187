"""The diary read from its indexes alone: covering indexes for the rules engine's read

Revision ID: 0006_diary_read_indexes
Revises: 0005_alert_status
Create Date: 2026-12-12 09:00:00.000000

Every check-in, ``dose``, Today's first screen and each status refresh read one patient's whole
diary (``storage.records.Records.diary``). A clinic's diary grows day by day for everyone at
once, so one patient's rows are spread over the whole table: the unique indexes
``(patient_id, day[, name])`` find them in order, but each row's values were then fetched from
its own table page, a B-tree search per row (~7 µs; 15 ms for one patient's year of a
2,000-patient clinic). These indexes carry the values the read selects, so it is answered from
a few contiguous index pages (1.7 ms; ``docs/performance.md`` "The check-in (issue 15)"):

- ``ix_dose_entry_read``          (patient_id, day, taken, mg)
- ``ix_side_effect_report_read``  (patient_id, day, name, severity)
- ``ix_symptom_score_read``       (patient_id, day, symptom, value)

``clear_day``'s unique index already holds its only column. They are ordinary indexes, the
same SQL on SQLite and PostgreSQL (where the read becomes an index-only scan once vacuumed);
the unique constraints stay as they are. The cost is space (+6 % on the benchmark's clinic,
whose audit trail is most of the file) and building them once (tens of seconds on a
three-year, 2,000-patient clinic; the SQLite file is backed up first, as for every upgrade).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0006_diary_read_indexes'
down_revision: str | None = '0005_alert_status'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "dose_entry": ("patient_id", "day", "taken", "mg"),
    "side_effect_report": ("patient_id", "day", "name", "severity"),
    "symptom_score": ("patient_id", "day", "symptom", "value"),
}


def upgrade() -> None:
    for table, columns in INDEXES.items():
        op.create_index(f"ix_{table}_read", table, list(columns))


def downgrade() -> None:
    for table in INDEXES:
        op.drop_index(f"ix_{table}_read", table_name=table)
