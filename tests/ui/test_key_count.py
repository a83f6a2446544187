"""Issue 4's promise: dose taken, two side effects and one score, saved, in ≤ 15 key presses."""

from __future__ import annotations

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.services.clinic import Clinic

MAX_KEYS = 15


async def test_evening_check_in_in_at_most_15_keys(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    pressed: list[str] = []

    async with app.run_test(size=(100, 30)) as pilot:
        async def press(*keys: str) -> None:
            pressed.extend(keys)
            await pilot.press(*keys)

        await settle(pilot)  # the app has opened Today; no key pressed yet
        await press("t")  # the dose is taken (time recorded)
        await press("2")  # vivid dreams (the first row, in focus): moderate
        await press("down")  # next row: headache
        await press("1")  # headache: mild
        await press("tab")  # to the symptom scores
        await press("down", "6")  # fatigue: 6
        await press("s")  # save
        await settle(pilot)

    assert len(pressed) <= MAX_KEYS, pressed
    print(f"check-in key presses: {len(pressed)}")
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.taken is True and entry.mg == 1 and entry.time
    assert entry.effects == {"vivid_dreams": 2, "headache": 1}
    assert entry.scores == {"fatigue": 6}


async def test_no_side_effects_is_one_key(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("x", "n", "tab", "1", "0", "s")  # skipped, clear day, pain 10
        await settle(pilot)
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.taken is False and entry.no_side_effects
    assert entry.scores == {"pain": 10}
