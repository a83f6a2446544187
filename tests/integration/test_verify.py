"""``ldn-tracker verify`` as SPEC §9 says: the chain, the records replayed from the trail, the
append-only triggers, and ``--anchor FILE``; exit 0 intact, 1 broken (what and where, on
stdout), 2 could not check.

Everything is written by the product (``tracker.cli.main``, the Clinic where no command exists)
and changed behind its back with plain SQL. The kinds of change and the counts are in
``test_tamper_matrix.py``; here: the product's own writes replay to the tables on both engines
(deletions, a reused row id, corrections), what the output says and in which language, the
anchor file's life, PostgreSQL's triggers, and the bench generator's clinic.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.cli import main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-02-01"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    monkeypatch.delenv("LDN_TRACKER_DB", raising=False)
    yield
    from tracker.i18n import set_language

    set_language("en")


def _cli(*argv: str, role: str | None = None) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if role:
            mp.setenv("LDN_TRACKER_ROLE", role)
        assert main(list(argv)) == 0, argv


def _verify(target: str, capsys: pytest.CaptureFixture[str], *extra: str,
            lang: str | None = None) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", target, *(["--lang", lang] if lang else []), "verify", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    return code, out, err


def _seed(target: str) -> None:
    """Every kind of write the product makes, corrections and deletions included."""
    _cli("--db", target, "patient", "add", "--name", "Anna", "--condition", "fibromyalgia",
         "--start", "2026-01-01")
    _cli("--db", target, "patient", "add", "--name", "Bo", "--condition", "melanoma",
         "--start", "2026-01-01", "--formulation", "liquid", "--concentration", "1")
    for day in range(1, 5):
        _cli("--db", target, "dose", "--patient", "Anna", "--date", f"2026-01-0{day}", "--mg",
             "0.75", "--time", "21:00")
    _cli("--db", target, "dose", "--patient", "Anna", "--date", "2026-01-05", "--skipped")
    _cli("--db", target, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1.5",
         "--reason", "typed the wrong dose")
    _cli("--db", target, "dose", "--patient", "Anna", "--date", "2026-01-05", "--mg", "0.75",
         "--reason", "took it after all")
    _cli("--db", target, "score", "--patient", "Anna", "--date", "2026-01-01", "--symptom",
         "pain", "--value", "6")
    _cli("--db", target, "score", "--patient", "Anna", "--date", "2026-01-01", "--symptom",
         "pain", "--value", "5", "--reason", "misread the scale")
    # A clear day, removed by a side effect reported later (an audited delete), then marked
    # again: on SQLite the new row takes the deleted row's id, so the trail says insert,
    # delete, insert for one row id.
    _cli("--db", target, "effect", "--patient", "Anna", "--date", "2026-01-03", "--none")
    _cli("--db", target, "effect", "--patient", "Anna", "--date", "2026-01-03", "--name",
         "headache", "--severity", "2", "--reason", "remembered it")
    _cli("--db", target, "effect", "--patient", "Anna", "--date", "2026-01-03", "--none",
         "--reason", "it passed")  # the headache set to 0, the clear day back
    database = Database(target)
    clinic = Clinic(database, actor="patient:test")
    clinic.check_in(1, CheckIn(day=date(2026, 1, 4), note="slept badly"))
    clinic.check_in(1, CheckIn(day=date(2026, 1, 4), note="slept badly, then well"))
    clinic.check_in(1, CheckIn(day=date(2026, 1, 2), note="forgot"))
    clinic.check_in(1, CheckIn(day=date(2026, 1, 2), note="", reason="not worth noting"))
    clinic.update_patient(2, reason="weighed", weight_kg=71.5)
    database.dispose()
    _cli("--db", target, "med", "add", "--patient", "Anna", "--name", "Tramadol", "--from",
         "2026-01-10", "--to", "2026-01-12")
    _cli("--db", target, "med", "add", "--patient", "Anna", "--name", "sertraline")
    _cli("--db", target, "med", "end", "--patient", "Anna", "--name", "sertraline", "--to",
         "2026-01-25")
    _cli("--db", target, "chemo", "add", "--patient", "Bo", "--date", "2026-01-10", "--end",
         "2026-01-12")
    _cli("--db", target, "dismiss", "--patient", "Anna", "--code", "information_pending",
         "--date", "2026-01-01", "--reason", "told at the visit", role="clinician")
    _cli("--db", target, "patient", "edit", "--patient", "Anna", "--target-mg", "3",
         "--tolerance-days", "3", "--informed", "2026-01-01", "--transplant", "yes",
         "--reason", "visit", role="clinician")


def _sql(target: str, *statements: str) -> None:
    """Plain SQL behind the app's back (a SQLite file, or the server as the test's role)."""
    if "://" not in target:
        db = sqlite3.connect(target)
        with db:
            for statement in statements:
                db.execute(statement)
        db.close()
        return
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


# -- the product's own writes replay to the tables -------------------------------------

def test_every_kind_of_write_replays_to_the_tables(db_target: str, capsys) -> None:
    _seed(db_target)
    code, out, err = _verify(db_target, capsys)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].startswith("Audit trail intact: ") and "hash chain verified" in lines[0]
    assert "Every record agrees with the audit trail" in lines[1] and "9 tables" in lines[1]
    assert "patient_status is derived" in lines[1]
    assert lines[2] == "The append-only triggers are in place and enabled."
    db = Database(db_target)
    try:
        with db.engine.connect() as conn:
            deletes = conn.execute(text("SELECT count(*) FROM audit_entry "
                                        "WHERE action = 'delete'")).scalar_one()
            updates = conn.execute(text("SELECT count(*) FROM audit_entry "
                                        "WHERE action = 'update'")).scalar_one()
    finally:
        db.dispose()
    assert deletes >= 2 and updates >= 8  # the replay saw deletions and corrections


def test_a_reused_row_id_replays(tmp_path: Path, capsys) -> None:
    """SQLite gives a new row the id of a deleted last row: insert, delete, insert, one id."""
    target = str(tmp_path / "clinic.db")
    _seed(target)
    db = sqlite3.connect(target)
    history = db.execute("SELECT action FROM audit_entry WHERE table_name = 'clear_day' "
                         "AND row_id = 1 ORDER BY id").fetchall()
    db.close()
    assert history == [("insert",), ("delete",), ("insert",)]
    assert _verify(target, capsys)[0] == 0


# -- what it says, and where -------------------------------------------------------------

def test_a_broken_record_is_told_on_stdout_with_exit_1(tmp_path: Path, capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    _sql(target, "UPDATE dose_entry SET mg = 2.25 WHERE day = '2026-01-03'")
    code, out, err = _verify(target, capsys)
    assert code == 1
    assert err == ""
    assert out.splitlines()[0] == "Not intact. Problems found: 1."
    assert ("- dose_entry row 3 (patient 1, 2026-01-03): mg is 2.25, but the audit trail says "
            "0.75") in out


def test_the_report_is_in_the_users_language(tmp_path: Path, capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    code, out, _err = _verify(target, capsys, lang="da")
    assert code == 0
    assert "Revisionssporet er intakt" in out and "revisionssporet" in out.lower()
    assert "Every record" not in out
    _sql(target, "UPDATE symptom_score SET value = 9",
         "DROP TRIGGER audit_entry_no_delete")
    code, out, _err = _verify(target, capsys, lang="da")
    assert code == 1
    assert "Ikke intakt" in out
    assert "symptom_score række 1 (patient 1, 2026-01-01): value er 9" in out
    assert "audit_entry_no_delete" in out and "mangler" in out


def test_many_differences_are_listed_then_counted(tmp_path: Path, capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    _sql(target, *[f"INSERT INTO symptom_score (patient_id, day, symptom, value, uuid) VALUES "
                   f"(2, '2026-01-{d:02d}', 'pain', 3, '{uuid.uuid4()}')" for d in range(1, 31)],
         "UPDATE dose_entry SET time = '22:00'")
    code, out, _err = _verify(target, capsys)
    assert code == 1
    listed = [line for line in out.splitlines() if line.startswith("- ")]
    assert len(listed) == 20
    assert "Problems found: 35." in out  # 30 rows added, 5 times changed
    assert "... and 15 more records that differ from the audit trail (per table: " in out
    assert "symptom_score 30" in out and "dose_entry 5" in out


def test_an_unaudited_table_name_in_the_trail_is_told(tmp_path: Path, capsys) -> None:
    """A forged row about a table the trail does not cover, hashed correctly."""
    from datetime import datetime
    from types import SimpleNamespace

    from tracker.storage.audit import audit_hash

    target = str(tmp_path / "clinic.db")
    _seed(target)
    db = sqlite3.connect(target)
    prev, last = db.execute("SELECT hash, id FROM audit_entry ORDER BY id DESC "
                            "LIMIT 1").fetchone()
    entry = SimpleNamespace(at=datetime(2026, 1, 30), actor="x", action="insert",
                            table_name="patient_status", row_id=1, patient_id=1, field="*",
                            old_value=None, new_value="{}", reason=None)
    with db:
        db.execute("INSERT INTO audit_entry (at, actor, action, table_name, row_id, "
                   "patient_id, field, old_value, new_value, reason, prev_hash, hash) VALUES "
                   "('2026-01-30 00:00:00.000000', 'x', 'insert', 'patient_status', 1, 1, "
                   "'*', NULL, '{}', NULL, ?, ?)", (prev, audit_hash(prev, entry)))
    db.close()
    code, out, _err = _verify(target, capsys)
    assert code == 1
    assert (f"audit row {last + 1} changes the table patient_status, which is not audited"
            in out)


# -- could not check: exit 2 ------------------------------------------------------------------

def test_an_unreadable_database_is_exit_2(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n")
    code, out, err = _verify(str(junk), capsys)
    assert code == 2 and out == ""
    assert "notes.txt" in err


def test_a_damaged_table_is_exit_2(tmp_path: Path, capsys) -> None:
    """The trail's pages overwritten: SQLite cannot read them, so nothing can be checked."""
    target = tmp_path / "clinic.db"
    _seed(str(target))
    db = sqlite3.connect(target)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit_entry'"
                      ).fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with open(target, "r+b") as raw:  # no other process has the file open
        raw.seek((root - 1) * page_size)
        raw.write(b"\x0d" + b"\xff" * (page_size - 1))
    code, out, err = _verify(str(target), capsys)
    assert code == 2, out + err
    assert "Could not check the audit trail" in err


# -- the anchor ----------------------------------------------------------------------------------

def _head(target: str) -> tuple[int, int, str]:
    db = sqlite3.connect(target)
    rows = db.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    head_id, head_hash = db.execute("SELECT id, hash FROM audit_entry ORDER BY id DESC "
                                    "LIMIT 1").fetchone()
    db.close()
    return rows, head_id, head_hash


def test_a_new_anchor_is_created_owner_only_and_records_the_head(tmp_path: Path,
                                                                  capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    anchor = tmp_path / "usb" / "clinic.anchor"
    anchor.parent.mkdir()
    previous = os.umask(0)
    try:
        code, out, err = _verify(target, capsys, "--anchor", str(anchor))
    finally:
        os.umask(previous)
    assert code == 0, out + err
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    recorded = json.loads(anchor.read_text())
    rows, head_id, head_hash = _head(target)
    assert (recorded["rows"], recorded["head_id"], recorded["head_hash"]) == (
        rows, head_id, head_hash)
    assert f"Anchor {anchor} created: it records {rows} rows, head {head_hash}" in out
    assert sorted(p.name for p in anchor.parent.iterdir()) == ["clinic.anchor"]  # no temp left

    _cli("--db", target, "dose", "--patient", "Anna", "--date", "2026-01-20", "--mg", "0.75")
    code, out, _err = _verify(target, capsys, "--anchor", str(anchor))
    assert code == 0
    now, _id, now_hash = _head(target)
    assert now > rows
    assert (f"Anchor {anchor}: the trail still begins with the {rows} rows it recorded; it "
            f"now records {now} rows, head {now_hash}.") in out
    assert json.loads(anchor.read_text())["rows"] == now


def test_an_existing_anchor_keeps_its_mode(tmp_path: Path, capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    anchor = tmp_path / "clinic.anchor"
    assert _verify(target, capsys, "--anchor", str(anchor))[0] == 0
    os.chmod(anchor, 0o640)
    _cli("--db", target, "score", "--patient", "Bo", "--date", "2026-01-11", "--symptom",
         "pain", "--value", "4")
    assert _verify(target, capsys, "--anchor", str(anchor))[0] == 0
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o640
    assert json.loads(anchor.read_text())["rows"] == _head(target)[0]


def test_a_broken_trail_leaves_the_anchor_as_it_was(tmp_path: Path, capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    anchor = tmp_path / "clinic.anchor"
    assert _verify(target, capsys, "--anchor", str(anchor))[0] == 0
    kept = anchor.read_bytes()
    _sql(target, "DELETE FROM note")
    code, out, _err = _verify(target, capsys, "--anchor", str(anchor))
    assert code == 1
    assert f"The anchor {anchor} was left as it was." in out
    assert anchor.read_bytes() == kept
    # ... so the next run still sees it, and still does not move the anchor.
    assert _verify(target, capsys, "--anchor", str(anchor))[0] == 1
    assert anchor.read_bytes() == kept


def test_an_anchor_of_another_database_does_not_match(tmp_path: Path, capsys) -> None:
    mine, other = str(tmp_path / "mine.db"), str(tmp_path / "other.db")
    _seed(mine)
    _seed(other)
    anchor = tmp_path / "clinic.anchor"
    assert _verify(other, capsys, "--anchor", str(anchor))[0] == 0
    code, out, _err = _verify(mine, capsys, "--anchor", str(anchor))
    assert code == 1
    assert "is not the row the anchor" in out and "the trail was rewritten up to there" in out


@pytest.mark.parametrize(("content", "problem"), [
    ("", "it is empty"),
    ("\n", "it is empty"),
    ("rows=12", "it is not JSON"),
    ('{"rows": 3}', "it is not an ldn-tracker anchor"),
    ('[1, 2]', "it is not an ldn-tracker anchor"),
    ('{"kind": "ldn-tracker audit anchor", "rows": -1, "head_hash": "' + "a" * 64 + '"}',
     "rows is missing or not valid"),
    ('{"kind": "ldn-tracker audit anchor", "rows": "3", "head_hash": "' + "a" * 64 + '"}',
     "rows is missing or not valid"),
    ('{"kind": "ldn-tracker audit anchor", "rows": 3, "head_hash": "abc"}',
     "head_hash is missing or not valid"),
    ('{"kind": "ldn-tracker audit anchor", "rows": 3, "head_hash": "' + "0" * 64 + '"}',
     "head_hash is missing or not valid"),
    ('{"kind": "ldn-tracker audit anchor", "rows": 3, "head_id": "x", "head_hash": "'
     + "a" * 64 + '"}', "head_id is missing or not valid"),
])
def test_a_damaged_anchor_is_exit_2_and_left_alone(tmp_path: Path, capsys, content: str,
                                                   problem: str) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    anchor = tmp_path / "clinic.anchor"
    anchor.write_text(content)
    code, out, err = _verify(target, capsys, "--anchor", str(anchor))
    assert code == 2
    assert out == ""
    assert f"--anchor: the anchor file {anchor} is damaged ({problem})" in err
    assert anchor.read_text() == content


def test_an_anchor_that_cannot_be_read_or_written_is_exit_2(tmp_path: Path, capsys) -> None:
    target = str(tmp_path / "clinic.db")
    _seed(target)
    directory = tmp_path / "a-directory"
    directory.mkdir()
    code, out, err = _verify(target, capsys, "--anchor", str(directory))
    assert code == 2 and out == ""
    assert f"the anchor file {directory} cannot be read" in err

    nowhere = tmp_path / "missing" / "clinic.anchor"
    code, _out, err = _verify(target, capsys, "--anchor", str(nowhere))
    assert code == 2
    assert f"the anchor file {nowhere} cannot be written" in err
    assert not nowhere.parent.exists()

    code, _out, err = _verify(target, capsys, "--anchor", "")
    assert code == 2 and "--anchor must not be empty" in err


# -- PostgreSQL: the server's triggers and one replay ----------------------------------------

PG_TAMPERING = {
    "disabled": ("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change",
                 "the append-only trigger audit_entry_no_change on audit_entry is disabled"),
    "replica only": ("ALTER TABLE audit_entry ENABLE REPLICA TRIGGER audit_entry_no_truncate",
                     "the append-only trigger audit_entry_no_truncate on audit_entry fires "
                     "only on a replica"),
    "dropped": ("DROP TRIGGER audit_entry_no_change ON audit_entry",
                "the append-only trigger audit_entry_no_change on audit_entry is missing"),
    "function replaced": ("CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS "
                          "trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
                          "the function audit_entry_append_only behind the append-only "
                          "trigger audit_entry_no_change was changed"),
    "actor check disabled": ("ALTER TABLE audit_entry DISABLE TRIGGER "
                             "audit_entry_actor_is_login",
                             "the trigger audit_entry_actor_is_login on audit_entry is disabled"),
    "actor check dropped": ("DROP TRIGGER audit_entry_actor_is_login ON audit_entry",
                            "the trigger audit_entry_actor_is_login on audit_entry is missing"),
    "actor check replaced": ("CREATE OR REPLACE FUNCTION audit_entry_actor_is_login() RETURNS "
                             "trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
                             "the trigger audit_entry_actor_is_login on audit_entry, or the "
                             "function behind it, was changed"),
    "dose edited": ("UPDATE dose_entry SET mg = 9 WHERE day = '2026-01-04'",
                    "dose_entry row 4 (patient 1, 2026-01-04): mg is 9.0, but the audit trail "
                    "says 0.75"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("change", sorted(PG_TAMPERING))
def test_postgres_triggers_and_replay(pg_database: str, capsys, change: str) -> None:
    _seed(pg_database)
    assert _verify(pg_database, capsys)[0] == 0
    statement, named = PG_TAMPERING[change]
    _sql(pg_database, statement)
    code, out, _err = _verify(pg_database, capsys)
    assert code == 1, out
    assert named in out


# -- the bench generator writes the audit rows the product would ------------------------------

def test_the_bench_clinic_is_audited_row_for_row(tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)  # generate() sets it: restored afterwards
    from generate import generate  # type: ignore[import-not-found]

    out = tmp_path / "bench.db"
    counts = generate(out, 4, 45, today=date(2026, 2, 1), quiet=True)
    rows = sum(v for k, v in counts.items() if k not in ("audit_entry", "patient_status"))
    assert counts["audit_entry"] == rows
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    code, text_out, _err = _verify(str(out), capsys)
    assert code == 0, text_out
    assert f"{rows} rows in 9 tables" in text_out
    _sql(str(out), "UPDATE symptom_score SET value = 10 WHERE id = 7")
    assert _verify(str(out), capsys)[0] == 1
    sys.modules.pop("generate", None)
