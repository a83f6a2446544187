"""Dose over time as a small chart (textual-plotext): the titration staircase at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual_plotext import PlotextPlot

from tracker.clinical.model import PlannedDay
from tracker.i18n import _


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
        plt.plot(x, [d.dose_mg for d in days], marker="braille")
        plt.vline(0, "red")
        plt.title(_("Dose (mg) by day; 0 is today"))
        plt.xlabel(_("days from today"))
        plt.ylim(0, max(d.dose_mg for d in days) * 1.15 or 1)
        self.refresh()
