"""The clinic screen's opening (docs/performance.md "The clinic screen (issue 15, second
step)"): the footer is drawn once with its keys, not once for every bindings update told before
the first drawing, and still redrawn when what it shows changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets._footer import FooterKey

from tracker.widgets.footer import Footer

from .test_clinician import ClinicianApp, clinic_db, cohort, names, settle

__all__ = ["clinic_db"]  # the fixture, imported for these tests


def shown_keys(app: ClinicianApp) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_footer_is_drawn_once_when_the_clinic_opens(
        clinic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[str, ...]] = []
    compose = Footer.compose

    def counting(self: Footer) -> Any:
        widgets = list(compose(self))
        if self._told:
            drawn.append(tuple(w.description for w in widgets if isinstance(w, FooterKey)))
        return iter(widgets)

    monkeypatch.setattr(Footer, "compose", counting)
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert names(cohort(app)) == ["Bo", "Dag", "Anna", "Cecilie"]
        assert len(drawn) == 1, drawn  # was 2 here (4 on the big clinic): the same keys again
        assert shown_keys(app)[:3] == ["Back", "Sort", "Reverse"]
        await pilot.press("o")  # least urgent first: the same keys, not drawn again
        await settle(pilot)
        assert names(cohort(app)) == ["Cecilie", "Anna", "Dag", "Bo"]
        assert len(drawn) == 1
        await pilot.resize_terminal(50, 30)  # less room: fewer keys, drawn again
        await settle(pilot)
        assert len(drawn) == 2
        assert 0 < len(shown_keys(app)) < len(drawn[0])


async def test_the_start_up_objects_are_frozen_once_a_process(
        clinic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen's first opening leaves the app's objects out of later cyclic collections
    (``gc.freeze``, which took two full collections out of each opening); a second opening,
    or a second screen, does not freeze again (what it made meanwhile stays collectable)."""
    import tracker.memory as memory
    import tracker.screens.clinic as clinic_screen

    frozen: list[int] = []
    monkeypatch.setattr(memory, "_frozen_for", set())
    monkeypatch.setattr(memory.gc, "freeze", lambda: frozen.append(1))
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert frozen == [1]
        app.push_screen(clinic_screen.ClinicScreen(app.clinic))
        await settle(pilot)
        assert names(cohort(app)) == ["Bo", "Dag", "Anna", "Cecilie"]
        assert frozen == [1]
