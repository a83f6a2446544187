"""The plan: one planned dose per day, as a pure function of settings and diary (SPEC §3–§6).

The engine walks the calendar from the start date, one day at a time, carrying a small state
(:class:`~tracker.clinical.titration.TitrationState`: the titration step and its clock, an
active reduction week, a plateau, whether yesterday was without LDN), whose methods are the
rules. Each day's dose is decided from the state left by the days before it, and only then is
that day's diary read, so a diary entry for day *d* can change the plan from *d* + 1 on but never
on or before *d*. A stretch of days on which only the side-effect rule can change anything is
planned at once (:func:`walk`), with the same result. See ``docs/clinical-rules.md`` for every
rule and the choices made where the SPEC is silent.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tracker.clinical import alerts as A
from tracker.clinical.deliverable import clean_mg
from tracker.clinical.episodes import SideEffectIndex, find_episodes
from tracker.clinical.events import (
    Hold,
    Pause,
    chemo_pauses,
    hold_days,
    opioid_holds,
    pause_days,
)
from tracker.clinical.model import (
    CANCER_CAP_MG,
    Alert,
    Diary,
    PatientSettings,
    Plan,
    PlannedDay,
)
from tracker.clinical.titration import TitrationState

_ONE = timedelta(days=1)
PEDIATRIC_STEPS = 4


def dose_cap(settings: PatientSettings) -> float:
    """The highest dose the plan may ever hold: ``max_mg``, and 6 mg for cancer."""
    cap = float(settings.max_mg)
    if settings.protocol == "cancer":
        cap = min(cap, CANCER_CAP_MG)
    return clean_mg(cap)


def nominal_ladder(settings: PatientSettings) -> tuple[float, ...]:
    """The nominal dose of every titration step, step 0 (start) to the last (target)."""
    cap = dose_cap(settings)
    target = Decimal(repr(min(clean_mg(settings.target_mg), cap)))
    start = Decimal(repr(min(clean_mg(settings.start_mg), cap)))
    if settings.protocol == "pediatric":
        # SPEC §5: on day 7·w the nominal is 0.1 + (target − 0.1)·w/4, rounded to 0.05 mg.
        q = Decimal("0.05")
        steps = []
        for w in range(PEDIATRIC_STEPS + 1):
            value = start + (target - start) * w / PEDIATRIC_STEPS
            rounded = (value / q).quantize(Decimal(1), rounding=ROUND_HALF_UP) * q
            steps.append(clean_mg(float(min(rounded, target))))
        return tuple(steps)
    step = Decimal(repr(float(settings.step_mg)))
    if step <= 0 or start >= target:
        return (float(start), float(start)) if step <= 0 else (float(start), float(target))
    count = math.ceil((target - start) / step)
    return tuple(clean_mg(float(min(start + k * step, target))) for k in range(count + 1))


def compute_plan(
    settings: PatientSettings, diary: Diary, until: date, today: date | None = None, *,
    scores_in: A.ScoresIn | None = None,
) -> Plan:
    """The plan from ``settings.start_date`` to ``until`` inclusive, with its alerts.

    ``today`` (default ``until``) only says which days are past for ``missed_doses``; nothing
    here reads the clock. The rules read symptom scores only around the dose increases
    (``dose_maybe_too_high``): ``scores_in`` gives them for those days (default: from
    ``diary.scores``), for a caller that has not read the patient's other scores.
    """
    today = until if today is None else today
    start = settings.start_date
    if until < start:
        return Plan(days=())
    index = SideEffectIndex(diary, settings.min_severity)
    pauses = pause_days(chemo_pauses(diary), start, until)
    all_holds = opioid_holds(diary, start)
    holds = hold_days(all_holds, start, until)

    state, days = walk(settings, index, holds, pauses, until)

    reductions = state.reductions
    episodes = find_episodes(index, start, until, (r.trigger_day for r in reductions))
    alerts = state.alerts + _derived_alerts(settings, diary, days, all_holds, state.step_ups,
                                            until, today, scores_in)
    alerts = [a for a in alerts if start <= a.day <= until]
    alerts.sort(key=lambda a: (a.day, a.code))
    return Plan(
        days=tuple(days),
        episodes=episodes,
        reductions=tuple(reductions),
        alerts=tuple(alerts),
        last_step=state.last_step,
        target_mg=state.rungs[-1].mg,
    )


def walk(
    settings: PatientSettings,
    index: SideEffectIndex,
    holds: dict[date, list[Hold]],
    pauses: dict[date, Pause],
    until: date,
    *,
    fast_forward: bool = True,
) -> tuple[TitrationState, list[PlannedDay]]:
    """The day-by-day walk from the start to ``until``: the state it ends in, and the days.

    A quiet day (:meth:`TitrationState.quiet_dose`: at the target or the highest tolerated
    dose, no reduction week, not a first day back) reads the same as the one before it, so a
    stretch of them, up to the next day without LDN, is planned at once
    (:meth:`TitrationState.quiet_days`): most days of a long plan are such days.
    ``fast_forward=False`` walks every day through :meth:`TitrationState.day_with_ldn`; the
    property tests check that both give the same plan.
    """
    state = TitrationState.at_start(settings, nominal_ladder(settings), index)
    days: list[PlannedDay] = []
    no_ldn = sorted(holds.keys() | pauses.keys())
    after_until = until + _ONE
    day = settings.start_date
    while day <= until:
        week = state.week
        if week is not None and day == week.back_up_on:
            state.back_up()  # T+8: the reduction week is over (§4)
        day_holds = holds.get(day)
        pause = pauses.get(day)
        if day_holds or pause is not None:  # no LDN today: it wins over everything (§6)
            days.append(state.day_without_ldn(day, day_holds, pause))
        elif fast_forward and (quiet := state.quiet_dose()) is not None:
            at = bisect_right(no_ldn, day)
            day = state.quiet_days(quiet, day, no_ldn[at] if at < len(no_ldn) else after_until,
                                   days)
            continue
        else:
            days.append(state.day_with_ldn(day))
        day += _ONE
    return state, days


def _derived_alerts(
    settings: PatientSettings,
    diary: Diary,
    days: list[PlannedDay],
    holds: tuple[Hold, ...],
    step_ups: list[tuple[date, float]],
    until: date,
    today: date,
    scores_in: A.ScoresIn | None,
) -> list[Alert]:
    start = settings.start_date
    out: list[Alert] = []
    if settings.transplant:
        out.append(A.transplant_caution(start))
    if settings.informed_on is None:
        out.append(A.information_pending(start, settings.protocol == "pediatric"))
    for hold in holds:
        if hold.first <= until and (hold.last is None or hold.last >= start):
            out.append(A.opioid_contraindication(hold, max(hold.first, start)))
    if settings.formulation == "capsule":
        out.extend(A.needs_liquid_alerts(days))
    out.extend(A.missed_dose_alerts(days, diary, today))
    out.extend(A.dose_too_high_alerts(days, diary, until, scores_in))
    out.extend(A.thyroid_alerts(settings, step_ups, until))
    return out
