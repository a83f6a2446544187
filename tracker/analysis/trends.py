"""The clinician's trend figures (SPEC §8): symptom trends, dose response, and adherence as a
table.

DataFrames in (the shapes of :mod:`tracker.analysis.frames`), DataFrames out. Where the
treatment stands (today's dose, the next step, adherence) is one plain function each in
:mod:`tracker.clinical.progress`; this module only tabulates it. Every choice the SPEC left open
is written down in ``docs/analysis.md``; the short version:

- a day is a calendar day; several scores for one symptom on one day count as their mean;
- weeks are calendar weeks starting on Monday;
- the dose of a score day is the logged mg of a dose taken that day, else the planned dose.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.frames import DATE_DTYPE
from tracker.clinical.model import Diary, Plan
from tracker.clinical.progress import ADHERENCE_WINDOWS, TREND_WINDOW_DAYS, adherence_counts


def adherence_frame(plan: Plan, diary: Diary, today: date) -> pd.DataFrame:
    """Adherence (:func:`tracker.clinical.progress.adherence_counts`) over 7 days, 30 days and
    overall: window, planned, taken, adherence (NaN when nothing was planned)."""
    rows = []
    for window, days in ADHERENCE_WINDOWS:
        planned, taken = adherence_counts(plan, diary, today, days)
        rows.append(
            {
                "window": window,
                "planned": planned,
                "taken": taken,
                "adherence": taken / planned if planned else float("nan"),
            }
        )
    return pd.DataFrame(rows).astype(
        {"window": "str", "planned": "int64", "taken": "int64", "adherence": "float64"}
    )


def daily_scores(scores_df: pd.DataFrame) -> pd.DataFrame:
    """One value per symptom per day (the mean when a day holds several): date, symptom, value."""
    daily = (
        scores_df.groupby(["symptom", "date"], sort=True)["value"]
        .mean()
        .reset_index()[["date", "symptom", "value"]]
    )
    return daily.astype({"date": DATE_DTYPE, "symptom": "str", "value": "float64"})


def rolling_means(scores_df: pd.DataFrame, window_days: int = TREND_WINDOW_DAYS) -> pd.DataFrame:
    """Each score day with the mean of that symptom over the ``window_days`` calendar days ending
    there (days without a score are skipped, not counted as 0): date, symptom, value, rolling_mean.
    """
    daily = daily_scores(scores_df)
    parts = []
    for _symptom, group in daily.groupby("symptom", sort=True):
        series = group.set_index("date")["value"]
        rolled = series.rolling(f"{window_days}D", min_periods=1).mean()
        parts.append(group.assign(rolling_mean=rolled.to_numpy()))
    if not parts:
        return daily.assign(rolling_mean=pd.Series(dtype="float64"))
    return pd.concat(parts, ignore_index=True)


def weekly_means(scores_df: pd.DataFrame) -> pd.DataFrame:
    """Mean score per symptom per calendar week (Monday first): symptom, week_start, mean, days."""
    daily = daily_scores(scores_df)
    week_start = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
    weekly = (
        daily.assign(week_start=week_start.astype(DATE_DTYPE))
        .groupby(["symptom", "week_start"], sort=True)["value"]
        .agg(["mean", "count"])
        .reset_index()
        .rename(columns={"count": "days"})
    )
    return weekly.astype(
        {"symptom": "str", "week_start": DATE_DTYPE, "mean": "float64", "days": "int64"}
    )


def _slope_per_week(dates: pd.Series, values: pd.Series) -> float:
    offsets = ((dates - dates.min()) / pd.Timedelta(days=1)).to_numpy(dtype="float64")
    if len(np.unique(offsets)) < 2:
        return float("nan")
    slope_per_day = np.polyfit(offsets, values.to_numpy(dtype="float64"), 1)[0]
    return float(slope_per_day) * 7


def symptom_trends(scores_df: pd.DataFrame, window_days: int = TREND_WINDOW_DAYS) -> pd.DataFrame:
    """Per symptom: the baseline (mean of the first ``window_days`` calendar days from its first
    score), the last (mean of the last ``window_days`` days up to its last score), change = last −
    baseline, the least-squares slope in points per week, the number of score days and their span.
    """
    daily = daily_scores(scores_df)
    window = pd.Timedelta(days=window_days)
    rows = []
    for symptom, group in daily.groupby("symptom", sort=True):
        first, last = group["date"].min(), group["date"].max()
        baseline = group.loc[group["date"] < first + window, "value"].mean()
        recent = group.loc[group["date"] > last - window, "value"].mean()
        rows.append(
            {
                "symptom": symptom,
                "baseline": baseline,
                "last": recent,
                "change": recent - baseline,
                "slope_per_week": _slope_per_week(group["date"], group["value"]),
                "days": len(group),
                "first_date": first,
                "last_date": last,
            }
        )
    columns: dict[str, Any] = {
        "symptom": "str",
        "baseline": "float64",
        "last": "float64",
        "change": "float64",
        "slope_per_week": "float64",
        "days": "int64",
        "first_date": DATE_DTYPE,
        "last_date": DATE_DTYPE,
    }
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def dose_on_days(plan_df: pd.DataFrame, doses_df: pd.DataFrame) -> pd.DataFrame:
    """The dose each day really stood at: date, dose_mg.

    The logged mg of a dose taken that day, else (skipped, not logged, or taken without an amount)
    the planned deliverable dose: LDN acts through the regimen, and one forgotten capsule does not
    make a day a 0 mg day. Planned days only.
    """
    taken = doses_df.loc[doses_df["taken"] & doses_df["mg"].notna(), ["date", "mg"]]
    taken = taken.drop_duplicates("date", keep="last")
    merged = plan_df[["date", "dose_mg"]].merge(taken, on="date", how="left")
    dose = merged["mg"].where(merged["mg"].notna(), merged["dose_mg"])
    return pd.DataFrame({"date": merged["date"], "dose_mg": dose.astype("float64")})


def dose_response(
    scores_df: pd.DataFrame, plan_df: pd.DataFrame, doses_df: pd.DataFrame
) -> pd.DataFrame:
    """Mean score per dose level and symptom: dose_mg, symptom, mean, days.

    Score days are grouped by :func:`dose_on_days`; score days before the plan's first day are the
    untreated baseline at 0 mg; score days after the plan's last day are left out.
    """
    daily = daily_scores(scores_df)
    doses = dose_on_days(plan_df, doses_df)
    merged = daily.merge(doses, on="date", how="left")
    if len(plan_df):
        before_start = merged["date"] < plan_df["date"].min()
        merged.loc[before_start, "dose_mg"] = 0.0
    merged = merged.dropna(subset=["dose_mg"])
    merged["dose_mg"] = merged["dose_mg"].round(4)
    grouped = (
        merged.groupby(["dose_mg", "symptom"], sort=True)["value"]
        .agg(["mean", "count"])
        .reset_index()
        .rename(columns={"count": "days"})
    )
    return grouped.astype(
        {"dose_mg": "float64", "symptom": "str", "mean": "float64", "days": "int64"}
    )
