"""Danish and English: switched with one key, remembered, and nothing left untranslated."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file

from tests.ui.conftest import TODAY, settle
from tracker import i18n
from tracker.app import create_app
from tracker.preferences import Preferences, config_path
from tracker.services.clinic import Clinic
from tracker.widgets.dose_card import DoseCard

ROOT = Path(__file__).resolve().parents[2]
APP_FILES = sorted(
    [ROOT / "tracker/app.py", ROOT / "tracker/palette.py", ROOT / "tracker/services/demo.py",
     ROOT / "tracker/preferences.py"]
    + [p for p in (ROOT / "tracker/screens").glob("*.py") if p.stem not in ("clinic", "review")]
    + [p for p in (ROOT / "tracker/widgets").glob("*.py") if not p.stem.startswith("clinic")]
)


def _tool():  # type: ignore[no-untyped-def]
    """scripts/i18n.py, the project's catalogue checker."""
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    import i18n as tool  # type: ignore[import-not-found]

    return tool


def app_messages() -> list[str]:
    found: list[str] = []
    for path in APP_FILES:
        for _line, message, _comments, _context in extract_from_file(
                "python", str(path), keywords=_tool().KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and msgid not in found:
                found.append(msgid)
    return found


def _key(value: object) -> object:
    """A plural entry's forms (a tuple or a list) as a tuple."""
    return tuple(value) if isinstance(value, list | tuple) else value


def compiled_text(msgid: str, catalogue: Any) -> object:
    """What the compiled catalogue says for ``msgid``: both forms of a plural entry (Danish
    has two: one, and any other number)."""
    translations = i18n.translations("da")
    entry = catalogue.get(msgid)
    if entry is not None and isinstance(entry.id, list | tuple):
        return tuple(translations.ngettext(entry.id[0], entry.id[1], n) for n in (1, 2))
    return translations.gettext(msgid)


def test_every_app_string_has_a_danish_translation() -> None:
    """The same check as `scripts/i18n.py check`, for the app's own strings."""
    messages = app_messages()
    assert len(messages) > 100
    catalogue = _tool().catalogue()
    missing = [m for m in messages if catalogue.get(m) is None or not catalogue.get(m).string
               or catalogue.get(m).fuzzy]
    assert missing == []
    compiled = [m for m in messages if compiled_text(m, catalogue) != _key(catalogue.get(m).string)]
    assert compiled == [], "ldn_tracker.mo is out of date: run `make i18n`"


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
    return " ".join(text.split())


def english_leftovers(text: str) -> list[str]:
    """App strings whose Danish differs, shown in English on a Danish screen."""
    leftovers = []
    for message in app_messages():
        plain = message if "{" not in message else ""
        danish = i18n.translations("da").gettext(message)
        if len(plain) >= 8 and danish != plain and plain in text:
            leftovers.append(plain)
    return leftovers


async def test_switch_language_and_remember_it(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "1 capsule of 1 mg" in str(app.screen.query_one(DoseCard).render())
        await pilot.press("l")
        await settle(pilot)
        assert i18n.get_language() == "da"
        assert "1 kapsel à 1 mg" in str(app.screen.query_one(DoseCard).render())
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert {"Gem", "Historik", "Taget"} <= descriptions
        text = screen_text(app)
        assert "Bivirkninger (0–4)" in text
        assert english_leftovers(text) == []
    assert Preferences.load(config_path()).language == "da"

    i18n.set_language("en")  # a new start reads the remembered choice, not the locale
    again = create_app(clinic=ui_clinic)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert i18n.get_language() == "da"
        assert "Livlige drømme" in screen_text(again)


@pytest.mark.parametrize("keys", [(), ("h",), ("p",), ("question_mark",)])
async def test_danish_screens_have_no_english_left(demo_clinic: Clinic,
                                                   keys: tuple[str, ...]) -> None:
    Preferences(language="da").save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        assert english_leftovers(screen_text(app)) == []


async def test_danish_setup_and_decimal_comma(ui_clinic: Clinic) -> None:
    Preferences(language="da").save()
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Navn eller pseudonym" in text
        assert english_leftovers(text) == []


async def test_switch_keeps_unsaved_check_in(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t", "3")  # taken, vivid dreams severe; not saved yet
        await pilot.press("l")
        await settle(pilot)
        text = screen_text(app)
        assert "Dosis taget: 1 mg" in text
        assert "●●●○ svær" in text
        await pilot.press("s")
        await settle(pilot)
    assert ui_clinic.day_entries(patient_id, TODAY).effects == {"vivid_dreams": 3}
