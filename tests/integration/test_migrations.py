"""The schema's life cycle: every revision goes up and down with the data intact, the migrated
schema matches the models, and a failed upgrade leaves a backup and says where it is."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import tracker.storage.database as tracker_db
from tracker.cli import main
from tracker.models import Base
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import (
    HEAD_REVISION,
    Database,
    DatabaseError,
    alembic_config,
    migrations_dir,
)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(migrations_dir()))


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(_scripts().walk_revisions()))]


def _seed(clinic: Clinic, h) -> None:
    pid = h.add_patient(clinic, "Anna", weight_kg=70)
    other = h.add_patient(clinic, "Bo Ærø", condition="multiple sclerosis",
                          formulation="liquid", concentration_mg_ml=1)
    for i in range(10):
        clinic.check_in(pid, CheckIn(day=date(2026, 1, 2) + timedelta(days=i), taken=i % 3 != 0,
                                     mg=0.75 if i % 3 else None, time="21:15",
                                     effects={"vivid dreams": i % 4}, scores={"pain": 9 - i},
                                     note=f"day {i}: søvn ok" if i % 2 else None))
    clinic.check_in(other, CheckIn(day=date(2026, 1, 5), no_side_effects=True))
    clinic.check_in(pid, CheckIn(day=date(2026, 1, 3), taken=True, mg=1.5, reason="typo"))
    clinic.add_medication(pid, "sertraline", date(2025, 6, 1))
    clinic.add_chemo(other, date(2026, 1, 10), date(2026, 1, 12))
    clinic.cohort_status()


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _columns(db: Database) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        return {t: [c["name"] for c in inspector.get_columns(t)]
                for t in inspector.get_table_names()}


def _assert_append_only(db: Database) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))


def test_head_revision_constant_matches_the_scripts() -> None:
    scripts = _scripts()
    assert scripts.get_heads() == [HEAD_REVISION], \
        "one head, and tracker.storage.database knows its name"
    assert _revisions()[-1] == HEAD_REVISION


def test_migrations_are_found_where_the_wheel_puts_them() -> None:
    assert (migrations_dir() / "env.py").exists()
    assert (migrations_dir() / "versions").is_dir()


def test_every_revision_goes_down_and_up_with_the_data_intact(open_db, h) -> None:
    db = open_db()
    clinic = Clinic(db)
    _seed(clinic, h)
    original = h.table_contents(db)
    columns = _columns(db)
    revisions = _revisions()
    # Walk down one revision at a time, then up again; at each step every table that exists
    # at that revision holds exactly what it held at head, in the columns it has there. On the
    # way up every row gets its uuid back (0004 restores what the trail recorded), so the
    # trail still agrees with the tables.
    for below in reversed(revisions[:-1]):
        db.downgrade(below)
        assert db.current_revision() == below
        now = _columns(db)
        for table, rows in h.table_contents(db).items():
            if table in original:
                kept = [k for k, name in enumerate(columns[table]) if name in now[table]]
                assert rows == [tuple(r[k] for k in kept) for r in original[table]], \
                    (below, table)
        _assert_append_only(db)
    for rev in revisions[1:]:
        db._alembic_upgrade(rev)
        assert db.current_revision() == rev
        _assert_append_only(db)
    final = h.table_contents(db)
    for table, rows in original.items():
        if table == "patient_status":
            continue  # a derived cache: a downgrade drops it, the next read refills it
        assert final[table] == rows, table
    assert Clinic(db).verify_audit().ok
    Clinic(db).cohort_status()
    assert h.table_counts(db)["patient_status"] == 2


def test_down_to_nothing_and_back(open_db, h) -> None:
    db = open_db()
    db.downgrade("base")
    assert _tables(db) <= {"alembic_version"}
    db.upgrade(backup=False)
    assert db.current_revision() == HEAD_REVISION
    clinic = Clinic(db)
    _seed(clinic, h)
    assert clinic.verify_audit().ok
    _assert_append_only(db)


def test_migrated_schema_matches_the_models(open_db) -> None:
    db = open_db()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert _tables(db) == set(Base.metadata.tables) | {"alembic_version"}


def test_opening_is_a_no_op_at_head(open_db, h) -> None:
    db = open_db()
    _seed(Clinic(db), h)
    before = h.table_contents(db)
    again = open_db()
    assert again.backup_path is None  # nothing to upgrade, so no backup
    assert h.table_contents(again) == before


def test_an_outdated_sqlite_file_is_backed_up_before_upgrading(tmp_path: Path, h) -> None:
    path = tmp_path / "old.db"
    db = Database(str(path))
    _seed(Clinic(db), h)
    db.downgrade("0001_initial")
    expected = h.table_contents(db)
    db.dispose()
    upgraded = Database(str(path))
    try:
        assert upgraded.current_revision() == HEAD_REVISION
        assert upgraded.backup_path is not None and upgraded.backup_path.exists()
        backup = Database(str(upgraded.backup_path), migrate=False)
        assert backup.current_revision() == "0001_initial"
        assert h.table_contents(backup) == expected
        backup.dispose()
    finally:
        upgraded.dispose()


# -- a failing migration ---------------------------------------------------------------------

BROKEN = '''
"""A revision that fails half-way (test only)."""
import sqlalchemy as sa
from alembic import op

revision = "0003_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("patient", sa.Column("nickname", sa.String(50)))
    op.execute("UPDATE patient SET nickname = name")
    op.execute("THIS IS NOT SQL")


def downgrade():
    op.drop_column("patient", "nickname")
'''


@pytest.fixture
def broken_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real scripts plus a revision that fails, with HEAD_REVISION pointing at it."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "0003_broken.py").write_text(BROKEN.format(head=HEAD_REVISION))
    monkeypatch.setattr(tracker_db, "migrations_dir", lambda: copy)
    monkeypatch.setattr(tracker_db, "HEAD_REVISION", "0003_broken")
    return copy


def test_a_failed_upgrade_keeps_the_backup_and_says_where(tmp_path: Path, h, monkeypatch,
                                                          capsys) -> None:
    path = tmp_path / "diary.db"
    db = Database(str(path))
    _seed(Clinic(db), h)
    before = h.table_contents(db)
    db.dispose()

    copy = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "0003_broken.py").write_text(BROKEN.format(head=HEAD_REVISION))
    monkeypatch.setattr(tracker_db, "migrations_dir", lambda: copy)
    monkeypatch.setattr(tracker_db, "HEAD_REVISION", "0003_broken")

    with pytest.raises(DatabaseError) as caught:
        Database(str(path))
    message = str(caught.value)
    backups = sorted(tmp_path.glob("diary.db.pre-upgrade-*.bak"))
    assert len(backups) == 1
    assert str(backups[0]) in message
    # The backup holds everything, at the old revision ...
    conn = sqlite3.connect(backups[0])
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    backup_db = Database(str(backups[0]), migrate=False)
    assert h.table_contents(backup_db) == before
    backup_db.dispose()
    # ... and the database itself was rolled back, not left half-migrated.
    plain = Database(str(path), migrate=False)
    assert plain.current_revision() == HEAD_REVISION
    assert h.table_contents(plain) == before
    plain.dispose()

    # The command line says the same, with exit status 2 and no traceback.
    capsys.readouterr()
    code = main(["--db", str(path), "patient", "list"])
    err = capsys.readouterr().err
    assert code == 2
    assert "backup" in err.lower() or ".bak" in err
    assert "Traceback" not in err
    assert len(sorted(tmp_path.glob("diary.db.pre-upgrade-*.bak"))) == 2


def test_a_failed_upgrade_on_a_server_changes_nothing(open_db, h, broken_migrations) -> None:
    """PostgreSQL runs DDL in the transaction: a failed revision leaves the old schema."""
    db = open_db(migrate=False)
    if db.is_sqlite:
        pytest.skip("the SQLite case, with its backup, is the test above")
    db._alembic_upgrade(REAL_HEAD)
    _seed(Clinic(db), h)
    before = h.table_contents(db)
    with pytest.raises(DatabaseError) as caught:
        db.upgrade()
    assert "failed" in str(caught.value)
    assert db.current_revision() == REAL_HEAD
    assert h.table_contents(db) == before
    assert "nickname" not in {c["name"] for c in inspect(db.engine).get_columns("patient")}


REAL_HEAD = HEAD_REVISION


def test_alembic_config_points_at_the_scripts(open_db) -> None:
    db = open_db()
    with db.engine.connect() as conn:
        cfg = alembic_config(conn)
        assert Path(cfg.get_main_option("script_location")) == migrations_dir()
