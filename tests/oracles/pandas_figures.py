"""Where the treatment stands, computed with pandas on the plan frame: the product's first
implementation of adherence and of the next step (``tracker/analysis/trends.py`` until the
figures moved to :mod:`tracker.clinical.progress`), kept as a reference that the plain-Python
functions are held to (``tests/unit/clinical/test_progress.py``, ``tests/unit/test_cohort.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
