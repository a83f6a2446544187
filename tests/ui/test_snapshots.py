"""SVG snapshots of the patient app's key screens at 100×30, date and language pinned.

Plain ``def`` tests (snap_compare runs its own event loop). Update the baselines with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and review the SVGs before committing.
"""

from __future__ import annotations

from tests.ui.conftest import settle
from tracker.app import create_app
from tracker.services.clinic import Clinic

SIZE = (100, 30)


def test_today(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=settle)


def test_today_during_check_in(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    async def check_in(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("x")  # skipped (a taken dose would show the real clock's time)
        await pilot.press("2", "down", "1")  # vivid dreams moderate, headache mild
        await pilot.press("tab", "down", "6")  # fatigue 6

    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=check_in)


def test_setup(snap_compare, ui_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=ui_clinic), terminal_size=SIZE, run_before=settle)


def test_history(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    async def history(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("h")  # the calendar
        await settle(pilot)
        await pilot.press("up", "up")  # two weeks back: a day with a side effect
        await settle(pilot)

    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=history)


def test_plan(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    async def plan(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("p")  # the plan and its chart
        await settle(pilot)

    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=plan)


def test_today_in_danish(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    from tracker.preferences import Preferences

    Preferences(language="da").save()
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=settle)
