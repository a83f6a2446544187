"""Today: the dose as taken, and the check-in through keys."""

from __future__ import annotations

from datetime import date

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.screens.today import TodayScreen
from tracker.services import Clinic
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
    assert date.today()  # the real clock is untouched
