"""The records of many patients read table by table, for ``export --all`` (SPEC §9).

The per-patient reads (:class:`tracker.reading.Records`) cost ~10 ms a patient on a three-year
diary, most of it fetching one patient's rows from pages shared with everybody else's; a
clinic's export reads each table once instead, in table order (a plain scan: no ORDER BY, the
caller sorts), with plain SQL on a DB-API cursor (the same transaction as the caller's session,
or a worker process's own connection). The SQL is portable (SQLite and PostgreSQL) and only
integers go into it. Values are normalised as the per-patient reads normalise them: ``date``
objects (SQLite gives ISO text, a server gives dates), ``bool`` for 0/1, ``float`` and ``int``
for numbers; the diary's big tables come raw, a column at a time, for the caller to convert.

A read can be one *shard* of the patients (``patient_id % shards = shard``): each process of
the export reads its own shard, and the modulo keeps the reads full table scans.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.clinical.model import PatientSettings

IN_LIST_LIMIT = 500  # up to this many patients, the reads name them (index look-ups)
CHUNK_ROWS = 50_000  # rows fetched at a time from the big tables

# The diary's big tables, as :meth:`ClinicReader.columns` reads them.
DIARY_TABLES: dict[str, tuple[str, str]] = {
    "doses": ("dose_entry", "patient_id, day, taken, mg, time"),
    "notes": ("note", "patient_id, day, text"),
    "effects": ("side_effect_report", "patient_id, day, name, severity"),
    "clear_days": ("clear_day", "patient_id, day"),
    "scores": ("symptom_score", "patient_id, day, symptom, value"),
}


@dataclass(frozen=True)
class PatientRow:
    """What the export needs of a patient: the columns it prints and the rules' settings."""

    id: int
    name: str
    condition: str
    protocol: str
    settings: PatientSettings


def day_value(value: Any) -> date:
    """A DATE column read with plain SQL: ISO text from SQLite, a date from a server."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _day_or_none(value: Any) -> date | None:
    return None if value is None else day_value(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


_PATIENT_COLUMNS = (
    "id, name, condition, protocol, start_date, start_mg, start_days, step_mg, interval_days, "
    "target_mg, max_mg, tolerance_days, min_severity, formulation, concentration_mg_ml, "
    "weight_kg, transplant, informed_on, thyroid_interval_days")


def settings_from_row(row: Sequence[Any]) -> PatientSettings:
    """The rules' settings from ``_PATIENT_COLUMNS`` after ``id, name, condition``, built as
    the per-patient reads build them."""
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


class ClinicReader:
    """The rows of the patients in ``ids`` (None: everybody) that fall in ``shard``.

    Rows of other patients may come too when ``ids`` is long (the tables are scanned whole
    rather than looked up patient by patient): the caller keeps the ones it wants.
    """

    def __init__(self, cursor: Any, ids: Collection[int] | None = None, shard: int = 0,
                 shards: int = 1) -> None:
        self.cursor = cursor
        tests = []
        if shards > 1:
            tests.append(f"patient_id % {int(shards)} = {int(shard)}")
        if ids is not None and len(ids) <= IN_LIST_LIMIT:
            listed = ", ".join(str(int(i)) for i in sorted(ids)) or "NULL"
            tests.append(f"patient_id IN ({listed})")
        self.where = f" WHERE {' AND '.join(tests)}" if tests else ""

    def _rows(self, sql: str) -> list[Any]:
        self.cursor.execute(sql)
        rows: list[Any] = self.cursor.fetchall()
        return rows

    def patients(self) -> list[PatientRow]:
        where = self.where.replace("patient_id", "id")
        return [PatientRow(int(r[0]), r[1], r[2], r[3], settings_from_row(r[3:]))
                for r in self._rows(f"SELECT {_PATIENT_COLUMNS} FROM patient{where} ORDER BY id")]

    def medications(self) -> list[tuple[int, str, date | None, date | None]]:
        """In id order, as the per-patient diary has them."""
        return [(int(p), n, _day_or_none(s), _day_or_none(e)) for p, n, s, e in self._rows(
            f"SELECT patient_id, name, start_date, end_date FROM medication{self.where} "
            "ORDER BY patient_id, id")]

    def chemo(self) -> list[tuple[int, date, date]]:
        """By start date, as the per-patient diary has them."""
        return [(int(p), day_value(s), day_value(e)) for p, s, e in self._rows(
            f"SELECT patient_id, start_date, end_date FROM chemo_session{self.where} "
            "ORDER BY patient_id, start_date, id")]

    def dismissed(self) -> list[tuple[int, str, date]]:
        return [(int(p), c, day_value(d)) for p, c, d in self._rows(
            f"SELECT patient_id, code, day FROM alert_dismissal{self.where}")]

    def columns(self, table: str) -> Iterator[tuple[tuple[Any, ...], ...]]:
        """One of :data:`DIARY_TABLES`, a chunk of rows at a time, each chunk as columns (raw
        values: days as the driver gives them, 0/1 or booleans), in table order."""
        name, columns = DIARY_TABLES[table]
        self.cursor.execute(f"SELECT {columns} FROM {name}{self.where}")
        while rows := self.cursor.fetchmany(CHUNK_ROWS):
            yield tuple(zip(*rows, strict=True))
