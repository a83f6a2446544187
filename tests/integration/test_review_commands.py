"""The clinician's commands (SPEC §9 ``summary``, ``export``, ``report``) end to end through
``tracker.cli.main`` on a real SQLite file, with figures worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tracker.cli import main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

TODAY = "2026-01-20"
FILES = ("doses", "side_effects", "scores", "plan", "alerts", "summary")
PAYLOADS = ("=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "clinic.db")


def cli(db: str, *args: str, capsys: pytest.CaptureFixture[str] | None = None) -> str:
    if capsys is not None:
        capsys.readouterr()
    code = main(["--db", db, *args])
    assert code == 0, f"{args} exited {code}"
    return capsys.readouterr().out if capsys is not None else ""


def day(n: int) -> str:
    return f"2026-01-{n:02d}"


@pytest.fixture
def anna(db: str) -> str:
    """Chronic pain protocol from 1 January (0.75 mg for 14 days, tolerance 4 days).

    - headache (severity 2) on 5–9 January: a 5-day episode; the rule fires on 9 January and
      10–16 January are planned at half of 0.75 mg (0.375 mg, needs a liquid), 0.75 mg again
      from 17 January; 10 January is a clear day;
    - doses taken 1–10 January at 0.75 mg, nothing logged 11–13 January, skipped on 14 January,
      taken at 0.375 mg on 15–16 and at 0.75 mg on 17–19 January; today (20 January) not yet;
    - pain 8 on 1–7 January, 5 on 13–19 January.
    """
    main(["--db", db, "patient", "add", "--name", "Anna", "--condition", "fibromyalgia",
          "--start", "2026-01-01", "--informed", "2026-01-01"])
    for n in range(1, 11):
        cli(db, "dose", "--patient", "Anna", "--date", day(n), "--mg", "0.75")
    cli(db, "dose", "--patient", "Anna", "--date", day(14), "--skipped")
    for n, mg in ((15, "0.375"), (16, "0,375"), (17, "0.75"), (18, "0.75"), (19, "0.75")):
        cli(db, "dose", "--patient", "Anna", "--date", day(n), "--mg", mg)
    for n in range(5, 10):
        cli(db, "effect", "--patient", "Anna", "--date", day(n), "--name", "headache",
            "--severity", "2")
    cli(db, "effect", "--patient", "Anna", "--date", day(10), "--none")
    for n in list(range(1, 8)) + list(range(13, 20)):
        cli(db, "score", "--patient", "Anna", "--date", day(n), "--symptom", "pain", "--value",
            "8" if n <= 7 else "5")
    return "Anna"


def summary_json(db: str, capsys: pytest.CaptureFixture[str], who: str = "Anna") -> Any:
    return json.loads(cli(db, "summary", "--patient", who, "--format", "json", capsys=capsys))


def test_summary_json_holds_the_figures_worked_out_by_hand(
        db: str, anna: str, capsys: pytest.CaptureFixture[str]) -> None:
    s = summary_json(db, capsys)
    assert isinstance(s, dict)
    for key in ("patient", "today", "current_dose_mg", "phase", "next_step_date",
                "adherence_7d", "adherence_30d", "adherence_overall", "episodes", "symptoms",
                "dose_response", "alerts", "reductions"):
        assert key in s, key
    assert s["patient"]["name"] == "Anna" and s["today"] == TODAY
    assert s["current_dose_mg"] == 0.75
    # The titration clock restarts on T+8 = 17 January: the next step is 21 days later.
    assert s["next_step_date"] == "2026-02-07" and s["next_step_mg"] == 1
    # Planned dosing days 1–19 January (today not logged yet): 15 taken of 19.
    assert s["adherence_overall"] == pytest.approx(15 / 19, abs=1e-4)
    assert s["adherence_30d"] == pytest.approx(15 / 19, abs=1e-4)
    # 14–19 January: 6 planned, 5 taken.
    assert s["adherence_7d"] == pytest.approx(5 / 6, abs=1e-4)
    [episode] = s["episodes"]
    assert episode == {"start": "2026-01-05", "end": "2026-01-09", "duration": 5,
                       "worst_severity": 2, "effects": ["headache"], "fired": True,
                       "fired_on": "2026-01-09"}
    assert s["reductions"] == 1
    [pain] = s["symptoms"]
    assert (pain["symptom"], pain["baseline"], pain["last"], pain["change"]) == \
        ("pain", 8, 5, -3)
    response = {(p["dose_mg"], p["symptom"]): (p["mean"], p["days"]) for p in s["dose_response"]}
    # 0.75 mg: 1–7 January (8) and 17–19 January (5); 0.375 mg: 13–16 January (planned or
    # logged at 0.375 mg, score 5).
    assert response[(0.75, "pain")] == (pytest.approx(7.1), 10)
    assert response[(0.375, "pain")] == (5, 4)
    codes = {(a["code"], a["date"]) for a in s["alerts"]}
    assert ("missed_doses", "2026-01-13") in codes


def test_a_dismissed_alert_leaves_the_summary(db: str, anna: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cli(db, "--role", "clinician", "dismiss", "--patient", "Anna", "--code", "missed_doses",
        "--date", "2026-01-13", "--reason", "Travelling, doses taken but not logged")
    codes = {a["code"] for a in summary_json(db, capsys)["alerts"]}
    assert "missed_doses" not in codes


def test_summary_text_is_readable(db: str, anna: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(db, "summary", "--patient", "Anna", "--format", "text", capsys=capsys)
    assert "Patient: Anna" in out
    assert "Current dose: 0.75 mg" in out
    assert "Adherence: 7 days 83 %, 30 days 79 %, overall 79 %" in out
    # Every date a clinician reads carries its year (SPEC §13).
    assert "Summary for 20 January 2026\n" in out
    assert "the 50 % rule fired on 9 January 2026: half dose for the next 7 days" in out
    # No score before the start: the baseline is the first week of treatment.
    assert ("Pain: baseline 8 (the first week of treatment, 1 January 2026 – 7 January 2026, "
            "7 days scored)") in out
    assert "10 January 2026: reduction for side effects, 0.75 mg to 0.38 mg" in out  # 0.375
    # 19 planned days: 10 January was planned at 0.375 mg and taken at 0.75 mg.
    assert ("taken at the planned dose 14, taken at another dose 1, skipped 1, "
            "not logged 3") in out
    assert "{" not in out


def read_back(path: Path, dialect: str) -> pd.DataFrame:
    if dialect == "excel-da":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    return pd.read_csv(path)


@pytest.mark.parametrize("dialect", ["standard", "excel-da"])
def test_export_one_patient_round_trips(db: str, anna: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        dialect: str) -> None:
    out = tmp_path / "out"
    printed = cli(db, "export", "--patient", "Anna", "--out", str(out), "--dialect", dialect,
                  capsys=capsys)
    assert sorted(Path(p).name for p in printed.split()) == sorted(f"{f}.csv" for f in FILES)
    frames = {f: read_back(out / f"{f}.csv", dialect) for f in FILES}
    for name, frame in frames.items():
        assert list(frame.columns[:2]) == ["patient_id", "patient"], name
        assert set(frame["patient"]) == {"Anna"}
    doses = frames["doses"].set_index("date")
    assert doses.loc["2026-01-15", "mg"] == 0.375 and doses.loc["2026-01-01", "mg"] == 0.75
    assert doses["mg"].dtype == "float64"
    plan = frames["plan"].set_index("date")
    assert plan.loc["2026-01-12", "dose_mg"] == 0.375
    assert plan.loc["2026-01-12", "phase"] == "reduction"
    assert plan.loc["2026-01-12", "needs_liquid"]
    assert plan.loc["2026-01-17", "dose_mg"] == 0.75
    effects = frames["side_effects"]
    assert len(effects[effects["name"] == "headache"]) == 5
    assert frames["scores"]["value"].sum() == 7 * 8 + 7 * 5
    summary = frames["summary"].set_index("metric")["value"]
    assert float(str(summary["adherence_7d"]).replace(",", ".")) == pytest.approx(0.8333)
    assert summary["episode.1.start"] == "2026-01-05"
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize("dialect", ["standard", "excel-da"])
def test_export_all_is_one_set_of_files_naming_every_patient(
        db: str, anna: str, tmp_path: Path, dialect: str) -> None:
    main(["--db", db, "patient", "add", "--name", "Bo", "--condition", "ms",
          "--start", "2026-01-10"])
    cli(db, "dose", "--patient", "Bo", "--date", "2026-01-12", "--mg", "0.75")
    cli(db, "score", "--patient", "Bo", "--date", "2026-01-12", "--symptom", "fatigue",
        "--value", "6")
    out = tmp_path / "all"
    cli(db, "--role", "clinician", "export", "--all", "--out", str(out), "--dialect", dialect)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{f}.csv" for f in FILES)
    for name in FILES:
        frame = read_back(out / f"{name}.csv", dialect)
        assert frame["patient_id"].notna().all() and frame["patient"].notna().all(), name
        pairs = set(zip(frame["patient"], frame["patient_id"], strict=True))
        # Bo reported no side effects: he has no rows there.
        expected = {("Anna", 1)} if name == "side_effects" else {("Anna", 1), ("Bo", 2)}
        assert pairs == expected, name
    scores = read_back(out / "scores.csv", dialect)
    assert scores.loc[scores["patient"] == "Bo", "value"].tolist() == [6]
    plan = read_back(out / "plan.csv", dialect)
    assert plan.loc[plan["patient"] == "Bo", "date"].iloc[0] == "2026-01-10"


def evil_clinic(db: str) -> None:
    """One patient per payload; the payload starts the name, side effect, symptom, note and
    medication."""
    for n, payload in enumerate(PAYLOADS, start=1):
        main(["--db", db, "patient", "add", "--name", f"{payload} patient {n}",
              "--condition", "fibromyalgia", "--start", "2026-01-01"])
        cli(db, "med", "add", "--patient", str(n), "--name", f"{payload} pill")
        cli(db, "effect", "--patient", str(n), "--date", day(2), "--name", f"{payload} itch",
            "--severity", "1")
        cli(db, "score", "--patient", str(n), "--date", day(2), "--symptom",
            f"{payload} ache", "--value", "3")
    database = Database(db)
    try:
        clinic = Clinic(database, actor="test")
        for n, payload in enumerate(PAYLOADS, start=1):
            clinic.check_in(n, CheckIn(day=date(2026, 1, 3), taken=True, mg=0.75,
                                       note=f"{payload} note"))
            clinic.check_in(n, CheckIn(day=date(2026, 1, 4), note=f"x\n{payload}"))
    finally:
        database.dispose()


@pytest.mark.parametrize("dialect", ["standard", "excel-da"])
def test_injection_payloads_are_neutralised_in_every_file(db: str, tmp_path: Path,
                                                          dialect: str) -> None:
    evil_clinic(db)
    out = tmp_path / "evil"
    cli(db, "--role", "clinician", "export", "--all", "--out", str(out), "--dialect", dialect)
    sep, encoding = (";", "utf-8-sig") if dialect == "excel-da" else (",", "utf-8")
    seen = ""
    for name in FILES:
        text = (out / f"{name}.csv").read_text(encoding=encoding)
        seen += text
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            for cell in row:
                if cell.startswith(TRIGGERS):
                    float(cell.replace(",", "."))  # only numbers may start so
    for part in ("patient", "pill", "itch", "ache", "note"):
        # Leading tabs and carriage returns are trimmed on input; what is left is neutralised.
        assert f"'=1+1 {part}" in seen and f"'+1 {part}" in seen and f"'@SUM(A1) {part}" in seen
        assert f"'-1+1 {part}" in seen and f"'=1 {part}" in seen


def test_injection_in_a_single_patient_export(db: str, tmp_path: Path) -> None:
    evil_clinic(db)
    out = tmp_path / "one"
    cli(db, "export", "--patient", "1", "--out", str(out))
    for name in FILES:
        for row in csv.reader(io.StringIO((out / f"{name}.csv").read_text(), newline="")):
            assert not any(cell.startswith(TRIGGERS) and not cell.lstrip("+-").replace(
                ".", "").isdigit() for cell in row), (name, row)


class Document(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lang: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Document:
    doc = Document()
    doc.feed(path.read_text(encoding="utf-8"))
    doc.close()
    return doc


def test_report_is_html_with_charts_and_tables(db: str, anna: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "reports" / "anna.html"
    printed = cli(db, "report", "--patient", "Anna", "--out", str(target), capsys=capsys)
    assert printed.strip() == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    doc = parse(target)
    assert doc.lang == "en"
    assert doc.tags.count("svg") >= 2 and doc.tags.count("table") >= 3
    text = " ".join(doc.text)
    assert "Anna" in text and "Side-effect episodes" in text


def test_report_in_danish(db: str, anna: str, tmp_path: Path) -> None:
    target = tmp_path / "anna-da.html"
    cli(db, "--lang", "da", "report", "--patient", "Anna", "--out", str(target))
    doc = parse(target)
    assert doc.lang == "da"
    assert doc.tags.count("svg") >= 2 and "table" in doc.tags
    text = " ".join(doc.text)
    assert "Bivirkningsepisoder" in text and "Advarsler" in text
    assert "Side-effect episodes" not in text


def test_report_escapes_the_patients_own_words(db: str, tmp_path: Path) -> None:
    main(["--db", db, "patient", "add", "--name", "<b>Eve</b>", "--condition", "fibromyalgia",
          "--start", "2026-01-01"])
    cli(db, "effect", "--patient", "1", "--date", day(2), "--name", "<script>x</script>",
        "--severity", "2")
    target = tmp_path / "eve.html"
    cli(db, "report", "--patient", "1", "--out", str(target))
    html = target.read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>Eve" not in html and "&lt;b&gt;Eve" in html


def test_pandas_waits_for_the_commands_that_need_it(db: str) -> None:
    """The diary commands and opening the clinic screen never import pandas."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"main(['--db', {db!r}, 'patient', 'add', '--name', 'P', '--condition', 'ms',"
        " '--start', '2026-01-01'])\n"
        f"main(['--db', {db!r}, 'dose', '--patient', 'P', '--date', '2026-01-02',"
        " '--mg', '0.75'])\n"
        "import tracker.services.review, tracker.screens.clinic, tracker.screens.review\n"
        "print('pandas' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_next_step_is_found_beyond_the_four_week_plan(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Capsules: step 3 (nominal 2.25 → 2 mg) began on day 56; step 4 (2.75 mg) is still a 2 mg
    # capsule, so the dose next rises with step 5 (3.25 → 3 mg) on day 98: 41 days from today.
    start = date.fromisoformat(TODAY) - timedelta(days=57)
    cli(db, "patient", "add", "--name", "Bo", "--condition", "MS", "--start", start.isoformat())
    s = summary_json(db, capsys, who="Bo")
    assert s["current_dose_mg"] == 2
    assert s["next_step_date"] == (start + timedelta(days=98)).isoformat()
    assert s["next_step_mg"] == 3
