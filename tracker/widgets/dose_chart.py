"""The Plan's dose chart (textual-plotext): the titration staircase at a glance.

The y axis ticks at the doses the plan uses (capsule strengths, in mg), the x axis at dates with
their year, today a vertical line labelled "today". Reduction weeks and pauses or holds are
shaded bands drawn with characters of their own (░ and ▒, :mod:`tracker.widgets.chart_axes`),
so they are told apart without colour; the legend is below the plot, never on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual_plotext import PlotextPlot

from tracker.clinical.model import PlannedDay
from tracker.export.palette import DOSE_COLOUR
from tracker.i18n import _
from tracker.widgets.chart_axes import (
    BAND_MARKS,
    BAND_STYLES,
    Y_LABEL_WIDTH,
    Band,
    DateAxis,
    bands_of,
    key,
    mg_label,
    plan_dose_ticks,
    steps,
)
from tracker.widgets.key_legend import KeyLegend

TODAY_COLOUR = (0, 0, 0)
AXIS_ROWS = 3  # plotext's frame above, its x axis and the labels below


class DosePlot(PlotextPlot):
    """The plot itself; its legend is a :class:`KeyLegend` below it. Drawn again when its
    size changes: the ticks depend on it."""

    def on_resize(self) -> None:
        if isinstance(self.parent, DoseChart):
            self.parent.draw()


def today_label() -> str:
    return _("today")


class DoseChart(Vertical):
    DEFAULT_CSS = """
    DoseChart { height: 1fr; min-height: 7; }
    DoseChart > DosePlot { height: 1fr; min-height: 6; }
    DoseChart > KeyLegend { padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.days: list[PlannedDay] = []
        self.axis: DateAxis | None = None
        # What was drawn, for the legend and the tests: ticks as (value, label), the bands.
        self.x_ticks: list[tuple[int, str]] = []
        self.y_ticks: list[tuple[float, str]] = []
        self.bands: list[Band] = []

    def compose(self) -> ComposeResult:
        yield DosePlot()
        yield KeyLegend()

    def show(self, days: Sequence[PlannedDay], axis: DateAxis) -> None:
        self.days = list(days)
        self.axis = axis
        self.draw()

    def draw(self) -> None:
        if not self.is_mounted:
            return
        plot = self.query_one(DosePlot)
        plt: Any = plot.plt
        plt.clear_figure()
        axis = self.axis
        if axis is None or not self.days:
            if axis is not None:
                plt.title(_("No plan yet."))
            self.query_one(KeyLegend).set_entries([])
            plot.refresh()
            return
        points = [(axis.offset(d.day), d.dose_mg) for d in self.days]
        top = max([mg for _x, mg in points] + [0.5]) * 1.3  # room for the "today" label
        self.bands = bands_of((axis.offset(d.day), d.phase) for d in self.days)
        entries = [_entry("━━", DOSE_COLOUR, _("dose (mg)"))]
        for kind in sorted({band.kind for band in self.bands}):
            colour, label = BAND_STYLES[kind]
            for band in self.bands:
                if band.kind == kind:
                    xs = [float(x) for x in range(band.first, band.last + 1)]
                    plt.plot(xs, [top] * len(xs), fillx=True, color=colour,
                             marker=BAND_MARKS[kind])
            entries.append(_entry(BAND_MARKS[kind] * 2, colour, _(label)))
        xs_, ys = steps(points)
        plt.plot(xs_, ys, color=DOSE_COLOUR, marker="hd")
        plt.vline(axis.today, "gray")
        # On the plot's own background (textual-plotext's theme is the app's surface).
        surface = Color.parse(self.app.theme_variables.get("surface", "black")).rgb
        plt.text(today_label(), x=axis.today + 1, y=top, color="gray", background=surface,
                 alignment="left")  # starts right of the line, also at the left edge
        entries.append(_entry("│", (128, 128, 128), _("today")))
        plt.xlim(0, axis.last + 1)
        plt.ylim(0, top)
        rows = max(2, plot.size.height - AXIS_ROWS)
        self.y_ticks = [(t, mg_label(t).rjust(Y_LABEL_WIDTH))
                        for t in plan_dose_ticks([mg for _x, mg in points], rows, top)]
        plt.yticks([t for t, _l in self.y_ticks], [label for _t, label in self.y_ticks])
        self.x_ticks = axis.ticks(max(plot.size.width - Y_LABEL_WIDTH - 2, 20))
        plt.xticks([float(x) for x, _l in self.x_ticks], [label for _x, label in self.x_ticks])
        self.query_one(KeyLegend).set_entries(entries)
        plot.refresh()


def _entry(mark: str, colour: tuple[int, int, int], label: str) -> Text:
    text = Text()
    key(text, mark, colour, label)
    return text
