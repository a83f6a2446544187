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

Here: :func:`summaries`, which puts the figures together. Its parts:
:mod:`tracker.analysis.bulk_arrays` (the input, :class:`~tracker.analysis.bulk_arrays.CohortFrames`,
and the sorted arrays, keys and window sums every figure uses),
:mod:`tracker.analysis.bulk_symptoms` (``symptoms``) and :mod:`tracker.analysis.bulk_doses`
(``dose_response``, ``dose_steps``, ``intake``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracker.analysis.bulk_arrays import (
    CohortFrames,
    cohort_daily_scores,
    patient_bounds,
)
from tracker.analysis.bulk_doses import fill_dose_response, fill_dose_steps, fill_intake
from tracker.analysis.bulk_symptoms import fill_symptoms


def summaries(frames: CohortFrames) -> list[dict[str, Any]]:
    """For each patient, the ``symptoms``, ``dose_response``, ``dose_steps`` and ``intake``
    of :func:`build_summary`, computed from the plan, doses, scores and steps."""
    out: list[dict[str, Any]] = [{} for _ in range(frames.patients)]
    daily = cohort_daily_scores(frames.scores)
    starts = _plan_starts(frames)
    fill_symptoms(daily, frames.patients, out, starts, frames.today)
    fill_dose_response(daily, frames, out)
    fill_dose_steps(daily, frames, out)
    fill_intake(frames, out)
    return out


def _plan_starts(frames: CohortFrames) -> np.ndarray:
    """Each patient's plan's first day (an ordinal; 0 without a plan)."""
    patient = frames.plan["patient"].to_numpy(dtype=np.int64)
    day = frames.plan["day"].to_numpy(dtype=np.int64)
    if not len(day):
        return np.zeros(frames.patients, dtype=np.int64)
    bounds = patient_bounds(patient, frames.patients)
    has_plan = bounds[1:] > bounds[:-1]
    return np.where(has_plan, day[np.minimum(bounds[:-1], len(day) - 1)], 0)
