"""The two roles on the command line (SPEC §10), through ``tracker.cli.main`` on a real SQLite file.

Each clinician-only action is refused to the patient (the default role, ``--role patient``
before or after the command, ``LDN_TRACKER_ROLE=patient``) with exit status 2 and a message
naming the role it needs, in English and Danish, and the database file is byte for byte what
it was; the same command with the clinician's role is done, and its audit rows say
``clinician:<login>``. The patient's own writes say ``patient``. Every command the parser knows
has a place in the rule (services/roles.py), so a new command cannot slip through unclassified.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.cli.commands import COMMANDS
from tracker.cli.parser import build_parser
from tracker.services.roles import CLINICIAN, ENV_ROLE, NEEDS, PATIENT, PROTOCOL_SETTINGS

TODAY = "2026-01-20"
LOGIN = "dr-jensen"
REFUSED = "needs --role clinician (the role now is patient)"

PROTOCOL_VALUES = {"--target-mg": "3", "--step-mg": "1", "--interval-days": "28",
                   "--tolerance-days": "3", "--weight-kg": "70", "--transplant": "yes"}
# What each clinician-only command line asks, and the action the refusal names.
CLINICIAN_ONLY = [
    pytest.param(["dismiss", "--patient", "Anna", "--code", "missed_doses", "--date",
                  "2026-01-13", "--reason", "doses taken on holiday"], "dismiss", id="dismiss"),
    pytest.param(["export", "--all", "--out", "{out}"], "export --all", id="export-all"),
    *(pytest.param(["patient", "edit", "--patient", "Anna", option, PROTOCOL_VALUES[option],
                    "--reason", "agreed at the visit"], f"patient edit {option}",
                   id=f"edit{option}") for option in PROTOCOL_SETTINGS),
]


@pytest.fixture(autouse=True)
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    monkeypatch.setattr(getpass, "getuser", lambda: LOGIN)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Anna, on the chronic pain protocol from 1 January; doses taken 1–10 and 14–19 January,
    nothing logged 11–13 January (the open alert ``missed_doses`` of 13 January)."""
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    path = tmp_path_factory.mktemp("roles") / "template.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LDN_TRACKER_TODAY", TODAY)
        database = Database(str(path))
        try:
            clinic = Clinic(database, actor="patient")
            anna = clinic.add_patient(name="Anna", condition="fibromyalgia",
                                      start=date(2026, 1, 1))
            for n in [*range(1, 11), *range(14, 20)]:
                clinic.log_dose(anna, date(2026, 1, n), taken=True, mg=0.75)
        finally:
            database.dispose()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> str:
    """A copy of the template, this test's own."""
    path = tmp_path / "diary.db"
    shutil.copyfile(template, path)
    return str(path)


def fingerprint(db: str) -> dict[str, str | None]:
    """The database file and its companions (WAL, shared memory), byte for byte.

    The commands run before in this process leave their engines to the garbage collector,
    whose last close checkpoints the WAL into the file: collected first, so that only the
    command under test can change what is compared.
    """
    gc.collect()
    return {suffix: hashlib.sha256(Path(db + suffix).read_bytes()).hexdigest()
            if Path(db + suffix).exists() else None for suffix in ("", "-wal", "-shm")}


def audit(db: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT actor, action, table_name FROM audit_entry ORDER BY id")\
            .fetchall()


def argv_of(words: list[str], tmp_path: Path) -> list[str]:
    return [w.replace("{out}", str(tmp_path / "export")) for w in words]


# -- refused to the patient ----------------------------------------------------------------------

@pytest.mark.parametrize("how", ["default", "before", "after", "env"])
@pytest.mark.parametrize(("words", "action"), CLINICIAN_ONLY)
def test_a_clinician_only_command_is_refused_to_the_patient_and_writes_nothing(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, words: list[str], action: str, how: str) -> None:
    command = argv_of(words, tmp_path)
    argv = {"default": ["--db", db, *command], "before": ["--db", db, "--role", "patient",
                                                          *command],
            "after": ["--db", db, *command, "--role", "patient"],
            "env": ["--db", db, *command]}[how]
    if how == "env":
        monkeypatch.setenv(ENV_ROLE, "patient")
    before = fingerprint(db)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert f"{action} {REFUSED}" in err
    assert out == ""
    assert fingerprint(db) == before
    assert not (tmp_path / "export").exists()


@pytest.mark.parametrize(("words", "action"), CLINICIAN_ONLY)
def test_the_refusal_is_told_in_danish(db: str, tmp_path: Path, words: list[str], action: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--db", db, "--lang", "da", *argv_of(words, tmp_path))
    assert code == 2
    assert f"{action} kræver --role clinician (rollen er nu patient)" in err


def test_a_refusal_on_a_missing_database_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "typo.db"
    code, _out, err = run(capsys, "--db", str(missing), "dismiss", "--patient", "1", "--code",
                          "missed_doses", "--date", "2026-01-13", "--reason", "x")
    assert code == 2 and f"dismiss {REFUSED}" in err
    assert list(tmp_path.iterdir()) == []


def test_protocol_settings_with_the_informed_day_are_refused_whole(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(db)
    code, _out, err = run(capsys, "--db", db, "patient", "edit", "--patient", "Anna",
                          "--informed", "2026-01-01", "--weight-kg", "70", "--reason", "visit")
    assert code == 2 and f"patient edit --weight-kg {REFUSED}" in err
    assert fingerprint(db) == before


# -- done for the clinician, audited as clinician:<login> ------------------------------------

@pytest.mark.parametrize("how", ["before", "after", "env"])
@pytest.mark.parametrize(("words", "action"), CLINICIAN_ONLY)
def test_a_clinician_only_command_is_done_for_the_clinician(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, words: list[str], action: str, how: str) -> None:
    command = argv_of(words, tmp_path)
    argv = {"before": ["--db", db, "--role", "clinician", *command],
            "after": ["--db", db, *command, "--role", "clinician"],
            "env": ["--db", db, *command]}[how]
    if how == "env":
        monkeypatch.setenv(ENV_ROLE, "clinician")
    rows_before = len(audit(db))
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    new = audit(db)[rows_before:]
    if action == "export --all":
        assert new == [] and (tmp_path / "export" / "doses.csv").exists()
        assert str(tmp_path / "export" / "doses.csv") in out
    else:
        assert new and {row[0] for row in new} == {f"clinician:{LOGIN}"}
        assert {row[2] for row in new} == {"alert_dismissal" if action == "dismiss"
                                           else "patient"}


def test_the_option_decides_over_the_environment(
        db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    dismiss = ["dismiss", "--patient", "Anna", "--code", "missed_doses", "--date", "2026-01-13",
               "--reason", "holiday"]
    monkeypatch.setenv(ENV_ROLE, "clinician")
    code, _out, err = run(capsys, "--db", db, "--role", "patient", *dismiss)
    assert code == 2 and f"dismiss {REFUSED}" in err
    monkeypatch.setenv(ENV_ROLE, "nurse")  # not read at all when the option is given
    assert run(capsys, "--db", db, "--role", "clinician", *dismiss)[0] == 0
    # After the command the option overrides the one before it, as --db and --lang do.
    monkeypatch.delenv(ENV_ROLE)
    code, _out, err = run(capsys, "--db", db, "--role", "clinician", "patient", "edit",
                          "--patient", "Anna", "--target-mg", "2", "--reason", "x",
                          "--role", "patient")
    assert code == 2 and f"patient edit --target-mg {REFUSED}" in err


# -- the patient's own ------------------------------------------------------------------------

def test_the_patient_records_the_informed_day_themselves(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows_before = len(audit(db))
    code, _out, err = run(capsys, "--db", db, "patient", "edit", "--patient", "Anna",
                          "--informed", "2026-01-01", "--reason", "read the information sheet")
    assert code == 0, err
    assert audit(db)[rows_before:] == [("patient", "update", "patient")]


@pytest.mark.parametrize("argv", [
    ["dose", "--patient", "Anna", "--date", "2026-01-20", "--mg", "0.75"],
    ["effect", "--patient", "Anna", "--date", "2026-01-20", "--name", "headache",
     "--severity", "1"],
    ["score", "--patient", "Anna", "--date", "2026-01-20", "--symptom", "pain", "--value", "4"],
    ["med", "add", "--patient", "Anna", "--name", "sertraline"],
    ["chemo", "add", "--patient", "Anna", "--date", "2026-01-20"],
    ["patient", "add", "--name", "Bo", "--condition", "ms", "--start", "2026-01-05"],
], ids=lambda argv: " ".join(argv[:2]))
def test_the_patients_writes_are_audited_as_patient(
        db: str, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    rows_before = len(audit(db))
    code, _out, err = run(capsys, "--db", db, *argv)
    assert code == 0, err
    new = audit(db)[rows_before:]
    assert new and {row[0] for row in new} == {"patient"}


def test_the_same_diary_entry_by_the_clinician_names_them(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows_before = len(audit(db))
    assert run(capsys, "--db", db, "--role", "clinician", "dose", "--patient", "Anna", "--date",
               "2026-01-11", "--mg", "0.75", "--reason", "told at the visit")[0] == 0
    assert {row[0] for row in audit(db)[rows_before:]} == {f"clinician:{LOGIN}"}


@pytest.mark.parametrize("argv", [
    ["plan", "--patient", "Anna"], ["alerts", "--patient", "Anna"],
    ["summary", "--patient", "Anna"], ["patient", "list"], ["verify"],
    ["export", "--patient", "Anna", "--out", "{out}"],
    ["report", "--patient", "Anna", "--out", "{out}.html"],
], ids=lambda argv: argv[0])
def test_the_patient_reads_and_exports_their_own_records(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _out, err = run(capsys, "--db", db, *argv_of(argv, tmp_path))
    assert code == 0, err


# -- a role that is not one ---------------------------------------------------------------------

@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("value", ["nurse", "", "Clinician", "admin"])
def test_an_unknown_role_is_refused_naming_the_option_and_the_roles(
        db: str, capsys: pytest.CaptureFixture[str], where: str, value: str) -> None:
    command = ["dose", "--patient", "Anna", "--date", "2026-01-20", "--mg", "0.75"]
    argv = ["--db", db, "--role", value, *command] if where == "before" else \
        ["--db", db, *command, "--role", value]
    before = fingerprint(db)
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--role must be patient or clinician" in err and repr(value) in err
    assert fingerprint(db) == before


def test_an_unknown_role_in_the_environment_is_refused_too(
        db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ROLE, "superuser")
    before = fingerprint(db)
    code, _out, err = run(capsys, "--db", db, "dose", "--patient", "Anna", "--date",
                          "2026-01-20", "--mg", "0.75")
    assert code == 2
    assert f"{ENV_ROLE} must be patient or clinician (got 'superuser')" in err
    assert "--role" in err
    assert fingerprint(db) == before
    code, _out, err = run(capsys, "--db", db, "--lang", "da", "verify")
    assert code == 2 and "skal være patient eller clinician" in err


def test_the_role_is_offered_before_and_after_every_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    for path in command_paths(build_parser()):
        with pytest.raises(SystemExit):
            main([*path.split(), "--help"])
        assert "--role" in capsys.readouterr().out, path
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--role patient|clinician" in capsys.readouterr().out


# -- the app ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "env", "role"), [
    ([], None, PATIENT), (["--role", "clinician"], None, CLINICIAN),
    ([], "clinician", CLINICIAN), (["--role", "patient"], "clinician", PATIENT),
])
@pytest.mark.parametrize("command", [[], ["demo"]], ids=["app", "demo"])
def test_the_app_opens_in_the_role_chosen(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str], env: str | None,
        role: str, command: list[str]) -> None:
    import tracker.app

    opened: list[tuple[str | None, str]] = []
    entry = "run_demo" if command else "run_app"
    monkeypatch.setattr(tracker.app, entry,
                        lambda target, role: opened.append((target, role)) or 0)
    if env:
        monkeypatch.setenv(ENV_ROLE, env)
    target = str(tmp_path / "app.db")
    assert main(["--db", target, *argv, *command]) == 0
    assert opened == [(target, role)]


def test_a_bad_role_opens_no_app(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import tracker.app

    monkeypatch.setattr(tracker.app, "run_app", lambda *a, **k: pytest.fail("app opened"))
    monkeypatch.setenv(ENV_ROLE, "root")
    assert main([]) == 2
    assert ENV_ROLE in capsys.readouterr().err


# -- every command has a place in the rule ------------------------------------------------------

def command_paths(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    """Every command of the parser, as typed (``dose``, ``patient edit``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                nested = list(command_paths(sub, path))
                yield from nested or [path]


def options_of(parser: argparse.ArgumentParser, path: str) -> set[str]:
    for word in path.split():
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = subs.choices[word]
    return {flag for a in parser._actions for flag in a.option_strings}


def test_every_command_of_the_parser_is_classified() -> None:
    paths = set(command_paths(build_parser()))
    assert {"dose", "dismiss", "patient edit", "export"} <= paths  # the walk finds them
    assert paths - set(NEEDS) == set()
    # The handlers are the same commands (demo is the app's).
    assert {" ".join(w for w in key if w) for key in COMMANDS} == paths - {"demo"}


def test_every_option_the_rule_names_is_an_option_of_its_command() -> None:
    """``export --all``, ``patient edit --target-mg``…: a renamed option would leave the rule
    pointing at nothing, and the action it guarded open."""
    parser = build_parser()
    paths = set(command_paths(parser))
    for action in NEEDS:
        command, _sep, option = action.rpartition(" ")
        if option.startswith("--"):
            assert command in paths, action
            assert option in options_of(parser, command), action


def test_every_setting_patient_edit_changes_is_classified() -> None:
    """A setting added to ``patient edit`` must be given a role: the patient's or not."""
    settings = options_of(build_parser(), "patient edit") - {
        "-h", "--help", "--db", "--lang", "--role", "--patient", "--reason"}
    assert settings == {option.removeprefix("patient edit ") for option in NEEDS
                        if option.startswith("patient edit --")}
