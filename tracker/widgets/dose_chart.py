"""Dose over time as a small chart (textual-plotext): the titration staircase at a glance.

Reduction weeks, plateaus, pauses and holds are drawn over the line in their own colours, so a
halved week or an opioid hold stands out; today is the vertical line at 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual_plotext import PlotextPlot

from tracker.clinical.labels import phase_label
from tracker.clinical.model import PlannedDay
from tracker.i18n import _

MARKED_PHASES = {"reduction": "orange", "plateau": "yellow", "pause": "gray", "hold": "red"}


class DoseChart(PlotextPlot):
    DEFAULT_CSS = """
    DoseChart {
        height: 12;
        width: 1fr;
    }
    """

    def show(self, days: Sequence[PlannedDay], today: date) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not days:
            self.refresh()
            return
        x = [(d.day - today).days for d in days]
        plt.plot(x, [d.dose_mg for d in days], marker="hd", color="cyan")
        for phase, colour in MARKED_PHASES.items():
            marked = [(xi, d.dose_mg) for xi, d in zip(x, days, strict=True) if d.phase == phase]
            if marked:
                plt.scatter([m[0] for m in marked], [m[1] for m in marked], marker="hd",
                            color=colour, label=_(phase_label(phase)))
        plt.vline(0, "red")
        ticks = [t for t in range(x[0] - x[0] % 14, x[-1] + 1, 14) if x[0] <= t <= x[-1]]
        plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
        plt.title(_("Dose (mg) by day; 0 is today"))
        plt.xlabel(_("days from today"))
        plt.ylim(0, max(d.dose_mg for d in days) * 1.15 or 1)
        self.refresh()
