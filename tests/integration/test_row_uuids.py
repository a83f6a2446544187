"""Every patient row's stable identity (SPEC §11, docs/identity.md): migration 0004 and after.

A database written before 0004 is made as the product made it then: the rows through the
command line, then taken down to 0003 and its trail rewritten to what 0003's writes recorded
(every insert's and delete's ``*`` values without ``uuid``, every hash recomputed), so nothing
about it remembers a uuid. Upgraded, every row has a distinct canonical version-4 UUID,
``verify`` is intact, a correction keeps the uuid, a new row's insert records its uuid, and a
uuid changed behind the trail's back is named. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from tracker.cli import main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.audit import GENESIS_HASH, audit_hash, stored_datetime
from tracker.storage.database import HEAD_REVISION, Database, migrations_dir
from tracker.storage.verify_values import AUDITED_TABLES

TODAY = "2026-02-01"
BEFORE = "0003_login_roles"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
MADE_UP = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    monkeypatch.delenv("LDN_TRACKER_DB", raising=False)


def _cli(*argv: str, role: str | None = None) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if role:
            mp.setenv("LDN_TRACKER_ROLE", role)
        assert main(list(argv)) == 0, argv


def _seed(target: str) -> None:
    """A row in every audited table, a correction, a delete and a re-insert among them."""
    db = ("--db", target)
    _cli(*db, "patient", "add", "--name", "Anna", "--condition", "fibromyalgia", "--start",
         "2026-01-01")
    _cli(*db, "patient", "add", "--name", "Bo", "--condition", "melanoma", "--start",
         "2026-01-01")
    for day in range(1, 5):
        _cli(*db, "dose", "--patient", "Anna", "--date", f"2026-01-0{day}", "--mg", "0.75")
    _cli(*db, "dose", "--patient", "Bo", "--date", "2026-01-02", "--skipped")
    _cli(*db, "score", "--patient", "Anna", "--date", "2026-01-01", "--symptom", "pain",
         "--value", "6")
    _cli(*db, "score", "--patient", "Anna", "--date", "2026-01-01", "--symptom", "fatigue",
         "--value", "4")
    _cli(*db, "effect", "--patient", "Anna", "--date", "2026-01-02", "--name", "headache",
         "--severity", "2")
    _cli(*db, "effect", "--patient", "Anna", "--date", "2026-01-03", "--none")
    _cli(*db, "effect", "--patient", "Anna", "--date", "2026-01-03", "--name", "nausea",
         "--severity", "1", "--reason", "remembered it")  # the clear day deleted
    _cli(*db, "effect", "--patient", "Anna", "--date", "2026-01-04", "--none")
    database = Database(target)  # a note as the app writes it: there is no note command
    Clinic(database, actor="patient:test").check_in(1, CheckIn(day=date(2026, 1, 2),
                                                               note="slept badly"))
    database.dispose()
    _cli(*db, "med", "add", "--patient", "Anna", "--name", "sertraline", "--from", "2025-12-01")
    _cli(*db, "chemo", "add", "--patient", "Bo", "--date", "2026-01-10")
    _cli(*db, "dismiss", "--patient", "Anna", "--code", "information_pending", "--date",
         "2026-01-01", "--reason", "told at the visit", role="clinician")


@contextmanager
def _trail_unlocked(conn: Connection) -> Iterator[None]:
    """The append-only triggers off while the test rewrites the trail, then back as they were."""
    if conn.dialect.name == "sqlite":
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = "
                                     "'trigger' AND tbl_name = 'audit_entry'")).all()
        for name, _sql in triggers:
            conn.execute(text(f"DROP TRIGGER {name}"))
        yield
        for _name, sql in triggers:
            conn.execute(text(sql))
        return
    conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
    yield
    conn.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER USER"))


def _without_uuid(value: str | None) -> str | None:
    if value is None:
        return None
    values = json.loads(value)
    values.pop("uuid", None)
    return json.dumps(values, ensure_ascii=False)


def _as_written_before_0004(db: Database) -> None:
    """The trail as 0003's writes left it: no uuid in any ``*`` value, the chain rehashed."""
    columns = ("id", "at", "actor", "action", "table_name", "row_id", "patient_id", "field",
               "old_value", "new_value", "reason", "prev_hash", "hash")
    with db.engine.begin() as conn, _trail_unlocked(conn):
        rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM audit_entry "
                                 "ORDER BY id")).all()
        prev = GENESIS_HASH
        for row in rows:
            entry = SimpleNamespace(**dict(zip(columns, row, strict=True)))
            entry.at = stored_datetime(entry.at)
            if entry.field == "*":
                entry.old_value = _without_uuid(entry.old_value)
                entry.new_value = _without_uuid(entry.new_value)
            entry.prev_hash = prev
            entry.hash = audit_hash(prev, entry)
            conn.execute(text("UPDATE audit_entry SET old_value = :old, new_value = :new, "
                              "prev_hash = :prev, hash = :hash WHERE id = :id"),
                         {"old": entry.old_value, "new": entry.new_value, "prev": prev,
                          "hash": entry.hash, "id": entry.id})
            prev = entry.hash


@pytest.fixture
def old_clinic(db_target: str, open_db: Callable[..., Database]) -> Database:
    """A clinic written before 0004 (see the module's docstring), at 0003, not yet upgraded."""
    _seed(db_target)
    db = open_db(migrate=False)
    db.downgrade(BEFORE)
    _as_written_before_0004(db)
    with db.engine.connect() as conn:
        assert "uuid" not in conn.execute(text(
            "SELECT new_value FROM audit_entry WHERE action = 'insert' AND "
            "table_name = 'dose_entry'")).scalars().first()
    return db


def _uuids(db: Database) -> dict[str, dict[int, str]]:
    with db.engine.connect() as conn:
        return {t: dict(conn.execute(text(f"SELECT id, uuid FROM {t} ORDER BY id")).all())
                for t in AUDITED_TABLES}


def _verify(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", target, "verify"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return code, out


def _sql(db: Database, statement: str, **params: Any) -> None:
    """Plain SQL behind the app's back."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_upgraded_database_has_a_distinct_uuid_on_every_row(
        old_clinic: Database, db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    old_clinic.upgrade(backup=False)
    assert old_clinic.current_revision() == HEAD_REVISION  # 0004_row_uuids and later
    uuids = _uuids(old_clinic)
    assert all(uuids.values()), uuids  # a row in every audited table
    every = [u for rows in uuids.values() for u in rows.values()]
    assert all(UUID4.fullmatch(u) for u in every), every
    assert len(set(every)) == len(every)
    code, out = _verify(db_target, capsys)
    assert code == 0, out
    assert "Every record agrees with the audit trail" in out


def test_a_correction_keeps_the_uuid_and_a_new_row_records_its_own(
        old_clinic: Database, db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    old_clinic.upgrade(backup=False)
    before = _uuids(old_clinic)
    db = ("--db", db_target)
    _cli(*db, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1.5", "--reason",
         "typed the wrong dose")  # an update in place
    _cli(*db, "score", "--patient", "Anna", "--date", "2026-01-01", "--symptom", "pain",
         "--value", "5", "--reason", "misread the scale")
    _cli(*db, "dose", "--patient", "Anna", "--date", "2026-01-05", "--mg", "0.75")  # new
    after = _uuids(old_clinic)
    for table, rows in before.items():
        assert {k: after[table][k] for k in rows} == rows, table
    (new_id,) = set(after["dose_entry"]) - set(before["dose_entry"])
    new_uuid = after["dose_entry"][new_id]
    assert UUID4.fullmatch(new_uuid) and new_uuid not in before["dose_entry"].values()
    with old_clinic.engine.connect() as conn:
        inserted = conn.execute(text(
            "SELECT new_value FROM audit_entry WHERE action = 'insert' AND table_name = "
            "'dose_entry' AND row_id = :id"), {"id": new_id}).scalar_one()
        updates = conn.execute(text("SELECT field FROM audit_entry WHERE action = 'update' "
                                    "AND table_name = 'dose_entry'")).scalars().all()
    assert json.loads(inserted)["uuid"] == new_uuid
    assert updates == ["mg"]  # the correction changed the dose, never the identity
    assert _verify(db_target, capsys)[0] == 0

    # A uuid its insert recorded, replaced behind the trail's back: named.
    _sql(old_clinic, "UPDATE dose_entry SET uuid = :u WHERE id = :id", u=MADE_UP, id=new_id)
    code, out = _verify(db_target, capsys)
    assert code == 1
    assert (f'dose_entry row {new_id} (patient 1, 2026-01-05): uuid is "{MADE_UP}", but the '
            f'audit trail says "{new_uuid}"') in out


def test_a_uuid_from_before_0004_is_not_in_the_trail(
        old_clinic: Database, db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    """What verify honestly cannot see: the trail never recorded an old row's uuid."""
    old_clinic.upgrade(backup=False)
    _sql(old_clinic, "UPDATE dose_entry SET uuid = :u WHERE id = 1", u=MADE_UP)
    code, out = _verify(db_target, capsys)
    assert code == 0, out


def test_the_uuid_is_unique_per_table(open_db: Callable[..., Database], db_target: str) -> None:
    _seed(db_target)
    db = open_db()
    taken = _uuids(db)["dose_entry"][1]
    with pytest.raises(IntegrityError, match="(?i)unique|uq_dose_entry_uuid"):
        _sql(db, "UPDATE dose_entry SET uuid = :u WHERE id = 2", u=taken)
    with pytest.raises(IntegrityError, match="(?i)not null|null value"):
        _sql(db, "UPDATE note SET uuid = NULL")
    with db.engine.connect() as conn:
        names = {c["name"] for t in AUDITED_TABLES
                 for c in _unique_constraints(conn, t)}
    assert names == {f"uq_{t}_uuid" for t in AUDITED_TABLES} | {
        "uq_alert_dismissal_patient_id_code_day", "uq_clear_day_patient_id_day",
        "uq_dose_entry_patient_id_day", "uq_note_patient_id_day",
        "uq_side_effect_report_patient_id_day_name", "uq_symptom_score_patient_id_day_symptom"}


def _unique_constraints(conn: Connection, table: str) -> list[dict[str, Any]]:
    from sqlalchemy import inspect

    return inspect(conn).get_unique_constraints(table)


def test_down_and_up_again_gives_every_row_its_uuid_back(open_db: Callable[..., Database],
                                                        db_target: str) -> None:
    """Identity survives a downgrade: 0004 restores the uuid an insert recorded."""
    _seed(db_target)
    db = open_db()
    before = _uuids(db)
    db.downgrade(BEFORE)
    db.upgrade(backup=False)
    assert _uuids(db) == before
    assert db.current_revision() == HEAD_REVISION


# -- SQLite only ---------------------------------------------------------------------------

def _migration() -> ModuleType:
    path = migrations_dir() / "versions" / "0004_row_uuids.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sqlites_uuid_expression_gives_version_4_uuids() -> None:
    expression = _migration().SQLITE_UUID4
    conn = sqlite3.connect(":memory:")
    values = [v for (v,) in conn.execute(
        f"WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20000) "
        f"SELECT {expression} FROM n")]
    conn.close()
    assert all(UUID4.fullmatch(v) for v in values)
    assert len(set(values)) == len(values)
    assert {v[19] for v in values} == set("89ab")  # the variant, all four
    assert all(uuid.UUID(v).version == 4 for v in values[:100])


def test_sqlite_planner_statistics_survive_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    _seed(str(path))
    db = Database(str(path))
    db.downgrade(BEFORE)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.upgrade(backup=False)
    with db.engine.connect() as conn:
        analysed = set(conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1").scalars())
    db.dispose()
    assert {"dose_entry", "symptom_score", "patient"} <= analysed
