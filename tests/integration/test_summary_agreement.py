"""``summary`` and ``summary.csv`` tell the same figures, value for value, for patients on every
protocol: the JSON of ``summary --format json``, the text of ``summary --format text``, and the
summary.csv rows of ``export --all`` (the clinic-wide bulk path) and ``export --patient``.

The patients are added with the command line and their diaries logged through the services
(doses, side effects with an episode long enough for the 50 % rule to fire, clear days,
scores), on a real SQLite file and on PostgreSQL when ``LDN_TRACKER_TEST_PG_URL`` is set. One
patient titrates every 60 days, so the next step lies beyond the four-week plan the export
writes; one starts after today.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tracker.analysis.summary import display_name
from tracker.cli import main
from tracker.export.cells import neutralise
from tracker.i18n import format_date, format_mg, format_number, set_language
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

TODAY = date(2026, 3, 1)

# name, `patient add` arguments.
PATIENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Auto", ("--condition", "ms", "--start", "2025-12-01")),
    ("Thyra", ("--condition", "hashimoto", "--start", "2025-12-15")),
    ("Pain", ("--condition", "fibromyalgia", "--start", "2026-01-05", "--step-mg", "1")),
    ("Mette", ("--condition", "cfs_me", "--start", "2025-12-20", "--tolerance-days", "3")),
    ("Cancer", ("--condition", "melanoma", "--start", "2026-01-10")),
    ("Fertility", ("--condition", "fertility", "--start", "2026-01-20")),
    ("Mood", ("--condition", "depression", "--start", "2026-02-01")),
    ("Child", ("--condition", "ms", "--protocol", "pediatric", "--weight-kg", "20",
               "--start", "2026-02-08", "--formulation", "liquid", "--concentration", "1")),
    ("Liquid", ("--condition", "psoriasis", "--start", "2025-12-10", "--formulation", "liquid",
                "--concentration", "0.5")),
    ("Slow", ("--condition", "sjogren", "--start", "2025-11-21", "--interval-days", "60")),
    ("Later", ("--condition", "anxiety", "--start", "2026-03-10")),
)
PROTOCOLS = {"autoimmune", "autoimmune_thyroid", "chronic_pain", "cfs_me", "cancer", "fertility",
             "mental_health", "pediatric"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("LDN_TRACKER_LANG", "en")
    set_language("en")


def cli(target: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    code = main(["--db", target, *args])
    out = capsys.readouterr().out
    assert code == 0, f"{args} exited {code}"
    return out


def log_diary(clinic: Clinic, pid: int, seed: int) -> None:
    """From a week before the start up to today (yesterday for odd seeds: today is then not
    yet logged): doses at the plan's dose, a skip now and then, a 5-day headache from day 18
    (the rule fires on its 5th day), a 2-day nausea, clear days, two or three scores a day."""
    info = clinic.patient(pid)
    plan = clinic.plan(pid, until=TODAY)
    first = info.start_date - timedelta(days=7)
    last = TODAY if seed % 2 == 0 else TODAY - timedelta(days=1)
    if first > last:  # a plan that starts after today: a few baseline scores only
        first = TODAY - timedelta(days=5)
    n = 0
    day = first
    while day <= last:
        planned = plan.on(day)
        entry: dict[str, Any] = {"day": day}
        if planned is not None:
            if planned.dose_mg > 0 and (n + seed) % 9 != 4:
                entry.update(taken=True, mg=planned.dose_mg)
            elif (n + seed) % 11 != 3:
                entry.update(taken=False)
        offset = (day - info.start_date).days
        if 18 <= offset <= 22:
            entry["effects"] = {"headache": 2 + (offset == 20)}
        elif offset in (35, 36):
            entry["effects"] = {"nausea": 1, "vivid_dreams": 1}
        elif n % 3 != 1:
            entry["no_side_effects"] = True
        entry["scores"] = {"pain": max(0, 8 - n // 9 + (n + seed) % 3),
                           "fatigue": (n * 7 + seed) % 11}
        if seed % 3 == 0:
            entry["scores"]["Åndenød"] = (n + seed) % 6
        clinic.check_in(pid, CheckIn(**entry))
        n += 1
        day += timedelta(days=1)


@pytest.fixture
def clinic_db(db_target: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, list[int]]:
    ids = []
    for name, args in PATIENTS:
        ids.append(int(cli(db_target, capsys, "patient", "add", "--name", name,
                           "--informed", "2025-12-01", *args).strip()))
    by_name = dict(zip([n for n, _a in PATIENTS], ids, strict=True))
    db = Database(db_target)
    try:
        clinic = Clinic(db, actor="patient:test")
        clinic.add_chemo(by_name["Cancer"], date(2026, 2, 10), date(2026, 2, 12))
        clinic.add_chemo(by_name["Cancer"], date(2026, 3, 12))  # a pause ahead: no step
        clinic.add_medication(by_name["Pain"], "tramadol", date(2026, 2, 1), date(2026, 2, 3))
        clinic.add_medication(by_name["Thyra"], "Levothyroxin")
        for seed, pid in enumerate(ids):
            log_diary(clinic, pid, seed)
    finally:
        db.dispose()
    return db_target, ids


def flattened(summary: dict[str, Any]) -> dict[str, Any]:
    """The JSON summary under summary.csv's metric names (docs/analysis.md, "The summary")."""
    out: dict[str, Any] = {}
    for key in ("id", "name", "condition", "protocol"):
        out[f"patient_{key}"] = summary["patient"][key]
    for key in ("today", "current_dose_mg", "nominal_mg", "phase", "days_on_current_dose",
                "next_step_date", "next_step_mg", "adherence_7d", "adherence_30d",
                "adherence_overall", "reductions"):
        out[key] = summary[key]
    out["episodes"] = len(summary["episodes"])
    for n, episode in enumerate(summary["episodes"], start=1):
        for key in ("start", "end", "duration", "worst_severity", "fired_on"):
            out[f"episode.{n}.{key}"] = episode[key]
        out[f"episode.{n}.effects"] = "; ".join(episode["effects"])
    for symptom in summary["symptoms"]:
        name = symptom["symptom"]
        for key in ("baseline", "baseline_from", "baseline_to", "baseline_days",
                    "baseline_before_start", "last", "last_from", "last_to", "last_days",
                    "change", "rolling_mean", "rolling_mean_from", "rolling_mean_to",
                    "rolling_mean_days", "last_28d", "last_28d_from", "last_28d_to",
                    "last_28d_days", "change_28d", "change_28d_pct", "responder",
                    "slope_per_week", "days"):
            out[f"symptom.{name}.{key}"] = symptom[key]
        for week in symptom["weekly"]:
            out[f"symptom.{name}.week.{week['week_start']}"] = week["mean"]
    for point in summary["dose_response"]:
        dose = format(point["dose_mg"], "g")
        out[f"dose_response.{dose}mg.{point['symptom']}.mean"] = point["mean"]
        out[f"dose_response.{dose}mg.{point['symptom']}.days"] = point["days"]
    out["dose_steps"] = len(summary["dose_steps"])
    for n, step in enumerate(summary["dose_steps"], start=1):
        for key in ("date", "kind", "from_mg", "to_mg", "before_from", "before_to",
                    "after_from", "after_to"):
            out[f"dose_step.{n}.{key}"] = step[key]
        for point in step["symptoms"]:
            for key in ("before", "before_days", "after", "after_days", "change"):
                out[f"dose_step.{n}.symptom.{point['symptom']}.{key}"] = point[key]
    for key in ("from", "to", "planned_days", "taken_planned", "taken_other", "skipped",
                "not_logged", "taken_unplanned"):
        out[f"intake.{key}"] = summary["intake"][key]
    out["alerts"] = len(summary["alerts"])
    for n, med in enumerate(summary["medications"], start=1):
        for key in ("name", "from", "to", "opioid"):
            out[f"medication.{n}.{key}"] = med[key]
    return out


def summary_csv(path: Path) -> dict[int, dict[str, str]]:
    """summary.csv as ``{patient_id: {metric: value text}}`` (standard dialect)."""
    rows: dict[int, dict[str, str]] = {}
    with io.StringIO(path.read_text("utf-8"), newline="") as text:
        reader = csv.reader(text)
        assert next(reader) == ["patient_id", "patient", "metric", "value"]
        for pid, _name, metric, value in reader:
            assert metric not in rows.setdefault(int(pid), {}), (pid, metric)
            rows[int(pid)][metric] = value
    return rows


def assert_same_figures(json_figures: dict[str, Any], csv_figures: dict[str, str],
                        who: str) -> None:
    assert set(csv_figures) == set(json_figures), (who, set(csv_figures) ^ set(json_figures))
    for metric, value in json_figures.items():
        cell = csv_figures[metric]
        if value is None:
            assert cell == "", (who, metric, cell)
        elif isinstance(value, bool):
            assert cell == ("true" if value else "false"), (who, metric, cell)
        elif isinstance(value, int | float):
            assert float(cell) == value, (who, metric, cell, value)
        else:
            assert cell == neutralise(str(value)), (who, metric, cell, value)


def dated(iso: str | None) -> str:
    """A date as the text shows it: with its year, whatever the year (SPEC §13)."""
    assert iso is not None
    day = date.fromisoformat(iso)
    assert str(day.year) in format_date(day, year=True)
    return format_date(day, year=True)


def score(value: float | None) -> str:
    return "–" if value is None else format_number(value, places=1)


def signed(value: float | None) -> str:
    if value is None:
        return "–"
    text = score(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def assert_text_tells(summary: dict[str, Any], text: str, who: str) -> None:
    """The text shows the JSON's figures, its windows dated with their years."""
    assert f"Summary for {dated(summary['today'])}\n" in text, who
    if summary["next_step_date"] is None:
        assert "No dose increase is planned." in text, who
    else:
        assert f"Next dose increase: {dated(summary['next_step_date'])} to " in text, who
    for s in summary["symptoms"]:
        name = display_name(s["symptom"])
        if s["baseline"] is None:
            assert f"{name}: no baseline" in text, who
        else:
            which = "the week before the start" if s["baseline_before_start"] \
                else "the first week of treatment"
            assert (f"{name}: baseline {score(s['baseline'])} ({which}, "
                    f"{dated(s['baseline_from'])} – {dated(s['baseline_to'])}, "
                    f"{s['baseline_days']} day") in text, (who, name)
        month = (f"Last 28 days {score(s['last_28d'])} ({dated(s['last_28d_from'])} – "
                 f"{dated(s['last_28d_to'])}, {s['last_28d_days']} day")
        assert month in text, (who, name, month)
        if s["change_28d"] is not None:
            assert (f"{signed(s['change_28d'])} points ({signed(s['change_28d_pct'])} %) "
                    "from baseline") in text, (who, name)
        if s["responder"] is not None:
            assert ("; responder (" if s["responder"] else "; not a responder (") in text, who
        assert (f"7-day rolling mean on {dated(s['rolling_mean_to'])}: "
                f"{score(s['rolling_mean'])} ({s['rolling_mean_days']} day") in text, who
        assert (f"7 days up to the last score ({dated(s['last_from'])} – "
                f"{dated(s['last_to'])}): {score(s['last'])} (change {signed(s['change'])} "
                "from baseline)") in text, (who, name)
    for step in summary["dose_steps"]:
        kind = {"step_up": "step up", "reduction": "reduction for side effects"}[step["kind"]]
        assert (f"{dated(step['date'])}: {kind}, {format_mg(step['from_mg'])} to "
                f"{format_mg(step['to_mg'])} (before {dated(step['before_from'])} – "
                f"{dated(step['before_to'])}; after {dated(step['after_from'])} – "
                f"{dated(step['after_to'])})") in text, who
        for point in step["symptoms"]:
            assert (f"{display_name(point['symptom'])}: {score(point['before'])} "
                    f"({point['before_days']} day") in text, who
    intake = summary["intake"]
    if intake["planned_days"]:
        assert (f"Intake against the plan, {dated(intake['from'])} – {dated(intake['to'])}: "
                f"{intake['planned_days']} planned dosing days") in text, who
        assert (f"taken at the planned dose {intake['taken_planned']}, taken at another dose "
                f"{intake['taken_other']}, skipped {intake['skipped']}, not logged "
                f"{intake['not_logged']}") in text, who
    assert "These means mix time with dose" in text or not summary["dose_response"], who
    for episode in summary["episodes"]:
        assert f"{dated(episode['start'])} – {dated(episode['end'])}: " in text, who


def test_summary_json_text_and_summary_csv_agree_for_every_protocol(
        clinic_db: tuple[str, list[int]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    target, ids = clinic_db
    cli(target, capsys, "--role", "clinician", "export", "--all", "--out", str(tmp_path / "all"))
    every = summary_csv(tmp_path / "all" / "summary.csv")
    assert sorted(every) == sorted(ids)
    summaries = {pid: json.loads(cli(target, capsys, "summary", "--patient", str(pid),
                                     "--format", "json")) for pid in ids}
    assert {s["patient"]["protocol"] for s in summaries.values()} == PROTOCOLS
    assert {s["patient"]["formulation"] for s in summaries.values()} == {"capsule", "liquid"}
    for pid in ids:
        summary = summaries[pid]
        who = summary["patient"]["name"]
        figures = flattened(summary)
        assert_same_figures(figures, every[pid], who)
        cli(target, capsys, "export", "--patient", str(pid), "--out", str(tmp_path / str(pid)))
        assert summary_csv(tmp_path / str(pid) / "summary.csv") == {pid: every[pid]}, who
        text = cli(target, capsys, "summary", "--patient", str(pid), "--format", "text")
        assert_text_tells(summary, text, who)

    by_name = {s["patient"]["name"]: s for s in summaries.values()}
    # The 60-day patient, from 21 November: 1 mg from day 14; the rule fires on day 22 (the
    # headache's 5th day), half dose for a week, 1 mg again on day 30 and the clock restarts
    # there; 1.5 mg from day 90 (19 February). Today is day 100: the next step is day 150,
    # 20 April, 50 days away, beyond the four weeks of plan.csv.
    slow = by_name["Slow"]
    assert (slow["current_dose_mg"], slow["days_on_current_dose"]) == (1.5, 11)
    assert (slow["next_step_date"], slow["next_step_mg"]) == ("2026-04-20", 2.0)
    assert every[slow["patient"]["id"]]["next_step_date"] == "2026-04-20"
    # Before the start the next step is the first dose.
    later = by_name["Later"]
    assert later["current_dose_mg"] is None
    assert (later["next_step_date"], later["next_step_mg"]) == ("2026-03-10", 0.75)
    # The diaries exercise what the figures are made of.
    assert all(s["episodes"] for s in summaries.values() if s["patient"]["name"] != "Later")
    assert any(e["fired"] for s in summaries.values() for e in s["episodes"])
    assert all(s["reductions"] >= 1 for s in summaries.values()
               if s["patient"]["name"] not in ("Later", "Child", "Mood"))
    assert any(s["adherence_7d"] not in (None, 1.0) for s in summaries.values())
    assert any(s["next_step_date"] is None for s in summaries.values())
    # ... and the new figures (SPEC §8): both baselines, both kinds of step, every intake.
    assert {sym["baseline_before_start"] for s in summaries.values()
            for sym in s["symptoms"]} >= {True}
    assert {step["kind"] for s in summaries.values() for step in s["dose_steps"]} \
        == {"step_up", "reduction"}
    assert all(sum(s["intake"][k] for k in ("taken_other", "skipped", "not_logged")) > 0
               for s in summaries.values() if s["intake"]["planned_days"] > 20)
