"""The patient's own record on Today: planned doses taken lately, and evenings in a row."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.analysis.conftest import build_plan
from tracker.clinical.model import DoseEntry
from tracker.clinical.progress import recent_adherence as adherence_of

START = date(2026, 1, 1)


def _day(i: int) -> date:
    return START + timedelta(days=i)


def test_taken_of_the_last_planned_and_the_run_that_ends_today() -> None:
    plan = build_plan(START, [1.0] * 10)
    doses = [DoseEntry(_day(i), taken=i != 3) for i in range(9)]  # day 3 skipped, 9 logged
    result = adherence_of(plan, doses, _day(9))  # today (day 9) not logged yet
    assert (result.taken, result.planned, result.streak) == (8, 9, 5)


def test_pause_and_hold_days_are_neither_missed_nor_a_break() -> None:
    phases = ["titration"] * 3 + ["hold"] * 4 + ["titration"] * 3
    plan = build_plan(START, [1, 1, 1, 0, 0, 0, 0, 1, 1, 1], phases)  # type: ignore[arg-type]
    doses = [DoseEntry(_day(i), taken=True) for i in (0, 1, 2, 7, 8, 9)]
    result = adherence_of(plan, doses, _day(9))
    assert (result.taken, result.planned, result.streak) == (6, 6, 6)


def test_a_skipped_dose_today_breaks_the_run_and_a_missing_one_does_not() -> None:
    plan = build_plan(START, [1.0] * 5)
    taken = [DoseEntry(_day(i), taken=True) for i in range(4)]
    assert adherence_of(plan, taken, _day(4)).streak == 4
    assert adherence_of(plan, [*taken, DoseEntry(_day(4), taken=False)], _day(4)).streak == 0


def test_only_the_last_28_planned_doses_count() -> None:
    plan = build_plan(START, [1.0] * 40)
    doses = [DoseEntry(_day(i), taken=i >= 5) for i in range(40)]
    result = adherence_of(plan, doses, _day(39))
    assert (result.taken, result.planned, result.streak) == (28, 28, 35)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0]), st.sampled_from([None, True, False])),
                min_size=1, max_size=45))
def test_the_run_and_the_counts_agree(days: list[tuple[float, bool | None]]) -> None:
    plan = build_plan(START, [mg for mg, _ in days])
    doses = [DoseEntry(_day(i), taken=t) for i, (_, t) in enumerate(days) if t is not None]
    result = adherence_of(plan, doses, _day(len(days) - 1))
    assert 0 <= result.taken <= result.planned <= 28
    assert min(result.streak, result.planned) <= result.taken  # the run is of taken doses
    planned_days = sum(mg > 0 for mg, _ in days)
    assert result.planned <= planned_days and result.streak <= planned_days


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0]),
                          st.sampled_from([None, True, False])), min_size=1, max_size=45))
def test_todays_record_counts_the_days_the_summarys_intake_counts(
        days: list[tuple[float, bool | None]]) -> None:
    """One truth: Today's record (plain Python) and the summary's day-by-day intake (pandas)
    count the same planned doses as taken."""
    from tracker.analysis.frames import doses_frame, plan_frame
    from tracker.analysis.trends import intake_by_day

    plan = build_plan(START, [mg for mg, _ in days])
    doses = [DoseEntry(_day(i), taken=t, mg=mg if t else None)
             for i, (mg, t) in enumerate(days) if t is not None]
    today = _day(len(days) - 1)
    intake = intake_by_day(plan_frame(plan, reasons=False), doses_frame(doses), today)
    dosing = intake.loc[intake["planned_mg"] > 0, "intake"].isin(
        ("taken_planned", "taken_other")).tolist()
    result = adherence_of(plan, doses, today, last=len(days))
    assert (result.taken, result.planned) == (sum(dosing), len(dosing))
    run = len(dosing) - (max(i for i, t in enumerate(dosing) if not t) + 1
                         if not all(dosing) else 0)
    assert result.streak == run
