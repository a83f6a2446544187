"""Each patient's ``symptoms`` of the summary (SPEC §8) for the whole cohort at once: the
symptom trends, the weekly means and the dated windows (baseline, last days, rolling mean, last
28 days, responder) that :func:`~tracker.analysis.summary.symptom_entry` writes for one patient.

Part of :mod:`tracker.analysis.bulk`, which says why the figures are the per-patient ones exactly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from tracker.analysis.bulk_arrays import DailyScores, Rounded, WindowSums, run_bounds
from tracker.analysis.summary import PERCENT_PLACES, _number
from tracker.analysis.windows import BASELINE_DAYS, RESPONDER_DAYS, is_responder, per_cent
from tracker.clinical.progress import TREND_WINDOW_DAYS


def fill_symptoms(daily: DailyScores, patients: int, out: list[dict[str, Any]],
                  plan_starts: np.ndarray, today: date) -> None:
    """:func:`~tracker.analysis.trends.symptom_trends` and ``weekly_means`` of everybody."""
    for entry in out:
        entry["symptoms"] = []
    groups = run_bounds(daily.patient, daily.symptom)
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
    weeks = run_bounds(daily.patient, daily.symptom, week)
    week_starts = weeks[:-1]
    week_days = np.diff(weeks)
    week_mean = (np.add.reduceat(value, week_starts) / week_days).tolist() if len(value) else []
    week_day = week[week_starts].tolist()
    week_days_list = week_days.tolist()
    week_group = np.searchsorted(ends, week_starts, side="right")
    week_bounds = np.searchsorted(week_group, np.arange(len(starts) + 1)).tolist()
    rounded = Rounded()
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


def _symptom_windows(daily: DailyScores, starts: np.ndarray, plan_starts: np.ndarray,
                     today: date) -> Any:
    """The dated figures of each (patient, symptom) group starting at row ``starts[g]``, as
    :func:`~tracker.analysis.summary.symptom_entry` writes them (its keys, in its order):
    ``entry(g, last, last_days, last_from, last_to)``."""
    sums = WindowSums(daily)
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
    rounded = Rounded()
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
