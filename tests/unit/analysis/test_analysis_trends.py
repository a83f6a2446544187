"""Every expected figure here is worked out by hand from the diary in the test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
from pandas.testing import assert_frame_equal

from tests.unit.analysis.conftest import build_plan
from tracker.analysis import (
    adherence_frame,
    dose_response,
    doses_frame,
    plan_frame,
    rolling_means,
    scores_frame,
    symptom_trends,
    weekly_means,
)
from tracker.clinical.model import Diary, DoseEntry, Plan, ScoreEntry

JAN1 = date(2026, 1, 1)  # a Thursday


def day(n: int) -> date:
    """Day ``n`` of January 2026."""
    return date(2026, 1, n)


def dates(*texts: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts)).astype("datetime64[s]"))


# --- adherence as a table ----------------------------------------------------------------------

# Jan 1 – Feb 28 at 1 mg, paused Jan 10–12. Taken: Jan 1–9 and 13, 14, 15, 17, 18; skipped
# Jan 16; Jan 19 and today (Jan 20) not logged; a dose logged on the pause day Jan 11. (The
# windows themselves: tests/unit/clinical/test_progress.py.)
PAUSE = {10, 11, 12}
TAKEN = [*range(1, 10), 13, 14, 15, 17, 18, 11]


def test_adherence_frame_reports_counts_per_window(plan_of: Callable[..., Plan]) -> None:
    plan = plan_of(JAN1, [0.0 if i + 1 in PAUSE else 1.0 for i in range(59)])
    entries = [DoseEntry(day(n), True, 1.0) for n in TAKEN] + [DoseEntry(day(16), False)]
    frame = adherence_frame(plan, Diary(doses=tuple(entries)), day(20))
    expected = pd.DataFrame(
        {
            "window": pd.Series(["7d", "30d", "overall"], dtype="str"),
            "planned": [6, 16, 16],
            "taken": [4, 14, 14],
            "adherence": [4 / 6, 14 / 16, 14 / 16],
        }
    )
    assert_frame_equal(frame, expected)


# --- symptom trends --------------------------------------------------------------------------

PAIN = [8, 8, 7, 7, 6, 6, 6, 5, 5, 4, 4, 4, 3, 3]  # Jan 1 … Jan 14
FATIGUE = {1: 1, 3: 2, 5: 3, 7: 4, 9: 5}  # every other day, a straight line


def trend_scores() -> pd.DataFrame:
    entries = [ScoreEntry(day(i + 1), "pain", v) for i, v in enumerate(PAIN)]
    entries += [ScoreEntry(day(n), "fatigue", v) for n, v in FATIGUE.items()]
    return scores_frame(entries)


def least_squares_slope(ys: list[int]) -> float:
    xs = list(range(len(ys)))
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def trends_of(scores: pd.DataFrame, today: date = date(2026, 1, 14)) -> pd.DataFrame:
    """The trends of a plan starting on Jan 1 (the baseline is then its first week: no score
    before it)."""
    plan = plan_frame(build_plan(JAN1, [1.0] * 31))
    return symptom_trends(scores, plan, today)


def test_symptom_trends_baseline_last_change_and_slope() -> None:
    baseline = (8 + 8 + 7 + 7 + 6 + 6 + 6) / 7
    last = (5 + 5 + 4 + 4 + 4 + 3 + 3) / 7
    expected = pd.DataFrame(
        {
            "symptom": pd.Series(["fatigue", "pain"], dtype="str"),
            # fatigue: first 7 days Jan 1–7 hold 1, 2, 3, 4; last 7 days Jan 3–9 hold 2…5.
            "baseline": [2.5, baseline],
            "last": [3.5, last],
            "change": [1.0, last - baseline],
            # fatigue rises 1 point per 2 days = 3.5 per week.
            "slope_per_week": [3.5, least_squares_slope(PAIN) * 7],
            "days": [5, 14],
            "first_date": dates("2026-01-01", "2026-01-01"),
            "last_date": dates("2026-01-09", "2026-01-14"),
        }
    )
    assert_frame_equal(trends_of(trend_scores())[list(expected.columns)], expected)


def test_a_single_score_day_has_no_slope() -> None:
    trends = trends_of(scores_frame([ScoreEntry(day(5), "pain", 4)]))
    assert trends["baseline"].iloc[0] == 4 and trends["change"].iloc[0] == 0
    assert pd.isna(trends["slope_per_week"].iloc[0])


def test_several_scores_on_one_day_count_as_their_mean() -> None:
    scores = scores_frame([ScoreEntry(day(1), "pain", 2), ScoreEntry(day(1), "pain", 6)])
    assert trends_of(scores)["baseline"].iloc[0] == 4


def test_rolling_mean_covers_seven_calendar_days_not_seven_entries() -> None:
    frame = rolling_means(trend_scores())
    fatigue = frame[frame["symptom"] == "fatigue"].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "date": dates("2026-01-01", "2026-01-03", "2026-01-05", "2026-01-07", "2026-01-09"),
            "symptom": pd.Series(["fatigue"] * 5, dtype="str"),
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
            # Jan 9's window is Jan 3–9: 2, 3, 4, 5 (Jan 1 has dropped out).
            "rolling_mean": [1.0, 1.5, 2.0, 2.5, 3.5],
        }
    )
    assert_frame_equal(fatigue, expected)


def test_weekly_means_use_monday_weeks() -> None:
    weekly = weekly_means(trend_scores())
    fatigue = weekly[weekly["symptom"] == "fatigue"].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "symptom": pd.Series(["fatigue", "fatigue"], dtype="str"),
            # Thu Jan 1 belongs to the week of Mon Dec 29: Jan 1 and 3; then Jan 5, 7, 9.
            "week_start": dates("2025-12-29", "2026-01-05"),
            "mean": [1.5, 4.0],
            "days": [2, 3],
        }
    )
    assert_frame_equal(fatigue, expected)


def test_empty_scores_give_empty_trends() -> None:
    empty = scores_frame([])
    assert trends_of(empty).empty
    assert weekly_means(empty).empty
    assert rolling_means(empty).empty
    assert list(rolling_means(empty).columns) == ["date", "symptom", "value", "rolling_mean"]


# --- dose response ---------------------------------------------------------------------------


def test_dose_response_groups_score_days_by_the_dose_really_taken(
    plan_of: Callable[..., Plan],
) -> None:
    plan_df = plan_frame(plan_of(JAN1, [1.0] * 7 + [1.5] * 7))
    doses_df = doses_frame(
        [
            DoseEntry(day(3), True, 0.75),  # took less than planned
            DoseEntry(day(9), False),  # skipped: still counted at the planned 1.5 mg
            DoseEntry(day(10), True, None),  # taken without an amount: planned dose
        ]
    )
    scores = [ScoreEntry(date(2025, 12, 31), "pain", 9)]  # before the start: 0 mg
    scores += [ScoreEntry(day(i + 1), "pain", v) for i, v in enumerate(PAIN)]
    scores += [ScoreEntry(day(20), "pain", 0)]  # after the plan's end: left out
    expected = pd.DataFrame(
        {
            "dose_mg": [0.0, 0.75, 1.0, 1.5],
            "symptom": pd.Series(["pain"] * 4, dtype="str"),
            # 1 mg: Jan 1, 2, 4, 5, 6, 7 → 8, 8, 7, 6, 6, 6.  1.5 mg: Jan 8–14.
            "mean": [9.0, 7.0, 41 / 6, 28 / 7],
            "days": [1, 1, 6, 7],
        }
    )
    assert_frame_equal(dose_response(scores_frame(scores), plan_df, doses_df), expected)
