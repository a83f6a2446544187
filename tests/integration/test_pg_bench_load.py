"""``bench/pg_load.py``: a bench clinic loaded into PostgreSQL answers as the SQLite file does.

A tiny clinic from ``bench/generate.py`` (4 patients x 20 days) is loaded into a database of its
own on the server at ``LDN_TRACKER_TEST_PG_URL`` (skipped locally without it, as every
PostgreSQL test is); the product's own reads, through a clinician's login, must then give the
same answers on both, the audit chain copied as is must verify on the server, and the server
must still be the clinic it promises: new rows get fresh ids, the audit trail's actor trigger is
on again, a patient's login sees its own patient only.
"""

from __future__ import annotations

import contextlib
import json
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.cli import main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.admin import GROUPS
from tracker.storage.database import Database

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2029-06-30"  # the generator's "today"; the diary ends the day before


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    import generate
    import pg_load

    yield generate, pg_load
    for name in ("generate", "pg_load"):
        sys.modules.pop(name, None)


@pytest.fixture
def loaded(pg_server: Any, bench: tuple[Any, Any], tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """The tiny clinic as a SQLite file and loaded (its LoadReport); all dropped afterwards."""
    if pg_server is None:
        pytest.skip("LDN_TRACKER_TEST_PG_URL is not set")
    generate, pg_load = bench
    out = tmp_path / "bench.db"
    generate.generate(out, 4, 20, quiet=True)
    name = f"ldn_test_{uuid.uuid4().hex[:12]}"
    with pg_server.admin.connect() as conn:
        groups_before = set(conn.execute(text(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(:g)"), {"g": list(GROUPS)}
        ).scalars())
    server = pg_server.url.render_as_string(hide_password=False)
    try:
        yield out, pg_load.load(out, server, name, patient_logins=2, quiet=True)
    finally:
        with pg_server.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for login in (f"{name}_clinician", *(f"{name}_p{i}" for i in range(1, 5))):
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
            for group in sorted(set(GROUPS) - groups_before):
                with contextlib.suppress(DBAPIError):  # another database still grants to it
                    conn.execute(text(f'DROP ROLE IF EXISTS "{group}"'))


def _cli(capsys: pytest.CaptureFixture[str], target: str, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", target, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    return code, out


def _cohort(target: str) -> list[tuple[Any, dict[str, Any]]]:
    """The clinic view's rows: each patient and its stored status, column by column."""
    db = Database(target, migrate=False)
    try:
        return [(info, status._asdict())
                for info, status in Clinic(db, actor="clinician").cohort_status(
                    refresh_stale=False)]
    finally:
        db.dispose()


def test_the_loaded_clinic_answers_as_the_file(loaded: tuple[Path, Any], capsys) -> None:
    sqlite_file, report = loaded
    assert report.rows["audit_entry"] > 400 and report.rows["patient"] == 4
    file, server = str(sqlite_file), report.clinician_url
    for argv in (("patient", "list", "--format", "json"),
                 ("plan", "--patient", "1", "--to", "2029-08-01", "--format", "json"),
                 ("plan", "--patient", "4", "--to", "2029-08-01"),
                 ("alerts", "--patient", "2", "--all"),
                 ("summary", "--patient", "3", "--format", "json"),
                 ("verify",)):
        on_file, on_server = _cli(capsys, file, *argv), _cli(capsys, server, *argv)
        assert on_server == on_file, argv
        assert on_file[0] == 0, (argv, on_file)
    assert "hash chain verified" in _cli(capsys, server, "verify")[1]
    assert _cohort(server) == _cohort(file)
    assert len(_cohort(server)) == 4


def test_the_loaded_clinic_takes_new_rows_and_keeps_its_promises(loaded: tuple[Path, Any],
                                                                 capsys) -> None:
    _file, report = loaded
    (pid, login_url), = [(p, u) for p, u in report.patient_urls.items() if p == 4]
    db = Database(login_url)
    try:
        clinic = Clinic(db, actor="patient")
        # Fresh ids from the reset sequences: without setval this is a duplicate key.
        clinic.check_in(pid, CheckIn(day=date.fromisoformat(TODAY),
                                     taken=True, mg=0.75, time="21:00",
                                     effects={"headache": 1}, scores={"pain": 4}))
        assert [p.id for p in clinic.list_patients()] == [pid]  # row-level security holds
    finally:
        db.dispose()
    owner = Database(report.url, migrate=False)
    try:
        with owner.engine.begin() as conn:
            last = conn.execute(text("SELECT actor FROM audit_entry ORDER BY id DESC LIMIT 1"))
            assert last.scalar_one() == f"{report.database}_p{pid}"
            enabled = conn.execute(text(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_entry'::regclass "
                "AND NOT tgisinternal ORDER BY 1")).all()
        assert [tuple(r) for r in enabled] == [("audit_entry_actor_is_login", "O"),
                                               ("audit_entry_no_change", "O"),
                                               ("audit_entry_no_truncate", "O")]
        with pytest.raises(DBAPIError, match="actor must be the database login"), \
                owner.engine.begin() as conn:  # the loader turned the trigger back on
            conn.execute(text(
                "INSERT INTO audit_entry (at, actor, action, table_name, row_id, patient_id, "
                "field, prev_hash, hash) VALUES (now(), 'import', 'insert', 'note', 1, 1, '*', "
                "'x', 'y')"))
    finally:
        owner.dispose()
    code, out = _cli(capsys, report.clinician_url, "verify")
    assert code == 0, out  # the chain copied as is, extended by the new login's rows


def test_loading_again_replaces_the_database(loaded: tuple[Path, Any], bench: tuple[Any, Any],
                                             pg_server: Any) -> None:
    sqlite_file, report = loaded
    _generate, pg_load = bench
    server = pg_server.url.render_as_string(hide_password=False)
    assert pg_load.loaded_from(server, report.database) == pg_load.fingerprint(sqlite_file)
    again = pg_load.load(sqlite_file, server, report.database, patient_logins=2, quiet=True)
    assert again.rows == report.rows
    db = Database(again.url, migrate=False)  # the owner: patient_login is the owner's only
    try:
        with db.engine.connect() as conn:
            counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                      for t in report.rows}
    finally:
        db.dispose()
    assert counts == report.rows | {"patient_login": 2}  # the two patients' logins, once
    assert json.loads(pg_load.loaded_from(server, report.database))["size"] == \
        sqlite_file.stat().st_size
