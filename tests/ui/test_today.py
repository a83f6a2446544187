"""Today: the dose as taken, and the check-in through keys."""

from __future__ import annotations

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.screens.today import TodayScreen
from tracker.services.clinic import Clinic
from tracker.widgets.dose_card import DoseCard


async def test_today_shows_dose_and_saves_check_in(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        card = str(app.screen.query_one(DoseCard).render())
        assert "1 capsule of 1 mg" in card
        await pilot.press("t", "2", "down", "1", "tab", "5", "s")
        await settle(pilot)
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.taken is True and entry.mg == 1
    assert entry.effects == {"vivid_dreams": 2, "headache": 1}
    assert entry.scores == {"pain": 5}


async def test_note_own_side_effect_and_escape(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e", *"slept well", "escape")  # letters go to the note only
        await pilot.press("a")  # own side effect
        await settle(pilot)
        await pilot.press(*"Dry mouth", "enter")
        await settle(pilot)
        await pilot.press("1", "s")  # the new row is focused: mild
        await settle(pilot)
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.note == "slept well"
    assert entry.effects == {"Dry mouth": 1}
    assert entry.taken is None  # no dose logged: nothing invented


async def test_resaving_a_changed_value_asks_why(ui_clinic: Clinic, patient_id: int) -> None:
    from tracker.screens.dialogs import ReasonDialog

    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2", "s")
        await settle(pilot)
        await pilot.press("tab", "4", "s")  # adding a score is not a correction
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("3", "s")  # focus is back on vivid dreams: 2 → 3 is a correction
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"got worse at night", "enter")
        await settle(pilot)
    assert ui_clinic.day_entries(patient_id, TODAY).effects == {"vivid_dreams": 3}
    assert ui_clinic.audit_trail(patient_id)[-1].reason == "got worse at night"


async def test_a_failing_database_is_told_in_plain_words_and_the_app_keeps_running(
        ui_clinic: Clinic, patient_id: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Clinic, "check_in", disk_full)
        await pilot.press("t", "s")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, TodayScreen)
        told = [n.message for n in app._notifications]
        assert any("nothing was changed" in m and "database or disk is full" in m
                   for m in told), told
    assert ui_clinic.day_entries(patient_id, TODAY).taken is None
