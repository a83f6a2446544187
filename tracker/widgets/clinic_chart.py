"""The review chart: the planned dose and the symptom scores over the same days.

The dose is a step line on the left axis (mg), each symptom's 7-day mean on the right axis
(0–10); reduction weeks and pauses or holds are shaded bands, so a clinician sees at once whether
a dose change and a change in symptoms line up. The figures arrive as a :class:`ChartData`
built in a worker; the widget only draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tracker.export.palette import DOSE_COLOUR, SYMPTOM_COLOURS
from tracker.i18n import _, format_number
from tracker.widgets.chart_axes import (
    BAND_MARKS,
    BAND_STYLES,
    Band,
    capsule_ticks,
    date_ticks,
    steps,
)
from tracker.widgets.chart_axes import key as _key

__all__ = ["BAND_MARKS", "BAND_STYLES", "Band", "ChartData", "ReviewChart"]


@dataclass(frozen=True)
class ChartData:
    start: date
    today: int
    dose: list[tuple[int, float]] = field(default_factory=list)
    symptoms: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    bands: list[Band] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.dose and not self.symptoms


class _Plot(PlotextPlot):
    """The plot itself; its legend is drawn beside it, outside the plotting area."""


class ReviewChart(Vertical):
    """Dose (mg) and symptom scores (0–10) over time, with the legend below the plot.

    Colour-blind-safe colours (:mod:`tracker.export.palette`, as the report's): the dose in
    blue, each symptom in a colour of its own, never the dose's; the dose axis ticks at capsule
    strengths; dates with their year.
    """

    DEFAULT_CSS = """
    ReviewChart { height: 12; }
    ReviewChart > _Plot { height: 1fr; }
    ReviewChart > .legend { height: auto; max-height: 2; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.data: ChartData | None = None

    def compose(self) -> ComposeResult:
        yield _Plot()
        yield Static("", classes="legend")

    def show(self, data: ChartData) -> None:
        self.data = data
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        if not self.is_mounted:
            return
        plot = self.query_one(_Plot)
        plt: Any = plot.plt  # the stubs miss yside on ylim and ylabel
        plt.clear_figure()
        data = self.data
        legend = self.query_one(".legend", Static)
        if data is None or data.empty:
            plt.title(_("No plan or scores yet."))
            legend.update("")
            plot.refresh()
            return
        top = max([mg for _day, mg in data.dose] + [1.0]) * 1.25
        keys = Text()
        xs: list[float]
        for kind in sorted({band.kind for band in data.bands}):
            colour, label = BAND_STYLES[kind]
            for band in data.bands:
                if band.kind != kind:
                    continue
                xs = [float(x) for x in range(band.first, band.last + 1)]
                plt.plot(xs, [top] * len(xs), fillx=True, color=colour, marker=BAND_MARKS[kind])
            _key(keys, BAND_MARKS[kind] * 2, colour, _(label))
        if data.dose:
            xs, ys = steps(data.dose)
            plt.plot(xs, ys, color=DOSE_COLOUR, marker="hd")
            _key(keys, "━━", DOSE_COLOUR, _("dose (mg)"))
        for i, (name, points) in enumerate(sorted(data.symptoms.items())):
            colour = SYMPTOM_COLOURS[i % len(SYMPTOM_COLOURS)]
            plt.plot([x for x, _v in points], [v for _x, v in points], yside="right",
                     color=colour, marker="braille")
            _key(keys, "⠒⠒", colour, name)
        plt.vline(data.today, "gray")
        plt.ylim(0, top, yside="left")
        plt.ylim(0, 10, yside="right")
        dose_ticks = _dose_ticks(top)
        plt.yticks(dose_ticks, [format_number(t) for t in dose_ticks], yside="left")
        plt.yticks([0, 2, 4, 6, 8, 10], ["0", "2", "4", "6", "8", "10"], yside="right")
        ticks = _date_ticks(data, plot.size.width)
        plt.xticks([x for x, _label in ticks], [label for _x, label in ticks])
        legend.update(keys)
        plot.refresh()


def _dose_ticks(top: float) -> list[float]:
    """Ticks at the capsule strengths (SPEC §2) up to the axis top, at most five."""
    return capsule_ticks(top)


def _date_ticks(data: ChartData, width: int = 100) -> list[tuple[int, str]]:
    """Dates with their year (SPEC §13), as many as fit the width (a tick needs ~14 columns)."""
    last = max([d for d, _mg in data.dose] + [p for pts in data.symptoms.values()
                                               for p, _v in pts] + [data.today])
    return date_ticks(data.start, last, width)
