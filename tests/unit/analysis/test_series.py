"""The symptom series the app's charts draw: one order in every language, the report's."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.analysis import scores_frame
from tracker.analysis.series import symptom_series
from tracker.clinical import ScoreEntry
from tracker.i18n import set_language

START = date(2026, 3, 1)


def test_each_symptom_keeps_its_place_and_so_its_colour_in_both_languages() -> None:
    scores = [ScoreEntry(START + timedelta(days=n), key, (n + i) % 11)
              for n in range(10)
              for i, key in enumerate(("pain", "fatigue", "low_mood", "sleep_problems",
                                       "Tingling"))]
    frame = scores_frame(tuple(scores))
    try:
        set_language("en")
        english = symptom_series(frame)
        set_language("da")
        danish = symptom_series(frame)
    finally:
        set_language("en")
    assert list(english.values()) == list(danish.values())  # the same series, place by place
    assert list(english) == ["Tingling", "Fatigue", "Low mood", "Pain", "Sleep problems"]
    assert list(danish)[1:] == ["Træthed", "Nedtrykthed", "Smerter", "Søvnproblemer"]
