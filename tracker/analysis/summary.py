"""One patient at a glance (SPEC §8): the summary the CLI prints, the export writes and the report
draws, built once from the plan and the diary.

The summary is a plain JSON-serialisable dict (ISO dates, rounded floats, None, lists), so the
``summary --format json`` output, ``summary.csv`` and the HTML report all show the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tracker.analysis.frames import (
    alerts_frame,
    doses_frame,
    plan_frame,
    scores_frame,
)
from tracker.analysis.trends import (
    dose_response,
    intake_by_day,
    intake_counts,
    step_windows,
    symptom_trends,
    weekly_means,
)
from tracker.analysis.windows import (
    INTAKE_KINDS,
    DoseStep,
    dose_steps,
)
from tracker.clinical.horizons import PLAN_HORIZON_DAYS, within
from tracker.clinical.model import Alert, Diary, Plan
from tracker.clinical.progress import (
    adherence_by_window,
    dose_status,
)
from tracker.clinical.vocabulary import label_of
from tracker.i18n import (
    _,
)

PLACES = 3


def display_name(key: str) -> str:
    """A symptom or side-effect key as its label in the current language; a patient's own name
    as typed."""
    label = label_of(key)
    return _(label) if label != key else key


def _number(value: Any, places: int = PLACES) -> float | None:
    if value is None:
        return None
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return None
    return round(number, places)


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value, places=6)
    return value


def build_summary(
    plan: Plan,
    diary: Diary,
    alerts: Iterable[Alert] | None,
    today: date,
    patient: Mapping[str, Any],
) -> dict[str, Any]:
    """The figures of SPEC §8 for one patient on ``today``; ``alerts`` defaults to the plan's.

    ``plan`` reaches at least ``OUTLOOK_DAYS`` after today, where the next step is looked for
    (:func:`tracker.clinical.progress.next_step`); what is read of the plan itself (the dose of
    each score day, the alerts by default) stops four weeks after today, as plan.csv does.
    """
    shown = within(plan, today + timedelta(days=PLAN_HORIZON_DAYS))
    plan_df = plan_frame(shown, reasons=False)
    doses_df = doses_frame(diary.doses)
    scores_df = scores_frame(diary.scores)

    trends = symptom_trends(scores_df, plan_df, today)
    weekly = weekly_means(scores_df)
    symptoms = [
        {
            **symptom_entry(row),
            "weekly": [
                {
                    "week_start": _iso(week["week_start"]),
                    "mean": _number(week["mean"]),
                    "days": int(week["days"]),
                }
                for week in _records(weekly[weekly["symptom"] == row["symptom"]])
            ],
        }
        for row in _records(trends)
    ]
    response = [
        {
            "dose_mg": _number(row["dose_mg"], 4),
            "symptom": row["symptom"],
            "mean": _number(row["mean"]),
            "days": int(row["days"]),
        }
        for row in _records(dose_response(scores_df, plan_df, doses_df))
    ]
    steps = dose_steps(shown, today)
    windows = _records(step_windows(scores_df, steps))
    step_rows = [
        {
            **step_entry(step),
            "symptoms": [
                {
                    "symptom": w["symptom"],
                    "before": _number(w["before"]),
                    "before_days": int(w["before_days"]),
                    "after": _number(w["after"]),
                    "after_days": int(w["after_days"]),
                    "change": _number(w["change"]),
                }
                for w in windows
                if w["step"] == n
            ],
        }
        for n, step in enumerate(steps)
    ]
    alert_rows = [
        {"date": _iso(row["date"]), "code": row["code"], "message": row["message"]}
        for row in _records(alerts_frame(shown.alerts if alerts is None else alerts))
    ]
    return {
        "patient": _jsonable(dict(patient)),
        "today": today.isoformat(),
        **progress_entries(plan, diary, today),
        "symptoms": symptoms,
        "dose_response": response,
        "dose_steps": step_rows,
        "intake": _jsonable(intake_counts(intake_by_day(plan_df, doses_df, today))),
        "alerts": alert_rows,
    }


# The keys of a ``symptoms`` entry before its weekly means, in order (summary.csv's order too).
SYMPTOM_KEYS = (
    "baseline", "baseline_from", "baseline_to", "baseline_days", "baseline_before_start",
    "last", "last_from", "last_to", "last_days", "change",
    "rolling_mean", "rolling_mean_from", "rolling_mean_to", "rolling_mean_days",
    "last_28d", "last_28d_from", "last_28d_to", "last_28d_days",
    "change_28d", "change_28d_pct", "responder", "slope_per_week", "days",
)
PERCENT_PLACES = 1
STEP_KEYS = ("date", "kind", "from_mg", "to_mg", "before_from", "before_to", "after_from",
             "after_to")
STEP_SYMPTOM_KEYS = ("before", "before_days", "after", "after_days", "change")
INTAKE_KEYS = ("from", "to", "planned_days", *INTAKE_KINDS, "taken_unplanned")


def symptom_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of :func:`~tracker.analysis.trends.symptom_trends` as the summary writes it:
    ``symptom`` and :data:`SYMPTOM_KEYS` (dates ISO, means to 3 places, per cent to 1)."""
    entry: dict[str, Any] = {"symptom": row["symptom"]}
    for key in SYMPTOM_KEYS:
        value = row[key]
        if key.endswith(("_from", "_to")):
            entry[key] = _iso(value)
        elif key.endswith("days"):
            entry[key] = int(value)
        elif key in ("baseline_before_start", "responder"):
            entry[key] = None if value is pd.NA or value is None else bool(value)
        elif key.endswith("_pct"):
            entry[key] = _number(value, PERCENT_PLACES)
        else:
            entry[key] = _number(value)
    return entry


def step_entry(step: DoseStep) -> dict[str, Any]:
    """A dose step's :data:`STEP_KEYS` as the summary writes them."""
    (before_from, before_to), (after_from, after_to) = step.before, step.after
    return {
        "date": step.day.isoformat(),
        "kind": step.kind,
        "from_mg": _number(step.from_mg, 4),
        "to_mg": _number(step.to_mg, 4),
        "before_from": before_from.isoformat(),
        "before_to": before_to.isoformat(),
        "after_from": after_from.isoformat(),
        "after_to": after_to.isoformat(),
    }


def progress_entries(plan: Plan, diary: Diary, today: date) -> dict[str, Any]:
    """The summary's entries of where the treatment stands (:mod:`tracker.clinical.progress`)
    and of the side effects so far, as the summary writes them: ``current_dose_mg,
    nominal_mg, phase, days_on_current_dose, next_step_date, next_step_mg, adherence_7d,
    adherence_30d, adherence_overall, episodes, reductions``. No pandas: the clinic-wide export
    calls it for every patient, on the plan it computed to ``OUTLOOK_DAYS`` after today."""
    status = dose_status(plan, today)
    current, step = status.today, status.next_step
    rates = adherence_by_window(plan, diary, today)
    return {
        "current_dose_mg": None if current is None else _number(current.dose_mg, 4),
        "nominal_mg": None if current is None else _number(current.nominal_mg, 4),
        "phase": None if current is None else current.phase,
        "days_on_current_dose": status.days_on_current_dose,
        "next_step_date": None if step is None else step.day.isoformat(),
        "next_step_mg": None if step is None else _number(step.dose_mg, 4),
        **{f"adherence_{window}": _number(rate, 4) for window, rate in rates.items()},
        "episodes": episode_entries(plan, today),
        "reductions": sum(1 for r in plan.reductions if r.trigger_day <= today),
    }


def episode_entries(plan: Plan, today: date) -> list[dict[str, Any]]:
    """The plan's side-effect episodes that began by ``today``, in date order (``episodes``)."""
    return [
        {
            "start": e.start.isoformat(),
            "end": e.end.isoformat(),
            "duration": e.duration,
            "worst_severity": e.worst_severity,
            "effects": list(e.effects),
            "fired": e.fired,
            "fired_on": _iso(e.fired_on),
        }
        for e in sorted(plan.episodes, key=lambda e: e.start)
        if e.start <= today
    ]


def summary_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """The summary as ``metric, value`` rows for summary.csv.

    Metric names are stable English keys (``adherence_30d``, ``symptom.pain.baseline``,
    ``episode.1.start``) so spreadsheets and scripts can rely on them; values keep their type
    (numbers stay numbers, dates are ISO text).
    """
    rows = summary_rows(summary)
    frame = pd.DataFrame({"metric": [m for m, _v in rows], "value": [v for _m, v in rows]})
    return frame.astype({"metric": "str", "value": "object"})


def summary_rows(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The ``metric, value`` pairs of :func:`summary_frame`, without the DataFrame."""
    rows: list[tuple[str, Any]] = []
    patient = summary.get("patient", {})
    for key in ("id", "name", "condition", "protocol"):
        rows.append((f"patient_{key}", patient.get(key)))
    for key in (
        "today",
        "current_dose_mg",
        "nominal_mg",
        "phase",
        "days_on_current_dose",
        "next_step_date",
        "next_step_mg",
        "adherence_7d",
        "adherence_30d",
        "adherence_overall",
        "reductions",
    ):
        rows.append((key, summary.get(key)))
    rows.append(("episodes", len(summary.get("episodes", []))))
    for n, episode in enumerate(summary.get("episodes", []), start=1):
        for key in ("start", "end", "duration", "worst_severity", "effects", "fired_on"):
            value = episode[key]
            if key == "effects":
                value = "; ".join(value)
            rows.append((f"episode.{n}.{key}", value))
    for symptom in summary.get("symptoms", []):
        name = symptom["symptom"]
        for key in SYMPTOM_KEYS:
            rows.append((f"symptom.{name}.{key}", symptom[key]))
        for week in symptom["weekly"]:
            rows.append((f"symptom.{name}.week.{week['week_start']}", week["mean"]))
    for point in summary.get("dose_response", []):
        dose = format(point["dose_mg"], "g")
        rows.append((f"dose_response.{dose}mg.{point['symptom']}.mean", point["mean"]))
        rows.append((f"dose_response.{dose}mg.{point['symptom']}.days", point["days"]))
    steps = summary.get("dose_steps", [])
    rows.append(("dose_steps", len(steps)))
    for n, step in enumerate(steps, start=1):
        for key in STEP_KEYS:
            rows.append((f"dose_step.{n}.{key}", step[key]))
        for point in step["symptoms"]:
            for key in STEP_SYMPTOM_KEYS:
                rows.append((f"dose_step.{n}.symptom.{point['symptom']}.{key}", point[key]))
    intake = summary.get("intake", {})
    for key in INTAKE_KEYS:
        rows.append((f"intake.{key}", intake.get(key)))
    rows.append(("alerts", len(summary.get("alerts", []))))
    return rows
