"""A printable HTML report of one patient for the journal (SPEC §8, ``report`` in §9).

One self-contained file: no scripts, fonts, images or style sheets from elsewhere, so it opens
the same in any browser, in ten years, offline, and prints on A4. The two charts are inline SVG
drawn from the plan and the scores by :mod:`tracker.export.report_charts`; every piece of text
that came from a user (names, side effects, symptoms, alert messages) is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tracker.analysis.summary import display_name
from tracker.analysis.summary_text import mg_text, score_text, signed_text
from tracker.clinical.labels import (
    alert_status_label,
    condition_label,
    phase_label,
    protocol_label,
)
from tracker.clinical.progress import ADHERENCE_WINDOWS, TREND_WINDOW_DAYS
from tracker.export.report_charts import chart_days, dose_chart, empty_note, esc, symptom_chart
from tracker.i18n import _, format_date, format_number, format_percent, get_language, ngettext
from tracker.i18n import set_language as _set_language

CSS = """
@page { size: A4; margin: 15mm }
* { box-sizing: border-box }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #111; max-width: 190mm; margin: 1.5em auto; padding: 0 1em }
h1 { font-size: 17pt; margin: 0 0 .2em } h2 { font-size: 12.5pt; margin: 1.2em 0 .4em;
  border-bottom: 1px solid #bbb }
dl.patient { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; margin: 0 }
dl.patient dt { font-weight: 600 } dl.patient dd { margin: 0 }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt }
th, td { text-align: left; padding: .2em .5em; border-bottom: 1px solid #ddd; vertical-align: top }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums }
svg { width: 100%; height: auto; display: block }
svg text { font: 9px system-ui, Arial, sans-serif; fill: #333 }
.legend { font-size: 9pt; margin: .2em 0 0; padding: 0; list-style: none }
.legend li { display: inline-block; margin-right: 1.2em }
.swatch { display: inline-block; width: 1.4em; height: .8em; vertical-align: middle;
  margin-right: .3em; border: 1px solid #888 }
.empty, footer { color: #555 } footer { margin-top: 2em; font-size: 8.5pt }
figure, dl.patient, tr { break-inside: avoid; page-break-inside: avoid }
h2 { break-after: avoid; page-break-after: avoid }
figure { margin: 0 }
dl.patient { grid-template-columns: max-content 1fr max-content 1fr; font-size: 9.5pt }
.page-one h2 { margin: .6em 0 .2em }
.page-one table { font-size: 9pt } .page-one th, .page-one td { padding: .1em .5em }
@media print { body { margin: 0; padding: 0; max-width: none; font-size: 10pt }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact }
  .page-one { break-after: page; page-break-after: always } }
"""


@contextmanager
def _in_language(code: str) -> Iterator[None]:
    previous = get_language()
    _set_language(code)
    try:
        yield
    finally:
        _set_language(previous)


def render_report(
    summary: Mapping[str, Any], plan_df: pd.DataFrame, scores_df: pd.DataFrame, language: str,
    *, details: Mapping[str, Any] | None = None, period: tuple[date, date] | None = None,
    doses_df: pd.DataFrame | None = None,
) -> str:
    """The report as one HTML document in ``language`` (``"da"`` or ``"en"``).

    Page one is the summary a physician reads at a glance: the patient block, where the
    treatment stands, and both charts on one time axis; the details (adherence, episodes,
    trends, doses, alerts, medications) follow from page two. ``details`` adds the patient's
    settings the summary does not carry (``max_mg``, ``concentration_mg_ml``, ``weight_kg``,
    ``informed_on``); ``period`` (first and last day) limits the charts and the dated tables to
    those days (``report --from/--to``); ``doses_df`` (the logged doses) puts what happened
    against the plan on the dose chart: doses taken at another dose, skipped, not logged.

    Texts already rendered into ``summary`` (alert messages) keep the language they were built
    in: build the summary in the same language.
    """
    with _in_language(language):
        patient = summary.get("patient", {})
        title = _("LDN treatment report") + " – " + str(patient.get("name", ""))
        start, end = chart_days(plan_df, scores_df, summary)
        if period is not None:
            start, end = period[0], period[1] + timedelta(days=1)
            summary = _within(summary, period)
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{esc(language)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>" + esc(title) + "</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<div class="page-one">',
            _header(summary, details or {}, start, end - timedelta(days=1)),
            _status(summary),
            _section("dose-chart", _("Dose over time"),
                     dose_chart(plan_df, summary, start, end, _intake_days(plan_df, doses_df,
                                                                           summary))),
            _section(
                "symptom-chart",
                _("Symptom scores"),
                symptom_chart(scores_df, summary, start, end),
            ),
            "</div>",
            '<div class="details">',
            _adherence(summary),
            _episodes(summary),
            _intake(summary),
            _symptoms(summary),
            _dose_steps(summary),
            _dose_response(summary),
            _alerts(summary),
            _medications(summary),
            "</div>",
            "<footer><p>"
            + esc(
                _(
                    "Made by ldn-tracker on {date}. Scores run from 0 to 10; higher is worse. "
                    "The plan follows the guide's rules and is guidance for the clinician."
                ).format(date=date_text(summary["today"]))
            )
            + "</p></footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"


def date_text(iso: str | None) -> str:
    """A date of the report, with its year always (SPEC §13); ``–`` for none."""
    return "–" if iso is None else format_date(date.fromisoformat(iso), year=True)


def _intake_days(plan_df: pd.DataFrame, doses_df: pd.DataFrame | None,
                 summary: Mapping[str, Any]) -> pd.DataFrame | None:
    """Each day's intake against the plan (the summary's own function, SPEC §8)."""
    if doses_df is None or plan_df.empty:
        return None
    from tracker.analysis.trends import intake_by_day

    return intake_by_day(plan_df, doses_df, date.fromisoformat(summary["today"]))


# --- tables ----------------------------------------------------------------------------------


def last_days(n: int) -> str:
    return ngettext("Last {n} day", "Last {n} days", n).format(n=n)


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def _table(
    headings: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()
) -> str:
    """A table of already-escaped cells; ``numeric`` columns align right."""
    right = set(numeric)
    rows = list(rows)
    if not rows:
        return empty_note(_("None."))

    def cls(i: int) -> str:
        return ' class="num"' if i in right else ""

    head = "".join(f'<th scope="col"{cls(i)}>{esc(h)}</th>' for i, h in enumerate(headings))
    body = "\n".join(
        "<tr>" + "".join(f"<td{cls(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _within(summary: Mapping[str, Any], period: tuple[date, date]) -> dict[str, Any]:
    """The summary with its dated lists (episodes, alerts) kept to the days of ``period``."""
    first, last = (day.isoformat() for day in period)
    out = dict(summary)
    out["episodes"] = [e for e in summary.get("episodes", [])
                       if e["start"] <= last and e["end"] >= first]
    out["alerts"] = [a for a in summary.get("alerts", []) if first <= a["date"] <= last]
    return out


def _formulation(patient: Mapping[str, Any], details: Mapping[str, Any]) -> str:
    if patient.get("formulation") == "liquid":
        strength = details.get("concentration_mg_ml")
        return _("liquid") + (f", {format_number(strength)} mg/ml" if strength else "")
    return _("capsules")


def _header(summary: Mapping[str, Any], details: Mapping[str, Any], first: date,
            last: date) -> str:
    """The patient block: who, what for, the protocol's numbers, and the days shown."""
    patient = summary.get("patient", {})
    informed = details.get("informed_on")
    weight = details.get("weight_kg")
    items = [
        (_("Name"), patient.get("name", "")),
        (_("Patient id"), patient.get("id", "")),
        (_("Condition"), condition_label(patient.get("condition"), get_language())),
        (_("Protocol"), _(protocol_label(patient.get("protocol")))),
        (_("Start date"), date_text(patient.get("start_date"))),
        (_("Target dose"), mg_text(patient.get("target_mg"))
         + (" · " + _("at most {dose}").format(dose=mg_text(details["max_mg"]))
            if details.get("max_mg") else "")),
        (_("Formulation"), _formulation(patient, details)),
        *([(_("Weight"), f"{format_number(weight)} kg")] if weight else []),
        (_("Off-label information given"),
         date_text(informed.isoformat()) if informed else _("not yet acknowledged")),
        (_("Period shown"), f"{date_text(first.isoformat())} – {date_text(last.isoformat())}"),
        (_("Report date"), date_text(summary["today"])),
    ]
    rows = "\n".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    heading = _("LDN treatment report")
    return f'<header>\n<h1>{esc(heading)}</h1>\n<dl class="patient">\n{rows}\n</dl>\n</header>'


def _status(summary: Mapping[str, Any]) -> str:
    days = summary.get("days_on_current_dose")
    rows = [
        (_("Current dose"), mg_text(summary.get("current_dose_mg"))),
        (_("Nominal dose"), mg_text(summary.get("nominal_mg"))),
        (_("Phase"), _(phase_label(summary.get("phase")))),
        (_("Days on current dose"), "–" if days is None else str(days)),
        (
            _("Next dose increase"),
            _("{date} to {dose}").format(
                date=date_text(summary["next_step_date"]), dose=mg_text(summary.get("next_step_mg"))
            )
            if summary.get("next_step_date")
            else _("none planned"),
        ),
        (_("Dose reductions for side effects"), str(summary.get("reductions", 0))),
    ]
    body = "\n".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    return _section("status", _("Status"), f"<table>\n<tbody>\n{body}\n</tbody>\n</table>")


def _adherence(summary: Mapping[str, Any]) -> str:
    rows = [
        (esc(_("Whole treatment") if days is None else last_days(days)),
         esc(format_percent(summary.get(f"adherence_{window}"))))
        for window, days in ADHERENCE_WINDOWS
    ]
    table = _table([_("Period"), _("Planned doses logged as taken")], rows, numeric=[1])
    return _section("adherence", _("Adherence"), table)


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
    return _section("episodes", _("Side-effect episodes"), _table(headings, rows, numeric=[2, 3]))


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
    table = _table(headings, rows, numeric=[1, 2, 3, 4, 6, 7])
    listed = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return _section("symptoms", _("Symptom trends"),
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
    return _section("dose-steps", _("Around each dose step"),
                    _table(headings, rows, numeric=[2, 3, 4]) + (note if rows else ""))


def _intake(summary: Mapping[str, Any]) -> str:
    """What happened against the plan (SPEC §8): the planned days by what was logged."""
    intake = summary.get("intake") or {}
    if not intake.get("planned_days"):
        return _section("intake", _("Intake against the plan"), empty_note(_("None.")))
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
    return _section("intake", _("Intake against the plan"),
                    _table([_("Days"), _("Count")], rows, numeric=[1]) + empty_note(period))


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
    table = _table(headings, rows, numeric=range(len(headings)))
    return _section("dose-response", _("Mean scores per dose"), table + (note if rows else ""))


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
    return (_section("alerts", _("Alerts"), _table(headings, rows(now)))
            + _section("upcoming", _("Upcoming reminders"), _table(headings, rows(ahead))))


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
    return _section("medications", _("Other medications"), _table(headings, rows))
