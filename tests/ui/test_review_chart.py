"""The review chart (issue 14): the dose and each symptom in colours of their own from a
colour-blind-safe palette, the legend outside the plot, dose ticks at capsule strengths, dates
with their year; driven in a real app through Textual's pilot."""

from __future__ import annotations

from datetime import date

from textual.app import App, ComposeResult
from textual.widgets import Static

from tracker.clinical.model import CAPSULE_STRENGTHS_MG
from tracker.export.palette import DOSE_COLOUR, EPISODE_COLOUR, OKABE_ITO, SYMPTOM_COLOURS
from tracker.i18n import set_language
from tracker.widgets.clinic_chart import (
    Band,
    ChartData,
    ReviewChart,
    _date_ticks,
    _dose_ticks,
    _Plot,
)

DATA = ChartData(start=date(2025, 12, 1), today=60,
                 dose=[(d, 0.75 if d < 30 else 1.5) for d in range(0, 90)],
                 symptoms={"Pain": [(d, 6 - d / 30) for d in range(0, 60)],
                           "Fatigue": [(d, 4.0) for d in range(0, 60)]},
                 bands=[Band("reduction", 20, 26)])


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ReviewChart(id="chart")

    def on_mount(self) -> None:
        self.query_one(ReviewChart).show(DATA)


def test_no_symptom_is_drawn_in_the_dose_colour() -> None:
    assert DOSE_COLOUR not in SYMPTOM_COLOURS and EPISODE_COLOUR not in SYMPTOM_COLOURS
    assert set(SYMPTOM_COLOURS) <= set(OKABE_ITO)
    assert len(set(SYMPTOM_COLOURS)) == len(SYMPTOM_COLOURS)


def test_dose_ticks_are_capsule_strengths() -> None:
    for top in (1.0, 2.5, 6.0, 15.0):
        ticks = _dose_ticks(top)
        assert ticks[0] == 0 and 2 <= len(ticks) <= 6
        assert set(ticks[1:]) <= set(CAPSULE_STRENGTHS_MG)
        assert all(t <= top for t in ticks)


def test_dates_carry_their_year_in_both_languages() -> None:
    try:
        for language, december in (("en", "1 Dec 2025"), ("da", "1. dec. 2025")):
            set_language(language)
            labels = [label for _x, label in _date_ticks(DATA, 120)]
            assert labels[0] == december
            assert any("2026" in label for label in labels)
    finally:
        set_language("en")


async def test_the_legend_is_outside_the_plot() -> None:
    async with ChartApp().run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        chart = pilot.app.query_one(ReviewChart)
        plot = chart.query_one(_Plot)
        legend = chart.query_one(".legend", Static)
        text = str(legend.render())
        assert "Pain" in text and "Fatigue" in text and "dose (mg)" in text
        assert "Reduction week" in text
        assert legend.region.y >= plot.region.y + plot.region.height  # below, not on it
        # The plot itself carries no legend: its canvas holds no symptom name.
        assert "Pain" not in plot.plt.build()
