"""The headless write commands of SPEC §9 on a real SQLite file: accepted, refused, corrected."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import main

TABLES = ("patient", "medication", "chemo_session", "dose_entry", "side_effect_report",
          "clear_day", "symptom_score", "note", "audit_entry", "alert_dismissal")


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def cli(db: Path, *argv: str) -> int:
    return main(["--db", str(db), *argv])


@pytest.fixture
def patient_db(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert cli(db_path, "patient", "add", "--name", "Anna", "--condition", "fibromyalgia",
               "--start", "2026-01-01") == 0
    assert capsys.readouterr().out.strip() == "1"
    return db_path


def test_patient_add_prints_id_and_maps_condition_to_protocol(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(db_path, "patient", "add", "--name", "Bo", "--condition", "Hashimotos thyreoiditis",
               "--start", "2026-03-01") == 0
    assert capsys.readouterr().out.strip() == "1"
    assert cli(db_path, "patient", "add", "--name", "Cy", "--condition", "MELANOMA",
               "--start", "2026-03-01", "--formulation", "liquid", "--concentration", "1,5") == 0
    assert capsys.readouterr().out.strip() == "2"
    assert cli(db_path, "patient", "list", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["protocol"]) for r in rows] == [("Bo", "autoimmune_thyroid"),
                                                          ("Cy", "cancer")]
    assert rows[1]["concentration_mg_ml"] == 1.5
    assert rows[1]["max_mg"] == 6


def test_explicit_protocol_allows_an_unlisted_condition(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(db_path, "patient", "add", "--name", "Di", "--condition", "Long covid",
               "--protocol", "cfs_me", "--start", "2026-03-01") == 0
    assert cli(db_path, "patient", "list") == 0
    out = capsys.readouterr().out
    assert "Long covid,cfs_me" in out


REFUSALS = [
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "0"], "--mg", "above 0"),
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "-1"], "--mg", "above 0"),
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "45"], "--mg", "25 mg"),
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "13"], "--mg", "12 mg"),
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "abc"], "--mg", "number"),
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "nan"], "--mg", "number"),
    (["dose", "--patient", "Anna", "--date", "02/01/2026", "--mg", "1"], "--date", "YYYY-MM-DD"),
    (["dose", "--patient", "Anna", "--date", "2026-02-30", "--mg", "1"], "--date", "calendar"),
    (["dose", "--patient", "Anna", "--date", "9999-12-31", "--mg", "1"], "--date", "2199-12-31"),
    (["dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1", "--time", "25:00"],
     "--time", "23:59"),
    (["dose", "--patient", "Nobody", "--date", "2026-01-02", "--mg", "1"], "--patient",
     "No patient"),
    (["dose", "--patient", "  ", "--date", "2026-01-02", "--mg", "1"], "--patient", "empty"),
    (["effect", "--patient", "Anna", "--date", "2026-01-02", "--name", "headache",
      "--severity", "5"], "--severity", "0 to 4"),
    (["effect", "--patient", "Anna", "--date", "2026-01-02", "--name", "headache",
      "--severity", "-1"], "--severity", "0 to 4"),
    (["effect", "--patient", "Anna", "--date", "2026-01-02", "--name", " ",
      "--severity", "2"], "--name", "empty"),
    (["effect", "--patient", "Anna", "--date", "2026-01-02", "--name", "headache"],
     "--severity", "--none"),
    (["effect", "--patient", "Anna", "--date", "2026-01-02", "--none", "--name", "headache",
      "--severity", "1"], "--none", "cannot be combined"),
    (["score", "--patient", "Anna", "--date", "2026-01-02", "--symptom", "pain",
      "--value", "11"], "--value", "0 to 10"),
    (["score", "--patient", "Anna", "--date", "2026-01-02", "--symptom", "pain",
      "--value", "4.5"], "--value", "0 to 10"),
    (["score", "--patient", "Anna", "--date", "2026-01-02", "--symptom", "",
      "--value", "4"], "--symptom", "empty"),
    (["patient", "add", "--name", " ", "--condition", "MS", "--start", "2026-01-01"],
     "--name", "empty"),
    (["patient", "add", "--name", "X", "--condition", "Unknownitis", "--start", "2026-01-01"],
     "--condition", "Fibromyalgia"),
    (["patient", "add", "--name", "X", "--condition", "melanoma", "--start", "2026-01-01",
      "--target-mg", "7"], "--target-mg", "6 mg"),
    (["patient", "add", "--name", "X", "--condition", "MS", "--start", "2026-01-01",
      "--target-mg", "13"], "--target-mg", "maximum"),
    (["patient", "add", "--name", "X", "--condition", "MS", "--start", "2026-01-01",
      "--step-mg", "2"], "--step-mg", "0.5 or 1"),
    (["patient", "add", "--name", "X", "--condition", "MS", "--start", "2026-01-01",
      "--tolerance-days", "5"], "--tolerance-days", "3 to 4"),
    (["patient", "add", "--name", "X", "--condition", "MS", "--start", "2026-01-01",
      "--protocol", "pediatric"], "--weight-kg", "Weight"),
    (["patient", "add", "--name", "X", "--condition", "MS", "--start", "2026-01-01",
      "--formulation", "liquid"], "--concentration", "mg/ml"),
    (["patient", "add", "--name", "X", "--condition", "MS", "--start", "2026-13-01"],
     "--start", "calendar"),
    (["med", "add", "--patient", "Anna", "--name", "Tramadol", "--from", "2026-02-10",
      "--to", "2026-02-01"], "--to", "on or after"),
    (["chemo", "add", "--patient", "Anna", "--date", "2026-02-10", "--end", "2026-02-01"],
     "--end", "on or after"),
]


@pytest.mark.parametrize(("argv", "field", "allowed"), REFUSALS,
                         ids=[" ".join(r[0][:1] + r[0][-2:]) for r in REFUSALS])
def test_refusal_names_the_field_exits_2_and_writes_nothing(
        patient_db: Path, capsys: pytest.CaptureFixture[str],
        argv: list[str], field: str, allowed: str) -> None:
    before = counts(patient_db)
    with pytest.raises(SystemExit) as exited:
        code = cli(patient_db, *argv)
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert field in err
    assert allowed in err
    assert "Traceback" not in err
    assert counts(patient_db) == before


def test_decimal_comma_and_soft_limit_with_confirmation(
        patient_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(patient_db, "dose", "--patient", "Anna", "--date", "2026-01-02",
               "--mg", "4,5") == 0
    assert cli(patient_db, "dose", "--patient", "1", "--date", "2026-01-03", "--mg", "13",
               "--confirm") == 0
    with sqlite3.connect(patient_db) as conn:
        rows = conn.execute("SELECT day, mg, above_max_confirmed FROM dose_entry "
                            "ORDER BY day").fetchall()
    assert rows == [("2026-01-02", 4.5, 0), ("2026-01-03", 13.0, 1)]


def test_a_second_entry_for_the_same_day_corrects_it_and_keeps_the_old_value(
        patient_db: Path) -> None:
    assert cli(patient_db, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1",
               "--time", "21:05") == 0
    assert cli(patient_db, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "0.75",
               "--reason", "typed the wrong capsule") == 0
    with sqlite3.connect(patient_db) as conn:
        assert conn.execute("SELECT mg, time FROM dose_entry").fetchall() == [(0.75, None)]
        audit = conn.execute(
            "SELECT action, field, old_value, new_value, reason, actor FROM audit_entry "
            "WHERE table_name = 'dose_entry' AND action = 'update' ORDER BY id").fetchall()
    assert ("update", "mg", "1.0", "0.75", "typed the wrong capsule") in \
        [row[:5] for row in audit]
    assert ("update", "time", "21:05", None, "typed the wrong capsule") in \
        [row[:5] for row in audit]
    assert all(row[5] == "patient" for row in audit)  # SPEC §10: the patient role's actor


def test_no_side_effects_today_replaces_earlier_reports_of_that_day(patient_db: Path) -> None:
    assert cli(patient_db, "effect", "--patient", "Anna", "--date", "2026-01-02",
               "--name", "Hovedpine", "--severity", "2") == 0
    assert cli(patient_db, "effect", "--patient", "Anna", "--date", "2026-01-02", "--none") == 0
    with sqlite3.connect(patient_db) as conn:
        assert conn.execute("SELECT name, severity FROM side_effect_report").fetchall() == \
            [("headache", 0)]
        assert conn.execute("SELECT count(*) FROM clear_day").fetchone()[0] == 1
        old = conn.execute("SELECT old_value FROM audit_entry WHERE field = 'severity'")\
            .fetchall()
    assert old == [("2",)]


def test_symptom_names_in_either_language_are_one_symptom(patient_db: Path) -> None:
    assert cli(patient_db, "score", "--patient", "Anna", "--date", "2026-01-02",
               "--symptom", "low mood", "--value", "6") == 0
    assert cli(patient_db, "score", "--patient", "Anna", "--date", "2026-01-02",
               "--symptom", "Nedtrykthed", "--value", "4") == 0
    with sqlite3.connect(patient_db) as conn:
        assert conn.execute("SELECT symptom, value FROM symptom_score").fetchall() == \
            [("low_mood", 4)]


def test_ambiguous_name_asks_for_the_id(db_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        assert cli(db_path, "patient", "add", "--name", "Eva", "--condition", "MS",
                   "--start", "2026-01-01") == 0
    assert cli(db_path, "dose", "--patient", "eva", "--date", "2026-01-02", "--mg", "1") == 2
    assert "ids 1, 2" in capsys.readouterr().err
    assert cli(db_path, "dose", "--patient", "2", "--date", "2026-01-02", "--mg", "1") == 0


def test_database_and_its_wal_are_owner_only(patient_db: Path) -> None:
    assert cli(patient_db, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1") == 0
    for path in (patient_db, Path(f"{patient_db}-wal")):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_danish_messages_from_the_locale(db_path: Path) -> None:
    env = {"LANG": "da_DK.UTF-8", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", str(db_path), "patient", "add", "--name", "X",
         "--condition", "MS", "--start", "2026-01-01", "--step-mg", "3"],
        capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    assert "--step-mg" in result.stderr
    assert "skal være 0,5 eller 1 (fik 3)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("lang", "expected"), [
    ("da_DK.UTF-8", "er en mappe, ikke en databasefil"),
    ("C.UTF-8", "is a directory, not a database file"),
])
def test_a_database_that_cannot_be_opened_is_told_in_the_users_language(
        tmp_path: Path, lang: str, expected: str) -> None:
    env = {"LANG": lang, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "tracker", "--db", str(tmp_path),
                             "patient", "list"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    assert expected in result.stderr and str(tmp_path) in result.stderr
    assert "Traceback" not in result.stderr


def test_an_emptied_note_is_deleted_with_its_text_kept_in_the_audit_trail(
        clinic, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from tracker.services.clinic import CheckIn

    pid = clinic.add_patient(name="N", condition="MS", start=date(2026, 1, 1))
    clinic.check_in(pid, CheckIn(day=date(2026, 1, 2), note="felt dizzy"))
    clinic.check_in(pid, CheckIn(day=date(2026, 1, 2), note="", reason="wrong day"))
    assert clinic.day_entries(pid, date(2026, 1, 2)).note is None
    deleted = [a for a in clinic.audit_trail(pid) if a.action == "delete"]
    assert len(deleted) == 1 and "felt dizzy" in (deleted[0].old_value or "")
    assert deleted[0].reason == "wrong day"


@pytest.mark.parametrize("fails", ["before its row is written", "after its row is written",
                                   "its row refused by the database"])
def test_a_check_in_is_kept_when_its_derived_status_fails_and_the_row_is_never_left_stale(
        clinic, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        fails: str) -> None:
    from datetime import date

    from tracker.services import status
    from tracker.services.clinic import CheckIn, Clinic
    from tracker.validation import today

    pid = clinic.add_patient(name="S", condition="MS", start=date(2026, 1, 1))
    clinic.check_in(pid, CheckIn(day=date(2026, 1, 2), taken=True, mg=0.75))
    [(_info, before)] = clinic.cohort_status(refresh_stale=False)
    assert before.computed_for == today() and before.last_entry == date(2026, 1, 2)
    refresh = status.refresh

    def interrupted(self: Clinic, session: object, *args: object, **kwargs: object) -> None:
        if fails == "after its row is written":
            refresh(session, self.records(session), *args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("the refresh failed after the diary was written")

    if fails == "its row refused by the database":  # the flush fails: the session must recover
        from sqlalchemy.exc import IntegrityError

        from tracker.clinical import flags

        values = flags.status_values
        monkeypatch.setattr(flags, "status_values",
                            lambda *a, **k: {**values(*a, **k), "phase": None})  # NOT NULL
        raised: type[Exception] = IntegrityError
    else:
        monkeypatch.setattr(Clinic, "_refresh_status", interrupted)
        raised = RuntimeError
    with pytest.raises(raised):
        clinic.check_in(pid, CheckIn(day=date(2026, 1, 3), taken=True, mg=0.75, note="kept"))
    monkeypatch.undo()
    kept = clinic.day_entries(pid, date(2026, 1, 3))
    assert kept.taken is True and kept.note == "kept"
    assert clinic.stale_status() == [pid]
    [(_info, after)] = clinic.cohort_status()
    assert after.computed_for == today() and after.last_entry == date(2026, 1, 3)


@pytest.mark.parametrize("command", [["--role", "clinician", "export", "--all"],
                                     ["report", "--patient", "Anna"]])
def test_an_empty_out_path_is_refused_not_taken_as_the_current_directory(
        patient_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    assert cli(patient_db, *command, "--out", " ") == 2
    assert "--out" in capsys.readouterr().err
    assert list(workdir.iterdir()) == []
