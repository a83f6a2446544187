"""Files, numbers and URLs as a careless user gives them (SPEC §9, issue 12).

Each test is a case that went wrong before: a read-only database chmodded to 0600 and written;
a text file given as ``--db`` left 0600; ``verify`` on a typo creating an empty database and
calling it intact; ``--db ""`` writing into the default database; a newer schema backed up on
every call; other scripts' digits taken as doses, severities and ids; 27-digit numbers and a
missing driver ending in "internal error"; ``foo://x`` told as a refused change; ``export`` and
``report`` naming paths the user never typed. On a real SQLite file, and on the PostgreSQL server
where the case exists there.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tracker.cli import main
from tracker.services.clinic import Clinic
from tracker.storage.database import Database, DatabaseError

READ_ONLY = 0o444


def cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``ldn-tracker --role clinician ARGS`` in-process: (exit status, stdout, stderr). The
    clinician may run every command, so what is refused here is refused for the file's sake."""
    capsys.readouterr()
    try:
        code = main(["--role", "clinician", *args])
    except SystemExit as exc:  # argparse's refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def everything_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def anna(tmp_path: Path, h) -> Path:
    """A database with one patient and one logged day, closed (no -wal or -shm left)."""
    path = tmp_path / "anna.db"
    db = Database(str(path))
    clinic = Clinic(db, actor="patient:test")
    pid = h.add_patient(clinic, "Anna", informed_on=date(2026, 1, 1))
    clinic.log_dose(pid, date(2026, 1, 1), taken=True, mg=0.75)
    db.dispose()
    assert everything_in(tmp_path) == {"anna.db"}
    return path


READING = [
    ("patient", "list"),
    ("med", "list", "--patient", "1"),
    ("plan", "--patient", "1", "--to", "2026-01-10"),
    ("alerts", "--patient", "1"),
    ("summary", "--patient", "1"),
    ("export", "--patient", "1", "--out", "{tmp}/out"),
    ("export", "--all", "--out", "{tmp}/out-all"),
    ("report", "--patient", "1", "--out", "{tmp}/report.html"),
    ("verify",),
]
WRITING = [
    ("dose", "--patient", "1", "--date", "2026-01-02", "--mg", "0.75"),
    ("effect", "--patient", "1", "--date", "2026-01-02", "--none"),
    ("score", "--patient", "1", "--date", "2026-01-02", "--symptom", "pain", "--value", "3"),
    ("med", "add", "--patient", "1", "--name", "sertraline"),
    ("chemo", "add", "--patient", "1", "--date", "2026-01-02"),
    ("patient", "add", "--name", "Bo", "--condition", "fibromyalgia", "--start", "2026-01-01"),
    ("patient", "edit", "--patient", "1", "--target-mg", "3", "--reason", "r"),
    ("dismiss", "--patient", "1", "--code", "missed_doses", "--date", "2026-01-02",
     "--reason", "r"),
]


def filled(args: tuple[str, ...], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in args]


# -- a file is never chmodded -------------------------------------------------------------------

@pytest.mark.parametrize("args", WRITING, ids=lambda a: " ".join(a[:2]))
def test_a_read_only_database_refuses_writes_and_keeps_its_mode(
        anna: Path, tmp_path: Path, args: tuple[str, ...],
        capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(anna, READ_ONLY)
    before = digest(anna)
    code, _, err = cli("--db", str(anna), *filled(args, tmp_path), capsys=capsys)
    assert code == 2, err
    assert "read-only" in err and "nothing was written" in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert mode(anna) == READ_ONLY  # before: chmodded to 0600 and written into
    assert digest(anna) == before


@pytest.mark.parametrize("args", READING, ids=lambda a: " ".join(a[:2]))
def test_reading_commands_work_on_a_read_only_database(
        anna: Path, tmp_path: Path, args: tuple[str, ...],
        capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(anna, READ_ONLY)
    before = digest(anna)
    code, out, err = cli("--db", str(anna), *filled(args, tmp_path), capsys=capsys)
    assert code == 0, err
    assert out
    assert mode(anna) == READ_ONLY and digest(anna) == before
    # Read as immutable: no -shm made with the file's 0444 mode, which would make every write
    # fail once the owner makes the file writable again.
    assert everything_in(tmp_path) & {"anna.db-shm", "anna.db-wal"} == set()


def test_a_read_only_database_is_writable_again_once_its_owner_says_so(
        anna: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(anna, READ_ONLY)
    assert cli("--db", str(anna), "plan", "--patient", "1", capsys=capsys)[0] == 0
    os.chmod(anna, 0o600)
    code, _, err = cli("--db", str(anna), "dose", "--patient", "1", "--date", "2026-01-02",
                       "--mg", "0.75", capsys=capsys)
    assert code == 0, err


def test_the_clinic_on_a_read_only_file_reads_and_refuses_every_write(anna: Path) -> None:
    os.chmod(anna, READ_ONLY)
    db = Database(str(anna))
    try:
        assert db.read_only
        clinic = Clinic(db, actor="patient:test")
        assert [p.name for p in clinic.list_patients()] == ["Anna"]
        assert clinic.verify_audit().ok
        with pytest.raises(DatabaseError, match="read-only"):
            clinic.log_dose(1, date(2026, 1, 3), taken=True, mg=0.75)
    finally:
        db.dispose()
    assert mode(anna) == READ_ONLY


def test_read_only_means_no_write_bit_even_for_root(anna: Path) -> None:
    """Root passes every permission check: the mode bits decide (docs/storage.md)."""
    from tracker.storage.locations import writable

    os.chmod(anna, 0o600)
    assert writable(anna)
    os.chmod(anna, 0o400)
    assert not writable(anna)  # true for root too, whom os.access alone would let write


def test_a_read_only_database_of_an_older_schema_is_refused_untouched(
        anna: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(str(anna))
    db.downgrade("0001_initial")
    db.dispose()
    os.chmod(anna, READ_ONLY)
    before = digest(anna)
    code, _, err = cli("--db", str(anna), "patient", "list", capsys=capsys)
    assert code == 2
    assert "read-only" in err and "older version" in err, err
    assert digest(anna) == before and mode(anna) == READ_ONLY
    assert not list(anna.parent.glob("*.bak"))


@pytest.mark.parametrize("command", [READING[0], WRITING[0]], ids=["reading", "writing"])
def test_a_text_file_given_as_db_is_refused_and_left_as_it_was(
        tmp_path: Path, command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n")
    os.chmod(notes, 0o644)
    code, _, err = cli("--db", str(notes), *command, capsys=capsys)
    assert code == 2
    assert "not a database" in err, err
    assert mode(notes) == 0o644  # before: left chmodded to 0600
    assert notes.read_text() == "my own notes\n"


# -- a command that only reads creates nothing --------------------------------------------------

@pytest.mark.parametrize("args", READING, ids=lambda a: " ".join(a[:2]))
def test_reading_commands_on_a_missing_path_exit_2_and_create_nothing(
        tmp_path: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder" / "typo.db"
    code, out, err = cli("--db", str(missing), *filled(args, tmp_path), capsys=capsys)
    assert code == 2, (out, err)
    assert "There is no database at" in err and str(missing) in err, err
    assert "intact" not in out  # before: "Audit trail intact: 0 rows", exit 0
    assert everything_in(tmp_path) == set()  # not the file, not its folder, no export


def test_a_reading_command_on_an_empty_file_creates_no_schema(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    code, _, err = cli("--db", str(empty), "verify", capsys=capsys)
    assert code == 2 and "There is no database at" in err, err
    assert empty.stat().st_size == 0


def test_a_writing_command_still_creates_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new" / "diary.db"
    code, _, err = cli("--db", str(new), *WRITING[5], capsys=capsys)
    assert code == 0, err
    assert mode(new) == 0o600 and mode(new.parent) == 0o700


@pytest.mark.postgres
def test_a_reading_command_on_an_empty_server_database_creates_no_tables(
        pg_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli("--db", pg_database, "verify", capsys=capsys)
    assert code == 2 and "There is no database at" in err, err
    engine = create_engine(pg_database)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


# -- --db "" -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["", "   "])
@pytest.mark.parametrize("command", [WRITING[5], READING[0], ("demo",)],
                         ids=["writing", "reading", "demo"])
def test_an_empty_db_option_is_refused(value: str, command: tuple[str, ...],
                                       capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.app

    def no_app(target: str | None) -> int:
        raise AssertionError(f"the app opened on {target!r}")

    monkeypatch.setattr(tracker.app, "run_app", no_app)
    monkeypatch.setattr(tracker.app, "run_demo", no_app)
    default = Path(os.environ["LDN_TRACKER_DB"])
    code, _, err = cli("--db", value, *command, capsys=capsys)
    assert code == 2
    assert "--db must not be empty" in err, err
    assert not default.exists()  # before: written into the default database


def test_an_empty_environment_variable_means_unset(tmp_path: Path, h) -> None:
    data = tmp_path / "data"
    env = h.child_env(LDN_TRACKER_DB="", XDG_DATA_HOME=str(data))
    done = h.run_cli(*WRITING[5], env=env)
    assert done.returncode == 0, done.stderr
    assert (data / "ldn-tracker" / "ldn-tracker.db").is_file()


# -- a newer schema ------------------------------------------------------------------------------

def test_a_database_from_a_newer_version_is_refused_untouched_without_a_backup(
        anna: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    with sqlite3.connect(anna) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.close()
    before, before_mode = digest(anna), mode(anna)
    for args in (WRITING[0], READING[-1], WRITING[0]):
        code, _, err = cli("--db", str(anna), *args, capsys=capsys)
        assert code == 2
        assert "made by a newer version of ldn-tracker" in err, err
        assert "0099_from_the_future" in err
    assert digest(anna) == before and mode(anna) == before_mode
    assert not list(anna.parent.glob("*.bak"))  # before: a full copy on every call


@pytest.mark.postgres
def test_a_server_database_from_a_newer_version_is_refused_untouched(
        pg_database: str, capsys: pytest.CaptureFixture[str], h) -> None:
    db = Database(pg_database)
    h.add_patient(Clinic(db, actor="test"))
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    before = h.table_contents(db)
    db.dispose()
    code, _, err = cli("--db", pg_database, *WRITING[0], capsys=capsys)
    assert code == 2 and "made by a newer version of ldn-tracker" in err, err
    engine_db = Database(pg_database, migrate=False)
    try:
        assert h.table_contents(engine_db) == before
    finally:
        engine_db.dispose()


def test_an_older_writable_database_is_still_upgraded_with_its_backup(
        anna: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(str(anna))
    db.downgrade("0001_initial")
    db.dispose()
    code, out, err = cli("--db", str(anna), "patient", "list", capsys=capsys)
    assert code == 0, err
    assert "Anna" in out
    assert len(list(anna.parent.glob("anna.db.pre-upgrade-*.bak"))) == 1


# -- URLs and drivers ----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["foo://x", "://nothing", "mysql://u@h/db",
                                 "postgresql+psycopg2://u@h/db"])
def test_a_url_that_is_no_database_ldn_tracker_can_use_says_so(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli("--db", url, "patient", "list", capsys=capsys)
    assert code == 2
    assert "is not a database URL ldn-tracker can use" in err, err
    assert "sqlite:///" in err and "postgresql://" in err and "postgresql+psycopg://" in err
    assert "refused the change" not in err


HIDE_PSYCOPG = """
import sys
sys.modules["psycopg"] = None  # as if never installed: `import psycopg` fails
from tracker.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_a_missing_postgresql_driver_says_which_package_to_install(h) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HIDE_PSYCOPG, "--db", "postgresql://clinic@127.0.0.1:1/ldn",
         "patient", "list"], capture_output=True, text=True, env=h.child_env(), cwd=h.root,
        timeout=60)
    assert done.returncode == 2, done.stderr
    assert "pip install 'ldn-tracker[postgres]'" in done.stderr
    assert "psycopg" in done.stderr
    assert "internal error" not in done.stderr and "ModuleNotFoundError" not in done.stderr


def test_an_unreachable_server_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 1 on loopback: nothing listens there.
    code, _, err = cli("--db", "postgresql://clinic@127.0.0.1:1/ldn", "patient", "list",
                       capsys=capsys)
    assert code == 2
    assert "Cannot connect to the database server of postgresql://clinic@127.0.0.1:1/ldn" \
        in err, err


@pytest.mark.parametrize("url", ["postgresql://clinic:s3cret@127.0.0.1:1/ldn",
                                 "foo://clinic:s3cret@host/ldn", "://clinic:s3cret@host"])
def test_a_password_in_a_url_is_never_shown(url: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli("--db", url, "verify", capsys=capsys)
    assert code == 2 and "s3cret" not in err, err


# -- paths in messages ---------------------------------------------------------------------------

def test_export_into_a_file_says_it_is_not_a_folder(
        anna: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "export.csv"
    target.write_text("keep me\n")
    before = everything_in(tmp_path)
    for who in (("--all",), ("--patient", "1")):
        code, _, err = cli("--db", str(anna), "export", *who, "--out", str(target),
                           capsys=capsys)
        assert code == 2
        assert f"--out: {target} is a file, not a folder" in err, err
    assert target.read_text() == "keep me\n"
    assert everything_in(tmp_path) == before


def test_report_into_a_folder_says_a_file_name_is_needed(
        anna: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code, _, err = cli("--db", str(anna), "report", "--patient", "1", "--out", str(folder),
                       capsys=capsys)
    assert code == 2
    assert f"--out: {folder} is a folder: give a file name" in err, err
    assert str(folder / "report.html") in err
    assert ".tmp" not in err  # before: the temporary file's name, never typed by the user
    assert list(folder.iterdir()) == []


# -- numbers as every command takes them ---------------------------------------------------------

BAD_NUMBERS = ["٤٫٥", "٣", "４", "１.５", "1e309", "inf", "nan",
               "123456789012345678901234567", "0 5", "1_0"]
DECIMAL_FLAGS = {  # flag -> the command that takes it, and the range its message names
    "--mg": (("dose", "--patient", "1", "--date", "2026-01-02"), "above 0 and at most 25 mg"),
    "--weight-kg": (WRITING[5], "above 0 and at most 400 kg"),
    "--concentration": ((*WRITING[5], "--formulation", "liquid"),
                        "above 0 and at most 25 mg/ml"),
    "--step-mg": (WRITING[5], "of 0.5 or 1 mg"),
    "--target-mg": (WRITING[5], "above 0 and at most 25 mg"),
}
WHOLE_FLAGS = {
    "--severity": (("effect", "--patient", "1", "--date", "2026-01-02", "--name", "headache"),
                   "from 0 to 4"),
    "--value": (("score", "--patient", "1", "--date", "2026-01-02", "--symptom", "pain"),
                "from 0 to 10"),
    "--interval-days": (WRITING[5], "from 1 to 365"),
    "--tolerance-days": (WRITING[5], "from 3 to 4"),
}
EDIT = ("patient", "edit", "--patient", "1", "--reason", "r")


@pytest.fixture
def counts(anna: Path, h) -> Iterator[dict[str, int]]:
    db = Database(str(anna))
    yield h.table_counts(db)
    db.dispose()


def _assert_nothing_written(anna: Path, before: dict[str, int], h) -> None:
    db = Database(str(anna))
    try:
        assert h.table_counts(db) == before
    finally:
        db.dispose()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_every_decimal_flag_refuses_what_is_no_number_naming_it_and_its_range(
        anna: Path, counts: dict[str, int], value: str, capsys: pytest.CaptureFixture[str],
        h) -> None:
    cases = [(flag, command, allowed) for flag, (command, allowed) in DECIMAL_FLAGS.items()]
    cases += [(flag, EDIT, allowed) for flag, (_, allowed) in DECIMAL_FLAGS.items()
              if flag in ("--weight-kg", "--step-mg", "--target-mg")]
    for flag, command, allowed in cases:
        code, _, err = cli("--db", str(anna), *command, flag, value, capsys=capsys)
        assert code == 2, (flag, value, err)
        assert f"{flag} must be a number {allowed}" in err, (flag, value, err)
        assert "internal error" not in err
    _assert_nothing_written(anna, counts, h)


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "3.0", pytest.param("1" + "0" * 5000,
                                                                     id="5001 digits")])
def test_every_whole_number_flag_refuses_what_is_no_whole_number(
        anna: Path, counts: dict[str, int], value: str, capsys: pytest.CaptureFixture[str],
        h) -> None:
    cases = [(flag, command, allowed) for flag, (command, allowed) in WHOLE_FLAGS.items()]
    cases += [("--interval-days", EDIT, "from 1 to 365"), ("--tolerance-days", EDIT,
                                                           "from 3 to 4")]
    for flag, command, allowed in cases:
        code, _, err = cli("--db", str(anna), *command, flag, value, capsys=capsys)
        assert code == 2, (flag, value[:30], err)
        assert f"{flag} must be a whole number {allowed}" in err, (flag, value[:30], err)
    _assert_nothing_written(anna, counts, h)


@pytest.mark.parametrize("ref", ["١", "１", "1" * 27, "+1", "1.0", "１٫"])
def test_patient_ids_are_ascii_digits(anna: Path, ref: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli("--db", str(anna), "plan", "--patient", ref, capsys=capsys)
    assert code == 2  # before: "١" and "１" were patient 1
    assert "--patient: No patient with id or name" in err, err


@pytest.mark.parametrize("value", ["7", "0", "99999999999999"])
def test_patient_edit_checks_a_new_step_as_patient_add_does(
        anna: Path, counts: dict[str, int], value: str, capsys: pytest.CaptureFixture[str],
        h) -> None:
    code, _, err = cli("--db", str(anna), *EDIT, "--step-mg", value, capsys=capsys)
    assert code == 2  # before: 7 mg steps stored; the biggest, "the database refused"
    assert "--step-mg: Step must be 0.5 or 1 mg" in err, err
    _assert_nothing_written(anna, counts, h)


def test_well_written_numbers_are_still_taken(
        anna: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for mg, day in (("0,5", "02"), (" 1.5 ", "03"), ("+1", "04"), ("0.75", "05")):
        code, _, err = cli("--db", str(anna), "dose", "--patient", "1", "--date",
                           f"2026-01-{day}", "--mg", mg, capsys=capsys)
        assert code == 0, (mg, err)
    code, _, err = cli("--db", str(anna), *EDIT, "--step-mg", "0.5", "--weight-kg", "70,5",
                       capsys=capsys)
    assert code == 0, err
