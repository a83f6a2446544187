"""The patient report's pages after the first (SPEC §8): adherence, side-effect episodes, intake
against the plan, symptom trends, the windows around each dose step, the mean scores per dose,
alerts and other medications.

Each section is drawn from the summary alone (the dicts of
:func:`~tracker.analysis.summary.build_summary`); :func:`details_sections` gives them in the
order the report prints them. Every piece of text that came from a user is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tracker.analysis.summary import display_name
from tracker.analysis.summary_text import mg_text, score_text, signed_text
from tracker.clinical.labels import alert_status_label, phase_label
from tracker.clinical.progress import ADHERENCE_WINDOWS, TREND_WINDOW_DAYS
from tracker.export.report_charts import empty_note, esc
from tracker.export.report_html import data_table, date_text, section
from tracker.i18n import _, format_percent, ngettext


def details_sections(summary: Mapping[str, Any]) -> list[str]:
    """The sections after page one, in the report's order."""
    return [
        _adherence(summary),
        _episodes(summary),
        _intake(summary),
        _symptoms(summary),
        _dose_steps(summary),
        _dose_response(summary),
        _alerts(summary),
        _medications(summary),
    ]


def last_days(n: int) -> str:
    return ngettext("Last {n} day", "Last {n} days", n).format(n=n)


def _adherence(summary: Mapping[str, Any]) -> str:
    rows = [
        (esc(_("Whole treatment") if days is None else last_days(days)),
         esc(format_percent(summary.get(f"adherence_{window}"))))
        for window, days in ADHERENCE_WINDOWS
    ]
    table = data_table([_("Period"), _("Planned doses logged as taken")], rows, numeric=[1])
    return section("adherence", _("Adherence"), table)


def _episodes(summary: Mapping[str, Any]) -> str:
    rows = [
        (
            esc(date_text(e["start"])),
            esc(date_text(e["end"])),
            esc(e["duration"]),
            esc(e["worst_severity"]),
            esc(", ".join(display_name(name) for name in e["effects"])),
            esc(
                _("yes, after {date}").format(date=date_text(e["fired_on"]))
                if e["fired"]
                else _("no")
            ),
        )
        for e in summary.get("episodes", [])
    ]
    headings = [
        _("Start"),
        _("End"),
        _("Days"),
        _("Worst severity (0–4)"),
        _("Side effects"),
        _("Dose halved"),
    ]
    return section("episodes", _("Side-effect episodes"),
                   data_table(headings, rows, numeric=[2, 3]))


def _span(first: str | None, last: str | None, days: int | None) -> str:
    """``2 Dec 2023 – 8 Dec 2023, 7 days``: a window of the summary, dated, with its count."""
    if first is None:
        return "–"
    count = ngettext("{n} day scored", "{n} days scored", days or 0).format(n=days or 0)
    return f"{date_text(first)} – {date_text(last)}, {count}"


def _symptoms(summary: Mapping[str, Any]) -> str:
    """Each symptom against its dated baseline (SPEC §8): the last 28 days' mean, the change in
    points and per cent, the responder mark; the last 7 days and the rolling mean beside."""
    rows = []
    notes = []
    for s in summary.get("symptoms", []):
        responder = s.get("responder")
        rows.append((
            esc(display_name(s["symptom"])),
            esc(score_text(s["baseline"])),
            esc(score_text(s.get("last_28d"))),
            esc(signed_text(s.get("change_28d"))),
            esc("–" if s.get("change_28d_pct") is None
                else f"{signed_text(s['change_28d_pct'])} %"),
            esc(_("yes") if responder else ("–" if responder is None else _("no"))),
            esc(score_text(s.get("rolling_mean"))),
            esc(signed_text(s["slope_per_week"])),
        ))
        before = {True: _("the week before the start"), False: _("the first week of treatment"),
                  None: ""}[s.get("baseline_before_start")]
        notes.append(_("{symptom}: baseline {before} ({span}); last 28 days {last}").format(
            symptom=display_name(s["symptom"]), before=before,
            span=_span(s.get("baseline_from"), s.get("baseline_to"), s.get("baseline_days")),
            last=_span(s.get("last_28d_from"), s.get("last_28d_to"), s.get("last_28d_days"))))
    headings = [
        _("Symptom"),
        _("Baseline"),
        _("Last 28 days"),
        _("Change (points)"),
        _("Change (%)"),
        _("Responder (≥ 30 % better)"),
        _("{n}-day mean today").format(n=TREND_WINDOW_DAYS),
        _("Trend per week"),
    ]
    table = data_table(headings, rows, numeric=[1, 2, 3, 4, 6, 7])
    listed = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return section("symptoms", _("Symptom trends"),
                   table + (f'<ul class="windows">{listed}</ul>' if listed else ""))


def _dose_steps(summary: Mapping[str, Any]) -> str:
    """Around every step-up and reduction: each symptom's mean over the 7 days before and
    days 8–14 after, with the days scored in each (SPEC §8)."""
    rows = []
    for step in summary.get("dose_steps", []):
        kind = _("step up") if step["kind"] == "step_up" else _(phase_label("reduction"))
        head = (f"{esc(date_text(step['date']))}<br>{esc(kind)}: "
                f"{esc(mg_text(step['from_mg']))} → {esc(mg_text(step['to_mg']))}")
        for k, point in enumerate(step.get("symptoms", [])):
            rows.append((
                head if k == 0 else "",
                esc(display_name(point["symptom"])),
                esc(f"{score_text(point['before'])} ({point['before_days']})"),
                esc(f"{score_text(point['after'])} ({point['after_days']})"),
                esc(signed_text(point["change"])),
            ))
    headings = [_("Dose step"), _("Symptom"), _("7 days before"), _("Days 8–14 after"),
                _("Change")]
    note = empty_note(_("Mean score, with the number of days scored in brackets; the step's "
                        "own day is day 1."))
    return section("dose-steps", _("Around each dose step"),
                   data_table(headings, rows, numeric=[2, 3, 4]) + (note if rows else ""))


def _intake(summary: Mapping[str, Any]) -> str:
    """What happened against the plan (SPEC §8): the planned days by what was logged."""
    intake = summary.get("intake") or {}
    if not intake.get("planned_days"):
        return section("intake", _("Intake against the plan"), empty_note(_("None.")))
    rows = [(esc(label), esc(intake.get(key, 0))) for key, label in (
        ("planned_days", _("Days with a planned dose")),
        ("taken_planned", _("Taken at the planned dose")),
        ("taken_other", _("Taken at another dose")),
        ("skipped", _("Skipped")),
        ("not_logged", _("Not logged")),
        ("taken_unplanned", _("Taken on a pause or hold day")),
    )]
    period = _("From {first} to {last}.").format(first=date_text(intake.get("from")),
                                                last=date_text(intake.get("to")))
    return section("intake", _("Intake against the plan"),
                   data_table([_("Days"), _("Count")], rows, numeric=[1]) + empty_note(period))


def _dose_response(summary: Mapping[str, Any]) -> str:
    """One row per dose, one column per symptom: mean score (days scored)."""
    points = summary.get("dose_response", [])
    symptoms = sorted({p["symptom"] for p in points})
    cells = {(p["dose_mg"], p["symptom"]): p for p in points}
    rows = []
    for dose in sorted({p["dose_mg"] for p in points}):
        row = [esc(mg_text(dose))]
        for symptom in symptoms:
            point = cells.get((dose, symptom))
            row.append(
                "–" if point is None else f"{esc(score_text(point['mean']))} ({point['days']})"
            )
        rows.append(row)
    headings = [_("Dose"), *(display_name(s) for s in symptoms)]
    note = empty_note(_("Mean score per dose, with the number of days scored in brackets. "
                        "Every day at a dose counts together, whenever it fell (the start, "
                        "titration, a reduction week): these means mix time with dose; the "
                        "dose steps above separate them."))
    table = data_table(headings, rows, numeric=range(len(headings)))
    return section("dose-response", _("Mean scores per dose"), table + (note if rows else ""))


def _alerts(summary: Mapping[str, Any]) -> str:
    """The alerts with their status (SPEC §13), what needs attention first; the upcoming
    reminders apart."""
    order = {"open": 0, "resolved": 1, "dismissed": 2}
    alerts = summary.get("alerts", [])
    now = sorted((a for a in alerts if a.get("status") != "upcoming"),
                 key=lambda a: (order.get(a.get("status", "open"), 0), a["date"]))
    ahead = [a for a in alerts if a.get("status") == "upcoming"]

    def rows(items: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
        return [(esc(date_text(a["date"])), esc(a["message"]),
                 esc(_(alert_status_label(a.get("status", "open")))),
                 f"<code>{esc(a['code'])}</code>") for a in items]

    headings = [_("Date"), _("Alert"), _("Status"), _("Code")]
    return (section("alerts", _("Alerts"), data_table(headings, rows(now)))
            + section("upcoming", _("Upcoming reminders"), data_table(headings, rows(ahead))))


def _medications(summary: Mapping[str, Any]) -> str:
    """Concomitant medications, when the caller put them in the summary (``medications``:
    ``{name, from, to, opioid}``); opioids are marked, since LDN must not be combined with them.
    """
    if "medications" not in summary:
        return ""
    rows = [
        (
            esc(m.get("name", "")),
            esc(date_text(m.get("from"))),
            esc(date_text(m.get("to"))),
            esc(_("yes") if m.get("opioid") else _("no")),
        )
        for m in summary["medications"]
    ]
    headings = [_("Medication"), _("From"), _("To"), _("Opioid")]
    return section("medications", _("Other medications"), data_table(headings, rows))
