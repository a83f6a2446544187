"""The Plan and History screens at the sizes a patient's terminal has (80x24, 100x30): the dose
chart's axes (the plan's doses in mg, dates with their year, today marked), reduction weeks told
apart without colour, the symptom chart on the same dates, the table's why in full, and the
History details readable below the calendar."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.clinical.labels import PHASE_LABELS
from tracker.clinical.patient_words import patient_why
from tracker.export.palette import SYMPTOM_COLOURS
from tracker.i18n import format_short_date
from tracker.screens.history import HistoryScreen
from tracker.screens.plan import PlanScreen
from tracker.services.clinic import Clinic
from tracker.widgets.dose_chart import DoseChart, DosePlot
from tracker.widgets.key_legend import KeyLegend
from tracker.widgets.month_calendar import MonthCalendar
from tracker.widgets.symptom_chart import SymptomChart, SymptomPlot

SIZES = [(80, 24), (100, 30)]


async def open_plan(pilot) -> PlanScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PlanScreen)
    return pilot.app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_dose_axes_are_the_plans_doses_and_dates(demo_clinic: Clinic,
                                                       size: tuple[int, int]) -> None:
    async with create_app(clinic=demo_clinic).run_test(size=size) as pilot:
        screen = await open_plan(pilot)
        chart = screen.query_one(DoseChart)
        doses = {round(d.dose_mg, 3) for d in chart.days}
        values = [v for v, _label in chart.y_ticks]
        assert values[0] == 0 and len(values) >= 3  # not 0.57, 1.15, ...
        assert set(values[1:]) <= doses
        assert max(values) == max(doses)
        assert all(label.strip().endswith(" mg") for v, label in chart.y_ticks if v)
        labels = [label for _x, label in chart.x_ticks]
        assert format_short_date(TODAY) in labels  # "10 Mar 2026": a date, the year, today
        assert all(label[-4:].isdigit() for label in labels)
        assert chart.axis is not None
        assert (chart.axis.today, format_short_date(TODAY)) in chart.x_ticks
        canvas = chart.query_one(DosePlot).plt.build()
        assert "today" in canvas and "days from today" not in canvas


async def test_reduction_week_is_shaded_by_character(demo_clinic: Clinic) -> None:
    async with create_app(clinic=demo_clinic).run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        chart = screen.query_one(DoseChart)
        reductions = [b for b in chart.bands if b.kind == "reduction"]
        assert reductions and all(b.last - b.first >= 6 for b in reductions)  # a week
        assert "░" in chart.query_one(DosePlot).plt.build()  # not colour alone
        legend = [line.plain for line in chart.query_one(KeyLegend).lines()]
        assert any("░░ Reduction week" in line for line in legend)


async def test_symptom_chart_beside_the_dose(demo_clinic: Clinic) -> None:
    async with create_app(clinic=demo_clinic).run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        chart = screen.query_one(SymptomChart)
        assert {"Pain", "Fatigue", "Low mood", "Sleep problems"} <= set(chart.colours)
        assert set(chart.colours.values()) <= set(SYMPTOM_COLOURS)
        assert len(set(chart.colours.values())) == len(chart.colours)
        assert all(0 <= v <= 10 for points in chart.series.values() for _d, v in points)
        legend = " ".join(line.plain for line in chart.query_one(KeyLegend).lines())
        assert "Pain" in legend and "Sleep problems" in legend
        # The same dates as the dose chart, the plots starting in the same column.
        dose = screen.query_one(DoseChart)
        assert chart.axis == dose.axis
        assert chart.query_one(SymptomPlot).region.x == dose.query_one(DosePlot).region.x
        assert "Pain" not in chart.query_one(SymptomPlot).plt.build()  # legend off the plot


async def test_no_scores_yet_is_said_in_words(ui_clinic: Clinic, patient_id: int) -> None:
    async with create_app(clinic=ui_clinic).run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        chart = screen.query_one(SymptomChart)
        assert chart.has_class("-empty")
        message = chart.query_one(".empty", Static)
        assert message.display and "No symptom scores yet" in str(message.render())
        assert not chart.query_one(SymptomPlot).display


@pytest.mark.parametrize("size", SIZES)
async def test_plan_table_phase_whole_and_why_in_full(demo_clinic: Clinic,
                                                      size: tuple[int, int]) -> None:
    async with create_app(clinic=demo_clinic).run_test(size=size) as pilot:
        screen = await open_plan(pilot)
        table = screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width  # nothing off to the right
        phase = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert all(p in {"Titration", "Target dose", "Reduction week", "Pause", "Hold",
                         "Start dose", "Highest tolerated dose"} for p in phase)
        first, _last = screen.rows[0]
        why = screen.query_one("#plan-why", Static)
        text = str(why.render())
        assert screen.view is not None
        # the whole why in the patient's words, wrapped; never the clinician's "nominal"
        assert patient_why(screen.view.plan, first).render() in " ".join(text.split())
        assert "nominal" not in text and all("nominal" not in str(table.get_row_at(i)[4])
                                             for i in range(table.row_count))
        assert why.region.height >= 1 and why.region.y < pilot.app.size[1] - 1
        await pilot.press("down")
        await pilot.pause()
        second, _ = screen.rows[1]
        assert patient_why(screen.view.plan, second).render() in " ".join(
            str(why.render()).split())


@pytest.mark.parametrize("size", SIZES)
async def test_history_details_are_readable(demo_clinic: Clinic, size: tuple[int, int]) -> None:
    async with create_app(clinic=demo_clinic).run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HistoryScreen)
        detail = screen.query_one("#day-detail", Static)
        calendar = screen.query_one(MonthCalendar)
        assert detail.region.width >= 60  # not a 12-column strip
        assert detail.region.y >= calendar.region.y + calendar.region.height  # below it
        assert detail.region.y + detail.region.height <= size[1] - 1  # above the footer
        rendered = detail.render()
        plain = rendered.plain if isinstance(rendered, Text) else str(rendered)
        assert "Planned: 1 capsule of" in plain
        assert "Raising slowly: step" in plain and "nominal" not in plain  # the patient's words


@pytest.mark.parametrize("language", ["en", "da"])
async def test_history_legend_breaks_between_entries(demo_clinic: Clinic, language: str) -> None:
    from tracker.i18n import _
    from tracker.preferences import Preferences

    Preferences(language=language).save()
    async with create_app(clinic=demo_clinic).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        legend = pilot.app.screen.query_one("#legend", KeyLegend)
        lines = [line.plain for line in legend.lines()]
        assert ("taget" in lines[0]) == (language == "da")
        assert all(len(line) <= legend.content_region.width for line in lines)
        for label in PHASE_LABELS.values():
            assert any(f" {_(label)} " in line for line in lines), _(label)


@pytest.mark.parametrize("size", SIZES)
async def test_day_editor_keeps_its_title_and_buttons_in_sight(demo_clinic: Clinic,
                                                               size: tuple[int, int]) -> None:
    from textual.widgets import Button, Label

    from tracker.screens.day_editor import DayEditor

    async with create_app(clinic=demo_clinic).run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("up", "up", "enter")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, DayEditor)
        title = editor.query_one(".dialog-title", Label)
        save = editor.query_one("#save", Button)
        height = size[1]
        assert title.region.y >= 0 and title.region.height >= 1
        assert "planned 1 capsule of" in str(title.render())
        assert save.region.height >= 1 and save.region.y + save.region.height <= height


def test_plan_dose_ticks_never_share_a_row() -> None:
    from tracker.widgets.chart_axes import plan_dose_ticks

    doses = [0.75, 1, 1.5, 2, 3]
    assert plan_dose_ticks(doses, rows=12, top=3.9) == [0, 0.75, 1, 1.5, 2, 3]
    few = plan_dose_ticks(doses, rows=4, top=3.9)
    assert few[0] == 0 and few[-1] == 3 and set(few) <= {0, *doses}
    rows = [round(t / 3.9 * 3) for t in few]
    assert len(rows) == len(set(rows))


def test_plan_date_ticks_go_through_today() -> None:
    from datetime import date

    from tracker.widgets.chart_axes import DateAxis

    axis = DateAxis.spanning(date(2025, 12, 16), date(2026, 6, 2), TODAY)
    ticks = axis.ticks(100)
    assert (axis.today, "10 Mar 2026") in ticks
    assert ticks[0][1].endswith("2025") and ticks[-1][1].endswith("2026")
    assert all(0 <= x <= axis.last for x, _label in ticks)


def test_legend_lines_break_between_entries() -> None:
    from tracker.widgets.key_legend import fit_entries

    entries = [Text(label) for label in ("Start dose", "Titration", "Highest tolerated dose")]
    lines = [line.plain for line in fit_entries(entries, 30)]
    assert lines == ["Start dose   Titration", "Highest tolerated dose"]
    assert [line.plain for line in fit_entries([Text("a"), Text("\n"), Text("b")], 30)] == \
        ["a", "b"]


@pytest.mark.parametrize(("size", "rows"), [((80, 24), 6), ((100, 30), 10)])
async def test_plan_table_leaves_the_charts_room(demo_clinic: Clinic, size: tuple[int, int],
                                                 rows: int) -> None:
    async with create_app(clinic=demo_clinic).run_test(size=size) as pilot:
        screen = await open_plan(pilot)
        table = screen.query_one(DataTable)
        assert table.styles.max_height is not None and table.styles.max_height.value == rows
        assert screen.query_one(DosePlot).region.height >= 5
        assert screen.query_one(SymptomPlot).region.height >= 5


async def test_a_childs_liquid_plan_fits_80_columns_with_its_phase_whole(
        ui_clinic: Clinic) -> None:
    """A liquid's dose ("1.2 ml of the 0.5 mg/ml liquid (0.6 mg)") is long; at 80 columns the
    table says its volume and dose, and Phase and Why keep their room (no sideways scroll)."""
    ui_clinic.add_patient(name="Ida", condition="ms", start=TODAY, weight_kg=20,
                          formulation="liquid", concentration_mg_ml=0.5, informed_on=TODAY)
    async with create_app(clinic=ui_clinic).run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        table = screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width
        doses = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert doses[1] == "1.2 ml (0.6 mg)"
        assert [str(table.get_row_at(i)[3]) for i in range(2)] == ["Start dose", "Titration"]
    async with create_app(clinic=ui_clinic).run_test(size=(120, 30)) as pilot:
        screen = await open_plan(pilot)  # room enough: the dose in full words
        assert str(screen.query_one(DataTable).get_row_at(1)[2]) == \
            "1.2 ml of the 0.5 mg/ml liquid (0.6 mg)"
