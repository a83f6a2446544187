"""Stored diary rows into the rules engine's values, for every read of a diary.

No SQLAlchemy here: :class:`~tracker.storage.records.Records` and the clinic's export
(:mod:`tracker.export.bulk_diary`) read the rows with plain SQL and convert them with these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from tracker.clinical.model import ChemoSession as ChemoValue
from tracker.clinical.model import (
    Diary,
    dose_entry,
    effect_entry,
    score_entry,
)
from tracker.clinical.model import DoseEntry as DoseValue
from tracker.clinical.model import EffectEntry as EffectValue
from tracker.clinical.model import Medication as MedicationValue
from tracker.clinical.model import ScoreEntry as ScoreValue


def day_value(value: Any) -> date:
    """A DATE column read with plain SQL: ISO text from SQLite, a date from a server."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def day_or_none(value: Any) -> date | None:
    return None if value is None else day_value(value)


# -- the rules engine's diary, from rows --------------------------------------------------------
#
# One conversion of stored rows into the engine's values, for the per-patient read
# (Records.diary) and the clinic's export (tracker.export.bulk_diary), so a plan on a screen and
# the plan in ``export --all`` are computed from the same values. The export calls these on each
# *distinct* row only (a few thousand: the values repeat over millions of rows) and shares the
# immutable results between equal rows; Records.diary calls them on its patient's rows. Each
# takes rows as tuples of the ``*_COLUMNS`` below, raw as a DB-API driver gives them (SQLite:
# ISO text and 0/1; a server: dates and booleans); ``day`` converts a day (a caller with many
# rows passes one that converts each distinct day once).

DOSE_COLUMNS = "day, taken, mg"
EFFECT_COLUMNS = "day, name, severity"
CLEAR_DAY_COLUMNS = "day"
SCORE_COLUMNS = "day, symptom, value"
MEDICATION_COLUMNS = "name, start_date, end_date"
CHEMO_COLUMNS = "start_date, end_date"

DayOf = Callable[[Any], date]
Rows = Iterable[Sequence[Any]]


class DayCache(dict[Any, date]):
    """Stored days and their ``date``: each distinct one converted once (``__getitem__`` is
    the ``DayOf`` of a read; a year of diary has ~2,200 rows over 365 days)."""

    def __missing__(self, value: Any) -> date:
        converted = self[value] = day_value(value)
        return converted


_STORED_DAYS = DayCache()
STORED_DAYS_KEPT = 20_000  # distinct days remembered (55 years of them; ~2 MB at most)


def stored_day() -> DayOf:
    """The process's ``DayOf``: each distinct stored day converted once while the process runs,
    not once per read. A clinic's diaries share the same few thousand days, and a process reads
    them again and again (each check-in's status refresh, the cohort's background refresh, a
    screen re-read after a save): a third of a three-year diary's read was converting its
    ~2,000 days. The ``date`` values are immutable, so sharing them is safe; the cache is
    emptied once it holds ``STORED_DAYS_KEPT`` days, so it stays small whatever is read."""
    if len(_STORED_DAYS) >= STORED_DAYS_KEPT:
        _STORED_DAYS.clear()
    return _STORED_DAYS.__getitem__


# The values are made with the model's fast constructors (``dose_entry`` …): equal to the
# dataclasses' own, in half the time; three years of diary are ~6,500 of them per read.

def doses_of(rows: Rows, day: DayOf) -> list[DoseValue]:
    return [dose_entry(day(d), bool(taken), None if mg is None else float(mg))
            for d, taken, mg in rows]


def effects_of(rows: Rows, day: DayOf) -> list[EffectValue]:
    return [effect_entry(day(d), name, int(severity)) for d, name, severity in rows]


def clear_days_of(rows: Rows, day: DayOf) -> list[date]:
    return [day(d) for (d,) in rows]


def scores_of(rows: Rows, day: DayOf) -> list[ScoreValue]:
    return [score_entry(day(d), symptom, int(value)) for d, symptom, value in rows]


def medications_of(rows: Rows) -> list[MedicationValue]:
    return [MedicationValue(name, day_or_none(start), day_or_none(end))
            for name, start, end in rows]


def chemo_of(rows: Rows) -> list[ChemoValue]:
    return [ChemoValue(day_value(start), day_value(end)) for start, end in rows]


def diary_of(doses: Iterable[DoseValue], effects: Iterable[EffectValue],
             clear_days: Iterable[date], scores: Iterable[ScoreValue],
             medications: Iterable[MedicationValue], chemo: Iterable[ChemoValue]) -> Diary:
    """A patient's diary from their values, each kind in this order: doses by day; side effects
    by day, then name; scores by day, then symptom; medications by id; chemotherapy sessions by
    start date, then id (clear days are a set). Names are in code-point order (Python's, and
    SQLite's); a server orders them by its collation, which for a ``C`` collation is the same
    and otherwise may differ within a day only, which the rules do not read (a day's side
    effects and scores are taken together: a maximum, a set of names, a mean)."""
    return Diary(doses=tuple(doses), effects=tuple(effects), clear_days=frozenset(clear_days),
                 scores=tuple(scores), medications=tuple(medications), chemo=tuple(chemo))
