"""A patient's whole record with every row's stable identity: what a FHIR bundle carries.

:mod:`tracker.storage.records` reads what the rules engine needs; this module reads the same
rows with their ``uuid`` (migration 0004, docs/identity.md), the note and the dismissals too,
as plain values: the bundle's mapping (:mod:`tracker.export.fhir`) and the import's merge
(:mod:`tracker.services.fhir_import`) both work on a :class:`RecordSet`, so what goes out and
what comes in are compared value by value. Plain SQL on the DB-API connection, as there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tracker.storage.diary_rows import day_or_none, day_value
from tracker.storage.records import (
    PATIENT_COLUMNS,
    PatientFields,
    Records,
    patient_from_row,
    unknown_patient,
)


@dataclass(frozen=True)
class DoseRow:
    uuid: str
    day: date
    taken: bool
    mg: float | None
    time: str | None


@dataclass(frozen=True)
class EffectRow:
    uuid: str
    day: date
    name: str
    severity: int


@dataclass(frozen=True)
class ClearRow:
    uuid: str
    day: date


@dataclass(frozen=True)
class ScoreRow:
    uuid: str
    day: date
    symptom: str
    value: int


@dataclass(frozen=True)
class NoteRow:
    uuid: str
    day: date
    text: str


@dataclass(frozen=True)
class MedicationRow:
    uuid: str
    name: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class ChemoRow:
    uuid: str
    start: date
    end: date


@dataclass(frozen=True)
class DismissalRow:
    uuid: str
    code: str
    day: date
    reason: str
    actor: str
    at: datetime


@dataclass(kw_only=True)
class Rows:
    """A patient's rows, kind by kind: what a database holds (:class:`RecordSet`) and what a
    bundle brings (:class:`tracker.services.fhir_import.Incoming`), compared list by list."""

    doses: list[DoseRow] = field(default_factory=list)
    effects: list[EffectRow] = field(default_factory=list)
    clear_days: list[ClearRow] = field(default_factory=list)
    scores: list[ScoreRow] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)
    medications: list[MedicationRow] = field(default_factory=list)
    chemo: list[ChemoRow] = field(default_factory=list)
    dismissals: list[DismissalRow] = field(default_factory=list)


@dataclass(kw_only=True)
class RecordSet(Rows):
    """One patient's settings and every row the plan and the review are computed from."""

    patient_uuid: str
    patient: PatientFields


def _rows(connection: Any, sql: str) -> Sequence[Any]:
    return Records(connection).fetch_all(sql)


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def read_record_set(connection: Any, patient_id: int) -> RecordSet:
    """Everything of one patient, each list in the order of its day (then name), by id."""
    pid = int(patient_id)
    found = _rows(connection, f"SELECT {PATIENT_COLUMNS}, uuid FROM patient WHERE id = {pid}")
    if not found:
        raise unknown_patient(patient_id)
    where = f"WHERE patient_id = {pid}"

    def rows(sql: str) -> Sequence[Any]:
        return _rows(connection, sql)

    return RecordSet(
        patient_uuid=str(found[0][-1]),
        patient=patient_from_row(found[0][:-1]),
        doses=[DoseRow(str(u), day_value(d), bool(t), None if mg is None else float(mg), tm)
               for u, d, t, mg, tm in rows(
                   f"SELECT uuid, day, taken, mg, time FROM dose_entry {where} ORDER BY day")],
        effects=[EffectRow(str(u), day_value(d), n, int(s)) for u, d, n, s in rows(
            f"SELECT uuid, day, name, severity FROM side_effect_report {where} "
            "ORDER BY day, id")],
        clear_days=[ClearRow(str(u), day_value(d)) for u, d in rows(
            f"SELECT uuid, day FROM clear_day {where} ORDER BY day")],
        scores=[ScoreRow(str(u), day_value(d), s, int(v)) for u, d, s, v in rows(
            f"SELECT uuid, day, symptom, value FROM symptom_score {where} ORDER BY day, id")],
        notes=[NoteRow(str(u), day_value(d), t) for u, d, t in rows(
            f"SELECT uuid, day, text FROM note {where} ORDER BY day")],
        medications=[MedicationRow(str(u), n, day_or_none(s), day_or_none(e))
                     for u, n, s, e in rows(
                         f"SELECT uuid, name, start_date, end_date FROM medication {where} "
                         "ORDER BY id")],
        chemo=[ChemoRow(str(u), day_value(s), day_value(e)) for u, s, e in rows(
            f"SELECT uuid, start_date, end_date FROM chemo_session {where} "
            "ORDER BY start_date, id")],
        dismissals=[DismissalRow(str(u), c, day_value(d), r, a, _at(at))
                    for u, c, d, r, a, at in rows(
                        f"SELECT uuid, code, day, reason, actor, at FROM alert_dismissal "
                        f"{where} ORDER BY day, code")],
    )


def patient_ids_by_uuid(connection: Any, uuids: Sequence[str]) -> dict[str, int]:
    """Which of these patient uuids this database holds, and as which id."""
    if not uuids:
        return {}
    wanted = {u for u in uuids if _is_uuid(u)}
    found = _rows(connection, "SELECT uuid, id FROM patient WHERE uuid IN ("
                  + ", ".join(f"'{u}'" for u in sorted(wanted)) + ")") if wanted else []
    return {str(u): int(i) for u, i in found}


def _is_uuid(text: str) -> bool:
    """Only canonical uuids are ever put into SQL here (they come from a file)."""
    import uuid

    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False
