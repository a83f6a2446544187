"""The audited tables, and how a value in the trail and one in a table are read to be compared.

The audit trail writes every value as text (``audit._plain``); the driver gives a table's values
its own way (SQLite: ISO text and 0/1; a server: dates and booleans). ``verify`` must say
whether the two hold the same without trusting either: ``"12"`` in the trail and ``12.0`` in a
float column agree, and a value no ORM type would accept (``"abc"`` in a float column, written
with plain SQL) must be a difference to report, not a crash. So each value is read as its
column's type reads it, from the driver's own values, and what the type cannot hold is kept as
found (:class:`Odd`). A cheap fast path (the live value as the trail would write it) settles
the common case without reading both sides.

These are the lowest pieces of ``verify``: the replay (:mod:`tracker.storage.verify_replay`)
and the entry point (:mod:`tracker.storage.verify`) both stand on them.

``patient_status`` is not audited: it is derived (recomputed from the diary whenever it is
stale), so it is not compared. ``patient.created_at`` is set by the server and not recorded.
Every row's ``uuid`` is recorded from migration 0004 on; a row inserted before it has its uuid
unrecorded (``ADDED_LATER``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy.types import Boolean, Date, DateTime, Float, Integer

from tracker.models import Base
from tracker.storage import audit

# The tables whose every change goes through the audit trail (services/audited.py), in the
# order they are reported. patient_status is derived and deliberately absent.
AUDITED_TABLES = ("patient", "medication", "chemo_session", "dose_entry", "side_effect_report",
                  "clear_day", "symptom_score", "note", "alert_dismissal")
NOT_RECORDED = {"patient": ("created_at",)}  # the server's timestamp, never in the trail
DATE_COLUMN = {"medication": "start_date", "chemo_session": "start_date"}  # else "day"
# Columns a later migration added to every audited table: an insert written before it does not
# record them, which is no contradiction; the column is then unrecorded for that row, and only
# a row whose insert recorded it is held to it. ``uuid``: migration 0004 (docs/identity.md).
ADDED_LATER = frozenset({"uuid"})


# -- the values, as the column's type reads them ---------------------------------------------

class Odd(NamedTuple):
    """A value the column's type cannot hold (``"abc"`` in a float column), kept as found."""

    raw: Any


UNRECORDED = object()  # a column an insert's audit row does not record (told once, there)


def _iso_date(value: str) -> date | Odd:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return Odd(value)
    return day if day.isoformat() == value else Odd(value)


def _trail_bool(value: str) -> Any:
    return {"true": True, "1": True, "false": False, "0": False}.get(value, Odd(value))


def _trail_int(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return Odd(value)


def _trail_float(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return Odd(value)


def _trail_datetime(value: str) -> Any:
    return audit.stored_datetime(value) or Odd(value)


def _trail_text(value: str) -> Any:
    return value


_FROM_TRAIL = {"bool": _trail_bool, "int": _trail_int, "float": _trail_float,
               "date": _iso_date, "datetime": _trail_datetime, "text": _trail_text}


def from_trail(kind: str, value: Any) -> Any:
    """An audit value (text, as ``audit._plain`` wrote it) as the column's type reads it."""
    if value is None:
        return None
    return _FROM_TRAIL[kind](value) if type(value) is str else Odd(value)


def _table_bool(value: Any) -> Any:
    if value is True or value is False:
        return value
    return bool(value) if type(value) is int and value in (0, 1) else Odd(value)


def _table_int(value: Any) -> Any:
    return value if type(value) is int else Odd(value)


def _table_float(value: Any) -> Any:
    kind = type(value)
    return value if kind is float else float(value) if kind is int else Odd(value)


def _table_date(value: Any) -> Any:
    if type(value) is str:
        return _iso_date(value)
    return value if type(value) is date else Odd(value)


def _table_datetime(value: Any) -> Any:
    if type(value) is datetime:
        return value
    return audit.stored_datetime(value) or Odd(value) if type(value) is str else Odd(value)


def _table_text(value: Any) -> Any:
    return value if type(value) is str else Odd(value)


_FROM_TABLE = {"bool": _table_bool, "int": _table_int, "float": _table_float,
               "date": _table_date, "datetime": _table_datetime, "text": _table_text}


def from_table(kind: str, value: Any) -> Any:
    """A value as the driver gives it (SQLite: ISO text and 0/1; a server: dates, booleans)."""
    return None if value is None else _FROM_TABLE[kind](value)


# The fast path: a live value as the trail would write it, where that is cheap. When it gives
# the trail's text the two agree; when not, both are read as the column's type and compared
# (``"12"`` and ``12.0`` agree; so do ``"2026-01-03"`` and a server's ``date``).
_BOOL_TEXT = {0: "false", 1: "true"}


def _fast_bool(value: Any) -> Any:
    return _BOOL_TEXT.get(value, value)


def _fast_int(value: Any) -> Any:
    return str(value) if type(value) is int else value


def _fast_float(value: Any) -> Any:
    return repr(value) if type(value) is float else value


def _fast_date(value: Any) -> Any:
    return value.isoformat() if type(value) is date else value


def _fast_same(value: Any) -> Any:
    return value


_AS_TEXT = {"bool": _fast_bool, "int": _fast_int, "float": _fast_float, "date": _fast_date,
            "datetime": _fast_same, "text": _fast_same}


def agrees(kind: str, live: Any, text: Any) -> bool:
    """Does the live value ``live`` hold what the trail's ``text`` says?"""
    if text is UNRECORDED:
        return True  # told once, at the insert that left it out
    if _AS_TEXT[kind](live) == text:
        return True
    return from_table(kind, live) == from_trail(kind, text)


def texts_agree(kind: str, one: Any, other: Any) -> bool:
    """Do two of the trail's texts say the same (``"12"`` and ``"12.0"`` in a float column)?"""
    if one is UNRECORDED or other is UNRECORDED or one == other:
        return True
    return from_trail(kind, one) == from_trail(kind, other)


def shown(value: Any) -> str:
    """A value in a message: as the trail writes it, text quoted, nothing as ``NULL``."""
    if value is None:
        return "NULL"
    if isinstance(value, Odd):
        return repr(value.raw)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        quoted = json.dumps(value, ensure_ascii=False)
        return quoted if len(quoted) <= 60 else quoted[:57] + '…"'
    return str(value)


# -- the audited tables' columns ---------------------------------------------------------------

def _kind(column: Any) -> str:
    kind = column.type
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, Float):
        return "float"
    return "text"


@dataclass(frozen=True)
class TableSpec:
    """An audited table: the columns the trail records, in order, and how each one reads."""

    name: str
    columns: tuple[str, ...]  # the id left out
    kinds: tuple[str, ...]
    position: dict[str, int]
    date_column: str | None
    fast: tuple[Callable[[Any], Any], ...]

    @classmethod
    def of(cls, name: str) -> TableSpec:
        table = Base.metadata.tables[name]
        skip = {"id", *NOT_RECORDED.get(name, ())}
        columns = tuple(c for c in table.columns if c.name not in skip)
        day = None if name == "patient" else DATE_COLUMN.get(name, "day")
        kinds = tuple(_kind(c) for c in columns)
        return cls(name, tuple(c.name for c in columns), kinds,
                   {c.name: k for k, c in enumerate(columns)}, day,
                   tuple(_AS_TEXT[k] for k in kinds))

    def select(self) -> str:
        names = ", ".join(f'"{c}"' for c in self.columns)
        return f'SELECT "id", {names} FROM "{self.name}" ORDER BY "id"'

    def texts(self, recorded: dict[str, Any]) -> list[Any]:
        """An insert's ``*`` values in column order (``UNRECORDED`` where one is missing)."""
        return [recorded.get(name, UNRECORDED) for name in self.columns]

    def as_text(self, row: tuple[Any, ...]) -> list[Any]:
        """A live row (its id first) in column order, as the trail would write it (cheaply)."""
        return [fast(v) for fast, v in zip(self.fast, row[1:], strict=True)]

    def named(self, values: list[Any], live: bool) -> dict[str, Any]:
        """Values (live, or the trail's texts) by column name, read as the column's type."""
        read = from_table if live else from_trail
        return {c: v if v is UNRECORDED else read(k, v)
                for c, k, v in zip(self.columns, self.kinds, values, strict=True)}
