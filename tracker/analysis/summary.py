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
    symptom_trends,
    weekly_means,
)
from tracker.clinical.horizons import PLAN_HORIZON_DAYS, within
from tracker.clinical.labels import condition_label, phase_label, protocol_label
from tracker.clinical.model import Alert, Diary, Plan
from tracker.clinical.progress import MONTH_DAYS, WEEK_DAYS, adherence_by_window, dose_status
from tracker.clinical.vocabulary import label_of
from tracker.i18n import (
    _,
    format_date,
    format_mg,
    format_number,
    format_percent,
    get_language,
    ngettext,
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

    trends = symptom_trends(scores_df)
    weekly = weekly_means(scores_df)
    symptoms = [
        {
            "symptom": row["symptom"],
            "baseline": _number(row["baseline"]),
            "last": _number(row["last"]),
            "change": _number(row["change"]),
            "slope_per_week": _number(row["slope_per_week"]),
            "days": int(row["days"]),
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
        "alerts": alert_rows,
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
        for key in ("baseline", "last", "change", "slope_per_week", "days"):
            rows.append((f"symptom.{name}.{key}", symptom[key]))
        for week in symptom["weekly"]:
            rows.append((f"symptom.{name}.week.{week['week_start']}", week["mean"]))
    for point in summary.get("dose_response", []):
        dose = format(point["dose_mg"], "g")
        rows.append((f"dose_response.{dose}mg.{point['symptom']}.mean", point["mean"]))
        rows.append((f"dose_response.{dose}mg.{point['symptom']}.days", point["days"]))
    rows.append(("alerts", len(summary.get("alerts", []))))
    return rows


def date_text(iso: str | None) -> str:
    """An ISO date of the summary as the reader writes dates; ``–`` for none."""
    return "–" if iso is None else format_date(date.fromisoformat(iso))


def mg_text(value: float | None) -> str:
    return "–" if value is None else format_mg(value)


def score_text(value: float | None) -> str:
    """A mean score to one decimal; ``–`` for none."""
    return "–" if value is None else format_number(value, places=1)


def summary_text(summary: Mapping[str, Any]) -> str:
    """The summary as readable lines in the current language (``summary --format text``)."""
    patient = summary.get("patient", {})
    lines = [
        _("Patient: {name} ({id})").format(name=patient.get("name", ""), id=patient.get("id", "")),
        _("Condition: {condition}; protocol: {protocol}").format(
            condition=condition_label(patient.get("condition"), get_language()),
            protocol=_(protocol_label(patient.get("protocol"))),
        ),
        _("Summary for {date}").format(date=date_text(summary["today"])),
        "",
    ]
    if summary["current_dose_mg"] is None:
        lines.append(_("No dose is planned for today."))
    else:
        lines.append(
            _("Current dose: {dose} (nominal {nominal}), phase: {phase}").format(
                dose=mg_text(summary["current_dose_mg"]),
                nominal=mg_text(summary["nominal_mg"]),
                phase=_(phase_label(summary["phase"])),
            )
        )
        days = summary["days_on_current_dose"]
        lines.append(
            ngettext("On this dose for {n} day", "On this dose for {n} days", days).format(n=days)
        )
    if summary["next_step_date"] is None:
        lines.append(_("No dose increase is planned."))
    else:
        lines.append(
            _("Next dose increase: {date} to {dose}").format(
                date=date_text(summary["next_step_date"]), dose=mg_text(summary["next_step_mg"])
            )
        )
    lines += [
        "",
        _("Adherence: {week_days} days {week}, {month_days} days {month}, overall {overall}")
        .format(
            week_days=WEEK_DAYS,
            month_days=MONTH_DAYS,
            week=format_percent(summary["adherence_7d"]),
            month=format_percent(summary["adherence_30d"]),
            overall=format_percent(summary["adherence_overall"]),
        ),
        _("Dose reductions for side effects: {n}").format(n=summary["reductions"]),
        "",
        _("Side-effect episodes:"),
    ]
    lines += [f"  {line}" for line in episode_lines(summary)] or ["  " + _("(none)")]
    lines += ["", _("Symptom trends (0–10, higher is worse):")]
    lines += [f"  {line}" for line in symptom_lines(summary)] or ["  " + _("(none)")]
    lines += ["", _("Mean scores per dose:")]
    lines += [f"  {line}" for line in dose_response_lines(summary)] or ["  " + _("(none)")]
    lines += ["", _("Alerts:")]
    lines += [f"  {date_text(a['date'])}: {a['message']}" for a in summary.get("alerts", [])] or [
        "  " + _("(none)")
    ]
    return "\n".join(lines) + "\n"


def episode_lines(summary: Mapping[str, Any]) -> list[str]:
    lines = []
    for e in summary.get("episodes", []):
        text = _("{start} – {end}: {days}, worst severity {severity}; {effects}").format(
            start=date_text(e["start"]),
            end=date_text(e["end"]),
            days=ngettext("{n} day", "{n} days", e["duration"]).format(n=e["duration"]),
            severity=e["worst_severity"],
            effects=", ".join(display_name(name) for name in e["effects"]),
        )
        if e["fired"]:
            text += " — " + _("the 50 % rule fired on {date}: half dose for the next 7 days")\
                .format(date=date_text(e["fired_on"]))
        lines.append(text)
    return lines


def symptom_lines(summary: Mapping[str, Any]) -> list[str]:
    return [
        _(
            "{symptom}: first week {baseline}, last week {last} (change {change}), {slope} per week"
        ).format(
            symptom=display_name(s["symptom"]),
            baseline=score_text(s["baseline"]),
            last=score_text(s["last"]),
            change=signed_text(s["change"]),
            slope=signed_text(s["slope_per_week"]),
        )
        for s in summary.get("symptoms", [])
    ]


def signed_text(value: float | None) -> str:
    """A change with its sign (``+1.5``, ``-2``, ``0``)."""
    if value is None:
        return "–"
    text = score_text(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def dose_response_lines(summary: Mapping[str, Any]) -> list[str]:
    return [
        _("{dose}: {symptom} {mean} ({days})").format(
            dose=mg_text(p["dose_mg"]),
            symptom=display_name(p["symptom"]),
            mean=score_text(p["mean"]),
            days=ngettext("{n} day", "{n} days", p["days"]).format(n=p["days"]),
        )
        for p in summary.get("dose_response", [])
    ]
