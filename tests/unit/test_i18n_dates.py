"""Dates in the user's language: the year shown only when it is not the (pinned) current one."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.i18n import Message, format_date, set_language


def test_the_current_year_follows_the_pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    set_language("en")
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2027-01-05")
    assert format_date(date(2027, 3, 1)) == "1 March"
    assert format_date(date(2026, 12, 30)) == "30 December 2026"
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-03-10")
    assert format_date(date(2027, 3, 1)) == "1 March 2027"
    set_language("da")
    try:
        assert format_date(date(2026, 3, 1)) == "1. marts"
    finally:
        set_language("en")


def test_a_date_inside_a_message_renders_as_a_date_with_its_year(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages (reasons, alerts) carry their year, and never fall back to ISO text."""
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-03-10")
    set_language("en")
    text = Message("Same dose until {last}", {"last": date(2026, 4, 19)}).render()
    assert text == "Same dose until 19 April 2026"
