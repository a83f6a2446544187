"""The records of many patients read table by table, for ``export --all`` (SPEC §9).

The per-patient reads (``Clinic.inputs``) cost ~10 ms a patient on a three-year diary, most of
it fetching one patient's rows from pages shared with everybody else's; a clinic's export reads
each table once instead, in table order (a plain scan: no ORDER BY, the caller sorts), here with
plain SQL on a DB-API cursor (the same transaction as the caller's session, or a worker
process's own connection). The SQL is portable (SQLite and PostgreSQL) and only integers go into
it. Values are normalised as the per-patient reads normalise them: ``date`` objects (SQLite
gives ISO text, a server gives dates), ``bool`` for 0/1, ``float`` and ``int`` for numbers.

A read can be one *shard* of the patients (``patient_id % shards = shard``): each worker of the
export's process pool reads its own shard, and the modulo keeps the reads full table scans.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.clinical.model import PatientSettings

IN_LIST_LIMIT = 500  # up to this many patients, the reads name them (index look-ups)


@dataclass(frozen=True)
class PatientRow:
    """What the export needs of a patient: the columns it prints and the rules' settings."""

    id: int
    name: str
    condition: str
    protocol: str
    settings: PatientSettings


@dataclass
class ClinicRows:
    """The rows of the patients asked for, one column (a tuple) per field, in table order."""

    patients: list[PatientRow] = field(default_factory=list)
    medications: list[tuple[int, str, date | None, date | None]] = field(default_factory=list)
    chemo: list[tuple[int, date, date]] = field(default_factory=list)
    dismissed: list[tuple[int, str, date]] = field(default_factory=list)
    # patient_id, day (raw: ISO text or date), taken, mg, time
    doses: tuple[tuple[Any, ...], ...] = ((), (), (), (), ())
    notes: tuple[tuple[Any, ...], ...] = ((), (), ())  # patient_id, day, text
    effects: tuple[tuple[Any, ...], ...] = ((), (), (), ())  # patient_id, day, name, severity
    clear_days: tuple[tuple[Any, ...], ...] = ((), ())  # patient_id, day
    scores: tuple[tuple[Any, ...], ...] = ((), (), (), ())  # patient_id, day, symptom, value


def day_value(value: Any) -> date:
    """A DATE column read with plain SQL: ISO text from SQLite, a date from a server."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _day_or_none(value: Any) -> date | None:
    return None if value is None else day_value(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _where(ids: Collection[int] | None, shard: int, shards: int) -> str:
    tests = []
    if shards > 1:
        tests.append(f"patient_id % {int(shards)} = {int(shard)}")
    if ids is not None and len(ids) <= IN_LIST_LIMIT:
        tests.append(f"patient_id IN ({', '.join(str(int(i)) for i in sorted(ids)) or 'NULL'})")
    return f" WHERE {' AND '.join(tests)}" if tests else ""


def _columns(cursor: Any, sql: str, width: int) -> tuple[tuple[Any, ...], ...]:
    cursor.execute(sql)
    rows = cursor.fetchall()
    if not rows:
        return tuple(() for _ in range(width))
    return tuple(zip(*rows, strict=True))


def settings_from_row(row: Sequence[Any]) -> PatientSettings:
    """The rules' settings from ``_PATIENT_COLUMNS`` (after ``id, name, condition``), as the
    per-patient reads build them."""
    (protocol, start, start_mg, start_days, step_mg, interval, target, max_mg, tolerance,
     min_severity, formulation, concentration, weight, transplant, informed, thyroid) = row
    return PatientSettings(
        start_date=day_value(start), protocol=protocol, start_mg=float(start_mg),
        start_days=int(start_days), step_mg=float(step_mg), interval_days=int(interval),
        target_mg=float(target), max_mg=float(max_mg), tolerance_days=int(tolerance),
        min_severity=int(min_severity),
        formulation="liquid" if formulation == "liquid" else "capsule",
        concentration_mg_ml=_float_or_none(concentration), weight_kg=_float_or_none(weight),
        transplant=bool(transplant), informed_on=_day_or_none(informed),
        thyroid_interval_days=int(thyroid))


_PATIENT_COLUMNS = (
    "id, name, condition, protocol, start_date, start_mg, start_days, step_mg, interval_days, "
    "target_mg, max_mg, tolerance_days, min_severity, formulation, concentration_mg_ml, "
    "weight_kg, transplant, informed_on, thyroid_interval_days")


def read_clinic(cursor: Any, ids: Collection[int] | None = None, shard: int = 0,
                shards: int = 1) -> ClinicRows:
    """The rows of the patients in ``ids`` (None: everybody) that fall in ``shard``.

    Rows of other patients may be returned when ``ids`` is long (the tables are scanned
    whole rather than looked up patient by patient): the caller keeps the ones it wants.
    Medications come in id order and chemotherapy sessions by start date, as the per-patient
    diary has them; everything else in table order.
    """
    where = _where(ids, shard, shards)
    rows = ClinicRows()
    patient_where = where.replace("patient_id", "id")
    cursor.execute(f"SELECT {_PATIENT_COLUMNS} FROM patient{patient_where} ORDER BY id")
    rows.patients = [PatientRow(int(r[0]), r[1], r[2], r[3], settings_from_row(r[3:]))
                     for r in cursor.fetchall()]
    cursor.execute(f"SELECT patient_id, name, start_date, end_date FROM medication{where} "
                   "ORDER BY patient_id, id")
    rows.medications = [(int(p), n, _day_or_none(s), _day_or_none(e))
                        for p, n, s, e in cursor.fetchall()]
    cursor.execute(f"SELECT patient_id, start_date, end_date FROM chemo_session{where} "
                   "ORDER BY patient_id, start_date, id")
    rows.chemo = [(int(p), day_value(s), day_value(e)) for p, s, e in cursor.fetchall()]
    cursor.execute(f"SELECT patient_id, code, day FROM alert_dismissal{where}")
    rows.dismissed = [(int(p), c, day_value(d)) for p, c, d in cursor.fetchall()]
    rows.doses = _columns(
        cursor, f"SELECT patient_id, day, taken, mg, time FROM dose_entry{where}", 5)
    rows.notes = _columns(cursor, f"SELECT patient_id, day, text FROM note{where}", 3)
    rows.effects = _columns(
        cursor, f"SELECT patient_id, day, name, severity FROM side_effect_report{where}", 4)
    rows.clear_days = _columns(cursor, f"SELECT patient_id, day FROM clear_day{where}", 2)
    rows.scores = _columns(
        cursor, f"SELECT patient_id, day, symptom, value FROM symptom_score{where}", 4)
    return rows
