"""A printable HTML report of one patient for the journal (SPEC §8, ``report`` in §9).

One self-contained file: no scripts, fonts, images or style sheets from elsewhere, so it opens
the same in any browser, in ten years, offline, and prints on A4. The two charts are inline SVG
drawn from the plan and the scores by :mod:`tracker.export.report_charts`; every piece of text
that came from a user (names, side effects, symptoms, alert messages) is HTML-escaped.

Here: the style sheet, page one (the patient block, the status, both charts) and the assembly of
the document; the detailed sections after page one are :mod:`tracker.export.report_details`, the
section, table and date every part draws with :mod:`tracker.export.report_html`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tracker.analysis.summary_text import mg_text
from tracker.clinical.labels import condition_label, phase_label, protocol_label
from tracker.export.report_charts import chart_days, dose_chart, esc, symptom_chart
from tracker.export.report_details import details_sections
from tracker.export.report_html import date_text, section
from tracker.i18n import _, format_number, get_language
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
            section("dose-chart", _("Dose over time"),
                    dose_chart(plan_df, summary, start, end, _intake_days(plan_df, doses_df,
                                                                          summary))),
            section(
                "symptom-chart",
                _("Symptom scores"),
                symptom_chart(scores_df, summary, start, end),
            ),
            "</div>",
            '<div class="details">',
            *details_sections(summary),
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


def _intake_days(plan_df: pd.DataFrame, doses_df: pd.DataFrame | None,
                 summary: Mapping[str, Any]) -> pd.DataFrame | None:
    """Each day's intake against the plan (the summary's own function, SPEC §8)."""
    if doses_df is None or plan_df.empty:
        return None
    from tracker.analysis.trends import intake_by_day

    return intake_by_day(plan_df, doses_df, date.fromisoformat(summary["today"]))


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
    return section("status", _("Status"), f"<table>\n<tbody>\n{body}\n</tbody>\n</table>")
