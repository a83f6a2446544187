"""The cohort view's stored rows (every patient with their ``patient_status`` row), read with
plain SQL on a DB-API connection, as :class:`~tracker.storage.records.Records` reads a diary.

The ORM read (``select(Patient, PatientStatus)``) built two mapped objects a patient, with their
identity-map bookkeeping: 100–250 ms for a clinic of 2,000 on a loaded machine, most of the
clinic screen's wait for its rows and a good part of its garbage. The same rows here are plain
tuples (``StoredStatus`` has ``PatientStatus``'s attribute names and values), each distinct
date text converted once. ``tests/integration/test_cohort_read.py`` holds them to the ORM's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from tracker.clinical.records import PatientInfo
from tracker.storage.diary_rows import stored_day
from tracker.storage.records import PATIENT_COLUMNS, Records, info_of, patient_from_row


class StoredStatus(NamedTuple):
    """A ``patient_status`` row as stored (a cache of the plan, never the truth)."""

    patient_id: int
    computed_for: date
    computed_at: datetime
    phase: str
    dose_mg: float
    next_step_date: date | None
    adherence_30d: float | None
    last_entry: date | None
    open_alerts: str
    flags: str
    next_upcoming: date | None


STATUS_COLUMNS = ("patient_id", "computed_for", "computed_at", "phase", "dose_mg",
                  "next_step_date", "adherence_30d", "last_entry", "open_alerts", "flags",
                  "next_upcoming")
_PATIENT_COUNT = len(PATIENT_COLUMNS.split(","))
COHORT_SQL = (
    "SELECT " + ", ".join(f"p.{c.strip()}" for c in PATIENT_COLUMNS.split(",")) + ", "
    + ", ".join(f"s.{c}" for c in STATUS_COLUMNS)
    + " FROM patient p JOIN patient_status s ON s.patient_id = p.id ORDER BY p.id")


def _moment(value: Any) -> datetime:
    """A DATETIME column: text from SQLite (SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff``), a
    ``datetime`` from a server."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def cohort_rows(records: Records) -> list[tuple[PatientInfo, StoredStatus]]:
    """Every patient that has a status row, with it, as stored, by patient id."""
    known = stored_day()  # the process's conversion of stored days

    def day(value: Any) -> date | None:
        return None if value is None else known(value)

    rows = []
    for row in records.fetch_all(COHORT_SQL):
        info = info_of(patient_from_row(row[:_PATIENT_COUNT]))
        (pid, computed_for, computed_at, phase, dose_mg, next_step, adherence, last_entry,
         open_alerts, flags, upcoming) = row[_PATIENT_COUNT:]
        rows.append((info, StoredStatus(
            int(pid), known(computed_for), _moment(computed_at), phase, float(dose_mg),
            day(next_step), None if adherence is None else float(adherence), day(last_entry),
            open_alerts, flags, day(upcoming))))
    return rows
