"""History: open a past day, correct it, say why; the why lands in the audit trail."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.screens.day_editor import DayEditor
from tracker.screens.dialogs import ReasonDialog
from tracker.screens.history import HistoryScreen
from tracker.services.clinic import CheckIn, Clinic


async def test_correct_a_past_day_with_a_reason(ui_clinic: Clinic, patient_id: int) -> None:
    yesterday = TODAY - timedelta(days=1)
    ui_clinic.check_in(patient_id, CheckIn(day=yesterday, taken=True, mg=1, time="21:00",
                                           effects={"vivid_dreams": 3}))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("left", "enter")  # yesterday
        await settle(pilot)
        assert isinstance(app.screen, DayEditor)
        await pilot.press("1", "s")  # vivid dreams were mild, not severe
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # an empty reason is refused, beside the field
        await pilot.pause()
        assert "Please say why" in str(app.screen.query_one("#reason-error").render())
        app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"pressed the wrong key")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    assert ui_clinic.day_entries(patient_id, yesterday).effects == {"vivid_dreams": 1}
    rows = [r for r in ui_clinic.audit_trail(patient_id) if r.action == "update"]
    assert rows and rows[-1].field == "severity"
    assert (rows[-1].old_value, rows[-1].new_value) == ("3", "1")
    assert rows[-1].reason == "pressed the wrong key"
    assert rows[-1].actor == "patient"


async def test_bad_dose_is_shown_beside_the_field_and_nothing_written(
        ui_clinic: Clinic, patient_id: int) -> None:
    yesterday = TODAY - timedelta(days=1)
    app = create_app(clinic=ui_clinic)
    before = len(ui_clinic.audit_trail(patient_id))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("left", "enter", "t")
        await settle(pilot)
        mg = app.screen.query_one("#mg", Input)
        for text, message in (("4.5.", "must be a number"), ("45", "hard limit of 25 mg")):
            mg.value = text
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DayEditor)
            assert message in str(app.screen.query_one("#dose-error").render())
        mg.value = "0,75"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    entry = ui_clinic.day_entries(patient_id, yesterday)
    assert entry.taken is True and entry.mg == 0.75
    assert len(ui_clinic.audit_trail(patient_id)) == before + 1
