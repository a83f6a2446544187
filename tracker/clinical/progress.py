"""Where a patient's treatment stands on a day (SPEC §8): today's planned dose and how long it
has stood, the next step up, and adherence.

One function per figure, in plain Python, because every output reads them: the clinic's flags
(recomputed on every diary write, so no pandas here: the ``dose`` command's start-up time
depends on it), ``summary`` and the report, the clinic-wide ``export --all`` and the review
screen. Computed once, here, they cannot disagree.

The plan ahead is the engine's forecast (it assumes no new side effects). The next step is
looked for up to :data:`~tracker.clinical.horizons.OUTLOOK_DAYS` after today, further than the
four weeks of plan a clinician reads: two capsule steps that deliver the same dose put the next
rise two intervals away, and a slow protocol's interval can be longer than four weeks.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.clinical.horizons import OUTLOOK_DAYS
from tracker.clinical.model import Diary, DoseEntry, Plan, PlannedDay

# The adherence windows of the summary: the last week, the last month, and every day so far,
# by name (``adherence_7d`` …) and length in days.
WEEK_DAYS = 7
MONTH_DAYS = 30
ADHERENCE_WINDOWS: tuple[tuple[str, int | None], ...] = (
    (f"{WEEK_DAYS}d", WEEK_DAYS), (f"{MONTH_DAYS}d", MONTH_DAYS), ("overall", None))
# A symptom's baseline and last value are the means of its first and last this many days of
# scores; its rolling mean spans as many (SPEC §8).
TREND_WINDOW_DAYS = 7


@dataclass(frozen=True)
class DoseStatus:
    """Where the plan stands today, and when the dose next rises."""

    today: PlannedDay | None  # None before the plan starts
    days_on_current_dose: int | None  # today is day 1; None before the start
    next_step: PlannedDay | None


def dose_status(plan: Plan, today: date) -> DoseStatus:
    """Today's planned day, the days its dose has stood, and :func:`next_step`."""
    return DoseStatus(plan.on(today), days_on_current_dose(plan, today), next_step(plan, today))


def days_on_current_dose(plan: Plan, today: date) -> int | None:
    """Today and the days before it planned at today's dose, without a break (the first day
    of a dose is day 1; a pause in between starts the count again). None before the start."""
    current = plan.on(today)
    if current is None:
        return None
    index = (today - plan.days[0].day).days
    days = 1
    while index - days >= 0 and plan.days[index - days].dose_mg == current.dose_mg:
        days += 1
    return days


def next_step(plan: Plan, today: date) -> PlannedDay | None:
    """The first day after ``today`` planned above today's dose, up to ``OUTLOOK_DAYS`` ahead.

    A titration step, the way back up after a reduction week, or the restart after a pause or
    hold; a pause ahead is no step (it is planned at 0 mg), and at target there is none. Before
    the plan starts today's dose counts as 0 mg, so the next step is the first dose. The plan
    must be computed that far (``today + OUTLOOK_DAYS``): a plan that stops earlier hides a
    later step.
    """
    if not plan.days:
        return None
    current = plan.on(today)
    floor = current.dose_mg if current is not None else 0.0
    first = max((today - plan.days[0].day).days + 1, 0)
    until = today + timedelta(days=OUTLOOK_DAYS)
    for planned in plan.days[first:]:
        if planned.day > until:
            return None
        if planned.dose_mg > floor:
            return planned
    return None


def adherence_counts(plan: Plan, diary: Diary, today: date,
                     days: int | None = None) -> tuple[int, int]:
    """``(planned, taken)``: the planned dosing days of the window, and those logged as taken.

    The window is the ``days`` calendar days ending at ``today`` (every day up to today when
    ``days`` is None). A planned dosing day is a plan day above 0 mg: pause and hold days never
    count, nor does a dose logged on one. Taken is a dose entry marked taken (any amount);
    skipped and unlogged days are not taken. Today counts only once a dose is logged for it
    (taken or skipped): the evening's check-in has not happened yet in the morning.
    """
    return _count(*_dosing_days(plan, diary, today), today, days)


def adherence(plan: Plan, diary: Diary, today: date, days: int | None = None) -> float | None:
    """The share (0–1) of :func:`adherence_counts`' planned days that were taken; None when
    the window holds no planned dosing day."""
    planned, taken = adherence_counts(plan, diary, today, days)
    return None if planned == 0 else taken / planned


def adherence_by_window(plan: Plan, diary: Diary, today: date) -> dict[str, float | None]:
    """:func:`adherence` over each of :data:`ADHERENCE_WINDOWS`, keyed by the window's name,
    the diary read once."""
    dosing = _dosing_days(plan, diary, today)
    out: dict[str, float | None] = {}
    for name, days in ADHERENCE_WINDOWS:
        planned, taken = _count(*dosing, today, days)
        out[name] = None if planned == 0 else taken / planned
    return out


RECENT_DOSES = 28  # Today's "Taken 26 of the last 28 planned doses"


@dataclass(frozen=True)
class Adherence:
    """The patient's own record on Today: of the last ``planned`` planned doses (at most
    :data:`RECENT_DOSES`), ``taken`` were logged as taken; ``streak``, the planned doses taken
    in a row up to the latest one counted (it may reach further back than ``planned``)."""

    taken: int
    planned: int
    streak: int


def recent_adherence(plan: Plan, doses: Iterable[DoseEntry], today: date,
                     last: int = RECENT_DOSES) -> Adherence:
    """The last ``last`` planned dosing days of :func:`adherence_counts` (the same days and the
    same "taken": a pause or hold is neither missed nor a break in the run; today counts once
    logged) and the run of taken ones that ends them. Plain Python, so Today shows it without
    pandas."""
    planned, taken = _dosing_days(plan, Diary(doses=tuple(doses)), today)
    recent = planned[-last:] if last > 0 else []
    streak = 0
    for day in reversed(planned):
        if day not in taken:
            break
        streak += 1
    return Adherence(sum(1 for day in recent if day in taken), len(recent), streak)


def _dosing_days(plan: Plan, diary: Diary, today: date) -> tuple[list[date], set[date]]:
    """The planned dosing days up to today (today only once logged), in order, and the days
    logged as taken."""
    if not plan.days:
        return [], set()
    logged = any(entry.day == today for entry in diary.doses)
    end = (today - plan.days[0].day).days + (1 if logged else 0)
    planned = [p.day for p in plan.days[:max(end, 0)] if p.dose_mg > 0]
    return planned, {entry.day for entry in diary.doses if entry.taken}


def _count(planned: list[date], taken: set[date], today: date,
           days: int | None) -> tuple[int, int]:
    start = 0 if days is None else bisect_left(planned, today - timedelta(days=days - 1))
    window = planned[start:]
    return len(window), sum(1 for day in window if day in taken)
