"""The clinic table's rows and columns: each patient's status as a row, the flag columns (most
urgent first), how each column sorts, and the cells of the flags (plain values, no Textual
widget: the clinic screen draws them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from rich.text import Text

from tracker.clinical.flags import FLAG_ORDER, flag_rank
from tracker.i18n import N_, _
from tracker.services.clinic import Clinic

# The cohort's flags (tracker/clinical/flags.py) in columns of their own, the opioid hold and
# the transplant caution first (SPEC §13): column key, heading, width, the flags it shows with
# their short labels (most urgent first), and the cell's style.
FLAG_COLUMNS: tuple[tuple[str, str, int, tuple[tuple[str, str], ...], str], ...] = (
    ("hold", N_("Hold"), 6, (("opioid_contraindication", N_("opioid")),), "bold red"),
    ("transplant", N_("Transpl."), 8, (("transplant_caution", N_("caution")),), "bold red"),
    ("side_effects", N_("Side eff."), 12, (
        ("side_effect_reduction", N_("reduction")),
        ("persists_despite_reduction", N_("persists")),
        ("plateau", N_("plateau")),
        ("dose_maybe_too_high", N_("dose high?")),
    ), "red"),
    ("doses", N_("Doses"), 15, (
        ("missed_doses", N_("missed")),
        ("no_entry_3d", N_("no entry 3 d")),
        ("low_adherence", N_("adh. < 80 %")),
    ), "yellow"),
    ("info", N_("Info"), 7, (("information_pending", N_("pending")),), "yellow"),
    ("other", N_("Other"), 10, (
        ("thyroid_blood_test", N_("thyroid")),
        ("needs_liquid", N_("liquid")),
    ), ""),
)
FLAG_LABELS = {flag: label for column in FLAG_COLUMNS for flag, label in column[3]}


class CohortRow(NamedTuple):
    """One patient's line, with the values the columns sort by (a named tuple: 2,000 frozen
    dataclasses cost ~10 ms more to build, each field set through ``object.__setattr__``)."""

    id: int
    name: str
    protocol: str
    phase: str
    dose_mg: float
    adherence_30d: float | None
    last_entry: date | None
    next_step: date | None
    open_alerts: tuple[str, ...]  # the code of every open alert, most urgent first
    flags: tuple[str, ...]  # most urgent first
    next_upcoming: date | None = None

    def flagged(self, column: str) -> tuple[str, ...]:
        """This row's flags shown in a flag column, most urgent first."""
        shown = _COLUMN_FLAGS[column]
        return tuple(f for f in self.flags if f in shown)


_COLUMN_FLAGS = {column[0]: frozenset(f for f, _label in column[3]) for column in FLAG_COLUMNS}


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value)


def urgency(row: CohortRow) -> tuple[Any, ...]:
    """Most urgent first: by the most urgent flag (an opioid hold before a transplant caution
    before every other flag), then the number of flags and of open alerts; unflagged last."""
    top = flag_rank(row.flags[0]) if row.flags else len(FLAG_ORDER) + 1
    return (top, -len(row.flags), -len(row.open_alerts), row.name.casefold(), row.id)


def _flag_column_sort(key: str) -> Callable[[CohortRow], Any]:
    return lambda r: (not r.flagged(key), urgency(r))


# column key, heading, width, sort key (ascending). The hold's column sorts by urgency (the
# first order); another flag's puts the rows it flags first, the most urgent first.
COLUMNS: tuple[tuple[str, str, int, Callable[[CohortRow], Any]], ...] = (
    ("id", N_("Id"), 3, lambda r: r.id),
    ("name", N_("Name"), 12, lambda r: (r.name.casefold(), r.id)),
    ("open", N_("Open"), 4, lambda r: (-len(r.open_alerts), urgency(r))),
    ("hold", N_("Hold"), 6, urgency),
    *((key, heading, width, _flag_column_sort(key))
      for key, heading, width, _flags, _style in FLAG_COLUMNS[1:]),
    ("phase", N_("Phase"), 11, lambda r: (r.phase, r.id)),
    ("dose", N_("Dose"), 7, lambda r: (r.dose_mg, r.id)),
    ("adherence", N_("Adh. 30d"), 8, lambda r: (*_none_last(r.adherence_30d), r.id)),
    ("last_entry", N_("Last entry"), 10, lambda r: (*_none_last(r.last_entry), r.id)),
    ("protocol", N_("Protocol"), 16, lambda r: (r.protocol, r.id)),
    ("next_step", N_("Next step"), 10, lambda r: (*_none_last(r.next_step), r.id)),
    ("upcoming", N_("Upcoming"), 10, lambda r: (*_none_last(r.next_upcoming), r.id)),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)
URGENCY_COLUMNS = tuple(c[0] for c in FLAG_COLUMNS) + ("open",)


def cohort_rows(clinic: Clinic, refresh_stale: bool = True) -> list[CohortRow]:
    """The stored rows as the table's; a clinic has few distinct flag and alert lists, each
    split (and the flags put in urgency order) once."""
    codes: dict[str, tuple[str, ...]] = {}
    flag_lists: dict[str, tuple[str, ...]] = {}

    def alerts_of(text: str | None) -> tuple[str, ...]:
        found = codes.get(text or "")
        if found is None:
            found = codes[text or ""] = tuple(c for c in (text or "").split(",") if c)
        return found

    def flags_of(text: str | None) -> tuple[str, ...]:
        found = flag_lists.get(text or "")
        if found is None:
            found = flag_lists[text or ""] = tuple(sorted(
                (f for f in (text or "").split(",") if f), key=flag_rank))
        return found

    return [CohortRow(info.id, info.name, info.protocol, status.phase, status.dose_mg,
                      status.adherence_30d, status.last_entry, status.next_step_date,
                      alerts_of(status.open_alerts), flags_of(status.flags),
                      status.next_upcoming)
            for info, status in clinic.cohort_status(refresh_stale=refresh_stale)]


def flag_cell(row: CohortRow, key: str, style: str) -> Text | str:
    """The most urgent of the row's flags of one column, and how many more ("+1")."""
    shown = row.flagged(key)
    if not shown:
        return ""
    more = f" +{len(shown) - 1}" if len(shown) > 1 else ""
    return Text(_(FLAG_LABELS[shown[0]]) + more, style=style)


def flag_cells(row: CohortRow, cache: dict[tuple[str, ...], list[Text | str]]
               ) -> list[Text | str]:
    """The flag columns' cells of a row; rows with the same flags share them (a clinic has
    few distinct combinations, and the table only reads its cells)."""
    cells = cache.get(row.flags)
    if cells is None:
        cells = cache[row.flags] = [flag_cell(row, key, style)
                                    for key, _h, _w, _f, style in FLAG_COLUMNS]
    return cells


def iso_day(value: date | None) -> str:
    return "–" if value is None else value.isoformat()
