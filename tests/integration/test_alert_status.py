"""`alerts` prints every alert with its status (SPEC §9, §13), and export's alerts.csv too."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tracker.cli import main


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    code = main(["--db", str(db), *argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def add(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    return run(capsys, db, "patient", "add", *argv).strip()


def alerts(capsys: pytest.CaptureFixture[str], db: Path, pid: str, on: str,
           monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    monkeypatch.setenv("LDN_TRACKER_TODAY", on)
    out = run(capsys, db, "alerts", "--patient", pid)
    assert out.splitlines()[0] == "date,code,message,status"
    return list(csv.DictReader(io.StringIO(out)))


def status(rows: list[dict[str, str]], code: str) -> list[tuple[str, str]]:
    return [(r["date"], r["status"]) for r in rows if r["code"] == code]


def test_an_opioid_hold_is_open_during_its_seven_days_and_resolved_after(
        db_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-01-08")
    pid = add(capsys, db_path, "--name", "P", "--condition", "fibromyalgi", "--start",
              "2026-01-01", "--informed", "2026-01-01")
    main(["--db", str(db_path), "med", "add", "--patient", pid, "--name", "Tramadol",
          "--from", "2026-01-10", "--to", "2026-01-12"])
    capsys.readouterr()
    hold = "opioid_contraindication"
    assert status(alerts(capsys, db_path, pid, "2026-01-08", monkeypatch), hold) == [
        ("2026-01-10", "upcoming")]
    assert status(alerts(capsys, db_path, pid, "2026-01-10", monkeypatch), hold) == [
        ("2026-01-10", "open")]
    # Through the 7th day after the last dose (12 January): open on the 19th, not the 20th.
    assert status(alerts(capsys, db_path, pid, "2026-01-19", monkeypatch), hold) == [
        ("2026-01-10", "open")]
    assert status(alerts(capsys, db_path, pid, "2026-01-20", monkeypatch), hold) == [
        ("2026-01-10", "resolved")]


def test_missed_doses_are_resolved_by_taken_doses_and_a_dismissal_is_listed(
        db_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-01-10")
    pid = add(capsys, db_path, "--name", "M", "--condition", "MS", "--start", "2026-01-01",
              "--informed", "2026-01-01", "--transplant")
    for day in range(1, 4):
        run(capsys, db_path, "dose", "--patient", pid, "--date", f"2026-01-0{day}", "--mg",
            "0.75")
    # 4, 5, 6 January not logged: the alert is dated the 6th, open until a dose is taken.
    rows = alerts(capsys, db_path, pid, "2026-01-08", monkeypatch)
    assert status(rows, "missed_doses") == [("2026-01-06", "open")]
    assert status(rows, "transplant_caution") == [("2026-01-01", "open")]
    run(capsys, db_path, "dose", "--patient", pid, "--date", "2026-01-07", "--skipped")
    assert status(alerts(capsys, db_path, pid, "2026-01-08", monkeypatch), "missed_doses") \
        == [("2026-01-06", "open")]  # a skipped dose does not end the run
    run(capsys, db_path, "dose", "--patient", pid, "--date", "2026-01-08", "--mg", "0.75")
    assert status(alerts(capsys, db_path, pid, "2026-01-08", monkeypatch), "missed_doses") \
        == [("2026-01-06", "resolved")]
    run(capsys, db_path, "--role", "clinician", "dismiss", "--patient", pid, "--code",
        "transplant_caution", "--date", "2026-01-01", "--reason", "discussed with surgeon")
    rows = alerts(capsys, db_path, pid, "2026-01-08", monkeypatch)
    assert status(rows, "transplant_caution") == [("2026-01-01", "dismissed")]
    as_json = json.loads(run(capsys, db_path, "alerts", "--patient", pid, "--format", "json"))
    assert [list(r) for r in as_json] == [["date", "code", "message", "status"]] * len(rows)
    assert [r["status"] for r in as_json] == [r["status"] for r in rows]
    # --all is still accepted (every alert is listed anyway).
    assert run(capsys, db_path, "alerts", "--patient", pid, "--all") == \
        run(capsys, db_path, "alerts", "--patient", pid)


def test_a_thyroid_reminder_is_upcoming_until_due(
        db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-02-01")
    pid = add(capsys, db_path, "--name", "T", "--condition", "Hashimoto", "--start",
              "2026-01-01", "--informed", "2026-01-01")
    # Due 42 days after the start: 12 February.
    assert ("2026-02-12", "upcoming") in status(
        alerts(capsys, db_path, pid, "2026-02-01", monkeypatch), "thyroid_blood_test")
    assert ("2026-02-12", "open") in status(
        alerts(capsys, db_path, pid, "2026-02-12", monkeypatch), "thyroid_blood_test")
    # alerts.csv carries the same statuses, after the columns it always had.
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-02-01")
    run(capsys, db_path, "export", "--patient", pid, "--out", str(tmp_path / "out"))
    text = (tmp_path / "out" / "alerts.csv").read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "patient_id,patient,date,code,message,status"
    listed = alerts(capsys, db_path, pid, "2026-02-01", monkeypatch)
    assert [(r["date"], r["code"], r["status"]) for r in exported] == [
        (r["date"], r["code"], r["status"]) for r in listed]
