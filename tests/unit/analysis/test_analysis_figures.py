"""SPEC §8's dated figures on a diary small enough to work out by hand: the baseline, the last
28 days and the responder mark, the 7-day rolling mean, the windows around each dose step, and
intake against the plan; per patient (pandas), clinic-wide (numpy) and in summary.csv.

The plan starts on Thursday 8 January 2026; today is Friday 20 February 2026.

    Jan 8–14   0.75 mg  start
    Jan 15–28  1.5 mg   titration (a step up on Jan 15)
    Jan 29–Feb 4 0.75 mg reduction (the rule fired on Jan 28: a reduction on Jan 29)
    Feb 5–9    1.5 mg   back up after the reduction week: no step
    Feb 10–11  0 mg     pause
    Feb 12 on  1.5 mg   the restart after the pause: no step
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.unit.analysis.conftest import build_plan
from tests.unit.analysis.test_analysis_bulk import cohort
from tracker.analysis import build_summary, doses_frame, plan_frame, summary_frame, summary_text
from tracker.analysis.bulk import summaries
from tracker.analysis.trends import intake_by_day
from tracker.analysis.windows import DoseStep, dose_steps, is_responder
from tracker.clinical.model import Diary, DoseEntry, Plan, Reduction, ScoreEntry
from tracker.i18n import set_language

START = date(2026, 1, 8)
TODAY = date(2026, 2, 20)


def d(month: int, n: int) -> date:
    return date(2026, month, n)


def known_plan() -> Plan:
    doses = [0.75] * 7 + [1.5] * 14 + [0.75] * 7 + [1.5] * 5 + [0.0] * 2 + [1.5] * 45
    phases = (["start"] * 7 + ["titration"] * 14 + ["reduction"] * 7 + ["titration"] * 5
              + ["pause"] * 2 + ["titration"] * 45)
    return build_plan(START, doses, phases,
                      reductions=(Reduction(d(1, 28), d(1, 29), d(2, 4), 1.5, 0.75, 1.5),))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def known_diary(plan: Plan) -> Diary:
    # Pain before the start: Jan 2, 4, 6 (8, 6, 7: a baseline of 7 over the week before);
    # then 6 every day to Jan 21 and 4 from Jan 22. Fatigue: 5 on Jan 8 and 10 (nothing
    # before the start: its baseline is the first week of treatment), then only 4 on Feb 19.
    scores = [ScoreEntry(d(1, 2), "pain", 8), ScoreEntry(d(1, 4), "pain", 6),
              ScoreEntry(d(1, 6), "pain", 7)]
    scores += [ScoreEntry(day, "pain", 6 if day <= d(1, 21) else 4)
               for day in days(START, TODAY)]
    scores += [ScoreEntry(d(1, 8), "fatigue", 5), ScoreEntry(d(1, 10), "fatigue", 5),
               ScoreEntry(d(2, 19), "fatigue", 4)]
    # Every planned dose taken as planned up to yesterday, except: Jan 9 taken at 1.5 mg
    # (another dose), Jan 16 skipped, Jan 17 not logged, Jan 30 taken without an amount
    # (counts as planned), a dose taken on the pause day Feb 10; Feb 11 (paused) and today
    # not logged.
    doses = []
    for day in days(START, TODAY - timedelta(days=1)):
        planned = plan.on(day)
        assert planned is not None
        if day == d(1, 9):
            doses.append(DoseEntry(day, True, 1.5))
        elif day == d(1, 16):
            doses.append(DoseEntry(day, False))
        elif day == d(1, 30):
            doses.append(DoseEntry(day, True, None))
        elif day == d(2, 10):
            doses.append(DoseEntry(day, True, 1.5))
        elif day not in (d(1, 17), d(2, 11)):
            doses.append(DoseEntry(day, True, planned.dose_mg))
    return Diary(doses=tuple(doses), scores=tuple(scores))


@pytest.fixture
def known() -> tuple[Plan, Diary]:
    plan = known_plan()
    return plan, known_diary(plan)


@pytest.fixture
def summary(known: tuple[Plan, Diary]) -> dict[str, Any]:
    plan, diary = known
    return build_summary(plan, diary, [], TODAY, {"id": 3, "name": "Ida"})


def symptom(summary: dict[str, Any], name: str) -> dict[str, Any]:
    [entry] = [s for s in summary["symptoms"] if s["symptom"] == name]
    return entry


def test_the_baseline_is_the_week_before_the_start_where_scored(
        summary: dict[str, Any]) -> None:
    pain = symptom(summary, "pain")
    assert (pain["baseline"], pain["baseline_days"]) == (7.0, 3)  # (8 + 6 + 7) / 3
    assert (pain["baseline_from"], pain["baseline_to"]) == ("2026-01-01", "2026-01-07")
    assert pain["baseline_before_start"] is True


def test_else_the_first_week_of_treatment(summary: dict[str, Any]) -> None:
    fatigue = symptom(summary, "fatigue")
    assert (fatigue["baseline"], fatigue["baseline_days"]) == (5.0, 2)
    assert (fatigue["baseline_from"], fatigue["baseline_to"]) == ("2026-01-08", "2026-01-14")
    assert fatigue["baseline_before_start"] is False


def test_no_baseline_when_neither_week_was_scored() -> None:
    plan = known_plan()
    late = Diary(scores=(ScoreEntry(d(2, 1), "pain", 5),))
    [pain] = build_summary(plan, late, [], TODAY, {"id": 3})["symptoms"]
    assert pain["baseline"] is None and pain["baseline_days"] == 0
    assert pain["baseline_from"] is None and pain["baseline_before_start"] is None
    assert pain["change"] is None and pain["change_28d"] is None and pain["responder"] is None


def test_last_28_days_change_in_points_and_per_cent_and_the_responder_mark(
        summary: dict[str, Any]) -> None:
    pain = symptom(summary, "pain")
    # Jan 24 – Feb 20: 28 days at 4; 4 − 7 = −3 points, −3 / 7 = −42.857 %: a responder.
    assert (pain["last_28d_from"], pain["last_28d_to"]) == ("2026-01-24", "2026-02-20")
    assert (pain["last_28d"], pain["last_28d_days"]) == (4.0, 28)
    assert (pain["change_28d"], pain["change_28d_pct"], pain["responder"]) == (-3.0, -42.9, True)
    fatigue = symptom(summary, "fatigue")
    # Only Feb 19 (4) in the 28 days: 4 − 5 = −1, −20 %: not a responder.
    assert (fatigue["last_28d"], fatigue["last_28d_days"]) == (4.0, 1)
    assert (fatigue["change_28d"], fatigue["change_28d_pct"]) == (-1.0, -20.0)
    assert fatigue["responder"] is False


def test_the_responder_threshold_is_30_per_cent() -> None:
    assert is_responder(10.0, 7.0) is True
    assert is_responder(10.0, 7.001) is False
    assert is_responder(7.0, 98 / 20) is True  # exactly 30 % below, whatever the float says
    assert is_responder(0.0, 0.0) is None and is_responder(None, 3.0) is None


def test_rolling_mean_on_today_and_the_dated_last_week(summary: dict[str, Any]) -> None:
    pain, fatigue = symptom(summary, "pain"), symptom(summary, "fatigue")
    assert (pain["rolling_mean_from"], pain["rolling_mean_to"]) == ("2026-02-14", "2026-02-20")
    assert (pain["rolling_mean"], pain["rolling_mean_days"]) == (4.0, 7)
    assert (fatigue["rolling_mean"], fatigue["rolling_mean_days"]) == (4.0, 1)
    # The last week is the 7 days up to the last score, dated: fatigue's ends on Feb 19.
    assert (fatigue["last_from"], fatigue["last_to"], fatigue["last_days"]) == \
        ("2026-02-13", "2026-02-19", 1)
    assert (fatigue["last"], fatigue["change"]) == (4.0, -1.0)
    assert (pain["last"], pain["change"], pain["last_days"]) == (4.0, -3.0, 7)


def test_dose_steps_are_the_step_ups_and_reductions(known: tuple[Plan, Diary]) -> None:
    plan, _diary = known
    assert dose_steps(plan, TODAY) == [
        DoseStep(d(1, 15), "step_up", 0.75, 1.5),
        DoseStep(d(1, 29), "reduction", 1.5, 0.75),
    ]  # not Feb 5 (back from the reduction week) nor Feb 12 (the restart after the pause)
    assert dose_steps(plan, d(1, 20)) == [DoseStep(d(1, 15), "step_up", 0.75, 1.5)]


def test_each_symptom_before_and_after_each_step(summary: dict[str, Any]) -> None:
    up, reduction = summary["dose_steps"]
    assert up == {
        "date": "2026-01-15", "kind": "step_up", "from_mg": 0.75, "to_mg": 1.5,
        "before_from": "2026-01-08", "before_to": "2026-01-14",
        "after_from": "2026-01-22", "after_to": "2026-01-28",
        "symptoms": [
            {"symptom": "fatigue", "before": 5.0, "before_days": 2, "after": None,
             "after_days": 0, "change": None},
            {"symptom": "pain", "before": 6.0, "before_days": 7, "after": 4.0,
             "after_days": 7, "change": -2.0},
        ],
    }
    assert (reduction["date"], reduction["kind"]) == ("2026-01-29", "reduction")
    assert (reduction["from_mg"], reduction["to_mg"]) == (1.5, 0.75)
    assert (reduction["before_from"], reduction["after_to"]) == ("2026-01-22", "2026-02-11")
    pain = reduction["symptoms"][1]
    assert (pain["before"], pain["before_days"], pain["after"], pain["after_days"]) == \
        (4.0, 7, 4.0, 7)


def test_intake_against_the_plan_day_by_day(known: tuple[Plan, Diary]) -> None:
    plan, diary = known
    frame = intake_by_day(plan_frame(plan, reasons=False), doses_frame(diary.doses), TODAY)
    assert list(frame.columns) == ["date", "planned_mg", "intake", "logged_mg"]
    assert frame["date"].min() == pd.Timestamp(START)
    assert frame["date"].max() == pd.Timestamp(d(2, 19))  # today is not logged yet
    by_day = frame.set_index("date")
    expected = {
        d(1, 8): (0.75, "taken_planned", 0.75),
        d(1, 9): (0.75, "taken_other", 1.5),
        d(1, 16): (1.5, "skipped", np.nan),
        d(1, 17): (1.5, "not_logged", np.nan),
        d(1, 30): (0.75, "taken_planned", np.nan),
        d(2, 10): (0.0, "taken_other", 1.5),
        d(2, 11): (0.0, "not_logged", np.nan),
    }
    for day, (planned, intake, logged) in expected.items():
        row = by_day.loc[pd.Timestamp(day)]
        assert (row["planned_mg"], row["intake"]) == (planned, intake), day
        assert row["logged_mg"] == logged or (np.isnan(logged) and np.isnan(row["logged_mg"]))
    # Once today is logged, it is there too.
    logged_today = doses_frame((*diary.doses, DoseEntry(TODAY, False)))
    frame = intake_by_day(plan_frame(plan, reasons=False), logged_today, TODAY)
    assert frame["date"].max() == pd.Timestamp(TODAY) and frame["intake"].iloc[-1] == "skipped"


def test_intake_counts(summary: dict[str, Any]) -> None:
    # Jan 8 – Feb 19 is 43 days; the pause's two are no dosing days: 41. Of them Jan 9 at
    # another dose, Jan 16 skipped, Jan 17 not logged, the other 38 as planned.
    assert summary["intake"] == {
        "from": "2026-01-08", "to": "2026-02-19", "planned_days": 41, "taken_planned": 38,
        "taken_other": 1, "skipped": 1, "not_logged": 1, "taken_unplanned": 1,
    }
    assert summary["adherence_overall"] == round(39 / 41, 4)  # the same days as adherence


def test_the_clinic_wide_figures_are_the_same(known: tuple[Plan, Diary]) -> None:
    plan, diary = known
    frames = cohort([known])
    frames = type(frames)(frames.patients, frames.plan, frames.doses, frames.scores, TODAY,
                          [dose_steps(plan, TODAY)])
    [bulk] = summaries(frames)
    summary = build_summary(plan, diary, [], TODAY, {"id": 3})
    for key in ("symptoms", "dose_steps", "intake", "dose_response"):
        assert bulk[key] == summary[key], key


def test_summary_csv_names_the_new_figures(summary: dict[str, Any]) -> None:
    values = dict(summary_frame(summary).itertuples(index=False))
    assert values["symptom.pain.baseline"] == 7.0
    assert values["symptom.pain.baseline_from"] == "2026-01-01"
    assert values["symptom.pain.baseline_before_start"] is True
    assert values["symptom.pain.change_28d_pct"] == -42.9
    assert values["symptom.pain.responder"] is True
    assert values["symptom.fatigue.rolling_mean_days"] == 1
    assert values["dose_steps"] == 2
    assert values["dose_step.1.kind"] == "step_up"
    assert values["dose_step.1.symptom.pain.after"] == 4.0
    assert values["dose_step.2.before_to"] == "2026-01-28"
    assert values["intake.not_logged"] == 1
    assert values["intake.to"] == "2026-02-19"


def test_summary_text_dates_every_window_with_its_year(summary: dict[str, Any]) -> None:
    set_language("en")
    text = summary_text(summary)
    assert "Summary for 20 February 2026\n" in text
    assert ("Pain: baseline 7 (the week before the start, 1 January 2026 – 7 January 2026, "
            "3 days scored)") in text
    assert ("Last 28 days 4 (24 January 2026 – 20 February 2026, 28 days scored): "
            "-3 points (-42.9 %) from baseline; responder (at least 30 % below baseline)") in text
    assert "Fatigue: baseline 5 (the first week of treatment, 8 January 2026" in text
    assert "not a responder (less than 30 % below baseline)" in text
    assert "7-day rolling mean on 20 February 2026: 4 (7 days scored)" in text
    assert "7 days up to the last score (13 February 2026 – 19 February 2026): 4" in text
    assert ("15 January 2026: step up, 0.75 mg to 1.5 mg (before 8 January 2026 – "
            "14 January 2026; after 22 January 2026 – 28 January 2026)") in text
    assert "Pain: 6 (7 days scored) then 4 (7 days scored), change -2" in text
    assert "29 January 2026: reduction for side effects, 1.5 mg to 0.75 mg" in text
    assert ("Intake against the plan, 8 January 2026 – 19 February 2026: "
            "41 planned dosing days") in text
    assert ("taken at the planned dose 38, taken at another dose 1, skipped 1, "
            "not logged 1") in text
    assert "a dose taken on 1 day planned without one (a pause or a hold)" in text
    assert "These means mix time with dose" in text
    set_language("da")
    danish = summary_text(summary)
    assert "Smerter: udgangspunkt 7 (ugen før start, 1. januar 2026 – 7. januar 2026" in danish
    assert "responder (mindst 30 % under udgangspunktet)" in danish
    assert "15. januar 2026: trin op, 0,75 mg til 1,5 mg" in danish
    assert "Disse gennemsnit blander tid med dosis" in danish
