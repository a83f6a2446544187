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

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.frames import DATE_DTYPE
from tracker.analysis.windows import (
    INTAKE_KINDS,
    RESPONDER_DAYS,
    DoseStep,
    baseline_windows,
    ending,
    is_responder,
    per_cent,
)
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


def _window(group: pd.DataFrame, first: date | pd.Timestamp, last: date | pd.Timestamp
            ) -> tuple[float, int]:
    """The mean of a symptom's score days from ``first`` to ``last`` (both counted), and how
    many there are (NaN, 0 for none)."""
    dates = group["date"]
    inside = group.loc[(dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last)), "value"]
    return (float(inside.mean()) if len(inside) else float("nan")), len(inside)


def _baseline(group: pd.DataFrame, start: date | None
              ) -> tuple[float, int, tuple[date | None, date | None], bool | None]:
    """A symptom's baseline: mean, score days, window, and whether it is the week before the
    start (:func:`~tracker.analysis.windows.baseline_windows`); NaN, 0, no dates, None when
    neither week was scored or there is no plan."""
    if start is not None:
        before, first_week = baseline_windows(start)
        for before_start, window in ((True, before), (False, first_week)):
            mean, days = _window(group, *window)
            if days:
                return mean, days, window, before_start
    return float("nan"), 0, (None, None), None


TREND_COLUMNS: dict[str, Any] = {
    "symptom": "str",
    "baseline": "float64",
    "baseline_from": DATE_DTYPE,
    "baseline_to": DATE_DTYPE,
    "baseline_days": "int64",
    "baseline_before_start": "boolean",
    "last": "float64",
    "last_from": DATE_DTYPE,
    "last_to": DATE_DTYPE,
    "last_days": "int64",
    "change": "float64",
    "rolling_mean": "float64",
    "rolling_mean_from": DATE_DTYPE,
    "rolling_mean_to": DATE_DTYPE,
    "rolling_mean_days": "int64",
    "last_28d": "float64",
    "last_28d_from": DATE_DTYPE,
    "last_28d_to": DATE_DTYPE,
    "last_28d_days": "int64",
    "change_28d": "float64",
    "change_28d_pct": "float64",
    "responder": "boolean",
    "slope_per_week": "float64",
    "days": "int64",
    "first_date": DATE_DTYPE,
    "last_date": DATE_DTYPE,
}


def symptom_trends(scores_df: pd.DataFrame, plan_df: pd.DataFrame, today: date,
                   window_days: int = TREND_WINDOW_DAYS) -> pd.DataFrame:
    """Per symptom, the dated figures of SPEC §8 (``docs/analysis.md``):

    - ``baseline`` over ``baseline_from … baseline_to`` (``baseline_days`` scored): the week
      before the plan's first day where the symptom was scored in it
      (``baseline_before_start``), else the plan's first week; NaN without a plan or a score
      in either;
    - ``last``: the ``window_days`` calendar days up to the symptom's last score, dated;
      ``change`` = last − baseline (negative = better, since higher is worse);
    - ``rolling_mean``: the ``window_days`` days ending ``today``; ``last_28d`` the 28;
      ``change_28d`` = last_28d − baseline, in points and in per cent (``change_28d_pct``);
      ``responder`` when last_28d is at least 30 % below baseline (NA when unknown);
    - the least-squares slope in points per week, the number of score days and their span.
    """
    daily = daily_scores(scores_df)
    window = pd.Timedelta(days=window_days)
    start = plan_df["date"].min().date() if len(plan_df) else None
    rolling = ending(today, window_days)
    month = ending(today, RESPONDER_DAYS)
    rows = []
    for symptom, group in daily.groupby("symptom", sort=True):
        first, last = group["date"].min(), group["date"].max()
        recent = group.loc[group["date"] > last - window, "value"]
        baseline, base_days, base_window, before_start = _baseline(group, start)
        roll, roll_days = _window(group, *rolling)
        month_mean, month_days = _window(group, *month)
        change_28d = month_mean - baseline
        responder = is_responder(baseline, month_mean)
        rows.append(
            {
                "symptom": symptom,
                "baseline": baseline,
                "baseline_from": base_window[0],
                "baseline_to": base_window[1],
                "baseline_days": base_days,
                "baseline_before_start": before_start,
                "last": recent.mean(),
                "last_from": last - window + pd.Timedelta(days=1),
                "last_to": last,
                "last_days": len(recent),
                "change": recent.mean() - baseline,
                "rolling_mean": roll,
                "rolling_mean_from": rolling[0],
                "rolling_mean_to": rolling[1],
                "rolling_mean_days": roll_days,
                "last_28d": month_mean,
                "last_28d_from": month[0],
                "last_28d_to": month[1],
                "last_28d_days": month_days,
                "change_28d": change_28d,
                "change_28d_pct": per_cent(change_28d, baseline),
                "responder": responder,
                "slope_per_week": _slope_per_week(group["date"], group["value"]),
                "days": len(group),
                "first_date": first,
                "last_date": last,
            }
        )
    frame = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    for name, dtype in TREND_COLUMNS.items():
        if dtype == DATE_DTYPE:
            frame[name] = pd.to_datetime(frame[name]).astype(DATE_DTYPE)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


STEP_WINDOW_COLUMNS: dict[str, Any] = {
    "step": "int64",
    "symptom": "str",
    "before": "float64",
    "before_days": "int64",
    "after": "float64",
    "after_days": "int64",
    "change": "float64",
}


def step_windows(scores_df: pd.DataFrame, steps: Sequence[DoseStep]) -> pd.DataFrame:
    """Around each dose step (:func:`tracker.analysis.windows.dose_steps`), each symptom the
    patient scored: its mean over the 7 days before the step and over days 8–14 after, with the
    number of score days in each, and change = after − before: step (the index into
    ``steps``), symptom, before, before_days, after, after_days, change."""
    daily = daily_scores(scores_df)
    groups = list(daily.groupby("symptom", sort=True))
    rows = []
    for n, step in enumerate(steps):
        for symptom, group in groups:
            before, before_days = _window(group, *step.before)
            after, after_days = _window(group, *step.after)
            rows.append({"step": n, "symptom": symptom, "before": before,
                         "before_days": before_days, "after": after, "after_days": after_days,
                         "change": after - before})
    return pd.DataFrame(rows, columns=list(STEP_WINDOW_COLUMNS)).astype(STEP_WINDOW_COLUMNS)


def intake_by_day(plan_df: pd.DataFrame, doses_df: pd.DataFrame, today: date) -> pd.DataFrame:
    """What happened against the plan, day by day, from the plan's first day to today:
    date, planned_mg, intake, logged_mg.

    ``intake`` is one of :data:`~tracker.analysis.windows.INTAKE_KINDS`: ``taken_planned`` (a
    dose taken at the planned deliverable dose, or without an amount), ``taken_other`` (taken
    at another amount, a dose on a day planned at 0 mg included), ``skipped``, ``not_logged``.
    ``logged_mg`` is the amount logged (NaN: none). Today is there only once a dose is logged
    for it, as adherence counts it (an evening diarist is not "not logged" every morning).
    """
    end = pd.Timestamp(today)
    logged = doses_df.drop_duplicates("date", keep="last").set_index("date")
    days = plan_df.loc[plan_df["date"] <= end, ["date", "dose_mg"]]
    if end not in logged.index:
        days = days[days["date"] < end]
    taken = days["date"].map(logged["taken"])
    mg = days["date"].map(logged["mg"]).astype("float64").to_numpy()
    planned = days["dose_mg"].to_numpy(dtype="float64")
    same = (planned > 0) & (np.isnan(mg) | (np.round(mg, 4) == np.round(planned, 4)))
    intake = np.select(
        [taken.isna().to_numpy(), ~taken.eq(True).to_numpy(), same],
        ["not_logged", "skipped", "taken_planned"], "taken_other")
    return pd.DataFrame({
        "date": days["date"].to_numpy(),
        "planned_mg": planned,
        "intake": intake,
        "logged_mg": mg,
    }).astype({"date": DATE_DTYPE, "planned_mg": "float64", "intake": "str",
               "logged_mg": "float64"})


def intake_counts(intake: pd.DataFrame) -> dict[str, Any]:
    """The summary's ``intake``: the days counted (``from``, ``to``: None when none), the
    planned dosing days among them (planned above 0 mg) and how many of those were
    taken at the planned dose, taken at another, skipped or not logged, and
    ``taken_unplanned``: doses taken on days planned at 0 mg (a pause or a hold)."""
    dosing = intake["planned_mg"] > 0
    counts = intake.loc[dosing, "intake"].value_counts()
    unplanned = (~dosing) & intake["intake"].isin(["taken_planned", "taken_other"])
    return {
        "from": intake["date"].min().date() if len(intake) else None,
        "to": intake["date"].max().date() if len(intake) else None,
        "planned_days": int(dosing.sum()),
        **{kind: int(counts.get(kind, 0)) for kind in INTAKE_KINDS},
        "taken_unplanned": int(unplanned.sum()),
    }


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
