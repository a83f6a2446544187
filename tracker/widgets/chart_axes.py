"""What the app's charts share: the dose and date axes, the bands and the legend keys.

One truth for the clinician's review chart (:mod:`tracker.widgets.clinic_chart`) and the
patient's Plan charts (:mod:`tracker.widgets.dose_chart`, :mod:`tracker.widgets.symptom_chart`):
colour-blind-safe colours from :mod:`tracker.export.palette`, dose ticks at capsule strengths
(SPEC §2) in mg, dates with their year (SPEC §13, :func:`tracker.i18n.format_short_date`), and
reduction weeks and pauses shaded with characters of their own, so they are told apart without
colour too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text

from tracker.clinical.model import CAPSULE_STRENGTHS_MG
from tracker.i18n import N_, format_mg, format_short_date

RGB = tuple[int, int, int]

BAND_STYLES: dict[str, tuple[RGB, str]] = {
    "reduction": ((230, 159, 0), N_("Reduction week")),
    "pause": ((153, 153, 153), N_("Pause or hold")),
}
BAND_MARKS = {"reduction": "░", "pause": "▒"}  # told apart without colour, too
Y_LABEL_WIDTH = 7  # "0.75 mg": both Plan charts' plots start in the same column
TICK_COLUMNS = 16  # a date tick ("10 Dec 2026", "10. dec. 2026") and room around it
PLAN_TICK_COLUMNS = 18  # the Plan's ticks, through today, need room either side of it too


@dataclass(frozen=True)
class Band:
    kind: str  # "reduction" or "pause" (pause and hold)
    first: int  # day offsets from the chart's first day
    last: int


def band_kind(phase: str | None) -> str | None:
    """The band a plan phase is shaded with, or None: pauses and holds share one."""
    kind = "pause" if phase in ("pause", "hold") else phase
    return kind if kind in BAND_STYLES else None


def bands_of(days: Iterable[tuple[int, str | None]]) -> list[Band]:
    """Runs of consecutive days (offset, phase) in a reduction week or a pause/hold."""
    bands: list[Band] = []
    for x, phase in days:
        kind = band_kind(phase)
        if kind is None:
            continue
        if bands and bands[-1].kind == kind and bands[-1].last == x - 1:
            bands[-1] = Band(kind, bands[-1].first, x)
        else:
            bands.append(Band(kind, x, x))
    return bands


def rgb(colour: RGB) -> str:
    return f"rgb({colour[0]},{colour[1]},{colour[2]})"


def key(text: Text, mark: str, colour: RGB, label: str) -> None:
    """One legend entry (a sample of the line or shading, then its name); kept whole."""
    if text:
        text.append("   ")
    text.append(mark, style=rgb(colour))
    text.append(f" {label}")


def capsule_ticks(top: float) -> list[float]:
    """Ticks at the capsule strengths (SPEC §2) up to the axis top, at most five."""
    return [0.0, *_thin([s for s in CAPSULE_STRENGTHS_MG if s <= top], 5)]


def plan_dose_ticks(doses: Iterable[float], rows: int, top: float) -> list[float]:
    """Ticks at the doses a plan uses (capsule strengths, SPEC §2), 0 and the highest always,
    then the others from the top down, each only where it gets a row of plot of its own
    (``rows`` rows from 0 to ``top``)."""
    used = sorted({round(d, 3) for d in doses if d > 0}, reverse=True)

    def row(value: float) -> int:
        return round(value / top * (rows - 1)) if top > 0 else 0

    ticks = [0.0]
    taken = {row(0.0)}
    for dose in used:
        if row(dose) not in taken:
            ticks.append(dose)
            taken.add(row(dose))
    return sorted(ticks)


def _thin(values: list[float], most: int) -> list[float]:
    """Every other value until at most ``most`` are left, the highest kept."""
    while len(values) > most:
        values = values[::-1][::2][::-1]
    return values


def mg_label(value: float) -> str:
    return "0" if value == 0 else format_mg(value)


def steps(points: Sequence[tuple[int, float]]) -> tuple[list[float], list[float]]:
    """A step line: each day's dose held until the next day."""
    xs: list[float] = []
    ys: list[float] = []
    for day, mg in points:
        xs += [day, day + 0.999]
        ys += [mg, mg]
    return xs, ys


def date_ticks(start: date, last: int, width: int = 100, *, first: int = 0,
               anchor: int | None = None, columns: int = TICK_COLUMNS) -> list[tuple[int, str]]:
    """Day offsets from ``start`` between ``first`` and ``last``, whole weeks apart and through
    ``anchor`` (default ``first``; the Plan charts use today), labelled with their date and
    year; as many as fit ``width`` columns, ``columns`` a tick."""
    count = max(2, min(6, width // columns))
    step = max(7, (((last - first) // count) // 7 + 1) * 7)
    anchor = first if anchor is None else anchor
    lowest = anchor - ((anchor - first) // step) * step
    return [(x, format_short_date(start + timedelta(days=x)))
            for x in range(lowest, last + 1, step)]


@dataclass(frozen=True)
class DateAxis:
    """The days one or more charts share: offsets from ``start`` up to ``last``, today marked."""

    start: date
    last: int
    today: int

    @classmethod
    def spanning(cls, first: date, last: date, today: date) -> DateAxis:
        return cls(first, max((last - first).days, (today - first).days, 1),
                   (today - first).days)

    def offset(self, day: date) -> int:
        return (day - self.start).days

    def ticks(self, width: int) -> list[tuple[int, str]]:
        """Dates with their year, whole weeks apart and through today."""
        return date_ticks(self.start, self.last, width, anchor=self.today,
                          columns=PLAN_TICK_COLUMNS)
