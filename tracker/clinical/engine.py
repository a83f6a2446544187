"""The plan: one planned dose per day, as a pure function of settings and diary (SPEC §3–§6).

The engine walks the calendar from the start date, one day at a time, carrying a small state:
the titration step and its clock, an active reduction week, a plateau. Each day's dose is
decided from the state left by the days before it, and only then is that day's diary read, so
a diary entry for day *d* can change the plan from *d* + 1 on but never on or before *d*.
See ``docs/clinical-rules.md`` for every rule and the choices made where the SPEC is silent.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tracker.clinical import alerts as A
from tracker.clinical.deliverable import clean_mg, deliverable_dose, volume_ml
from tracker.clinical.episodes import EpisodeCounter, SideEffectIndex, find_episodes
from tracker.clinical.events import (
    Hold,
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
    Phase,
    Plan,
    PlannedDay,
    Reduction,
)
from tracker.i18n import N_, Message

_ONE = timedelta(days=1)
REDUCTION_DAYS = 7
PEDIATRIC_STEPS = 4

R_START = N_("Start dose, day {day} of {days}")
R_START_WAIT = N_("Start dose; the first step-up waits until the side effects settle")
R_STEP = N_("Titration step {step}: {dose_mg}, day {day} of {days}")
R_STEP_NOMINAL = N_("Titration step {step}: {dose_mg} (nominal {nominal_mg}), day {day} of {days}")
R_STEP_WAIT = N_("Titration step {step}: {dose_mg}; the next step-up waits until the side "
                 "effects settle")
R_TARGET_REACHED = N_("Titration step {step}: target dose {dose_mg} reached")
R_TARGET = N_("Target dose {dose_mg}")
R_TARGET_NOMINAL = N_("Target dose {dose_mg} (nominal {nominal_mg})")
R_REDUCTION = N_("Reduction day {day} of 7 after {days} days of side effects: half of {failed_mg}")
R_BACK = N_("Back to {dose_mg} after the reduction week")
R_PLATEAU_FIRST = N_("Highest tolerated dose {dose_mg}: titration stopped because side effects "
                     "came back at {failed_mg}")
R_PLATEAU = N_("Highest tolerated dose {dose_mg}")
R_PAUSE = N_("Chemotherapy pause: no LDN from {first} to {last}, restart on {restart}")
R_HOLD = N_("Opioid hold: LDN must not be combined with {name}")
R_RESTART_PAUSE = N_("Restart at {dose_mg} after the chemotherapy pause")
R_RESTART_HOLD = N_("Restart at {dose_mg} after the opioid hold")
R_NEEDS_LIQUID = N_("{reason} (below the smallest capsule: ask the pharmacy for a liquid)")


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
    settings: PatientSettings, diary: Diary, until: date, today: date | None = None
) -> Plan:
    """The plan from ``settings.start_date`` to ``until`` inclusive, with its alerts.

    ``today`` (default ``until``) only says which days are past for ``missed_doses``; nothing
    here reads the clock.
    """
    today = until if today is None else today
    start = settings.start_date
    if until < start:
        return Plan(days=())
    formulation = settings.formulation
    ladder = nominal_ladder(settings)
    deliverables = [deliverable_dose(n, formulation) for n in ladder]
    last_step = len(ladder) - 1
    target = ladder[-1]
    tolerance = settings.tolerance_days
    interval = settings.interval_days
    liquid = formulation == "liquid"
    concentration = settings.concentration_mg_ml

    index = SideEffectIndex(diary, settings.min_severity)
    pauses = pause_days(chemo_pauses(diary), start, until)
    holds_all = opioid_holds(diary, start)
    holds = hold_days(holds_all, start, until)
    counter = EpisodeCounter(index, start)

    step = 0
    clock = 0  # days on the current step so far, pause and hold days not counted
    required = settings.start_days
    plateau: tuple[float, float, bool] | None = None  # (dose, nominal, needs_liquid)
    plateau_from: Reduction | None = None
    week: Reduction | None = None  # the reduction week in progress (or just decided)
    week_nominal = 0.0
    week_needs_liquid = False
    week_days = 0  # the counted duration that fired it
    next_plateau: tuple[float, float, bool] | None = None
    back_pending: Reduction | None = None
    last_zero: str | None = None  # "pause"/"hold" if the previous day had no LDN
    fail_counts: dict[float, int] = {}

    days: list[PlannedDay] = []
    reductions: list[Reduction] = []
    engine_alerts: list[Alert] = []
    step_ups: list[tuple[date, float]] = []

    day = start
    while day <= until:
        if week is not None and day == week.end + _ONE:
            # T+8: back up; the titration clock restarts here.
            clock = 0
            required = interval
            if week.plateau:
                plateau = next_plateau
                plateau_from = week
            back_pending = week
            week = None
        in_week = week is not None and week.start <= day <= week.end

        day_holds = holds.get(day)
        pause = pauses.get(day)
        if day_holds or pause is not None:
            # No LDN today: it wins over everything, freezes the clock, resets the count.
            counter.restart(day + _ONE)
            counter.feed(day)
            phase: Phase
            if day_holds:
                phase = "hold"
                names = ", ".join(dict.fromkeys(h.medication.name for h in day_holds))
                reason = Message(R_HOLD, {"name": names})
            else:
                assert pause is not None
                phase = "pause"
                reason = Message(R_PAUSE, {
                    "first": pause.first, "last": pause.last, "restart": pause.restart})
            last_zero = phase
            if week is not None and day == week.end and index.is_side_effect_day(day):
                engine_alerts.append(A.persists_despite_reduction(week))
            days.append(PlannedDay(day, 0.0, 0.0, phase, reason, False,
                                   0.0 if liquid and concentration else None, step))
            day += _ONE
            continue

        if in_week:
            assert week is not None
            nominal, dose, needs_liquid = week_nominal, week.reduced_mg, week_needs_liquid
            phase = "reduction"
            reason = Message(R_REDUCTION, {
                "day": (day - week.trigger_day).days, "days": week_days,
                "failed_mg": week.failed_mg})
        elif plateau is not None:
            dose, nominal, needs_liquid = plateau
            phase = "plateau"
            if back_pending is not None and plateau_from is back_pending:
                reason = Message(R_PLATEAU_FIRST, {
                    "dose_mg": dose, "failed_mg": back_pending.failed_mg})
            else:
                reason = Message(R_PLATEAU, {"dose_mg": dose})
        else:
            stepped = False
            if (step < last_step and clock >= required and last_zero is None
                    and not index.is_side_effect_day(day - _ONE)):
                previous_dose = deliverables[step][0]
                step += 1
                clock = 0
                required = interval
                stepped = True
                if deliverables[step][0] > previous_dose:
                    step_ups.append((day, deliverables[step][0]))
            clock += 1
            nominal = ladder[step]
            dose, needs_liquid = deliverables[step]
            params: dict[str, object] = {
                "step": step, "dose_mg": dose, "nominal_mg": nominal,
                "day": clock, "days": required}
            shows_nominal = nominal != dose
            if step == 0:
                phase = "start"
                waiting = clock > required and step < last_step
                reason = Message(R_START_WAIT if waiting else R_START, params)
            elif nominal >= target:
                phase = "target"
                if stepped:
                    reason = Message(R_TARGET_REACHED, params)
                else:
                    reason = Message(R_TARGET_NOMINAL if shows_nominal else R_TARGET, params)
            else:
                phase = "titration"
                if clock > required:
                    reason = Message(R_STEP_WAIT, params)
                else:
                    reason = Message(R_STEP_NOMINAL if shows_nominal else R_STEP, params)

        if not in_week:
            if last_zero is not None:
                reason = Message(R_RESTART_HOLD if last_zero == "hold" else R_RESTART_PAUSE,
                                 {"dose_mg": dose})
            elif back_pending is not None and phase != "plateau":
                reason = Message(R_BACK, {"dose_mg": dose})
            back_pending = None
        last_zero = None

        # Only now read today's diary: it shapes tomorrow, never today.
        counted = counter.feed(day)
        if counted > tolerance and not in_week and dose > 0:
            failed = clean_mg(dose)
            fail_counts[failed] = fail_counts.get(failed, 0) + 1
            half = clean_mg(failed / 2)
            reduced, reduced_liquid = deliverable_dose(half, formulation)
            is_plateau = fail_counts[failed] >= 2
            if is_plateau:
                lower = [k for k in range(step + 1) if deliverables[k][0] < failed]
                if lower:
                    k = lower[-1]
                    next_plateau = (deliverables[k][0], ladder[k], deliverables[k][1])
                else:
                    next_plateau = (reduced, half, reduced_liquid)
                back_to = next_plateau[0]
            else:
                back_to = failed
            week = Reduction(
                trigger_day=day,
                start=day + _ONE,
                end=day + timedelta(days=REDUCTION_DAYS),
                failed_mg=failed,
                reduced_mg=reduced,
                back_to_mg=back_to,
                plateau=is_plateau,
            )
            week_nominal, week_needs_liquid, week_days = half, reduced_liquid, counted
            reductions.append(week)
            engine_alerts.append(A.side_effect_reduction(week, counted))
            if is_plateau:
                engine_alerts.append(A.plateau(week))
            counter.restart(week.end + _ONE)
        elif week is not None and day == week.end and index.is_side_effect_day(day):
            engine_alerts.append(A.persists_despite_reduction(week))

        if needs_liquid:
            reason = Message(R_NEEDS_LIQUID, {"reason": reason})
        days.append(PlannedDay(
            day=day,
            dose_mg=dose,
            nominal_mg=nominal,
            phase=phase,
            reason=reason,
            needs_liquid=needs_liquid,
            volume_ml=volume_ml(dose, concentration) if liquid else None,
            step=step,
        ))
        day += _ONE

    episodes = find_episodes(index, start, until, (r.trigger_day for r in reductions))
    alerts = engine_alerts + _derived_alerts(settings, diary, days, holds_all, step_ups,
                                             until, today)
    alerts = [a for a in alerts if start <= a.day <= until]
    alerts.sort(key=lambda a: (a.day, a.code))
    return Plan(
        days=tuple(days),
        episodes=episodes,
        reductions=tuple(reductions),
        alerts=tuple(alerts),
    )


def _derived_alerts(
    settings: PatientSettings,
    diary: Diary,
    days: list[PlannedDay],
    holds: tuple[Hold, ...],
    step_ups: list[tuple[date, float]],
    until: date,
    today: date,
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
    out.extend(A.dose_too_high_alerts(days, diary, until))
    out.extend(A.thyroid_alerts(settings, step_ups, until))
    return out
