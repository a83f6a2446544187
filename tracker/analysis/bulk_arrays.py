"""The cohort's input and the array tools every figure of :mod:`tracker.analysis.bulk` is
computed with.

:class:`CohortFrames` holds every patient's plan, doses and scores, each row tagged with the
patient's number. Around it: the integer keys of a (patient, day) and where each patient's rows
start; the scores one value per patient, symptom and day in that order
(:func:`cohort_daily_scores`); sums and counts over windows of days for many windows at once
(:class:`WindowSums`); runs and groups of equal keys; and :class:`Rounded`, the summary's own
rounding, done once per distinct value.

Days are proleptic ordinals (``date.toordinal()``), so day arithmetic is integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tracker.analysis.summary import _number
from tracker.analysis.windows import DoseStep

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


def day_key(patient: np.ndarray, day: np.ndarray) -> np.ndarray:
    return (patient.astype(np.int64) << DAY_BITS) | day.astype(np.int64)


def patient_bounds(sorted_patient: np.ndarray, patients: int) -> np.ndarray:
    """Where each patient's rows start in a column sorted by patient (and where they end)."""
    return np.searchsorted(sorted_patient, np.arange(patients + 1))


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


class Rounded:
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


class WindowSums:
    """Sums and counts of a symptom's score days over windows of days, for many windows at
    once: a cumulative sum over the daily values in their (patient, symptom, day) order. The
    values are scores (integers, or halves in tests), so every difference is exact and the
    mean is pandas' sum divided by count."""

    def __init__(self, daily: DailyScores) -> None:
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
class DailyScores:
    """One value per patient, symptom and day, sorted that way (:func:`cohort_daily_scores`)."""

    patient: np.ndarray
    symptom: np.ndarray  # codes into ``names``, in the names' sort order
    day: np.ndarray
    value: np.ndarray  # float64
    names: list[str]


def cohort_daily_scores(scores: pd.DataFrame) -> DailyScores:
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
    return DailyScores(patient, symptom, day, value, names)


def dense_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (sorted, non-negative) and each row's group among them: counted out
    on a dense range when it is small (no sort), else ``np.unique``."""
    if len(key) and int(key.max()) < 4 * len(key) + 1_000_000:
        present = np.bincount(key) > 0
        groups = np.flatnonzero(present)
        number = np.cumsum(present) - 1
        return groups, number[key]
    groups, inverse = np.unique(key, return_inverse=True)
    return groups, inverse.reshape(-1)


def run_bounds(*columns: np.ndarray) -> np.ndarray:
    """The start of each run of equal rows over sorted ``columns``, and the end."""
    if not len(columns[0]):
        return np.zeros(1, dtype=np.int64)
    change = np.zeros(len(columns[0]), dtype=bool)
    change[0] = True
    for column in columns:
        change[1:] |= column[1:] != column[:-1]
    return np.append(np.flatnonzero(change), len(columns[0]))
