"""A printable HTML report of one patient for the journal (SPEC §8, ``report`` in §9).

One self-contained file: no scripts, fonts, images or style sheets from elsewhere, so it opens
the same in any browser, in ten years, offline, and prints on A4. The two charts are inline SVG
drawn here from the plan and the scores; every piece of text that came from a user (names,
side effects, symptoms, alert messages) is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tracker.analysis.summary import (
    condition_label,
    date_text,
    display_name,
    mg_text,
    percent,
    phase_label,
    protocol_label,
    score_text,
    signed_text,
)
from tracker.analysis.trends import rolling_means
from tracker.i18n import MONTHS, N_, _, format_date, format_number, get_language
from tracker.i18n import set_language as _set_language

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 34
# Okabe-Ito: told apart by colour-blind readers and in greyscale print.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SHADES = {"reduction": ("#E69F00", 0.28), "pause": ("#999999", 0.35), "hold": ("#999999", 0.35)}

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
section, figure { break-inside: avoid; page-break-inside: avoid }
figure { margin: 0 }
@media print { body { margin: 0; padding: 0; max-width: none }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact } }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


@contextmanager
def _in_language(code: str) -> Iterator[None]:
    previous = get_language()
    _set_language(code)
    try:
        yield
    finally:
        _set_language(previous)


def render_report(
    summary: Mapping[str, Any], plan_df: pd.DataFrame, scores_df: pd.DataFrame, language: str
) -> str:
    """The report as one HTML document in ``language`` (``"da"`` or ``"en"``).

    Texts already rendered into ``summary`` (alert messages) keep the language they were built
    in: build the summary in the same language.
    """
    with _in_language(language):
        patient = summary.get("patient", {})
        title = _("LDN treatment report") + " – " + str(patient.get("name", ""))
        start, end = _domain(plan_df, scores_df, summary)
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
            _header(summary),
            _status(summary),
            _section("dose-chart", _("Dose over time"), _dose_chart(plan_df, summary, start, end)),
            _adherence(summary),
            _episodes(summary),
            _section(
                "symptom-chart",
                _("Symptom scores"),
                _symptom_chart(scores_df, summary, start, end),
            ),
            _symptoms(summary),
            _dose_response(summary),
            _alerts(summary),
            _medications(summary),
            "<footer><p>"
            + esc(
                _(
                    "Made by ldn-tracker on {date}. Scores run from 0 to 10; higher is worse. "
                    "The plan follows the guide's rules and is guidance for the clinician."
                ).format(date=format_date(date.fromisoformat(summary["today"])))
            )
            + "</p></footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"


# --- tables ----------------------------------------------------------------------------------


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def _empty(text: str) -> str:
    return f'<p class="empty">{esc(text)}</p>'


def _table(
    headings: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()
) -> str:
    """A table of already-escaped cells; ``numeric`` columns align right."""
    right = set(numeric)
    rows = list(rows)
    if not rows:
        return _empty(_("None."))

    def cls(i: int) -> str:
        return ' class="num"' if i in right else ""

    head = "".join(f'<th scope="col"{cls(i)}>{esc(h)}</th>' for i, h in enumerate(headings))
    body = "\n".join(
        "<tr>" + "".join(f"<td{cls(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _header(summary: Mapping[str, Any]) -> str:
    patient = summary.get("patient", {})
    items = [
        (_("Name"), patient.get("name", "")),
        (_("Patient id"), patient.get("id", "")),
        (_("Condition"), condition_label(patient.get("condition"))),
        (_("Protocol"), protocol_label(patient.get("protocol"))),
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
        (_("Phase"), phase_label(summary.get("phase"))),
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
        (esc(_(label)), esc(percent(summary.get(key))))
        for label, key in (
            (N_("Last 7 days"), "adherence_7d"),
            (N_("Last 30 days"), "adherence_30d"),
            (N_("Whole treatment"), "adherence_overall"),
        )
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


def _symptoms(summary: Mapping[str, Any]) -> str:
    rows = [
        (
            esc(display_name(s["symptom"])),
            esc(score_text(s["baseline"])),
            esc(score_text(s["last"])),
            esc(signed_text(s["change"])),
            esc(signed_text(s["slope_per_week"])),
            esc(s["days"]),
        )
        for s in summary.get("symptoms", [])
    ]
    headings = [
        _("Symptom"),
        _("First 7 days"),
        _("Last 7 days"),
        _("Change"),
        _("Trend per week"),
        _("Days scored"),
    ]
    return _section(
        "symptoms", _("Symptom trends"), _table(headings, rows, numeric=[1, 2, 3, 4, 5])
    )


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
    note = _empty(_("Mean score per dose, with the number of days scored in brackets."))
    table = _table(headings, rows, numeric=range(len(headings)))
    return _section("dose-response", _("Mean scores per dose"), table + (note if rows else ""))


def _alerts(summary: Mapping[str, Any]) -> str:
    rows = [
        (esc(date_text(a["date"])), esc(a["message"]), f"<code>{esc(a['code'])}</code>")
        for a in summary.get("alerts", [])
    ]
    return _section("alerts", _("Alerts"), _table([_("Date"), _("Alert"), _("Code")], rows))


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


# --- charts ----------------------------------------------------------------------------------


def _domain(
    plan_df: pd.DataFrame, scores_df: pd.DataFrame, summary: Mapping[str, Any]
) -> tuple[date, date]:
    """The days both charts span (the same, so dose and scores line up): first to last day of
    the plan and the scores, one day past the last so it has a width."""
    days = [pd.Timestamp(d).date() for d in (*plan_df["date"], *scores_df["date"])]
    today = date.fromisoformat(summary["today"])
    start = min(days, default=today)
    end = max(days, default=today)
    return start, end + timedelta(days=1)


class _Scale:
    def __init__(self, start: date, end: date, top: float) -> None:
        self.start, self.days = start, max((end - start).days, 1)
        self.top = top

    def x(self, day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - self.start).days / self.days, 1)

    def y(self, value: float) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / self.top, 1)


def _nice_top(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and a tick step giving 4–6 ticks."""
    for step in (0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        if value / step <= 6:
            top = step * max(1, -(-value // step))
            return float(top), step
    return float(value), value / 5


def _ticks(start: date, end: date) -> list[date]:
    """Mondays for up to ten weeks, first of the month beyond, thinned to at most ten."""
    span = (end - start).days
    if span <= 70:
        first = start + timedelta(days=(7 - start.weekday()) % 7)
        ticks = [first + timedelta(weeks=i) for i in range(span // 7 + 1)]
    else:
        ticks = []
        month = date(start.year, start.month, 1)
        while month <= end:
            if month >= start:
                ticks.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    ticks = [t for t in ticks if start <= t < end]
    step = max(1, -(-len(ticks) // 10))
    return ticks[::step]


def _short_date(day: date) -> str:
    month = _(MONTHS[day.month - 1])[:3]
    return f"{day.day}. {month.lower()}" if get_language() == "da" else f"{day.day} {month}"


def _axes(scale: _Scale, start: date, end: date, y_ticks: Sequence[float], y_label: str) -> str:
    out = []
    for value in y_ticks:
        y = scale.y(value)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#e3e3e3"/>'
            f'<text x="{LEFT - 5}" y="{y + 3}" text-anchor="end">{esc(format_number(value))}</text>'
        )
    for tick in _ticks(start, end):
        x = scale.x(tick)
        out.append(
            f'<line x1="{x}" x2="{x}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}" '
            f'stroke="#666"/><text x="{x}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle">'
            f"{esc(_short_date(tick))}</text>"
        )
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="#666"/><line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="#666"/>'
        f'<text x="12" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(TOP + HEIGHT - BOTTOM) / 2})">{esc(y_label)}</text>'
    )
    return "\n".join(out)


def _today_line(scale: _Scale, today: date, start: date, end: date) -> str:
    if not start <= today < end:
        return ""
    x = scale.x(today)
    label = _("today")
    return (
        f'<line class="today" x1="{x}" x2="{x}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#000" '
        f'stroke-dasharray="2 3"/><text x="{x + 3}" y="{TOP + 8}">{esc(label)}</text>'
    )


def _svg(label: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>\n{body}\n</svg>'
    )


def _legend(items: Iterable[tuple[str, str]]) -> str:
    """Legend entries of (swatch CSS, label)."""
    entries = "".join(
        f'<li><span class="swatch" style="{style}"></span>{esc(label)}</li>'
        for style, label in items
    )
    return f'<ul class="legend">{entries}</ul>'


def _runs(plan: pd.DataFrame) -> list[tuple[str, date, date]]:
    """Consecutive days of a shaded phase: (phase, first day, day after the last)."""
    runs: list[tuple[str, date, date]] = []
    for day, phase in zip(plan["date"], plan["phase"], strict=True):
        kind = "pause" if phase == "hold" else str(phase)
        if kind not in SHADES:
            continue
        first = pd.Timestamp(day).date()
        if runs and runs[-1][0] == kind and runs[-1][2] == first:
            runs[-1] = (kind, runs[-1][1], first + timedelta(days=1))
        else:
            runs.append((kind, first, first + timedelta(days=1)))
    return runs


def _dose_chart(plan_df: pd.DataFrame, summary: Mapping[str, Any], start: date, end: date) -> str:
    if plan_df.empty:
        return _empty(_("No plan yet."))
    plan = plan_df.sort_values("date")
    top, step = _nice_top(max(float(plan["dose_mg"].max()), 0.5) * 1.1)
    scale = _Scale(start, end, top)
    today = date.fromisoformat(summary["today"])
    parts = []
    for kind, first, after in _runs(plan):
        colour, opacity = SHADES[kind]
        x0, x1 = scale.x(first), scale.x(after)
        title = _("Reduction week") if kind == "reduction" else _("Pause or hold")
        parts.append(
            f'<rect class="shade-{kind}" x="{x0}" y="{TOP}" width="{round(x1 - x0, 1)}" '
            f'height="{HEIGHT - TOP - BOTTOM}" fill="{colour}" fill-opacity="{opacity}">'
            f"<title>{esc(title)}: {esc(format_date(first))} – "
            f"{esc(format_date(after - timedelta(days=1)))}</title></rect>"
        )
    y_ticks = [i * step for i in range(int(round(top / step)) + 1)]
    parts.append(_axes(scale, start, end, y_ticks, _("Dose (mg)")))
    past: list[tuple[date, float]] = []
    future: list[tuple[date, float]] = []
    for day, dose in zip(plan["date"], plan["dose_mg"], strict=True):
        first = pd.Timestamp(day).date()
        (past if first <= today else future).append((first, float(dose)))
    for points, dash in ((past, ""), (future, ' stroke-dasharray="5 3"')):
        if not points:
            continue
        if points is future and past:
            points = [(future[0][0], past[-1][1]), *points]  # join the two lines at today
        d = [f"M{scale.x(points[0][0])},{scale.y(points[0][1])}"]
        for first, dose in points:
            d.append(f"V{scale.y(dose)}H{scale.x(first + timedelta(days=1))}")
        parts.append(
            f'<path class="dose" d="{"".join(d)}" fill="none" stroke="{PALETTE[0]}" '
            f'stroke-width="2"{dash}/>'
        )
    parts.append(_today_line(scale, today, start, end))
    legend = _legend(
        [
            (f"background:{PALETTE[0]};height:.25em", _("Planned dose (dashed: ahead)")),
            ("background:rgba(230,159,0,.28)", _("Reduction week")),
            ("background:rgba(153,153,153,.35)", _("Pause or hold")),
        ]
    )
    chart = _svg(_("Dose over time"), "\n".join(parts))
    return f"<figure>{chart}{legend}</figure>"


def _symptom_chart(
    scores_df: pd.DataFrame, summary: Mapping[str, Any], start: date, end: date
) -> str:
    if scores_df.empty:
        return _empty(_("No symptom scores yet."))
    scale = _Scale(start, end, 10)
    parts = [_axes(scale, start, end, [0, 2, 4, 6, 8, 10], _("Score (0–10)"))]
    legend = []
    rolled = rolling_means(scores_df)
    centre = (scale.x(start + timedelta(days=1)) - LEFT) / 2  # a score sits mid-day
    for i, (symptom, group) in enumerate(rolled.groupby("symptom", sort=True)):
        colour = PALETTE[i % len(PALETTE)]
        name = display_name(str(symptom))
        xs = [round(scale.x(pd.Timestamp(d).date()) + centre, 1) for d in group["date"]]
        dots = "".join(
            f'<circle cx="{x}" cy="{scale.y(v)}" r="2" fill="{colour}" fill-opacity=".45"/>'
            for x, v in zip(xs, group["value"], strict=True)
        )
        line = " ".join(f"{x},{scale.y(v)}" for x, v in zip(xs, group["rolling_mean"], strict=True))
        parts.append(
            f'<g class="symptom"><title>{esc(name)}</title>{dots}'
            f'<polyline class="rolling" points="{line}" fill="none" stroke="{colour}" '
            f'stroke-width="2"/></g>'
        )
        legend.append((f"background:{colour}", name))
    parts.append(_today_line(scale, date.fromisoformat(summary["today"]), start, end))
    legend.append(("background:#fff", _("dots: daily score; line: 7-day mean")))
    chart = _svg(_("Symptom scores"), "\n".join(parts))
    return f"<figure>{chart}{_legend(legend)}</figure>"
