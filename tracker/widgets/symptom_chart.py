"""The Plan's symptom chart (textual-plotext): each symptom's 7-day mean (0–10) over the same
days as the dose chart above it (one :class:`~tracker.widgets.chart_axes.DateAxis`, the plot
starting in the same column), each symptom in a colour of its own from
:data:`tracker.export.palette.SYMPTOM_COLOURS`; the legend below the plot. Without scores yet,
it says so in words."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tracker.export.palette import SYMPTOM_COLOURS
from tracker.i18n import _
from tracker.widgets.chart_axes import Y_LABEL_WIDTH, DateAxis, key
from tracker.widgets.dose_chart import AXIS_ROWS
from tracker.widgets.key_legend import KeyLegend

Series = dict[str, list[tuple[date, float]]]


class SymptomPlot(PlotextPlot):
    """The plot itself; its legend is a :class:`KeyLegend` below it. Drawn again when its
    size changes: the ticks depend on it."""

    def on_resize(self) -> None:
        if isinstance(self.parent, SymptomChart):
            self.parent.draw()


def no_scores_text() -> str:
    return _("No symptom scores yet. The scores you give on Today (0–10) are drawn here, "
             "beside the dose.")


class SymptomChart(Vertical):
    DEFAULT_CSS = """
    SymptomChart { height: 1fr; min-height: 7; }
    SymptomChart > SymptomPlot { height: 1fr; min-height: 6; }
    SymptomChart > KeyLegend { padding: 0 1; }
    SymptomChart > .empty { height: auto; padding: 0 1; display: none; }
    SymptomChart.-empty { height: auto; min-height: 0; }
    SymptomChart.-empty > .empty { display: block; }
    SymptomChart.-empty > SymptomPlot, SymptomChart.-empty > KeyLegend { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.series: Series = {}
        self.axis: DateAxis | None = None
        self.colours: dict[str, tuple[int, int, int]] = {}  # what was drawn, for the tests

    def compose(self) -> ComposeResult:
        yield SymptomPlot()
        yield KeyLegend()
        yield Static("", classes="empty")

    def show(self, series: Series, axis: DateAxis) -> None:
        self.series = series
        self.axis = axis
        self.draw()

    def draw(self) -> None:
        if not self.is_mounted:
            return
        axis, series = self.axis, self.series
        self.set_class(axis is not None and not series, "-empty")
        self.query_one(".empty", Static).update(no_scores_text())
        plot = self.query_one(SymptomPlot)
        plt: Any = plot.plt
        plt.clear_figure()
        if axis is None or not series:
            self.query_one(KeyLegend).set_entries([])
            plot.refresh()
            return
        entries = [Text(_("Symptoms, 7-day mean (0–10):"))]
        self.colours = {}
        for i, (name, points) in enumerate(series.items()):
            colour = SYMPTOM_COLOURS[i % len(SYMPTOM_COLOURS)]
            self.colours[name] = colour
            plt.plot([float(axis.offset(d)) for d, _v in points], [v for _d, v in points],
                     color=colour, marker="braille")
            entry = Text()
            key(entry, "⠒⠒", colour, name)
            entries.append(entry)
        plt.vline(axis.today, "gray")
        plt.xlim(0, axis.last + 1)
        plt.ylim(0, 10)
        rows = max(2, plot.size.height - AXIS_ROWS)
        ticks = [0, 5, 10] if rows < 5 else [0, 2, 4, 6, 8, 10]
        plt.yticks(ticks, [str(t).rjust(Y_LABEL_WIDTH) for t in ticks])
        x_ticks = axis.ticks(max(plot.size.width - Y_LABEL_WIDTH - 2, 20))
        plt.xticks([float(x) for x, _l in x_ticks], [label for _x, label in x_ticks])
        self.query_one(KeyLegend).set_entries(entries)
        plot.refresh()
