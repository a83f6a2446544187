"""Where the treatment stands, computed with pandas on the plan frame: the product's first
implementation of adherence and of the next step (``tracker/analysis/trends.py`` until the
figures moved to :mod:`tracker.clinical.progress`), kept as a reference that the plain-Python
functions are held to (``tests/unit/clinical/test_progress.py``, ``tests/unit/test_cohort.py``);
and SPEC §8's dated figures of issue 14 (the baseline, the last 28 days, the responder mark, the
windows around each step, intake against the plan) in plain loops over the calendar, the
reference of ``tests/unit/analysis/test_analysis_oracle.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd


def _day(value: date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def adherence_counts(
    plan_df: pd.DataFrame, doses_df: pd.DataFrame, today: date, days: int | None = None
) -> tuple[int, int]:
    """``(planned, taken)`` dosing days of the ``days`` calendar days ending at ``today`` (all
    days up to today when None); a dosing day is planned above 0 mg; today counts only once a
    dose entry exists for it."""
    end = _day(today)
    logged = set(doses_df["date"])
    taken = set(doses_df.loc[doses_df["taken"], "date"])
    planned = plan_df.loc[(plan_df["dose_mg"] > 0) & (plan_df["date"] <= end), "date"]
    if days is not None:
        planned = planned[planned > end - pd.Timedelta(days=days)]
    if end not in logged:
        planned = planned[planned < end]
    return len(planned), int(planned.isin(taken).sum())


def adherence(
    plan_df: pd.DataFrame, doses_df: pd.DataFrame, today: date, days: int | None = None
) -> float | None:
    planned, taken = adherence_counts(plan_df, doses_df, today, days)
    return None if planned == 0 else taken / planned


@dataclass(frozen=True)
class DoseStatus:
    dose_mg: float | None
    nominal_mg: float | None
    phase: str | None
    days_on_current_dose: int | None
    next_step_date: date | None
    next_step_mg: float | None


def dose_status(plan_df: pd.DataFrame, today: date) -> DoseStatus:
    """Today's planned dose and phase; the days the dose has stood unchanged up to today
    (today = day 1); the first future day of the frame planned above today's dose (above 0
    before the start), and that dose."""
    now = _day(today)
    rows = plan_df.sort_values("date").reset_index(drop=True)
    current = rows.loc[rows["date"] == now]
    if current.empty:
        dose, nominal, phase, days_on = None, None, None, None
        floor = 0.0
    else:
        i = int(current.index[0])
        dose = float(rows["dose_mg"].iloc[i])
        nominal = float(rows["nominal_mg"].iloc[i])
        phase = str(rows["phase"].iloc[i])
        history = rows.loc[:i, "dose_mg"].to_numpy()[::-1]
        changed = np.nonzero(history != dose)[0]
        days_on = int(changed[0]) if len(changed) else len(history)
        floor = dose
    future = rows.loc[(rows["date"] > now) & (rows["dose_mg"] > floor)]
    if future.empty:
        next_date, next_mg = None, None
    else:
        next_date = pd.Timestamp(future["date"].iloc[0]).date()
        next_mg = float(future["dose_mg"].iloc[0])
    return DoseStatus(dose, nominal, phase, days_on, next_date, next_mg)


# --- SPEC §8's dated figures (issue 14), day by day in plain loops over a calendar ------------

def _daily(scores_df: pd.DataFrame) -> dict[str, dict[date, float]]:
    """``{symptom: {day: mean of that day's scores}}``."""
    out: dict[str, dict[date, float]] = {}
    for (symptom, day), value in scores_df.groupby(["symptom", "date"])["value"].mean().items():
        out.setdefault(str(symptom), {})[pd.Timestamp(day).date()] = float(value)
    return out


def _mean_over(values: dict[date, float], first: date, last: date) -> tuple[float | None, int]:
    seen = [values[first + timedelta(days=n)] for n in range((last - first).days + 1)
            if first + timedelta(days=n) in values]
    return (sum(seen) / len(seen) if seen else None), len(seen)


def symptom_windows(scores_df: pd.DataFrame, start: date | None, today: date
                    ) -> dict[str, dict[str, Any]]:
    """Per symptom: baseline (the week before ``start`` if scored, else the first week), its
    first day, the last 28 days' mean, the 7-day mean on today, and the responder mark."""
    out = {}
    for symptom, values in _daily(scores_df).items():
        baseline, first = None, None
        if start is not None:
            for first_day in (start - timedelta(days=7), start):
                mean, n = _mean_over(values, first_day, first_day + timedelta(days=6))
                if n:
                    baseline, first = mean, first_day
                    break
        month, _n = _mean_over(values, today - timedelta(days=27), today)
        rolling, _n = _mean_over(values, today - timedelta(days=6), today)
        responder = None
        if baseline and month is not None:
            responder = (baseline - month) / baseline >= 0.3 - 1e-12
        out[symptom] = {"baseline": baseline, "baseline_from": first, "last_28d": month,
                        "rolling_mean": rolling, "responder": responder}
    return out


def step_windows(scores_df: pd.DataFrame, plan_df: pd.DataFrame, reductions: list[date],
                 today: date) -> list[tuple[date, str, dict[str, tuple[float | None, int,
                                                                      float | None, int]]]]:
    """Each step-up (from the plan frame: a rise from a dose above 0 that is no way back from
    a reduction week) and each reduction start, with each symptom's (before, days, after,
    days) over D−7 … D−1 and D+7 … D+13."""
    rows = plan_df.sort_values("date").reset_index(drop=True)
    steps = []
    for i in range(1, len(rows)):
        day = rows["date"].iloc[i].date()
        before, now = rows.iloc[i - 1], rows.iloc[i]
        if day <= today and now["dose_mg"] > before["dose_mg"] > 0 \
                and before["phase"] != "reduction":
            steps.append((day, "step_up"))
    steps += [(day, "reduction") for day in reductions if day <= today]
    steps.sort(key=lambda s: (s[0], s[1] != "step_up"))
    daily = _daily(scores_df)
    out = []
    for day, kind in steps:
        around = {}
        for symptom, values in sorted(daily.items()):
            b, bn = _mean_over(values, day - timedelta(days=7), day - timedelta(days=1))
            a, an = _mean_over(values, day + timedelta(days=7), day + timedelta(days=13))
            around[symptom] = (b, bn, a, an)
        out.append((day, kind, around))
    return out


def intake_counts(plan_df: pd.DataFrame, doses_df: pd.DataFrame, today: date
                  ) -> dict[str, int]:
    """Planned dosing days up to today (today once logged) by what was logged."""
    logged = {pd.Timestamp(r.date).date(): (bool(r.taken), r.mg)
              for r in doses_df.itertuples()}
    counts = dict.fromkeys(("planned_days", "taken_planned", "taken_other", "skipped",
                            "not_logged", "taken_unplanned"), 0)
    for r in plan_df.itertuples():
        day = pd.Timestamp(r.date).date()
        if day > today or (day == today and today not in logged):
            continue
        entry = logged.get(day)
        if r.dose_mg <= 0:
            counts["taken_unplanned"] += bool(entry and entry[0])
            continue
        counts["planned_days"] += 1
        if entry is None:
            counts["not_logged"] += 1
        elif not entry[0]:
            counts["skipped"] += 1
        elif entry[1] != entry[1] or abs(entry[1] - r.dose_mg) < 1e-6:
            counts["taken_planned"] += 1
        else:
            counts["taken_other"] += 1
    return counts
