"""The summary as the clinician reads it in words (``summary --format text``), and the
formatting of its figures that the report and the review screen share: one way to write a
dose, a score, a change and a date (with its year, SPEC §13). The figures themselves are
:mod:`tracker.analysis.summary`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tracker.analysis.summary import display_name
from tracker.analysis.windows import (
    RESPONDER_DAYS,
    RESPONDER_DROP,
    STEP_AFTER_DAYS,
    STEP_BEFORE_DAYS,
)
from tracker.clinical.labels import (
    alert_status_label,
    condition_label,
    phase_label,
    protocol_label,
)
from tracker.clinical.progress import (
    MONTH_DAYS,
    TREND_WINDOW_DAYS,
    WEEK_DAYS,
)
from tracker.i18n import (
    N_,
    _,
    format_date,
    format_mg,
    format_number,
    format_percent,
    get_language,
    ngettext,
)


def date_text(iso: str | None) -> str:
    """An ISO date of the summary as the reader writes dates, with its year (SPEC §13);
    ``–`` for none."""
    return "–" if iso is None else format_date(date.fromisoformat(iso), year=True)


def window_text(first: str | None, last: str | None) -> str:
    """A dated window, ``1 January 2026 – 7 January 2026``."""
    return f"{date_text(first)} – {date_text(last)}"


def scored_days_text(n: int) -> str:
    return ngettext("{n} day scored", "{n} days scored", n).format(n=n)


def percent_text(value: float | None) -> str:
    """A signed percentage change, ``-41.7 %`` (``–`` for none)."""
    if value is None:
        return "–"
    return f"{signed_text(value)} %"


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
    lines += ["", _("Around each dose step: the mean of the {before} days before it and of "
                    "days {first}–{last} after it (its own day is day 1):").format(
        before=STEP_BEFORE_DAYS, first=STEP_AFTER_DAYS[0], last=STEP_AFTER_DAYS[1])]
    lines += [f"  {line}" for line in step_lines(summary)] or ["  " + _("(none)")]
    lines += ["", *intake_lines(summary)]
    lines += ["", _("Mean scores per dose level:")]
    if summary.get("dose_response"):
        lines.append("  " + _(
            "Every day at a dose counts together, whenever it fell: the start, the weeks at "
            "that dose during titration and during a reduction, later weeks. These means mix "
            "time with dose; the steps above separate them."))
    lines += [f"  {line}" for line in dose_response_lines(summary)] or ["  " + _("(none)")]
    lines += ["", _("Alerts:")]
    lines += [f"  {date_text(a['date'])}: {a['message']}"
              + (f" ({_(alert_status_label(a['status']))})" if a.get("status") else "")
              for a in summary.get("alerts", [])] or [
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
    """Each symptom's dated figures: baseline; the last 28 days against it (points, per cent,
    responder); the 7-day rolling mean on today; the last 7 scored days and the slope."""
    lines: list[str] = []
    for s in summary.get("symptoms", []):
        name = display_name(s["symptom"])
        if s["baseline"] is None:
            lines.append(_("{symptom}: no baseline (not scored in the week before the start "
                           "nor in the first week of treatment)").format(symptom=name))
        else:
            lines.append(_("{symptom}: baseline {baseline} ({which}, {window}, {days})").format(
                symptom=name,
                baseline=score_text(s["baseline"]),
                which=_("the week before the start") if s["baseline_before_start"]
                else _("the first week of treatment"),
                window=window_text(s["baseline_from"], s["baseline_to"]),
                days=scored_days_text(s["baseline_days"]),
            ))
        month = _("Last {n} days {mean} ({window}, {days})").format(
            n=RESPONDER_DAYS, mean=score_text(s["last_28d"]),
            window=window_text(s["last_28d_from"], s["last_28d_to"]),
            days=scored_days_text(s["last_28d_days"]))
        if s["change_28d"] is not None:
            month += ": " + _("{points} points ({percent}) from baseline").format(
                points=signed_text(s["change_28d"]), percent=percent_text(s["change_28d_pct"]))
        if s["responder"] is not None:
            month += "; " + (
                _("responder (at least {drop} below baseline)") if s["responder"]
                else _("not a responder (less than {drop} below baseline)")
            ).format(drop=format_percent(RESPONDER_DROP))
        lines.append("  " + month)
        lines.append("  " + _("{n}-day rolling mean on {date}: {mean} ({days})").format(
            n=TREND_WINDOW_DAYS, date=date_text(s["rolling_mean_to"]),
            mean=score_text(s["rolling_mean"]), days=scored_days_text(s["rolling_mean_days"])))
        lines.append("  " + _(
            "{n} days up to the last score ({window}): {last} (change {change} from "
            "baseline); {slope} per week over {days}").format(
            n=TREND_WINDOW_DAYS, window=window_text(s["last_from"], s["last_to"]),
            last=score_text(s["last"]), change=signed_text(s["change"]),
            slope=signed_text(s["slope_per_week"]), days=scored_days_text(s["days"])))
    return lines


STEP_KIND_LABELS = {"step_up": N_("step up"), "reduction": N_("reduction for side effects")}


def step_lines(summary: Mapping[str, Any]) -> list[str]:
    """Each dose step, dated, and each symptom's mean before and after it."""
    lines: list[str] = []
    for step in summary.get("dose_steps", []):
        lines.append(_("{date}: {kind}, {from_mg} to {to_mg} (before {before}; after {after})")
                     .format(date=date_text(step["date"]), kind=_(STEP_KIND_LABELS[step["kind"]]),
                             from_mg=mg_text(step["from_mg"]), to_mg=mg_text(step["to_mg"]),
                             before=window_text(step["before_from"], step["before_to"]),
                             after=window_text(step["after_from"], step["after_to"])))
        lines += ["  " + _("{symptom}: {before} ({before_days}) then {after} ({after_days}), "
                           "change {change}").format(
            symptom=display_name(p["symptom"]),
            before=score_text(p["before"]), before_days=scored_days_text(p["before_days"]),
            after=score_text(p["after"]), after_days=scored_days_text(p["after_days"]),
            change=signed_text(p["change"]))
            for p in step["symptoms"]]
    return lines


def intake_lines(summary: Mapping[str, Any]) -> list[str]:
    """What happened against the plan: counts of the planned dosing days by intake."""
    intake = summary.get("intake") or {}
    if not intake.get("planned_days"):
        return [_("Intake against the plan:"), "  " + _("(none)")]
    lines = [
        _("Intake against the plan, {window}: {n} planned dosing days").format(
            window=window_text(intake["from"], intake["to"]), n=intake["planned_days"]),
        "  " + _("taken at the planned dose {taken_planned}, taken at another dose "
                 "{taken_other}, skipped {skipped}, not logged {not_logged}").format(**intake),
    ]
    if intake.get("taken_unplanned"):
        lines.append("  " + ngettext(
            "and a dose taken on {n} day planned without one (a pause or a hold)",
            "and a dose taken on {n} days planned without one (a pause or a hold)",
            intake["taken_unplanned"]).format(n=intake["taken_unplanned"]))
    return lines


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
