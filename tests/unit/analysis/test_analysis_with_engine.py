"""The summary, export tables and report built from a plan the real rules engine computed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.oracles.per_patient_export import export_frames, patient_tables
from tracker.analysis import build_summary, summary_text
from tracker.clinical import compute_plan
from tracker.clinical.model import Diary, DoseEntry, EffectEntry, Plan, ScoreEntry
from tracker.clinical.protocols import build_settings
from tracker.export.report import render_report
from tracker.i18n import set_language


def jan(n: int) -> date:
    return date(2026, 1, n)


# Autoimmune from Jan 1: 0.75 mg, then 1 mg from Jan 15. Headache Jan 16–20 (5 days > 4):
# the rule fires on Jan 20, Jan 21–27 at half of 1 mg, back to 1 mg on Jan 28.
TODAY = jan(24)
DIARY = Diary(
    doses=tuple(DoseEntry(jan(n), True) for n in range(1, 24)),
    effects=tuple(EffectEntry(jan(n), "headache", 2) for n in range(16, 21)),
    clear_days=frozenset({jan(21), jan(22)}),
    scores=tuple(ScoreEntry(jan(n), "low_mood", 7 - n // 8) for n in range(1, 24)),
)
PATIENT = {"id": 1, "name": "Anna", "condition": "ms", "protocol": "autoimmune"}


def plan() -> Plan:
    settings = build_settings("autoimmune", jan(1))
    return compute_plan(settings, DIARY, TODAY + timedelta(days=28), TODAY)


def test_a_reduction_week_as_the_clinician_sees_it() -> None:
    summary = build_summary(plan(), DIARY, None, TODAY, PATIENT)
    assert (summary["current_dose_mg"], summary["phase"]) == (0.5, "reduction")
    assert summary["days_on_current_dose"] == 4
    assert (summary["next_step_date"], summary["next_step_mg"]) == ("2026-01-28", 1.0)
    assert summary["reductions"] == 1
    [episode] = summary["episodes"]
    assert (episode["start"], episode["end"], episode["fired_on"]) == (
        "2026-01-16",
        "2026-01-20",
        "2026-01-20",
    )
    assert "side_effect_reduction" in {a["code"] for a in summary["alerts"]}
    set_language("da")
    text = summary_text(build_summary(plan(), DIARY, None, TODAY, PATIENT))
    assert "Hovedpine" in text and "Nedtrykthed" in text and "Multipel sclerose" in text


def test_export_and_report_from_the_engine(tmp_path: Path) -> None:
    tables = patient_tables(plan(), DIARY, None, TODAY, PATIENT)
    paths = export_frames(tables, tmp_path, "excel-da")
    assert sorted(p.name for p in paths) == [
        "alerts.csv",
        "doses.csv",
        "plan.csv",
        "scores.csv",
        "side_effects.csv",
        "summary.csv",
    ]
    plan_csv = (tmp_path / "plan.csv").read_text(encoding="utf-8-sig").splitlines()
    assert plan_csv[0] == "date;dose_mg;nominal_mg;phase;reason;needs_liquid;volume_ml;step"
    assert plan_csv[15].startswith("2026-01-15;1;1,25;titration;")
    assert plan_csv[21].startswith("2026-01-21;0,5;0,5;reduction;")
    summary = build_summary(plan(), DIARY, None, TODAY, PATIENT)
    html = render_report(summary, tables["plan"], tables["scores"], "en")
    assert 'class="shade-reduction"' in html
