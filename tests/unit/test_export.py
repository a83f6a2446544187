"""The CSV files a clinician opens in a spreadsheet: dialects, round-trips, injection, modes."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.oracles.per_patient_export import csv_text, export_frames, write_csv
from tracker.analysis import (
    alerts_frame,
    doses_frame,
    effects_frame,
    plan_frame,
    scores_frame,
    summary_frame,
)
from tracker.analysis.summary import SYMPTOM_KEYS
from tracker.clinical.model import Alert, DoseEntry, EffectEntry, PlannedDay, ScoreEntry
from tracker.export.csv_files import format_cell
from tracker.i18n import Message

PAYLOADS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
D = date(2026, 2, 3)


def read(path: Path, dialect: str) -> pd.DataFrame:
    if dialect == "excel-da":
        return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    return pd.read_csv(path, keep_default_na=False)


def test_standard_dialect_is_comma_decimal_point_plain_utf8(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["Søren Ærø"], "dose_mg": [0.75], "taken": [True]})
    path = write_csv(frame, tmp_path / "x.csv", "standard")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8") == "name,dose_mg,taken\r\nSøren Ærø,0.75,true\r\n"


def test_excel_da_is_semicolon_decimal_comma_with_bom(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["Åse Løkke"], "dose_mg": [0.75], "mean": [1.0]})
    path = write_csv(frame, tmp_path / "x.csv", "excel-da")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == "name;dose_mg;mean\r\nÅse Løkke;0,75;1\r\n"
    back = read(path, "excel-da")
    assert back["name"].tolist() == ["Åse Løkke"] and back["dose_mg"].tolist() == [0.75]


@pytest.mark.parametrize("dialect", ["standard", "excel-da"])
def test_numbers_round_trip_exactly_and_negative_numbers_stay_numbers(
    tmp_path: Path, dialect: str
) -> None:
    values = [0.75, 1.0, 2.25, -0.5, -3.0, 1 / 3, 12.0, 0.1 + 0.2, 1e-7]
    frame = pd.DataFrame({"x": values, "n": range(len(values))})
    back = read(write_csv(frame, tmp_path / "n.csv", dialect), dialect)
    assert back["x"].tolist() == values
    assert back["x"].dtype == "float64" and back["n"].dtype == "int64"


def test_doses_are_written_without_trailing_zeros() -> None:
    assert [format_cell(v) for v in (1.0, 0.75, 4.5, 10.0)] == ["1", "0.75", "4.5", "10"]
    assert [format_cell(v, ",") for v in (1.0, 0.75, -2.25)] == ["1", "0,75", "-2,25"]
    assert format_cell(float("nan")) == ""


def test_dates_are_iso_and_booleans_lowercase() -> None:
    frame = doses_frame([DoseEntry(D, True, 1.0), DoseEntry(date(2026, 2, 4), False)])
    text = csv_text(frame, "standard")
    assert text.splitlines() == ["date,taken,mg,time", "2026-02-03,true,1,", "2026-02-04,false,,"]


def every_free_text_table(payload: str) -> dict[str, pd.DataFrame]:
    """One table per export file, with ``payload`` in each of its free-text columns."""
    plan = [PlannedDay(D, 1.0, 1.0, "titration", Message(payload))]
    alerts = [Alert(D, payload, Message(payload))]
    summary = {
        "patient": {"id": 1, "name": payload, "condition": payload, "protocol": payload},
        "today": "2026-02-03",
        "symptoms": [
            {
                **dict.fromkeys(SYMPTOM_KEYS),
                "symptom": payload,
                "baseline": -1.0,
                "last": 2.0,
                "change": -3.0,
                "change_28d_pct": -40.0,
                "responder": True,
                "slope_per_week": -0.5,
                "days": 3,
                "weekly": [],
            }
        ],
    }
    return {
        "plan": plan_frame(plan),
        "alerts": alerts_frame(alerts),
        "side_effects": effects_frame([EffectEntry(D, payload, 2)]),
        "scores": scores_frame([ScoreEntry(D, payload, 5)]),
        "summary": summary_frame(summary),
        "notes": pd.DataFrame({"date": [pd.Timestamp(D)], "note": [payload]}),
    }


@pytest.mark.parametrize("dialect", ["standard", "excel-da"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_neutralised_in_every_text_column(
    tmp_path: Path, payload: str, dialect: str
) -> None:
    tables = every_free_text_table(payload)
    paths = export_frames(tables, tmp_path / "out", dialect)
    separator = ";" if dialect == "excel-da" else ","
    seen = 0
    for path in paths:
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
        for cell in (c for row in rows[1:] for c in row):
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
            if cell.startswith("-"):
                float(cell.replace(",", "."))  # a negative number, never text
            if cell == "'" + payload:
                seen += 1
    # plan reason, alert code and message, effect name, symptom, note, and in summary.csv
    # the patient's name, condition and protocol.
    assert seen == 9


def test_summary_numbers_stay_numbers_next_to_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"metric": ["name", "change"], "value": ["-x", -1.5]}, dtype=object)
    back = pd.read_csv(write_csv(frame, tmp_path / "s.csv"), dtype=str)
    assert back["value"].tolist() == ["'-x", "-1.5"]


def test_files_are_owner_only_and_created_directories_private(tmp_path: Path) -> None:
    frames = {"doses": doses_frame([]), "plan": plan_frame([])}
    paths = export_frames(frames, tmp_path / "new" / "dir", "standard")
    assert [p.name for p in paths] == ["doses.csv", "plan.csv"]
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new" / "dir").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert sorted(p.name for p in (tmp_path / "new" / "dir").iterdir()) == [
        "doses.csv",
        "plan.csv",
    ]


def test_rewriting_an_existing_wider_file_makes_it_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    target.write_text("old")
    target.chmod(0o644)
    write_csv(plan_frame([]), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("date,dose_mg")


def test_a_bad_dialect_or_file_name_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        export_frames({"doses": doses_frame([])}, tmp_path / "a", "excel")
    with pytest.raises(ValueError):
        export_frames({"doses": doses_frame([]), "../x": doses_frame([])}, tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "plan.csv").mkdir()  # something in the way that cannot be replaced
    with pytest.raises(OSError):
        write_csv(plan_frame([]), tmp_path / "plan.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]
