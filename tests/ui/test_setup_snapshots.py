"""SVG snapshots of the setup at 80×24, the smallest terminal we support: English and Danish,
an adult and a child under 40 kg (the fields turned to the child's protocol).

Plain ``def`` tests (snap_compare runs its own event loop). Update the baselines with
``pytest tests/ui/test_setup_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import pytest

from tests.ui.conftest import settle
from tracker.app import create_app
from tracker.services.clinic import Clinic

SIZE = (80, 24)


def _danish() -> None:
    from tracker.preferences import Preferences

    Preferences(language="da").save()


async def _adult(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press(*"Ole", "tab")  # the name, then the condition
    await pilot.press(*"sklerose")  # the hint's own word finds multiple sclerosis
    await pilot.pause()


async def _child(pilot) -> None:  # type: ignore[no-untyped-def]
    await _adult(pilot)
    await pilot.press("enter")  # pick it
    pilot.app.screen.query_one("#weight_kg").focus()
    await pilot.press("2", "0")  # 20 kg: the child's protocol
    await settle(pilot)
    pilot.app.screen.query_one("#setup").scroll_end(animate=False)  # the plan and the buttons
    await settle(pilot)


def test_setup_adult(snap_compare, ui_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=ui_clinic), terminal_size=SIZE, run_before=_adult)


def test_setup_adult_in_danish(snap_compare, ui_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    _danish()
    assert snap_compare(create_app(clinic=ui_clinic), terminal_size=SIZE, run_before=_adult)


def test_setup_child(snap_compare, ui_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(clinic=ui_clinic), terminal_size=SIZE, run_before=_child)


def test_setup_child_in_danish(snap_compare, ui_clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    _danish()
    assert snap_compare(create_app(clinic=ui_clinic), terminal_size=SIZE, run_before=_child)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@pytest.mark.parametrize("language", ["en", "da"])
async def test_the_longest_labels_are_not_cut(ui_clinic: Clinic, language: str,
                                              size: tuple[int, int]) -> None:
    from rich.cells import cell_len
    from textual.widgets import Checkbox, Input

    if language == "da":
        _danish()
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        transplant = app.screen.query_one("#transplant", Checkbox)
        assert transplant.content_region.width >= cell_len(str(transplant.label)) + 3
        condition = app.screen.query_one("#condition", Input)
        assert condition.content_region.width > cell_len(condition.placeholder)
