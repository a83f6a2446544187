"""Every dose flow can be finished in the app: a dose above the plan's maximum is confirmed, a
missed day is filled with `t`, and the time of the dose is typed and checked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from textual.widgets import Input

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.models import DoseEntry
from tracker.screens.day_editor import DayEditor
from tracker.screens.dialogs import ConfirmDoseDialog
from tracker.screens.history import HistoryScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import Clinic
from tracker.services.day import load_day

YESTERDAY = TODAY - timedelta(days=1)


def dose_rows(clinic: Clinic, patient_id: int) -> list[DoseEntry]:
    with clinic.db.read() as session:
        return list(session.scalars(select(DoseEntry).where(DoseEntry.patient_id == patient_id)))


async def open_yesterday(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HistoryScreen)
    await pilot.press("left", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DayEditor)


async def test_above_the_maximum_asks_and_confirming_saves(ui_clinic: Clinic,
                                                            patient_id: int) -> None:
    maximum = ui_clinic.patient(patient_id).max_mg
    dose = maximum + 1.5
    assert dose <= 25
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_yesterday(pilot)
        await pilot.press("t")
        app.screen.query_one("#mg", Input).value = str(dose)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDoseDialog)
        text = " ".join(str(label.render()) for label in app.screen.query("Label"))
        assert f"{dose:g} mg" in text and f"{maximum:g} mg" in text
        assert "--confirm" not in text
        await pilot.click("#confirm")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    entry = ui_clinic.day_entries(patient_id, YESTERDAY)
    assert entry.taken is True and entry.mg == dose
    [row] = dose_rows(ui_clinic, patient_id)
    assert row.above_max_confirmed is True


async def test_above_the_maximum_change_the_dose_writes_nothing(ui_clinic: Clinic,
                                                                patient_id: int) -> None:
    maximum = ui_clinic.patient(patient_id).max_mg
    before = len(ui_clinic.audit_trail(patient_id))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_yesterday(pilot)
        await pilot.press("t")
        app.screen.query_one("#mg", Input).value = str(maximum + 1.5)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDoseDialog)
        await pilot.press("enter")  # "Change the dose" has the focus
        await settle(pilot)
        assert isinstance(app.screen, DayEditor)
        assert app.focused is app.screen.query_one("#mg", Input)
    assert dose_rows(ui_clinic, patient_id) == []
    assert len(ui_clinic.audit_trail(patient_id)) == before


async def test_a_missed_day_filled_with_t_saves_the_planned_dose(ui_clinic: Clinic,
                                                                 patient_id: int) -> None:
    planned = load_day(ui_clinic, patient_id, YESTERDAY).planned
    assert planned is not None and planned.dose_mg > 0
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_yesterday(pilot)
        await pilot.press("t")
        assert app.screen.query_one("#mg", Input).value != ""
        assert app.screen.query_one("#time", Input).value == ""  # a past day: none until given
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    entry = ui_clinic.day_entries(patient_id, YESTERDAY)
    assert entry.taken is True and entry.mg == planned.dose_mg and entry.time is None


async def test_the_time_field_saves_a_time_on_today(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("t")
        time = app.screen.query_one("#time", Input)
        assert len(time.value) == 5  # now, to the minute
        time.value = "7.30"
        await pilot.press("s")
        await settle(pilot)
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.taken is True and entry.time == "07:30"


async def test_a_bad_time_is_refused_beside_the_field(ui_clinic: Clinic, patient_id: int) -> None:
    before = len(ui_clinic.audit_trail(patient_id))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        app.screen.query_one("#time", Input).value = "25:00"
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        message = str(app.screen.query_one("#time-error").render())
        assert "Time must be a time HH:MM" in message and "25:00" in message
    assert dose_rows(ui_clinic, patient_id) == []
    assert len(ui_clinic.audit_trail(patient_id)) == before


async def test_the_app_names_the_dose_field(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_yesterday(pilot)
        await pilot.press("t")
        app.screen.query_one("#mg", Input).value = "45"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(app.screen.query_one("#dose-error").render())
        assert message.startswith("⚠ Dose: 45 mg is above the hard limit"), message
