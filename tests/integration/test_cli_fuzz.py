"""Hypothesis against every headless command: exit 0 or 2, never a traceback, and a refused
command (exit 2) writes nothing.

Arguments mix valid values with the slips a tired patient makes (decimal commas, impossible
dates, names that match nobody, text where a number goes), whole random strings, missing
required options and stray extra ones. Paths (``--out``) stay inside the test's directory.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

SETTINGS = settings(max_examples=200, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

ANY_TEXT = st.text(max_size=30)


def mostly(valid: st.SearchStrategy[str], *odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Seven times in ten a plausible value, else an odd one or random text."""
    garbage = st.one_of(*odd, ANY_TEXT)
    return st.integers(0, 9).flatmap(lambda i: valid if i < 7 else garbage)


DATES = mostly(
    st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 4, 30)).map(str),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31)).map(str),
    st.sampled_from(["2026-02-30", "2026-1-5", "05-01-2026", "", "today",
                     "2026-01-01T21:00", "20260101", "0000-00-00", "9999-12-31"]),
)
NUMBERS = mostly(
    st.sampled_from(["0.5", "0.75", "1", "1,5", "2", "3", "4,5", "6"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["45", "25", "25.0001", "1e400", "-0", "nan", "inf", "1_000", "٣",
                     " 2 ", "0x10", "", "1,5,3", "½"]),
)
SMALL_INTS = mostly(st.integers(0, 10).map(str), st.integers(-50, 50).map(str), NUMBERS)
NAMES = mostly(
    st.sampled_from(["Anna", "Bo", "headache", "nausea", "pain", "fatigue", "sertraline",
                     "Ærø", "Clara"]),
    st.sampled_from(["=cmd|' /C calc'!A0", "x" * 300, "", " ", "1", "999", "tramadol",
                     "-name", " anna "]),
)
CONDITIONS = mostly(st.sampled_from(["fibromyalgia", "multiple sclerosis", "Fibromyalgi"]),
                    NAMES)
PATIENTS = mostly(st.sampled_from(["1", "2", "Anna", "bo"]),
                  st.sampled_from(["0", "-1", "1.0", "9223372036854775807", "", "Nobody"]),
                  NAMES)
TIMES = mostly(st.sampled_from(["21:00", "07:05", "8:30"]),
               st.sampled_from(["24:00", "23:60", "2100", "", "21.30"]))
FLAG = None  # an option without a value


def choice(*values: str) -> st.SearchStrategy[str]:
    return mostly(st.sampled_from(values))


# command words -> (required options, optional options); each option's values.
COMMANDS: dict[tuple[str, ...], tuple[dict[str, object], dict[str, object]]] = {
    ("patient", "add"): (
        {"--name": NAMES, "--condition": CONDITIONS, "--start": DATES},
        {"--protocol": choice("autoimmune", "chronic_pain", "cancer", "pediatric"),
         "--weight-kg": NUMBERS, "--formulation": choice("capsule", "liquid"),
         "--concentration": NUMBERS, "--step-mg": NUMBERS, "--tolerance-days": SMALL_INTS,
         "--target-mg": NUMBERS, "--interval-days": SMALL_INTS, "--transplant": FLAG,
         "--informed": DATES}),
    ("patient", "list"): ({}, {"--format": choice("csv", "json")}),
    ("patient", "edit"): (
        {"--patient": PATIENTS},
        {"--informed": DATES, "--weight-kg": NUMBERS, "--target-mg": NUMBERS,
         "--step-mg": NUMBERS, "--interval-days": SMALL_INTS, "--tolerance-days": SMALL_INTS,
         "--transplant": choice("yes", "no"), "--reason": NAMES}),
    ("med", "add"): ({"--patient": PATIENTS, "--name": NAMES},
                     {"--from": DATES, "--to": DATES}),
    ("med", "end"): ({"--patient": PATIENTS, "--name": NAMES, "--to": DATES}, {}),
    ("med", "list"): ({"--patient": PATIENTS}, {"--format": choice("csv", "json")}),
    ("chemo", "add"): ({"--patient": PATIENTS, "--date": DATES}, {"--end": DATES}),
    ("dose",): ({"--patient": PATIENTS, "--date": DATES},
                {"--mg": NUMBERS, "--skipped": FLAG, "--time": TIMES, "--confirm": FLAG,
                 "--reason": NAMES}),
    ("effect",): ({"--patient": PATIENTS, "--date": DATES},
                  {"--name": NAMES, "--severity": SMALL_INTS, "--none": FLAG, "--reason": NAMES}),
    ("score",): ({"--patient": PATIENTS, "--date": DATES, "--symptom": NAMES,
                  "--value": SMALL_INTS}, {"--reason": NAMES}),
    ("plan",): ({"--patient": PATIENTS},
                {"--from": DATES, "--to": DATES, "--format": choice("csv", "json")}),
    ("alerts",): ({"--patient": PATIENTS}, {"--format": choice("csv", "json"), "--all": FLAG}),
    ("dismiss",): ({"--patient": PATIENTS, "--code": choice("side_effect_reduce", "x"),
                    "--date": DATES, "--reason": NAMES}, {}),
    ("summary",): ({"--patient": PATIENTS}, {"--format": choice("json", "text")}),
    ("export",): ({}, {"--patient": PATIENTS, "--all": FLAG,
                       "--dialect": choice("standard", "excel-da")}),
    ("report",): ({"--patient": PATIENTS}, {}),
    ("verify",): ({}, {}),
}
OUT_COMMANDS = {("export",), ("report",)}


@st.composite
def argvs(draw: st.DrawFn, out_choices: list[str]) -> list[str]:
    words = draw(st.sampled_from(sorted(COMMANDS)))
    required, optional = COMMANDS[words]
    argv: list[str] = []
    if draw(st.booleans()):
        argv += ["--lang", draw(choice("en", "da"))]
    if draw(st.integers(0, 9)) < 7:  # else the patient's default: the clinician's are refused
        argv += ["--role", draw(choice("clinician", "patient"))]
    argv += list(words)
    options = [(flag, values, 0.97) for flag, values in required.items()]
    options += [(flag, values, 0.35) for flag, values in optional.items()]
    if words in OUT_COMMANDS:
        options.append(("--out", st.sampled_from(out_choices), 0.93))
    for flag, values, chance in options:
        if draw(st.floats(0, 1)) >= chance:
            continue
        argv.append(flag)
        if values is not FLAG:
            argv.append(draw(values))  # type: ignore[arg-type]
    if draw(st.integers(0, 19)) == 0:
        argv.append(draw(st.sampled_from(["--bogus", "extra", "--patient", "-h2", "--mg=1"])))
    return argv


def _contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        conn.close()


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help exits 0, bad usage 2
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "fuzz.db"
    db = Database(str(path))
    clinic = Clinic(db, actor="patient:fuzz")
    anna = clinic.add_patient(name="Anna", condition="fibromyalgia", start=date(2026, 1, 1))
    clinic.add_patient(name="Bo", condition="multiple sclerosis", start=date(2026, 1, 5),
                       formulation="liquid", concentration_mg_ml=1)
    clinic.check_in(anna, CheckIn(day=date(2026, 1, 2), taken=True, mg=0.75,
                                  effects={"headache": 3}, scores={"pain": 6}))
    clinic.add_medication(anna, "sertraline")
    db.dispose()
    yield path


def _out_choices(tmp_path: Path) -> list[str]:
    afile = tmp_path / "a-file"
    afile.write_text("not a directory")
    return [str(tmp_path / "out"), str(tmp_path / "out" / "deep" / "report.html"), str(afile),
            str(afile / "below"), str(tmp_path), "", str(tmp_path / "r.html")]


def test_every_command_in_process(seeded: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-03-01")
    monkeypatch.chdir(tmp_path)  # a relative path written by mistake stays in the test
    monkeypatch.delenv("LDN_TRACKER_DB", raising=False)
    seen: dict[int, int] = {}

    @SETTINGS
    @given(argv=argvs(_out_choices(tmp_path)))
    def check(argv: list[str]) -> None:
        before = _contents(seeded)
        code, err = _run(["--db", str(seeded), *argv])
        seen[code] = seen.get(code, 0) + 1
        assert "Traceback" not in err, (argv, err)
        assert code in (0, 2), (argv, code, err)
        if code == 2:
            assert _contents(seeded) == before, argv
            assert err.strip(), "a refusal says why"

    check()
    print(f"\nexit statuses over the examples: {seen}")
    assert seen.get(0) and seen.get(2), seen  # both paths were exercised
    # Whatever was accepted kept the file sound and the audit chain whole.
    conn = sqlite3.connect(seeded)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    db = Database(str(seeded))
    assert Clinic(db).verify_audit().ok
    db.dispose()


@pytest.mark.slow
def test_a_few_commands_as_real_processes(seeded: Path, tmp_path: Path, h) -> None:
    """The installed entry point, stdin closed: no traceback, exit 0 or 2, 2 writes nothing."""

    @settings(max_examples=8, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(argv=argvs(_out_choices(tmp_path)))
    def check(argv: list[str]) -> None:
        if any("\x00" in a for a in argv):
            return  # a process argument cannot hold NUL
        before = _contents(seeded)
        done = h.run_cli("--db", str(seeded), *argv)
        assert "Traceback" not in done.stderr, (argv, done.stderr)
        assert done.returncode in (0, 2), (argv, done.returncode, done.stderr)
        if done.returncode == 2:
            assert _contents(seeded) == before, argv

    check()


@pytest.mark.parametrize("argv", [
    ["dose", "--patient", "Anna", "--date", "2026-01-03", "--mg", "45"],
    ["dose", "--patient", "Anna", "--date", "2026-02-30", "--mg", "1"],
    ["dose", "--patient", "Nobody", "--date", "2026-01-03", "--mg", "1"],
    ["score", "--patient", "1", "--date", "2026-01-03", "--symptom", "pain", "--value", "11"],
    ["effect", "--patient", "1", "--date", "2026-01-03", "--none", "--name", "x"],
    ["patient", "add", "--name", "", "--condition", "fibromyalgia", "--start", "2026-01-01"],
    ["med", "add", "--patient", "1", "--name", "x", "--from", "2026-02-01", "--to",
     "2026-01-01"],
])
def test_known_refusals_write_nothing(seeded: Path, argv: list[str]) -> None:
    before = _contents(seeded)
    code, err = _run(["--db", str(seeded), *argv])
    assert code == 2 and err.strip() and "Traceback" not in err
    assert _contents(seeded) == before


def test_a_patient_id_beyond_64_bits_is_a_plain_refusal(seeded: Path) -> None:
    code, err = _run(["--db", str(seeded), "alerts", "--patient", "99999999999999999999"])
    assert code == 2 and "Traceback" not in err
    assert "No patient with id or name 99999999999999999999" in err
