"""The printable HTML report: well-formed, self-contained, escaped, in Danish and English."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest

from tracker.analysis import build_summary, plan_frame, scores_frame
from tracker.clinical.model import (
    Alert,
    Diary,
    DoseEntry,
    Episode,
    Plan,
    PlannedDay,
    Reduction,
    ScoreEntry,
)
from tracker.export.report import render_report
from tracker.i18n import Message, get_language

START = date(2026, 1, 1)
TODAY = date(2026, 2, 10)
EVIL = "<script>alert('x')</script>"
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "source", "wbr", "area", "base"}
SVG_VOID = {"line", "rect", "circle", "path", "polyline"}


class Document(HTMLParser):
    """Collects tags, attributes and text, and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str, **attrs: str) -> int:
        return sum(
            1 for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        )


def parse(markup: str) -> Document:
    doc = Document()
    doc.feed(markup)
    doc.close()
    assert doc.errors == [] and doc.stack == []
    return doc


def sample() -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    doses = [0.75] * 14 + [0.5] * 7 + [0.75] * 10 + [0.0] * 3 + [1.0] * 30
    phases = ["start"] * 14 + ["reduction"] * 7 + ["titration"] * 10 + ["pause"] * 3
    phases += ["titration"] * 30
    plan = Plan(
        days=tuple(
            PlannedDay(START + timedelta(i), dose, dose, phase, Message("x"))  # type: ignore[arg-type]
            for i, (dose, phase) in enumerate(zip(doses, phases, strict=True))
        ),
        episodes=(
            Episode(
                date(2026, 1, 10),
                date(2026, 1, 14),
                5,
                3,
                ("headache", EVIL),
                True,
                date(2026, 1, 14),
            ),
        ),
        reductions=(
            Reduction(date(2026, 1, 14), date(2026, 1, 15), date(2026, 1, 21), 0.75, 0.5, 0.75),
        ),
    )
    diary = Diary(
        doses=tuple(DoseEntry(START + timedelta(i), True) for i in range(40)),
        scores=tuple(
            ScoreEntry(START + timedelta(i), name, max(0, base - i // 7))
            for i in range(40)
            for name, base in (("pain", 8), (EVIL, 6))
        ),
    )
    alerts = [Alert(date(2026, 1, 14), "plateau", Message("Stay at {dose_mg}", {"dose_mg": 0.75}))]
    patient = {"id": 1, "name": EVIL, "condition": "fibromyalgia", "protocol": "chronic_pain"}
    summary = build_summary(plan, diary, alerts, TODAY, patient)
    return summary, plan_frame(plan), scores_frame(diary.scores)


@pytest.mark.parametrize("language", ["en", "da"])
def test_report_is_one_self_contained_html_document(language: str) -> None:
    markup = render_report(*sample(), language)
    doc = parse(markup)
    assert doc.count("html", lang=language) == 1
    assert doc.count("script") == 0  # nothing runs, not even the patient's name
    assert doc.count("link") == 0 and doc.count("img") == 0
    assert "http://" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "@page { size: A4; margin: 15mm }" in markup
    assert get_language() == "en"  # the caller's language is left as it was


def test_report_has_both_charts_with_what_they_show() -> None:
    doc = parse(render_report(*sample(), "en"))
    assert doc.count("svg") == 2
    assert doc.count("path", **{"class": "dose"}) == 2  # past solid, plan ahead dashed
    assert doc.count("rect", **{"class": "shade-reduction"}) == 1
    assert doc.count("rect", **{"class": "shade-pause"}) == 1
    assert doc.count("polyline", **{"class": "rolling"}) == 2  # one 7-day mean per symptom
    assert doc.count("circle") == 80  # every score day of both symptoms
    assert doc.count("line", **{"class": "today"}) == 2


def test_report_tables_hold_the_summary() -> None:
    markup = render_report(*sample(), "en")
    doc = parse(markup)
    ids = {a.get("id") for t, a in doc.tags if t == "section"}
    assert {"status", "adherence", "episodes", "symptoms", "dose-response", "alerts"} <= ids
    text = " ".join(doc.text)
    assert "Current dose" in text and "1 mg" in text
    assert "Stay at 0.75 mg" in text and "Headache" in text
    assert "100 %" in text  # every planned dose taken
    # Dose response: one row per dose, a column per symptom (EVIL sorts before pain). The
    # reduction week (days 15–21, 0.5 mg) scored 6 − 2 = 4 and 8 − 2 = 6 on each of 7 days.
    row = '<td class="num">0.5 mg</td><td class="num">4 (7)</td><td class="num">6 (7)</td>'
    assert row in markup


def test_user_text_is_escaped_everywhere() -> None:
    markup = render_report(*sample(), "en")
    assert EVIL not in markup
    assert "&lt;script&gt;" in markup
    text = " ".join(parse(markup).text)
    assert EVIL in text  # shown to the reader as typed, never run


def test_report_in_danish() -> None:
    doc = parse(render_report(*sample(), "da"))
    text = " ".join(doc.text)
    assert "Behandlingsrapport for LDN" in text
    assert "Nuværende dosis" in text and "Reduktionsuge" in text
    assert "Current dose" not in text


def test_medications_are_listed_with_opioids_marked() -> None:
    summary, plan_df, scores_df = sample()
    summary["medications"] = [
        {"name": "Kodimagnyl", "from": "2026-02-01", "to": None, "opioid": True},
        {"name": EVIL, "from": None, "to": None, "opioid": False},
    ]
    markup = render_report(summary, plan_df, scores_df, "en")
    doc = parse(markup)
    assert doc.count("section", id="medications") == 1
    assert "<td>Kodimagnyl</td><td>" in markup and "</td><td>yes</td>" in markup
    assert EVIL not in markup
    without = parse(render_report(*sample(), "en"))
    assert without.count("section", id="medications") == 0


def test_report_without_any_data_still_renders() -> None:
    summary = build_summary(Plan(days=()), Diary(), [], TODAY, {"id": 2, "name": "Bo"})
    doc = parse(render_report(summary, plan_frame(()), scores_frame(()), "en"))
    assert doc.count("svg") == 0
    assert "No plan yet." in " ".join(doc.text)


def test_report_shows_what_happened_against_the_plan_and_the_new_figures() -> None:
    """SPEC §8 in the report: the intake counts and each day's intake on the dose chart, the
    windows around every dose step with their counts, the dated baseline and the responder."""
    from tracker.analysis import doses_frame

    summary, plan_df, scores_df = sample()
    doses = [DoseEntry(START + timedelta(i), i % 9 != 4, None if i % 9 == 4 else
                       (0.5 if i == 30 else None)) for i in range(40)]
    markup = render_report(summary, plan_df, scores_df, "en", doses_df=doses_frame(doses))
    doc = parse(markup)
    text = " ".join(doc.text)
    intake = summary["intake"]
    assert "Intake against the plan" in text and f"{intake['planned_days']}" in text
    assert doc.count("path", **{"class": "intake-skipped"}) >= 1
    assert doc.count("circle", **{"class": "intake-other"}) == 1  # the 0.5 mg on day 30
    assert "Around each dose step" in text and summary["dose_steps"]
    first = summary["dose_steps"][0]
    assert f"{first['symptoms'][0]['before_days']})" in text
    pain = next(s for s in summary["symptoms"] if s["symptom"] == "pain")
    assert "Responder (≥ 30 % better)" in text
    assert "2026" in pain["baseline_from"] and "January 2026" in text
    assert "mix time with dose" in text
    without = parse(render_report(summary, plan_df, scores_df, "en"))
    assert without.count("path", **{"class": "intake-skipped"}) == 0  # no doses, no marks
