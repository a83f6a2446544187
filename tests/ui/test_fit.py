"""Readable at 80×24 and 100×30, and fully Danish (issue 11): Textual's own English (its
palette's search field and system commands, its scrolling and focus keys) never shows on a
Danish screen, and the footer keeps the help, language and quit keys at both sizes."""

from __future__ import annotations

import html
import re

import pytest

from tests.ui.conftest import settle
from tracker.app import create_app
from tracker.preferences import Preferences
from tracker.screens.help import HelpScreen
from tracker.services.clinic import Clinic

# Textual 8's own strings (textual/app.py get_system_commands, command.py, screen.py,
# containers.py, widgets/_select.py, widgets/_footer.py), each would be English on our screens.
TEXTUAL_ENGLISH = ("Scroll", "Focus Next", "Focus Previous", "Search for commands",
                   "Quit the application", "Dismiss", "Keys", "Theme", "Screenshot", "Maximize",
                   "Minimize", "Show keys", "palette")

_TEXT = re.compile(r'<text[^>]*\bx="([\d.]+)"[^>]*-line-(\d+)\)">([^<]*)</text>')
CELL = 12.2  # the width of one column in Rich's SVG export


def screen_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The screen as drawn, one string per row (from the SVG screenshot)."""
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for x, line, text in _TEXT.findall(app.export_screenshot()):
        column = round(float(x) / CELL)
        for i, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            if 0 <= column + i < width and int(line) < height:
                rows[int(line)][column + i] = char
    return ["".join(row).rstrip() for row in rows]


def english_on(app) -> list[str]:  # type: ignore[no-untyped-def]
    text = "\n".join(screen_lines(app))
    return [word for word in TEXTUAL_ENGLISH if word in text]


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_danish_palette_and_help_have_no_textual_english(
        demo_clinic: Clinic, size: tuple[int, int]) -> None:
    Preferences(language="da").save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert english_on(app) == []
        await pilot.press("ctrl+p")
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "Søg efter kommandoer" in text
        assert "Afslut" in text  # the palette's commands are listed
        assert english_on(app) == []
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert english_on(app) == []


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_danish_palette_lists_our_commands_only(demo_clinic: Clinic,
                                                      size: tuple[int, int]) -> None:
    """The system commands are the app's, in Danish (public App.get_system_commands)."""
    Preferences(language="da").save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Afslut" in titles and "Taster" in titles
        assert not {"Theme", "Keys", "Screenshot", "Maximize", "Minimize", "Quit"} & set(titles)


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_today_footer_keeps_help_language_and_quit(
        demo_clinic: Clinic, size: tuple[int, int], language: str) -> None:
    Preferences(language=language).save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        footer = screen_lines(app)[-1]
        expected = {"en": ("? Help", "l Dansk/English", "q Quit", "t Taken", "s Save"),
                    "da": ("? Hjælp", "l Dansk/English", "q Afslut", "t Taget", "s Gem")}
        for key in expected[language]:
            assert key in footer, f"{key!r} not in the footer at {size}: {footer!r}"
        assert len(footer) <= size[0]
        assert "…" not in footer  # no key cut short


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_help_rows_are_not_cut(demo_clinic: Clinic, size: tuple[int, int]) -> None:
    """Every word of every row of the help is on the screen (wrapped, not cut), and its last
    line, how to close it, is shown."""
    Preferences(language="da").save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        lines = screen_lines(app)
        text = " ".join(" ".join(lines).split())
        assert "Tryk escape for at lukke." in text
        assert not any(line.rstrip(" █▎▊").endswith("…") for line in lines)
        from textual.widgets import DataTable

        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
