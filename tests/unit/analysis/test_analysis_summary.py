"""The one-patient summary and the clinic's cohort table."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tracker.analysis import build_summary, summary_frame, summary_text
from tracker.clinical.model import (
    Alert,
    Diary,
    DoseEntry,
    Episode,
    Plan,
    Reduction,
    ScoreEntry,
)
from tracker.i18n import Message, format_date, set_language

JAN1 = date(2026, 1, 1)
TODAY = date(2026, 1, 20)
PATIENT = {"id": 7, "name": "Åse", "condition": "fibromyalgia", "protocol": "chronic_pain"}


def day(n: int) -> date:
    return date(2026, 1, n)


@pytest.fixture
def summary(plan_of: Callable[..., Plan]) -> dict[str, Any]:
    # Jan 1–14 0.75 mg; Jan 15–21 reduction at 0.5 mg after an episode that fired on Jan 14;
    # from Jan 22 back at 0.75, then 1 mg from Feb 12.
    doses = [0.75] * 14 + [0.5] * 7 + [0.75] * 21 + [1.0] * 10
    phases = ["start"] * 14 + ["reduction"] * 7 + ["titration"] * 31
    episode = Episode(day(10), day(14), 5, 3, ("headache", "nausea"), True, day(14))
    plan = plan_of(
        JAN1,
        doses,
        phases,
        episodes=(episode,),
        reductions=(Reduction(day(14), day(15), day(21), 0.75, 0.5, 0.75),),
    )
    diary = Diary(
        doses=tuple(DoseEntry(day(n), True, 0.75 if n < 15 else 0.5) for n in range(1, 20)),
        scores=tuple(ScoreEntry(day(n), "pain", 8 if n <= 7 else 6) for n in range(1, 20)),
    )
    alerts = [Alert(day(14), "plateau", Message("Stay at {dose_mg}", {"dose_mg": 0.75}))]
    return build_summary(plan, diary, alerts, TODAY, PATIENT)


def test_summary_holds_the_figures_a_clinician_reads(summary: dict[str, Any]) -> None:
    assert summary["patient"] == PATIENT and summary["today"] == "2026-01-20"
    assert (summary["current_dose_mg"], summary["phase"]) == (0.5, "reduction")
    assert summary["days_on_current_dose"] == 6  # Jan 15 … 20
    assert (summary["next_step_date"], summary["next_step_mg"]) == ("2026-01-22", 0.75)
    # Everything up to Jan 19 taken, Jan 20 not logged yet.
    assert summary["adherence_7d"] == summary["adherence_overall"] == 1.0
    assert summary["reductions"] == 1
    assert summary["episodes"] == [
        {
            "start": "2026-01-10",
            "end": "2026-01-14",
            "duration": 5,
            "worst_severity": 3,
            "effects": ["headache", "nausea"],
            "fired": True,
            "fired_on": "2026-01-14",
        }
    ]
    [pain] = summary["symptoms"]
    assert (pain["baseline"], pain["last"], pain["change"]) == (8.0, 6.0, -2.0)
    assert [w["week_start"] for w in pain["weekly"]] == [
        "2025-12-29",
        "2026-01-05",
        "2026-01-12",
        "2026-01-19",
    ]
    # Weekly means: Jan 1–4: 8; Jan 5–11: 8, 8, 8, 6, 6, 6, 6 → 6.857; then 6, 6.
    assert [w["mean"] for w in pain["weekly"]] == [8.0, 6.857, 6.0, 6.0]
    assert summary["dose_response"] == [
        {"dose_mg": 0.5, "symptom": "pain", "mean": 6.0, "days": 5},
        {"dose_mg": 0.75, "symptom": "pain", "mean": pytest.approx(7.0), "days": 14},
    ]
    assert summary["alerts"] == [
        {"date": "2026-01-14", "code": "plateau", "message": "Stay at 0.75 mg"}
    ]


def test_summary_is_strict_json_even_without_data(plan_of: Callable[..., Plan]) -> None:
    empty = build_summary(plan_of(JAN1, [1.0] * 5), Diary(), [], JAN1 - timedelta(1), PATIENT)
    assert json.loads(json.dumps(empty, allow_nan=False)) == empty
    assert empty["adherence_7d"] is None and empty["current_dose_mg"] is None
    assert empty["next_step_date"] == "2026-01-01"


def test_summary_frame_has_one_row_per_metric(summary: dict[str, Any]) -> None:
    frame = summary_frame(summary)
    assert list(frame.columns) == ["metric", "value"]
    values = dict(zip(frame["metric"], frame["value"], strict=True))
    assert values["patient_name"] == "Åse"
    assert values["current_dose_mg"] == 0.5
    assert values["symptom.pain.change"] == -2.0
    assert values["episode.1.effects"] == "headache; nausea"
    assert values["dose_response.0.75mg.pain.days"] == 14
    assert values["alerts"] == 1


def test_summary_text_in_english_and_danish(summary: dict[str, Any]) -> None:
    english = summary_text(summary)
    assert "Current dose: 0.5 mg (nominal 0.5 mg), phase: Reduction week" in english
    assert "On this dose for 6 days" in english
    assert "Adherence: 7 days 100 %" in english
    assert "worst severity 3" in english
    fired = format_date(day(14), year=True)
    assert f"the 50 % rule fired on {fired}: half dose for the next 7 days" in english
    set_language("da")
    danish = summary_text(summary)
    assert "Nuværende dosis: 0,5 mg" in danish
    assert "fase: Reduktionsuge" in danish
    assert "Sygdom: Fibromyalgi" in danish
    assert f"50 %-reglen udløstes {format_date(day(14), year=True)}: halv dosis de næste 7 dage" \
        in danish
    assert "Current dose" not in danish
