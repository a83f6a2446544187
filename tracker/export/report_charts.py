"""The two inline SVG charts of the patient report (:mod:`tracker.export.report`): dose over time
and symptom scores.

Drawn here from the plan and the scores, as SVG inside the page, so the report needs no script,
font, image or library from elsewhere: it opens the same in any browser, in ten years, offline,
and scales to the width of an A4 page when printed. Both charts span the same days so the dose
and the scores line up. Every piece of text that came from a user (symptom names) is
HTML-escaped: :func:`esc` is the one escape the whole report uses.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tracker.analysis.summary import display_name
from tracker.analysis.trends import rolling_means
from tracker.clinical.labels import phase_label
from tracker.clinical.progress import TREND_WINDOW_DAYS
from tracker.export.palette import OKABE_ITO, SYMPTOM_COLOURS
from tracker.i18n import _, format_date, format_number, format_short_date

WIDTH, HEIGHT = 720, 210
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 18, 34
PALETTE = tuple(f"#{r:02X}{g:02X}{b:02X}" for r, g, b in OKABE_ITO)
SHADES = {"reduction": ("#E69F00", 0.28), "pause": ("#999999", 0.35)}  # hold is shaded as pause


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def empty_note(text: str) -> str:
    """What stands in place of a chart or a table with nothing to show."""
    return f'<p class="empty">{esc(text)}</p>'


def chart_days(
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
            f"{esc(format_short_date(tick))}</text>"
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


def _between(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The rows of ``frame`` dated from ``start`` up to (not including) ``end``."""
    days = pd.to_datetime(frame["date"])
    return frame[(days >= pd.Timestamp(start)) & (days < pd.Timestamp(end))]


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


def _episode_bars(scale: _Scale, summary: Mapping[str, Any], start: date, end: date) -> str:
    """The side-effect episodes (the summary's, SPEC §4) as bars along the top of the chart,
    hatched where the rule fired, so the dose line can be read against them."""
    out = []
    for episode in summary.get("episodes", []):
        first = max(date.fromisoformat(episode["start"]), start)
        after = min(date.fromisoformat(episode["end"]) + timedelta(days=1), end)
        if first >= after:
            continue
        x0, x1 = scale.x(first), scale.x(after)
        names = ", ".join(display_name(n) for n in episode["effects"])
        out.append(
            f'<rect class="episode" x="{x0}" y="{TOP - 9}" width="{max(round(x1 - x0, 1), 1.5)}" '
            f'height="6" fill="{PALETTE[1]}"'
            + (' stroke="#000" stroke-width=".6"' if episode.get("fired") else "")
            + f"><title>{esc(format_date(first, year=True))} – "
            f"{esc(format_date(after - timedelta(days=1), year=True))}"
            f": {esc(names)} ({episode['worst_severity']}/4)</title></rect>")
    return "".join(out)


def _intake_marks(scale: _Scale, intake: pd.DataFrame | None, start: date, end: date) -> str:
    """What happened against the plan, on the plan's line: a dose taken at another dose is a
    ring at the dose logged, a skipped day a cross and a day not logged a grey tick on the
    axis (shapes, so they read without colour)."""
    if intake is None or intake.empty:
        return ""
    out = []
    shown = _between(intake, start, end)
    half = (scale.x(start + timedelta(days=1)) - LEFT) / 2
    base = HEIGHT - BOTTOM
    for day, kind, logged in zip(shown["date"], shown["intake"], shown["logged_mg"],
                                 strict=True):
        first = pd.Timestamp(day).date()
        x = round(scale.x(first) + half, 1)
        when = esc(format_date(first, year=True))
        if kind == "taken_other" and logged == logged:  # not NaN
            out.append(f'<circle class="intake-other" cx="{x}" cy="{scale.y(float(logged))}" '
                       f'r="2.6" fill="#fff" stroke="#000" stroke-width="1">'
                       f"<title>{when}: {esc(format_number(float(logged)))} mg</title></circle>")
        elif kind == "skipped":
            out.append(f'<path class="intake-skipped" d="M{x - 2.5},{base - 8.5}l5,5m0,-5l-5,5" '
                       f'stroke="#000" stroke-width="1.2"><title>{when}: '
                       f'{esc(_("skipped"))}</title></path>')
        elif kind == "not_logged":
            out.append(f'<line class="intake-missing" x1="{x}" x2="{x}" y1="{base - 4}" '
                       f'y2="{base}" stroke="#888" stroke-width="1.2"><title>{when}: '
                       f'{esc(_("not logged"))}</title></line>')
    return "".join(out)


def dose_chart(plan_df: pd.DataFrame, summary: Mapping[str, Any], start: date, end: date,
               intake: pd.DataFrame | None = None) -> str:
    if plan_df.empty:
        return empty_note(_("No plan yet."))
    plan = _between(plan_df, start, end).sort_values("date")
    if plan.empty:
        return empty_note(_("No plan in these days."))
    top, step = _nice_top(max(float(plan["dose_mg"].max()), 0.5) * 1.1)
    scale = _Scale(start, end, top)
    today = date.fromisoformat(summary["today"])
    parts = []
    for kind, first, after in _runs(plan):
        colour, opacity = SHADES[kind]
        x0, x1 = scale.x(first), scale.x(after)
        title = _(phase_label(kind)) if kind == "reduction" else _("Pause or hold")
        parts.append(
            f'<rect class="shade-{kind}" x="{x0}" y="{TOP}" width="{round(x1 - x0, 1)}" '
            f'height="{HEIGHT - TOP - BOTTOM}" fill="{colour}" fill-opacity="{opacity}">'
            f"<title>{esc(title)}: {esc(format_date(first, year=True))} – "
            f"{esc(format_date(after - timedelta(days=1), year=True))}</title></rect>"
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
    parts.append(_episode_bars(scale, summary, start, end))
    parts.append(_intake_marks(scale, intake, start, end))
    parts.append(_today_line(scale, today, start, end))
    items = [
        (f"background:{PALETTE[0]};height:.25em", _("Planned dose (dashed: ahead)")),
        ("background:rgba(230,159,0,.28)", _(phase_label("reduction"))),
        ("background:rgba(153,153,153,.35)", _("Pause or hold")),
        (f"background:{PALETTE[1]};height:.35em", _("Side-effect episode")),
    ]
    if intake is not None:
        items += [
            ("border-radius:50%;width:.7em;height:.7em;background:#fff;border-color:#000",
             _("taken at another dose")),
            ("border:0;width:0", _("× skipped")),
            ("background:#888;width:.15em", _("not logged")),
        ]
    legend = _legend(items)
    chart = _svg(_("Dose over time"), "\n".join(parts))
    return f"<figure>{chart}{legend}</figure>"


def symptom_chart(
    scores_df: pd.DataFrame, summary: Mapping[str, Any], start: date, end: date
) -> str:
    if scores_df.empty:
        return empty_note(_("No symptom scores yet."))
    scale = _Scale(start, end, 10)
    parts = [_axes(scale, start, end, [0, 2, 4, 6, 8, 10], _("Score (0–10)"))]
    legend = []
    rolled = _between(rolling_means(scores_df), start, end)  # the mean of the days before too
    centre = (scale.x(start + timedelta(days=1)) - LEFT) / 2  # a score sits mid-day
    for i, (symptom, group) in enumerate(rolled.groupby("symptom", sort=True)):
        r, g, b = SYMPTOM_COLOURS[i % len(SYMPTOM_COLOURS)]
        colour = f"#{r:02X}{g:02X}{b:02X}"
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
    legend.append(("background:#fff", _("dots: daily score; line: {n}-day mean").format(
        n=TREND_WINDOW_DAYS)))
    chart = _svg(_("Symptom scores"), "\n".join(parts))
    return f"<figure>{chart}{_legend(legend)}</figure>"
