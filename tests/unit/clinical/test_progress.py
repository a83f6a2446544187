"""Where the treatment stands (tracker/clinical/progress.py): today's dose and how long it has
stood, the next step up, adherence. The figures are worked out by hand from the plan and the
diary in each test; hypothesis holds them to the pandas reference in ``tests/oracles``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracles import pandas_figures as reference
from tracker.analysis import doses_frame, plan_frame
from tracker.clinical import compute_plan
from tracker.clinical.horizons import OUTLOOK_DAYS, PLAN_HORIZON_DAYS, within
from tracker.clinical.model import Diary, DoseEntry, Phase, Plan, PlannedDay
from tracker.clinical.progress import (
    ADHERENCE_WINDOWS,
    adherence,
    adherence_by_window,
    adherence_counts,
    days_on_current_dose,
    dose_status,
    next_step,
)
from tracker.clinical.protocols import build_settings
from tracker.i18n import Message

JAN1 = date(2026, 1, 1)


def day(n: int) -> date:
    """Day ``n`` of January 2026 (it runs on into February)."""
    return JAN1 + timedelta(days=n - 1)


def plan_of(doses: Sequence[float], phases: Sequence[Phase] | None = None,
            start: date = JAN1) -> Plan:
    return Plan(days=tuple(
        PlannedDay(start + timedelta(days=i), dose, dose,
                   phases[i] if phases else "titration", Message("x"))
        for i, dose in enumerate(doses)))


# --- adherence -------------------------------------------------------------------------------

# Jan 1 – Feb 28 at 1 mg, paused Jan 10–12. Taken: Jan 1–9 and 13, 14, 15, 17, 18; skipped
# Jan 16; Jan 19 and today (Jan 20) not logged; a dose logged on the pause day Jan 11.
PAUSE = {10, 11, 12}
ADHERENCE_PLAN = plan_of([0.0 if i + 1 in PAUSE else 1.0 for i in range(59)])
TAKEN = [*range(1, 10), 13, 14, 15, 17, 18, 11]


def adherence_diary(*extra: DoseEntry) -> Diary:
    entries = [DoseEntry(day(n), True, 1.0) for n in TAKEN] + [DoseEntry(day(16), False)]
    return Diary(doses=(*entries, *extra))


def test_adherence_windows_skip_pauses_and_an_unlogged_today() -> None:
    diary = adherence_diary()
    # 7 days Jan 14–20, today unlogged → Jan 14–19: 6 planned, taken 14, 15, 17, 18.
    assert adherence(ADHERENCE_PLAN, diary, day(20), 7) == pytest.approx(4 / 6)
    # 30 days and overall: Jan 1–19 minus 3 pause days = 16 planned; 9 + 5 taken.
    assert adherence(ADHERENCE_PLAN, diary, day(20), 30) == pytest.approx(14 / 16)
    assert adherence(ADHERENCE_PLAN, diary, day(20), None) == pytest.approx(14 / 16)
    assert adherence_counts(ADHERENCE_PLAN, diary, day(20), 7) == (6, 4)
    assert adherence_by_window(ADHERENCE_PLAN, diary, day(20)) == \
        {"7d": 4 / 6, "30d": 14 / 16, "overall": 14 / 16}


def test_a_dose_logged_today_counts_today() -> None:
    diary = adherence_diary(DoseEntry(day(20), True, 1.0))
    assert adherence(ADHERENCE_PLAN, diary, day(20), 7) == pytest.approx(5 / 7)
    skipped = adherence_diary(DoseEntry(day(20), False))
    assert adherence_counts(ADHERENCE_PLAN, skipped, day(20), 7) == (7, 4)


def test_adherence_is_none_without_planned_doses() -> None:
    assert adherence(ADHERENCE_PLAN, adherence_diary(), date(2025, 12, 31), 7) is None
    # Only pause days in the window (Jan 10–12, today Jan 12 unlogged → Jan 10–11).
    assert adherence(ADHERENCE_PLAN, Diary(), day(12), 2) is None
    assert adherence_by_window(Plan(days=()), Diary(), day(12)) == \
        dict.fromkeys(name for name, _days in ADHERENCE_WINDOWS)


@settings(max_examples=150, deadline=None)
@given(taken_days=st.sets(st.integers(0, 39)), skipped=st.sets(st.integers(0, 39)),
       zero=st.sets(st.integers(0, 39)), today=st.integers(-3, 45))
def test_adherence_is_the_pandas_reference(taken_days: set[int], skipped: set[int],
                                           zero: set[int], today: int) -> None:
    doses = tuple(DoseEntry(day(n + 1), n in taken_days, 1.0 if n in taken_days else None)
                  for n in sorted(taken_days | skipped))
    plan = plan_of([0.0 if n in zero else 1.0 for n in range(40)])
    diary, on = Diary(doses=doses), day(today + 1)
    plan_df, doses_df = plan_frame(plan, reasons=False), doses_frame(doses)
    by_window = adherence_by_window(plan, diary, on)
    for name, window in ADHERENCE_WINDOWS:
        assert adherence_counts(plan, diary, on, window) == \
            reference.adherence_counts(plan_df, doses_df, on, window)
        assert adherence(plan, diary, on, window) == by_window[name] == \
            reference.adherence(plan_df, doses_df, on, window)


# --- where the plan stands -------------------------------------------------------------------

# Jan 1–14 0.75 mg, Jan 15 – Feb 4 1 mg, from Feb 5 1.5 mg.
STEPS = [0.75] * 14 + [1.0] * 21 + [1.5] * 30


def test_dose_status_counts_days_on_the_dose_and_finds_the_next_rise() -> None:
    status = dose_status(plan_of(STEPS), day(20))
    assert status.today is not None
    assert status.today.dose_mg == 1.0 and status.today.phase == "titration"
    assert status.days_on_current_dose == 6  # Jan 15 … Jan 20
    assert status.next_step is not None
    assert (status.next_step.day, status.next_step.dose_mg) == (date(2026, 2, 5), 1.5)


def test_after_a_reduction_week_the_next_step_is_the_way_back_up() -> None:
    doses = [2.0] * 10 + [1.0] * 7 + [2.0] * 10
    phases: list[Phase] = ["titration"] * 10 + ["reduction"] * 7 + ["titration"] * 10
    status = dose_status(plan_of(doses, phases), day(12))
    assert status.today is not None
    assert (status.today.dose_mg, status.today.phase, status.days_on_current_dose) == \
        (1.0, "reduction", 2)
    assert status.next_step is not None
    assert (status.next_step.day, status.next_step.dose_mg) == (day(18), 2.0)


def test_at_target_there_is_no_next_step_and_a_later_pause_is_no_step() -> None:
    doses = [4.5] * 10 + [0.0] * 3 + [4.5] * 5
    status = dose_status(plan_of(doses), day(5))
    assert status.next_step is None
    assert status.days_on_current_dose == 5
    # On a pause day the restart is the next step; the count starts again after it.
    paused = dose_status(plan_of(doses, ["target"] * 10 + ["pause"] * 3 + ["target"] * 5),
                         day(12))
    assert paused.next_step is not None and paused.next_step.day == day(14)
    assert paused.days_on_current_dose == 2
    assert days_on_current_dose(plan_of(doses), day(15)) == 2


def test_before_the_start_the_next_step_is_the_first_dose() -> None:
    status = dose_status(plan_of(STEPS), JAN1 - timedelta(days=3))
    assert status.today is None and status.days_on_current_dose is None
    assert status.next_step is not None
    assert (status.next_step.day, status.next_step.dose_mg) == (JAN1, 0.75)
    assert dose_status(Plan(days=()), JAN1) == dose_status(plan_of([]), JAN1)
    assert next_step(Plan(days=()), JAN1) is None


def test_the_next_step_is_looked_for_up_to_the_outlook_not_beyond() -> None:
    rise = OUTLOOK_DAYS + 20  # the dose rises on day(rise + 1)
    plan = plan_of([1.0] * rise + [2.0] * 5)
    step = next_step(plan, day(rise + 1 - OUTLOOK_DAYS))  # exactly OUTLOOK_DAYS ahead
    assert step is not None and step.day == day(rise + 1)
    assert next_step(plan, day(rise - OUTLOOK_DAYS)) is None  # one day too far


def test_a_step_more_than_four_weeks_ahead_is_found_in_the_engines_plan() -> None:
    # 60-day interval: 1 mg from day 14, 1.5 mg from day 74. On day 30 the next step is 44
    # days away: beyond the four weeks of plan a clinician reads, within the outlook.
    start = date(2026, 1, 1)
    today = start + timedelta(days=30)
    settings_ = build_settings("autoimmune", start, interval_days=60, informed_on=start)
    outlook = compute_plan(settings_, Diary(), today + timedelta(days=OUTLOOK_DAYS), today)
    step = next_step(outlook, today)
    assert step is not None and (step.day, step.dose_mg) == (start + timedelta(days=74), 1.5)
    assert next_step(within(outlook, today + timedelta(days=PLAN_HORIZON_DAYS)), today) is None


@settings(max_examples=150, deadline=None)
@given(doses=st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5]), min_size=0, max_size=60),
       today=st.integers(-5, 65))
def test_dose_status_is_the_pandas_reference(doses: list[float], today: int) -> None:
    plan, on = plan_of(doses), day(today + 1)
    ours = dose_status(plan, on)
    theirs = reference.dose_status(plan_frame(plan, reasons=False), on)
    assert (ours.today.dose_mg if ours.today else None) == theirs.dose_mg
    assert (ours.today.phase if ours.today else None) == theirs.phase
    assert ours.days_on_current_dose == theirs.days_on_current_dose
    assert (ours.next_step.day if ours.next_step else None) == theirs.next_step_date
    assert (ours.next_step.dose_mg if ours.next_step else None) == theirs.next_step_mg
