"""The summary's trend figures (SPEC §8) for many patients at once: ``export --all``'s way to the
``symptoms`` and ``dose_response`` that :func:`~tracker.analysis.summary.build_summary` gives one
patient at a time.

:func:`build_summary` builds a handful of DataFrames per patient and groups each one; on a
clinic of 2,000 three-year diaries that was most of the export. Here every patient's rows sit in
one set of arrays (a ``patient`` column numbering them ``0 … n-1``) and each figure is one
sort and one grouped sum over all of them. The results are the per-patient ones exactly, not
approximately (``tests/unit/analysis/test_analysis_bulk.py`` and
``tests/integration/test_export_bulk.py`` compare them):

- means are sums divided by counts, as pandas computes them; the summed values are scores
  (integers 0–10, one per symptom and day by the table's unique key), so every sum is exact
  whatever the order of the additions;
- the least-squares slope is still :func:`numpy.polyfit`, called per patient and symptom on
  the same arrays as :func:`~tracker.analysis.trends.symptom_trends`;
- doses are rounded with :func:`numpy.round`, as ``Series.round`` does.

Where the treatment stands (today's dose, the next step, adherence) is not here: the export
takes it, patient by patient, from the one function of :mod:`tracker.clinical.progress`, as the
per-patient summary does (:func:`~tracker.analysis.summary.progress_entries`).

Days are proleptic ordinals (``date.toordinal()``), so day arithmetic is integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.summary import PERCENT_PLACES, _number, step_entry
from tracker.analysis.windows import (
    BASELINE_DAYS,
    INTAKE_KINDS,
    RESPONDER_DAYS,
    STEP_AFTER_DAYS,
    STEP_BEFORE_DAYS,
    DoseStep,
    is_responder,
    per_cent,
)
from tracker.clinical.progress import TREND_WINDOW_DAYS

DAY_BITS = 22  # a day ordinal fits in 22 bits (date.max is 3,652,059)


@dataclass(frozen=True)
class CohortFrames:
    """Every patient's plan, doses and scores, rows tagged with the patient's number.

    - ``plan``: ``patient, day, dose_mg``, sorted by patient and day;
    - ``doses``: ``patient, day, taken, mg`` (NaN: no amount), one row per patient and day;
    - ``scores``: ``patient, day, symptom, value``, in any order; ``symptom`` a
      ``pd.Categorical`` or text.
    """

    patients: int
    plan: pd.DataFrame
    doses: pd.DataFrame
    scores: pd.DataFrame
    today: date  # the windows ending today, and the intake up to it
    steps: Sequence[Sequence[DoseStep]] = ()  # each patient's dose_steps(plan, today)


def _key(patient: np.ndarray, day: np.ndarray) -> np.ndarray:
    return (patient.astype(np.int64) << DAY_BITS) | day.astype(np.int64)


def _bounds(sorted_patient: np.ndarray, patients: int) -> np.ndarray:
    """Where each patient's rows start in a column sorted by patient (and where they end)."""
    return np.searchsorted(sorted_patient, np.arange(patients + 1))


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


class _Rounded:
    """:func:`_number` of many values, each distinct value rounded once (means of scores
    take few values); dates of ordinals the same way."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[float, int], float | None] = {}
        self._days: dict[int, str] = {}

    def number(self, value: float, places: int = 3) -> float | None:
        key = (value, places)
        try:
            return self._numbers[key]
        except KeyError:
            rounded = _number(value, places)
            if value == value:  # NaN is no key
                self._numbers[key] = rounded
            return rounded

    def iso(self, ordinal: int) -> str:
        text = self._days.get(ordinal)
        if text is None:
            text = self._days[ordinal] = _iso(ordinal)
        return text


def summaries(frames: CohortFrames) -> list[dict[str, Any]]:
    """For each patient, the ``symptoms``, ``dose_response``, ``dose_steps`` and ``intake``
    of :func:`build_summary`, computed from the plan, doses, scores and steps."""
    out: list[dict[str, Any]] = [{} for _ in range(frames.patients)]
    daily = _daily_scores(frames.scores)
    starts = _plan_starts(frames)
    _symptoms(daily, frames.patients, out, starts, frames.today)
    _dose_response(daily, frames, out)
    _dose_steps(daily, frames, out)
    _intake(frames, out)
    return out


def _plan_starts(frames: CohortFrames) -> np.ndarray:
    """Each patient's plan's first day (an ordinal; 0 without a plan)."""
    patient = frames.plan["patient"].to_numpy(dtype=np.int64)
    day = frames.plan["day"].to_numpy(dtype=np.int64)
    if not len(day):
        return np.zeros(frames.patients, dtype=np.int64)
    bounds = _bounds(patient, frames.patients)
    has_plan = bounds[1:] > bounds[:-1]
    return np.where(has_plan, day[np.minimum(bounds[:-1], len(day) - 1)], 0)


class _Sums:
    """Sums and counts of a symptom's score days over windows of days, for many windows at
    once: a cumulative sum over the daily values in their (patient, symptom, day) order. The
    values are scores (integers, or halves in tests), so every difference is exact and the
    mean is pandas' sum divided by count."""

    def __init__(self, daily: _Daily) -> None:
        self.symptoms = max(len(daily.names), 1)
        self.key = ((daily.patient * self.symptoms + daily.symptom) << DAY_BITS) | daily.day
        self.cumulative = np.concatenate(([0.0], np.cumsum(daily.value)))

    def base(self, patient: np.ndarray, symptom: np.ndarray) -> np.ndarray:
        return (patient * self.symptoms + symptom) << DAY_BITS

    def window(self, base: np.ndarray, first: np.ndarray, last: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """The mean (NaN for none) and the number of score days from ``first`` to ``last``."""
        i = np.searchsorted(self.key, base | first, side="left")
        j = np.searchsorted(self.key, base | last, side="right")
        days = j - i
        total = self.cumulative[j] - self.cumulative[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(days > 0, total / days, np.nan)
        return mean, days


@dataclass(frozen=True)
class _Daily:
    """One value per patient, symptom and day, sorted that way (``daily_scores``)."""

    patient: np.ndarray
    symptom: np.ndarray  # codes into ``names``, in the names' sort order
    day: np.ndarray
    value: np.ndarray  # float64
    names: list[str]


def _daily_scores(scores: pd.DataFrame) -> _Daily:
    column = scores["symptom"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in column.cat.categories]
        codes = column.cat.codes.to_numpy().astype(np.int64)
    else:
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        categories = [str(c) for c in uniques]
        codes = codes.astype(np.int64)
    names = sorted(categories)  # as groupby(sort=True) orders text
    rank = np.empty(len(categories), dtype=np.int64)
    rank[[categories.index(c) for c in names]] = np.arange(len(names))
    symptom = rank[codes] if len(codes) else codes
    patient = scores["patient"].to_numpy(dtype=np.int64)
    day = scores["day"].to_numpy(dtype=np.int64)
    value = scores["value"].to_numpy(dtype="float64")
    key = ((patient * max(len(names), 1) + symptom) << DAY_BITS) | day
    order = np.argsort(key, kind="stable")
    patient, symptom, day, value = patient[order], symptom[order], day[order], value[order]
    if len(day) > 1:
        key = key[order]
        same = key[1:] == key[:-1]
        if same.any():  # several scores a day: their mean
            starts = np.flatnonzero(np.concatenate(([True], ~same)))
            counts = np.diff(np.append(starts, len(day)))
            value = np.add.reduceat(value, starts) / counts
            patient, symptom, day = patient[starts], symptom[starts], day[starts]
    return _Daily(patient, symptom, day, value, names)


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (sorted, non-negative) and each row's group among them: counted out
    on a dense range when it is small (no sort), else ``np.unique``."""
    if len(key) and int(key.max()) < 4 * len(key) + 1_000_000:
        present = np.bincount(key) > 0
        groups = np.flatnonzero(present)
        number = np.cumsum(present) - 1
        return groups, number[key]
    groups, inverse = np.unique(key, return_inverse=True)
    return groups, inverse.reshape(-1)


def _runs(*columns: np.ndarray) -> np.ndarray:
    """The start of each run of equal rows over sorted ``columns``, and the end."""
    if not len(columns[0]):
        return np.zeros(1, dtype=np.int64)
    change = np.zeros(len(columns[0]), dtype=bool)
    change[0] = True
    for column in columns:
        change[1:] |= column[1:] != column[:-1]
    return np.append(np.flatnonzero(change), len(columns[0]))


def _symptoms(daily: _Daily, patients: int, out: list[dict[str, Any]], plan_starts: np.ndarray,
              today: date) -> None:
    """:func:`~tracker.analysis.trends.symptom_trends` and ``weekly_means`` of everybody."""
    for entry in out:
        entry["symptoms"] = []
    groups = _runs(daily.patient, daily.symptom)
    if len(groups) < 2:
        return
    starts, ends = groups[:-1], groups[1:]
    windows = _symptom_windows(daily, starts, plan_starts, today)
    sizes = ends - starts
    group = np.repeat(np.arange(len(starts)), sizes)
    day, value = daily.day, daily.value
    first, last = day[starts], day[ends - 1]
    late = day > (last - TREND_WINDOW_DAYS)[group]
    last_days = np.bincount(group, weights=late, minlength=len(starts))
    recent = (np.bincount(group, weights=np.where(late, value, 0.0), minlength=len(starts))
              / last_days)
    offsets = (day - first[group]).astype("float64")
    week = day - (day - 1) % 7  # the Monday: ordinal 1 was a Monday
    weeks = _runs(daily.patient, daily.symptom, week)
    week_starts = weeks[:-1]
    week_days = np.diff(weeks)
    week_mean = (np.add.reduceat(value, week_starts) / week_days).tolist() if len(value) else []
    week_day = week[week_starts].tolist()
    week_days_list = week_days.tolist()
    week_group = np.searchsorted(ends, week_starts, side="right")
    week_bounds = np.searchsorted(week_group, np.arange(len(starts) + 1)).tolist()
    rounded = _Rounded()
    number, iso = rounded.number, rounded.iso
    for g, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        slope = float("nan")
        if b - a >= 2:  # two days at least (a day is there once)
            slope = float(np.polyfit(offsets[a:b], value[a:b], 1)[0]) * 7
        w0, w1 = week_bounds[g], week_bounds[g + 1]
        out[int(daily.patient[a])]["symptoms"].append({
            "symptom": daily.names[int(daily.symptom[a])],
            **windows(g, recent[g], int(last_days[g]), iso(int(last[g]) - TREND_WINDOW_DAYS + 1),
                      iso(int(last[g]))),
            "slope_per_week": _number(slope),
            "days": int(sizes[g]),
            "weekly": [{"week_start": iso(d), "mean": number(m), "days": n}
                       for d, m, n in zip(week_day[w0:w1], week_mean[w0:w1],
                                          week_days_list[w0:w1], strict=True)],
        })


def _dose_response(daily: _Daily, frames: CohortFrames, out: list[dict[str, Any]]) -> None:
    """:func:`~tracker.analysis.trends.dose_response` of everybody: the dose each score day
    stood at (the logged mg of a dose taken that day, else the planned dose; 0 mg before the
    plan's first day; days after its last day left out), rounded to 4 places."""
    for entry in out:
        entry["dose_response"] = []
    plan, doses = frames.plan, frames.doses
    plan_patient = plan["patient"].to_numpy(dtype=np.int64)
    plan_day = plan["day"].to_numpy(dtype=np.int64)
    plan_key = _key(plan_patient, plan_day)
    plan_dose = plan["dose_mg"].to_numpy(dtype="float64")
    bounds = _bounds(plan_patient, frames.patients)
    has_plan = bounds[1:] > bounds[:-1]
    first_day = np.where(has_plan, plan_day[np.minimum(bounds[:-1], len(plan_day) - 1)], 0) \
        if len(plan_day) else np.zeros(frames.patients, dtype=np.int64)

    key = _key(daily.patient, daily.day)
    at = np.searchsorted(plan_key, key)
    found = at < len(plan_key)
    found[found] = plan_key[at[found]] == key[found]
    dose = np.full(len(key), np.nan)
    dose[found] = plan_dose[at[found]]
    mg = doses["mg"].to_numpy(dtype="float64")
    with_mg = doses["taken"].to_numpy(dtype=bool) & ~np.isnan(mg)
    taken_key = _key(doses["patient"].to_numpy(dtype=np.int64)[with_mg],
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
    groups, inverse = _groups(key)
    sums = np.bincount(inverse, weights=value, minlength=len(groups))
    counts = np.bincount(inverse, minlength=len(groups))
    levels_sorted = np.sort(np.asarray(levels, dtype=np.float64))
    rounded = _Rounded()
    for g, n, total in zip(groups.tolist(), counts.tolist(), sums.tolist(), strict=True):
        g, s = divmod(g, symptoms)
        p, d = divmod(g, len(levels))
        out[p]["dose_response"].append({
            "dose_mg": rounded.number(float(levels_sorted[d]), 4),
            "symptom": daily.names[s],
            "mean": rounded.number(total / n),
            "days": n,
        })


def _symptom_windows(daily: _Daily, starts: np.ndarray, plan_starts: np.ndarray,
                     today: date) -> Any:
    """The dated figures of each (patient, symptom) group starting at row ``starts[g]``, as
    :func:`~tracker.analysis.summary.symptom_entry` writes them (its keys, in its order):
    ``entry(g, last, last_days, last_from, last_to)``."""
    sums = _Sums(daily)
    patient, symptom = daily.patient[starts], daily.symptom[starts]
    base = sums.base(patient, symptom)
    start = plan_starts[patient]
    pre, pre_days = sums.window(base, start - BASELINE_DAYS, start - 1)
    first, first_days = sums.window(base, start, start + BASELINE_DAYS - 1)
    has_plan = start > 0
    before = has_plan & (pre_days > 0)
    treated = has_plan & ~before & (first_days > 0)
    baseline = np.where(before, pre, np.where(treated, first, np.nan)).tolist()
    base_days = np.where(before, pre_days, np.where(treated, first_days, 0)).tolist()
    base_from = np.where(before, start - BASELINE_DAYS, start).tolist()
    before_list, treated_list = before.tolist(), treated.tolist()
    end = today.toordinal()
    empty = np.zeros(len(starts), dtype=np.int64)
    rolling, rolling_days = sums.window(base, empty + end - TREND_WINDOW_DAYS + 1, empty + end)
    month, month_days = sums.window(base, empty + end - RESPONDER_DAYS + 1, empty + end)
    rolling_l, rolling_days_l = rolling.tolist(), rolling_days.tolist()
    month_l, month_days_l = month.tolist(), month_days.tolist()
    rounded = _Rounded()
    iso, number = rounded.iso, rounded.number
    rolling_from, rolling_to = iso(end - TREND_WINDOW_DAYS + 1), iso(end)
    month_from, month_to = iso(end - RESPONDER_DAYS + 1), rolling_to

    def entry(g: int, last: float, last_days: int, last_from: str, last_to: str
              ) -> dict[str, Any]:
        known = before_list[g] or treated_list[g]
        mean = baseline[g]
        change_28d = month_l[g] - mean
        return {
            "baseline": number(mean),
            "baseline_from": iso(base_from[g]) if known else None,
            "baseline_to": iso(base_from[g] + BASELINE_DAYS - 1) if known else None,
            "baseline_days": base_days[g],
            "baseline_before_start": before_list[g] if known else None,
            "last": number(last),
            "last_from": last_from,
            "last_to": last_to,
            "last_days": last_days,
            "change": number(last - mean),
            "rolling_mean": number(rolling_l[g]),
            "rolling_mean_from": rolling_from,
            "rolling_mean_to": rolling_to,
            "rolling_mean_days": rolling_days_l[g],
            "last_28d": number(month_l[g]),
            "last_28d_from": month_from,
            "last_28d_to": month_to,
            "last_28d_days": month_days_l[g],
            "change_28d": number(change_28d),
            "change_28d_pct": number(per_cent(change_28d, mean), PERCENT_PLACES),
            "responder": is_responder(mean, month_l[g]),
        }

    return entry


def _dose_steps(daily: _Daily, frames: CohortFrames, out: list[dict[str, Any]]) -> None:
    """``dose_steps`` of everybody: around each step, each symptom the patient scored, its
    mean over the week before and days 8–14 after
    (:func:`~tracker.analysis.trends.step_windows`)."""
    groups = _runs(daily.patient, daily.symptom)[:-1]
    group_patient = daily.patient[groups]
    group_symptom = daily.symptom[groups]
    group_bounds = _bounds(group_patient, frames.patients)
    steps = [(p, step) for p, patient_steps in enumerate(frames.steps) for step in patient_steps]
    step_patient = np.asarray([p for p, _step in steps], dtype=np.int64)
    day = np.asarray([step.day.toordinal() for _p, step in steps], dtype=np.int64)
    first = group_bounds[step_patient] if len(steps) else step_patient
    reps = group_bounds[step_patient + 1] - first if len(steps) else step_patient
    which = np.repeat(np.arange(len(steps)), reps)
    offsets = np.arange(len(which)) - np.repeat(np.cumsum(reps) - reps, reps)
    group = np.repeat(first, reps) + offsets
    sums = _Sums(daily)
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
    number = _Rounded().number
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


def _intake(frames: CohortFrames, out: list[dict[str, Any]]) -> None:
    """``intake`` of everybody (:func:`~tracker.analysis.trends.intake_by_day`, counted by
    :func:`~tracker.analysis.trends.intake_counts`)."""
    today = frames.today.toordinal()
    plan, doses = frames.plan, frames.doses
    patient = plan["patient"].to_numpy(dtype=np.int64)
    day = plan["day"].to_numpy(dtype=np.int64)
    planned = plan["dose_mg"].to_numpy(dtype="float64")
    dose_key = _key(doses["patient"].to_numpy(dtype=np.int64),
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

    today_logged, _at = logged_at(_key(np.arange(frames.patients), np.full(frames.patients, today)))
    keep = (day < today) | ((day == today) & today_logged[patient])
    patient, day, planned = patient[keep], day[keep], planned[keep]
    logged, at = logged_at(_key(patient, day))
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
    bounds = _bounds(patient, frames.patients).tolist()
    day_l = day.tolist()
    iso = _Rounded().iso
    for p, entry in enumerate(out):
        a, b = bounds[p], bounds[p + 1]
        entry["intake"] = {
            "from": iso(day_l[a]) if b > a else None,
            "to": iso(day_l[b - 1]) if b > a else None,
            "planned_days": planned_days[p],
            **dict(zip(INTAKE_KINDS, counts[p], strict=True)),
            "taken_unplanned": unplanned[p],
        }
