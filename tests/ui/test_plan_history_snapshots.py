"""SVG snapshots of Today, Plan and History at 80x24 (the smallest terminal the app is made
for), English, and Today and Plan in Danish (Setup's are in test_setup_snapshots.py); date and
language pinned. Update with ``--snapshot-update`` and look at the SVGs before committing."""

from __future__ import annotations

from tests.ui.conftest import settle
from tracker.app import create_app
from tracker.services.clinic import Clinic

SIZE = (80, 24)


async def _plan(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)


async def _history(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    await pilot.press("up", "up")  # two weeks back: a day with a side effect
    await settle(pilot)


def test_plan_80x24(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=_plan)


def test_history_80x24(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=_history)


def test_plan_80x24_in_danish(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    from tracker.preferences import Preferences

    Preferences(language="da").save()
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=_plan)


def test_today_80x24(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=settle)


def test_today_80x24_in_danish(snap_compare, demo_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    from tracker.preferences import Preferences

    Preferences(language="da").save()
    assert snap_compare(create_app(clinic=demo_clinic), terminal_size=SIZE, run_before=settle)
