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

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.summary import _number
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
    """For each patient, the ``symptoms`` and ``dose_response`` of :func:`build_summary`,
    computed from the plan, doses and scores."""
    out: list[dict[str, Any]] = [{} for _ in range(frames.patients)]
    daily = _daily_scores(frames.scores)
    _symptoms(daily, frames.patients, out)
    _dose_response(daily, frames, out)
    return out


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


def _symptoms(daily: _Daily, patients: int, out: list[dict[str, Any]]) -> None:
    """:func:`~tracker.analysis.trends.symptom_trends` and ``weekly_means`` of everybody."""
    for entry in out:
        entry["symptoms"] = []
    groups = _runs(daily.patient, daily.symptom)
    if len(groups) < 2:
        return
    starts, ends = groups[:-1], groups[1:]
    sizes = ends - starts
    group = np.repeat(np.arange(len(starts)), sizes)
    day, value = daily.day, daily.value
    first, last = day[starts], day[ends - 1]
    early = day < (first + TREND_WINDOW_DAYS)[group]
    late = day > (last - TREND_WINDOW_DAYS)[group]
    baseline = (np.bincount(group, weights=np.where(early, value, 0.0), minlength=len(starts))
                / np.bincount(group, weights=early, minlength=len(starts)))
    recent = (np.bincount(group, weights=np.where(late, value, 0.0), minlength=len(starts))
              / np.bincount(group, weights=late, minlength=len(starts)))
    change = recent - baseline
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
            "baseline": _number(baseline[g]),
            "last": _number(recent[g]),
            "change": _number(change[g]),
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
