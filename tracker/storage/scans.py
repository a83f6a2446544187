"""The records of many patients read table by table, for ``export --all`` (SPEC §9).

The per-patient reads (:class:`tracker.storage.records.Records`) cost ~10 ms a patient on a
three-year diary, most of it fetching one patient's rows from pages shared with everybody else's; a
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

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.clinical.model import PatientSettings
from tracker.storage.diary_rows import (
    CHEMO_COLUMNS,
    CLEAR_DAY_COLUMNS,
    DOSE_COLUMNS,
    EFFECT_COLUMNS,
    MEDICATION_COLUMNS,
    SCORE_COLUMNS,
    day_or_none,
    day_value,
)
from tracker.storage.records import PATIENT_COLUMNS, patient_from_row, settings_of

IN_LIST_LIMIT = 500  # up to this many patients, the reads name them (index look-ups)
CHUNK_ROWS = 50_000  # rows fetched at a time from the big tables

# The diary's big tables, as :meth:`ClinicReader.columns` reads them: the patient, then the
# columns of the rules engine's rows (tracker.storage.records' ``*_COLUMNS``, in their order, for
# its ``*_of`` converters), then what only the files show.
DIARY_TABLES: dict[str, tuple[str, str]] = {
    "doses": ("dose_entry", f"patient_id, {DOSE_COLUMNS}, time"),
    "notes": ("note", "patient_id, day, text"),
    "effects": ("side_effect_report", f"patient_id, {EFFECT_COLUMNS}"),
    "clear_days": ("clear_day", f"patient_id, {CLEAR_DAY_COLUMNS}"),
    "scores": ("symptom_score", f"patient_id, {SCORE_COLUMNS}"),
}


@dataclass(frozen=True)
class PatientRow:
    """What the export needs of a patient: the columns it prints and the rules' settings."""

    id: int
    name: str
    condition: str
    protocol: str
    settings: PatientSettings


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
        return [PatientRow(p.id, p.name, p.condition, p.protocol, settings_of(p))
                for p in map(patient_from_row, self._rows(
                    f"SELECT {PATIENT_COLUMNS} FROM patient{where} ORDER BY id"))]

    def medications(self) -> list[tuple[int, str, date | None, date | None]]:
        """In id order, as the per-patient diary has them."""
        return [(int(p), n, day_or_none(s), day_or_none(e)) for p, n, s, e in self._rows(
            f"SELECT patient_id, {MEDICATION_COLUMNS} FROM medication{self.where} "
            "ORDER BY patient_id, id")]

    def chemo(self) -> list[tuple[int, date, date]]:
        """By start date, as the per-patient diary has them."""
        return [(int(p), day_value(s), day_value(e)) for p, s, e in self._rows(
            f"SELECT patient_id, {CHEMO_COLUMNS} FROM chemo_session{self.where} "
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
