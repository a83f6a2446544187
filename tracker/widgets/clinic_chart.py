"""The review chart: the planned dose and the symptom scores over the same days.

The dose is a step line on the left axis (mg), each symptom's 7-day mean on the right axis
(0–10); reduction weeks and pauses or holds are shaded bands, so a clinician sees at once whether
a dose change and a change in symptoms line up. The figures arrive as a :class:`ChartData`
built in a worker; the widget only draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from textual_plotext import PlotextPlot

from tracker.clinical.labels import phase_label
from tracker.i18n import _

SYMPTOM_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "white")


@dataclass(frozen=True)
class Band:
    kind: str  # "reduction" or "pause" (pause and hold)
    first: int  # day offsets from ChartData.start
    last: int


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


class ReviewChart(PlotextPlot):
    """Dose (mg) and symptom scores (0–10) over time."""

    DEFAULT_CSS = """
    ReviewChart { height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.data: ChartData | None = None

    def show(self, data: ChartData) -> None:
        self.data = data
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        plt: Any = self.plt  # the stubs miss yside on ylim and ylabel
        plt.clear_figure()
        data = self.data
        if data is None or data.empty:
            plt.title(_("No plan or scores yet."))
            self.refresh()
            return
        top = max([mg for _day, mg in data.dose] + [1.0]) * 1.25
        xs: list[float]
        for band in data.bands:
            xs = [float(x) for x in range(band.first, band.last + 1)]
            colour = "orange" if band.kind == "reduction" else "gray"
            plt.plot(xs, [top] * len(xs), fillx=True, color=colour, marker="░",
                     label=_(phase_label("reduction")) if band.kind == "reduction"
                     else _("Pause or hold"))
        if data.dose:
            xs, ys = _steps(data.dose)
            plt.plot(xs, ys, color="red+", marker="braille", label=_("dose (mg)"))
        for i, (name, points) in enumerate(sorted(data.symptoms.items())):
            plt.plot([x for x, _v in points], [v for _x, v in points], yside="right",
                     color=SYMPTOM_COLOURS[i % len(SYMPTOM_COLOURS)], marker="braille",
                     label=name)
        plt.vline(data.today, "white")
        plt.ylim(0, top, yside="left")
        plt.ylim(0, 10, yside="right")
        ticks = _date_ticks(data)
        plt.xticks([x for x, _label in ticks], [label for _x, label in ticks])
        self.refresh()


def _steps(points: list[tuple[int, float]]) -> tuple[list[float], list[float]]:
    """A step line: each day's dose held until the next day."""
    xs: list[float] = []
    ys: list[float] = []
    for day, mg in points:
        xs += [day, day + 0.999]
        ys += [mg, mg]
    return xs, ys


def _date_ticks(data: ChartData) -> list[tuple[int, str]]:
    last = max([d for d, _mg in data.dose] + [p for pts in data.symptoms.values()
                                               for p, _v in pts] + [data.today])
    step = max(7, ((last // 6) // 7 + 1) * 7)
    return [(x, (data.start + timedelta(days=x)).strftime("%m-%d"))
            for x in range(0, last + 1, step)]
