"""The condition picker finds the words its own hint suggests, in English and in Danish."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from tests.ui.conftest import settle
from tests.ui.test_setup import type_into
from tracker.app import create_app
from tracker.services.clinic import Clinic


@pytest.mark.parametrize(("language", "crohn_label", "ms_name"), [
    ("en", "Crohn's disease (Inflammatory bowel disease)", "Multiple sclerosis"),
    ("da", "Morbus Crohn (Inflammatorisk tarmsygdom)", "Multipel sclerose"),
])
async def test_sklerose_and_crohn_find_their_conditions(
        ui_clinic: Clinic, language: str, crohn_label: str, ms_name: str) -> None:
    from tracker.preferences import Preferences

    Preferences(language=language).save()
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        condition = app.screen.query_one("#condition", Input)
        assert "sklerose" in condition.placeholder and "crohn" in condition.placeholder
        options = app.screen.query_one("#condition-options", OptionList)
        await type_into(pilot, "#condition", "sklerose")
        first = options.get_option_at_index(0)
        assert first.id == "ms" and ms_name in str(first.prompt)
        await type_into(pilot, "#condition", "crohn")
        assert options.option_count == 1
        assert str(options.get_option_at_index(0).prompt) == crohn_label
        await pilot.press("enter")
        await pilot.pause()
        picker = app.screen.query_one("#picker")
        assert picker.condition is not None and picker.condition.key == "ibd"  # type: ignore[attr-defined]
