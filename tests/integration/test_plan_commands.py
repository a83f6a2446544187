"""`plan` and `alerts` through the command line, as SPEC §9 describes them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.cli import main


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    code = main(["--db", str(db), *argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def plan_rows(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> dict[str, dict]:
    out = run(capsys, db, "plan", *argv)
    return {row["date"]: row for row in csv.DictReader(io.StringIO(out))}


def add(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    return run(capsys, db, "patient", "add", *argv).strip()


def test_spec_example_autoimmune_capsules(db_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "A", "--condition", "MS", "--start", "2026-01-01")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-06-30")
    assert list(rows)[0] == "2026-01-01"
    assert set(next(iter(rows.values()))) >= {"date", "dose_mg", "nominal_mg", "phase",
                                              "reason", "needs_liquid"}
    expected = {
        "2026-01-01": ("0.75", "0.75", "start"),
        "2026-01-14": ("0.75", "0.75", "start"),
        "2026-01-15": ("1", "1.25", "titration"),
        "2026-02-04": ("1", "1.25", "titration"),
        "2026-02-05": ("1.5", "1.75", "titration"),
        "2026-02-26": ("2", "2.25", "titration"),
    }
    for day, (dose, nominal, phase) in expected.items():
        assert (rows[day]["dose_mg"], rows[day]["nominal_mg"], rows[day]["phase"]) == \
            (dose, nominal, phase), day
    target_days = [r for r in rows.values() if r["phase"] == "target"]
    assert target_days and all(r["dose_mg"] == "4.5" for r in target_days)
    assert all(float(r["dose_mg"]) <= 4.5 for r in rows.values())


def test_from_limits_the_rows_but_not_the_computation(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "A", "--condition", "MS", "--start", "2026-01-01")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--from", "2026-02-05",
                     "--to", "2026-02-06")
    assert list(rows) == ["2026-02-05", "2026-02-06"]
    assert rows["2026-02-05"]["dose_mg"] == "1.5"


def test_side_effects_beyond_tolerance_halve_the_dose_for_a_week(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Cancer: 1.5 mg for 7 days, +1.5 mg weekly: 4.5 mg from day 14 (2026-03-15).
    pid = add(capsys, db_path, "--name", "C", "--condition", "breast cancer",
              "--start", "2026-03-01", "--informed", "2026-03-01")
    first = date(2026, 3, 16)
    for offset in range(5):
        run(capsys, db_path, "effect", "--patient", pid, "--date",
            (first + timedelta(days=offset)).isoformat(), "--name", "nausea", "--severity", "2")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-04-15")
    trigger = first + timedelta(days=4)  # the 5th day exceeds the default tolerance of 4
    assert rows[trigger.isoformat()]["dose_mg"] == "4.5"
    for offset in range(1, 8):
        row = rows[(trigger + timedelta(days=offset)).isoformat()]
        assert (row["phase"], row["dose_mg"], row["nominal_mg"]) == ("reduction", "2", "2.25")
    back = rows[(trigger + timedelta(days=8)).isoformat()]
    assert back["dose_mg"] == "4.5" and back["phase"] != "reduction"

    out = run(capsys, db_path, "alerts", "--patient", pid, "--format", "json")
    alerts = json.loads(out)
    assert all(list(a) == ["date", "code", "message", "status"] for a in alerts)
    fired = [a for a in alerts if a["date"] == trigger.isoformat()]
    assert fired, alerts
    assert "2 mg" in fired[0]["message"] and "4.5 mg" in fired[0]["message"]


def test_tolerance_three_fires_a_day_earlier(db_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "C", "--condition", "melanoma", "--start", "2026-03-01",
              "--tolerance-days", "3")
    first = date(2026, 3, 16)
    for offset in range(4):
        run(capsys, db_path, "effect", "--patient", pid, "--date",
            (first + timedelta(days=offset)).isoformat(), "--name", "headache",
            "--severity", "1")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-04-15")
    assert rows["2026-03-20"]["phase"] == "reduction"
    assert rows["2026-03-19"]["phase"] == "target"


def test_opioid_holds_ldn_through_seven_opioid_free_days(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "P", "--condition", "fibromyalgi", "--start",
              "2026-01-01", "--informed", "2026-01-01")
    main(["--db", str(db_path), "med", "add", "--patient", pid, "--name", "Pinex Forte",
          "--from", "2026-01-10", "--to", "2026-01-12"])
    assert "opioid" in capsys.readouterr().err
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-02-28")
    assert rows["2026-01-09"]["dose_mg"] == "0.75"
    for day in range(10, 20):
        row = rows[f"2026-01-{day:02d}"]
        assert (row["phase"], row["dose_mg"]) == ("hold", "0"), day
    assert rows["2026-01-20"]["dose_mg"] == "0.75"
    # The 10 hold days froze the titration clock: the first step-up moves from Jan 15 to Jan 25.
    assert rows["2026-01-24"]["phase"] == "start"
    assert (rows["2026-01-25"]["phase"], rows["2026-01-25"]["dose_mg"]) == ("titration", "1")
    alerts = list(csv.DictReader(io.StringIO(run(capsys, db_path, "alerts", "--patient", pid)))
                  )
    assert {"date": "2026-01-10", "code": "opioid_contraindication"} in \
        [{"date": a["date"], "code": a["code"]} for a in alerts]


def test_chemotherapy_pauses_from_two_days_before(db_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "K", "--condition", "lymfom", "--start", "2026-03-01")
    run(capsys, db_path, "chemo", "add", "--patient", pid, "--date", "2026-03-20",
        "--end", "2026-03-21")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-04-10")
    assert rows["2026-03-17"]["phase"] != "pause"
    assert [rows[f"2026-03-{d}"]["phase"] for d in range(18, 22)] == ["pause"] * 4
    assert rows["2026-03-22"]["dose_mg"] == rows["2026-03-17"]["dose_mg"]


def test_liquid_patients_get_their_volume(db_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "L", "--condition", "Hashimoto", "--start", "2026-01-01",
              "--formulation", "liquid", "--concentration", "1")
    out = run(capsys, db_path, "plan", "--patient", pid, "--to", "2026-01-02", "--format", "json")
    rows = json.loads(out)
    assert rows[0]["dose_mg"] == pytest.approx(0.2)
    assert rows[0]["volume_ml"] == pytest.approx(0.2)
    assert rows[0]["needs_liquid"] is False
    assert rows[0]["phase"] == "start"


def test_capsule_dose_below_the_smallest_strength_needs_a_liquid(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "T", "--condition", "Graves", "--start", "2026-01-01")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-01-02")
    assert (rows["2026-01-01"]["dose_mg"], rows["2026-01-01"]["needs_liquid"]) == \
        ("0.2", "true")
    codes = run(capsys, db_path, "alerts", "--patient", pid)
    assert "needs_liquid" in codes and "information_pending" in codes


def test_child_under_40_kg_gets_the_weight_based_plan(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "Kid", "--condition", "PANS", "--protocol", "pediatric",
              "--start", "2026-01-01", "--weight-kg", "20", "--formulation", "liquid",
              "--concentration", "0.5")
    rows = plan_rows(capsys, db_path, "--patient", pid, "--to", "2026-02-28")
    nominal = [rows[(date(2026, 1, 1) + timedelta(days=7 * w)).isoformat()]["nominal_mg"]
               for w in range(5)]
    # 0.1 + (2 − 0.1)·w/4 rounded to 0.05: 0.1, 0.575→0.6, 1.05, 1.525→1.55, 2
    assert nominal == ["0.1", "0.6", "1.05", "1.55", "2"]
    assert max(float(r["dose_mg"]) for r in rows.values()) == 2


def test_to_before_from_is_refused(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add(capsys, db_path, "--name", "A", "--condition", "MS", "--start", "2026-01-01")
    assert main(["--db", str(db_path), "plan", "--patient", pid, "--from", "2026-02-01",
                 "--to", "2026-01-01"]) == 2
    assert "--to" in capsys.readouterr().err
