"""The summary's figures that set the diary against the doses (SPEC §8), for the whole cohort at
once: ``dose_response`` (the mean score at each dose), ``dose_steps`` (each symptom's mean before
and after each step) and ``intake`` (the planned days by what was logged).

Part of :mod:`tracker.analysis.bulk`, which says why the figures are the per-patient ones exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.bulk_arrays import (
    CohortFrames,
    DailyScores,
    Rounded,
    WindowSums,
    day_key,
    dense_groups,
    patient_bounds,
    run_bounds,
)
from tracker.analysis.summary import step_entry
from tracker.analysis.windows import INTAKE_KINDS, STEP_AFTER_DAYS, STEP_BEFORE_DAYS


def fill_dose_response(daily: DailyScores, frames: CohortFrames,
                       out: list[dict[str, Any]]) -> None:
    """:func:`~tracker.analysis.trends.dose_response` of everybody: the dose each score day
    stood at (the logged mg of a dose taken that day, else the planned dose; 0 mg before the
    plan's first day; days after its last day left out), rounded to 4 places."""
    for entry in out:
        entry["dose_response"] = []
    plan, doses = frames.plan, frames.doses
    plan_patient = plan["patient"].to_numpy(dtype=np.int64)
    plan_day = plan["day"].to_numpy(dtype=np.int64)
    plan_key = day_key(plan_patient, plan_day)
    plan_dose = plan["dose_mg"].to_numpy(dtype="float64")
    bounds = patient_bounds(plan_patient, frames.patients)
    has_plan = bounds[1:] > bounds[:-1]
    first_day = np.where(has_plan, plan_day[np.minimum(bounds[:-1], len(plan_day) - 1)], 0) \
        if len(plan_day) else np.zeros(frames.patients, dtype=np.int64)

    key = day_key(daily.patient, daily.day)
    at = np.searchsorted(plan_key, key)
    found = at < len(plan_key)
    found[found] = plan_key[at[found]] == key[found]
    dose = np.full(len(key), np.nan)
    dose[found] = plan_dose[at[found]]
    mg = doses["mg"].to_numpy(dtype="float64")
    with_mg = doses["taken"].to_numpy(dtype=bool) & ~np.isnan(mg)
    taken_key = day_key(doses["patient"].to_numpy(dtype=np.int64)[with_mg],
                        doses["day"].to_numpy(dtype=np.int64)[with_mg])
    taken_mg = mg[with_mg]
    sort = np.argsort(taken_key, kind="stable")
    taken_key, taken_mg = taken_key[sort], taken_mg[sort]
    at = np.searchsorted(taken_key, key)
    logged = found & (at < len(taken_key))
    logged[logged] = taken_key[at[logged]] == key[logged]
    dose[logged] = taken_mg[at[logged]]
    dose[has_plan[daily.patient] & (daily.day < first_day[daily.patient])] = 0.0
    keep = ~np.isnan(dose)
    patient, symptom, value = daily.patient[keep], daily.symptom[keep], daily.value[keep]
    dose = np.round(dose[keep], 4)
    if not len(dose):
        return
    level, levels = pd.factorize(dose)  # a few dose levels, numbered in their sort order
    rank = np.empty(len(levels), dtype=np.int64)
    rank[np.argsort(levels)] = np.arange(len(levels))
    symptoms = max(len(daily.names), 1)
    key = (patient * len(levels) + rank[level]) * symptoms + symptom
    groups, inverse = dense_groups(key)
    sums = np.bincount(inverse, weights=value, minlength=len(groups))
    counts = np.bincount(inverse, minlength=len(groups))
    levels_sorted = np.sort(np.asarray(levels, dtype=np.float64))
    rounded = Rounded()
    for g, n, total in zip(groups.tolist(), counts.tolist(), sums.tolist(), strict=True):
        g, s = divmod(g, symptoms)
        p, d = divmod(g, len(levels))
        out[p]["dose_response"].append({
            "dose_mg": rounded.number(float(levels_sorted[d]), 4),
            "symptom": daily.names[s],
            "mean": rounded.number(total / n),
            "days": n,
        })


def fill_dose_steps(daily: DailyScores, frames: CohortFrames,
                    out: list[dict[str, Any]]) -> None:
    """``dose_steps`` of everybody: around each step, each symptom the patient scored, its
    mean over the week before and days 8–14 after
    (:func:`~tracker.analysis.trends.step_windows`)."""
    groups = run_bounds(daily.patient, daily.symptom)[:-1]
    group_patient = daily.patient[groups]
    group_symptom = daily.symptom[groups]
    group_bounds = patient_bounds(group_patient, frames.patients)
    steps = [(p, step) for p, patient_steps in enumerate(frames.steps) for step in patient_steps]
    step_patient = np.asarray([p for p, _step in steps], dtype=np.int64)
    day = np.asarray([step.day.toordinal() for _p, step in steps], dtype=np.int64)
    first = group_bounds[step_patient] if len(steps) else step_patient
    reps = group_bounds[step_patient + 1] - first if len(steps) else step_patient
    which = np.repeat(np.arange(len(steps)), reps)
    offsets = np.arange(len(which)) - np.repeat(np.cumsum(reps) - reps, reps)
    group = np.repeat(first, reps) + offsets
    sums = WindowSums(daily)
    base = sums.base(group_patient[group], group_symptom[group])
    step_day = day[which]
    first_after, last_after = STEP_AFTER_DAYS  # the step's own day is day 1
    before, before_days = sums.window(base, step_day - STEP_BEFORE_DAYS, step_day - 1)
    after, after_days = sums.window(base, step_day + first_after - 1, step_day + last_after - 1)
    change = (after - before).tolist()
    before_l, before_days_l = before.tolist(), before_days.tolist()
    after_l, after_days_l = after.tolist(), after_days.tolist()
    symptom_l = group_symptom[group].tolist()
    bounds = np.append(np.cumsum(reps) - reps, len(which)).tolist() if len(steps) else [0]
    number = Rounded().number
    for entry in out:
        entry["dose_steps"] = []
    for k, (p, step) in enumerate(steps):
        out[p]["dose_steps"].append({
            **step_entry(step),
            "symptoms": [{
                "symptom": daily.names[symptom_l[r]],
                "before": number(before_l[r]),
                "before_days": before_days_l[r],
                "after": number(after_l[r]),
                "after_days": after_days_l[r],
                "change": number(change[r]),
            } for r in range(bounds[k], bounds[k + 1])],
        })


def fill_intake(frames: CohortFrames, out: list[dict[str, Any]]) -> None:
    """``intake`` of everybody (:func:`~tracker.analysis.trends.intake_by_day`, counted by
    :func:`~tracker.analysis.trends.intake_counts`)."""
    today = frames.today.toordinal()
    plan, doses = frames.plan, frames.doses
    patient = plan["patient"].to_numpy(dtype=np.int64)
    day = plan["day"].to_numpy(dtype=np.int64)
    planned = plan["dose_mg"].to_numpy(dtype="float64")
    dose_key = day_key(doses["patient"].to_numpy(dtype=np.int64),
                       doses["day"].to_numpy(dtype=np.int64))
    order = np.argsort(dose_key, kind="stable")
    dose_key = dose_key[order]
    taken = doses["taken"].to_numpy(dtype=bool)[order]
    mg = doses["mg"].to_numpy(dtype="float64")[order]
    last = np.append(dose_key[1:] != dose_key[:-1], True) if len(dose_key) else dose_key > 0
    dose_key, taken, mg = dose_key[last], taken[last], mg[last]  # the last entry of a day

    def logged_at(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.searchsorted(dose_key, key)
        found = at < len(dose_key)
        found[found] = dose_key[at[found]] == key[found]
        return found, np.where(found, at, 0)

    today_logged, _at = logged_at(day_key(np.arange(frames.patients),
                                          np.full(frames.patients, today)))
    keep = (day < today) | ((day == today) & today_logged[patient])
    patient, day, planned = patient[keep], day[keep], planned[keep]
    logged, at = logged_at(day_key(patient, day))
    was_taken = logged & (taken[at] if len(dose_key) else logged)
    amount = np.where(logged, mg[at] if len(dose_key) else np.nan, np.nan)
    same = (planned > 0) & (np.isnan(amount) | (np.round(amount, 4) == np.round(planned, 4)))
    kind = np.where(~logged, 3, np.where(~was_taken, 2, np.where(same, 0, 1)))
    dosing = planned > 0
    kinds = len(INTAKE_KINDS)
    counts = np.bincount(patient[dosing] * kinds + kind[dosing],
                         minlength=frames.patients * kinds).reshape(frames.patients, kinds).tolist()
    planned_days = np.bincount(patient[dosing], minlength=frames.patients).tolist()
    unplanned = np.bincount(patient[~dosing & was_taken], minlength=frames.patients).tolist()
    bounds = patient_bounds(patient, frames.patients).tolist()
    day_l = day.tolist()
    iso = Rounded().iso
    for p, entry in enumerate(out):
        a, b = bounds[p], bounds[p + 1]
        entry["intake"] = {
            "from": iso(day_l[a]) if b > a else None,
            "to": iso(day_l[b - 1]) if b > a else None,
            "planned_days": planned_days[p],
            **dict(zip(INTAKE_KINDS, counts[p], strict=True)),
            "taken_unplanned": unplanned[p],
        }
