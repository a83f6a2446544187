"""PostgreSQL enforces the roles (SPEC §10): logins made by ``ldn-tracker admin`` and what the
server lets each of them see and do, through the command line and in raw SQL.

Each test has its own database (``CREATE DATABASE``) on the server at
``LDN_TRACKER_TEST_PG_URL``; the test's role owns it and its tables and runs ``admin`` with its
own URL. The logins get names unique to the test run (roles are cluster-wide), and every login
is dropped at the end; the group roles ``ldn_clinician`` / ``ldn_patient`` (names fixed by the
SPEC) are dropped too when the test created them and no other database still uses them.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tracker.cli import main
from tracker.models import Base
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.admin import GROUPS, TABLES, server_role
from tracker.storage.database import Database

pytestmark = pytest.mark.postgres

TODAY = "2026-02-10"
PASSWORD = "correct horse battery"


@dataclass
class ClinicServer:
    """One test database and the logins made in it, cleaned up afterwards."""

    owner_url: str
    tag: str
    logins: list[str] = field(default_factory=list)

    def login(self, name: str) -> str:
        """A login name unique to this run (registered for cleanup before it exists)."""
        login = f"t{self.tag}_{name}"
        self.logins.append(login)
        return login

    def url(self, login: str, password: str = PASSWORD) -> str:
        return make_url(self.owner_url).set(username=login, password=password) \
            .render_as_string(hide_password=False)

    def libpq(self, login: str | None = None, password: str = PASSWORD) -> dict[str, Any]:
        """The same as psycopg's connection parameters."""
        url = make_url(self.owner_url)
        return {"host": url.host, "port": url.port, "dbname": url.database,
                "user": login or url.username, "password": password if login else url.password}


def _existing_groups(conn: Any) -> set[str]:
    return set(conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:g)"),
                            {"g": list(GROUPS)}).scalars())


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Database]]:
    """Every Database the commands open, disposed at the end: the test's role may end only
    its own sessions (DROP DATABASE … FORCE), not those of the logins."""
    databases: list[Database] = []
    original = Database.__init__

    def init(self: Database, *args: Any, **kwargs: Any) -> None:
        databases.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Database, "__init__", init)
    yield databases
    for db in databases:
        if hasattr(db, "engine"):
            db.engine.dispose()


def _drop_database(pg_server: Any, url: str) -> None:
    """Without FORCE, which may end only the test role's own sessions: the server waits (up to
    5 s) for the logins' closed sessions to finish exiting."""
    with pg_server.admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))


@pytest.fixture
def server(pg_server, opened: list[Database]) -> Iterator[ClinicServer]:
    if pg_server is None:
        pytest.skip("LDN_TRACKER_TEST_PG_URL is not set")
    with pg_server.admin.connect() as conn:
        may = conn.execute(text("SELECT rolcreaterole OR rolsuper FROM pg_roles "
                                "WHERE rolname = current_user")).scalar_one()
        groups_before = _existing_groups(conn)
    if not may:
        pytest.fail("the test role may not CREATE ROLE: run `bash scripts/postgres.sh` again "
                    "(it grants CREATEROLE)", pytrace=False)
    clinic = ClinicServer(pg_server.create(), uuid.uuid4().hex[:10])
    try:
        yield clinic
    finally:
        for db in opened:
            if hasattr(db, "engine"):
                db.engine.dispose()
        _drop_database(pg_server, clinic.owner_url)  # first: its grants name the roles
        with pg_server.admin.connect() as conn:
            for login in clinic.logins:
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
            for group in sorted(set(GROUPS) - groups_before):
                with contextlib.suppress(DBAPIError):  # another database still grants to it
                    conn.execute(text(f'DROP ROLE IF EXISTS "{group}"'))


def cli(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    code, out, err = cli(capsys, url, *argv)
    assert code == 0, (argv, err)
    return out


def refused(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    code, _out, err = cli(capsys, url, *argv)
    assert code == 2, (argv, err)
    return err


def _password_file(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    return str(path)


@dataclass
class SetUp:
    clinic: ClinicServer
    doctor: str
    anna_login: str
    bo_login: str
    anna: int
    bo: int


@pytest.fixture
def set_up(server: ClinicServer, capsys, tmp_path: Path, monkeypatch) -> SetUp:
    """``admin init``, two patients added by the owner, a clinician's login and a login for
    each patient, all through ``tracker.cli.main`` as the README says."""
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    owner = server.owner_url
    ok(capsys, owner, "admin", "init")
    anna = int(ok(capsys, owner, "patient", "add", "--name", "Anna", "--condition",
                  "fibromyalgia", "--start", "2026-01-01"))
    bo = int(ok(capsys, owner, "patient", "add", "--name", "Bo", "--condition",
                "fibromyalgia", "--start", "2026-01-01"))
    pw = _password_file(tmp_path, "pw", f"  {PASSWORD}  \nnot the password\n")
    doctor, anna_login, bo_login = (server.login(n) for n in ("doctor", "anna", "bo"))
    out = ok(capsys, owner, "admin", "clinician", "--login", doctor, "--password-file", pw)
    assert doctor in out and PASSWORD not in out
    ok(capsys, owner, "admin", "patient", "--login", anna_login, "--patient", "Anna",
       "--password-file", pw)
    ok(capsys, owner, "admin", "patient", "--login", bo_login, "--patient", str(bo),
       "--password-file", pw)
    return SetUp(server, doctor, anna_login, bo_login, anna, bo)


def _owner_rows(clinic: ClinicServer, query: str, **params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(**clinic.libpq()) as conn:
        return conn.execute(query, params).fetchall()


# -- admin init ---------------------------------------------------------------------------------

def _catalogue(conn: Any) -> tuple[Any, ...]:
    """Roles, table, column and sequence privileges, policies, RLS flags, function and
    database privileges: everything admin init may touch, order-independent."""
    return tuple(conn.execute(query).fetchall() for query in (
        "SELECT rolname, rolcanlogin, rolsuper, rolinherit, rolbypassrls FROM pg_roles "
        "WHERE rolname IN ('ldn_clinician', 'ldn_patient') ORDER BY 1",
        "SELECT relname, relrowsecurity, relforcerowsecurity, "
        "array(SELECT x::text FROM unnest(relacl) x ORDER BY 1) FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
        "SELECT attrelid::regclass::text, attname, attacl::text FROM pg_attribute "
        "WHERE attacl IS NOT NULL ORDER BY 1, 2",
        "SELECT tablename, policyname, roles::text, cmd, qual, with_check FROM pg_policies "
        "ORDER BY 1, 2",
        "SELECT proname, array(SELECT x::text FROM unnest(proacl) x ORDER BY 1) FROM pg_proc "
        "WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
        "SELECT array(SELECT x::text FROM unnest(datacl) x ORDER BY 1) FROM pg_database "
        "WHERE datname = current_database()",
    ))


def _grants(conn: Any, group: str) -> dict[str, set[str]]:
    rows = conn.execute(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = %s", (group,)).fetchall()
    out: dict[str, set[str]] = {}
    for table, privilege in rows:
        out.setdefault(table, set()).add(privilege)
    return out


def test_admin_init_sets_exactly_the_grants_and_a_second_run_changes_nothing(
        server: ClinicServer, capsys) -> None:
    out = ok(capsys, server.owner_url, "admin", "init")
    assert "ldn_clinician" in out and "ldn_patient" in out
    with psycopg.connect(**server.libpq()) as conn:
        first = _catalogue(conn)
        groups = conn.execute("SELECT rolname, rolcanlogin, rolsuper, rolbypassrls "
                              "FROM pg_roles WHERE rolname IN ('ldn_clinician', "
                              "'ldn_patient') ORDER BY 1").fetchall()
        assert groups == [("ldn_clinician", False, False, False),
                          ("ldn_patient", False, False, False)]
        clinician, patient = _grants(conn, "ldn_clinician"), _grants(conn, "ldn_patient")
        # The audit trail: read and append, nothing else, for both groups.
        assert clinician["audit_entry"] == patient["audit_entry"] == {"SELECT", "INSERT"}
        # Nobody may empty a table, add a trigger or reference one.
        for grants in (clinician, patient):
            assert not {p for ps in grants.values() for p in ps} & {
                "TRUNCATE", "TRIGGER", "REFERENCES"}
            assert "patient_login" not in grants
            assert grants["alembic_version"] == {"SELECT"}
        # A patient's login adds no patient, changes no protocol setting, dismisses no alert.
        assert patient["patient"] == {"SELECT"}
        assert patient["alert_dismissal"] == {"SELECT"}
        assert clinician["alert_dismissal"] == {"SELECT", "INSERT"}
        columns = conn.execute(
            "SELECT column_name, privilege_type FROM information_schema.column_privileges "
            "WHERE grantee = 'ldn_patient' AND table_name = 'patient' "
            "AND privilege_type = 'UPDATE'").fetchall()
        assert columns == [("informed_on", "UPDATE")]
        # Sequences: inserts need nextval (USAGE); that is all they get.
        sequences = conn.execute(
            "SELECT c.relname, has_sequence_privilege('ldn_patient', c.oid, 'USAGE'), "
            "has_sequence_privilege('ldn_patient', c.oid, 'SELECT'), "
            "has_sequence_privilege('ldn_clinician', c.oid, 'USAGE') FROM pg_class c "
            "WHERE c.relkind = 'S' ORDER BY 1").fetchall()
        assert ("patient_id_seq", False, False, True) in sequences
        assert ("dose_entry_id_seq", True, False, True) in sequences
        assert ("audit_entry_id_seq", True, False, True) in sequences
        assert ("alert_dismissal_id_seq", False, False, True) in sequences
        # Row-level security on every table that holds a patient's rows, owned by the owner.
        rls = dict(conn.execute("SELECT relname, relrowsecurity AND NOT relforcerowsecurity "
                                "FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                                "'public'::regnamespace").fetchall())
        patient_tables = set(Base.metadata.tables) - {"patient_login"}
        assert patient_tables == set(TABLES), "a new table needs its grants and policies"
        assert all(rls[t] for t in patient_tables)
        owners = conn.execute("SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class "
                              "WHERE relnamespace = 'public'::regnamespace").fetchall()
        assert owners == [(make_url(server.owner_url).username,)]
        # CONNECT is given login by login, not to PUBLIC or the (cluster-wide) groups.
        for who in ("public", "ldn_clinician", "ldn_patient"):
            assert not conn.execute("SELECT has_database_privilege(%s, current_database(), "
                                    "'CONNECT')", (who,)).fetchone()[0], who
    again = ok(capsys, server.owner_url, "admin", "init")
    assert "Nothing to change" in again
    with psycopg.connect(**server.libpq()) as conn:
        assert _catalogue(conn) == first


def test_admin_init_removes_a_foreign_policy_and_audit_rights(server: ClinicServer, capsys,
                                                              pg_server) -> None:
    """A policy of someone else's (policies are OR-ed) or a right to change the trail goes."""
    ok(capsys, server.owner_url, "admin", "init")
    helper = server.login("helper")
    with pg_server.admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{helper}" NOLOGIN'))
    with psycopg.connect(**server.libpq()) as conn:
        conn.execute("CREATE POLICY everyone ON dose_entry TO PUBLIC USING (true)")
        conn.execute(f'GRANT TRUNCATE, UPDATE ON audit_entry TO "{helper}"')
    out = ok(capsys, server.owner_url, "admin", "init")
    assert "everyone" in out and helper in out
    with psycopg.connect(**server.libpq()) as conn:
        assert conn.execute("SELECT count(*) FROM pg_policies WHERE policyname = 'everyone'")\
            .fetchone()[0] == 0
        assert not conn.execute(f"SELECT has_table_privilege('{helper}', 'audit_entry', "
                                "'TRUNCATE, UPDATE')").fetchone()[0]


# -- the logins through the command line -------------------------------------------------------

def test_the_patients_login_sees_and_writes_only_its_own_patient(set_up: SetUp,
                                                                 capsys) -> None:
    clinic = set_up.clinic
    anna = clinic.url(set_up.anna_login)
    listing = ok(capsys, anna, "patient", "list", "--format", "json")
    rows = json.loads(listing)
    assert [(r["id"], r["name"]) for r in rows] == [(set_up.anna, "Anna")]
    ok(capsys, anna, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "0.75")
    ok(capsys, anna, "effect", "--patient", "Anna", "--date", "2026-01-02", "--none")
    ok(capsys, anna, "score", "--patient", str(set_up.anna), "--date", "2026-01-02",
       "--symptom", "pain", "--value", "6")
    ok(capsys, anna, "med", "add", "--patient", "Anna", "--name", "sertraline")
    ok(capsys, anna, "plan", "--patient", "Anna", "--to", "2026-02-01")
    # Other patients do not exist for it, by name or by id.
    for other in ("Bo", str(set_up.bo)):
        err = refused(capsys, anna, "dose", "--patient", other, "--date", "2026-01-02",
                      "--mg", "0.75")
        assert "No patient with id or name" in err
        assert "No patient with id or name" in refused(capsys, anna, "alerts", "--patient",
                                                       other)
    # No dismissal, no protocol setting; the day it acknowledged the information it may set.
    dismiss = ("dismiss", "--patient", "Anna", "--code", "information_pending", "--date",
               "2026-01-01", "--reason", "I know")
    assert "needs --role clinician" in refused(capsys, anna, *dismiss)
    # --role cannot raise what the server says the login is.
    err = refused(capsys, anna, *dismiss, "--role", "clinician")
    assert "patient's login" in err and set_up.anna_login in err
    refused(capsys, anna, "patient", "edit", "--patient", "Anna", "--target-mg", "6",
            "--reason", "I decide")
    refused(capsys, anna, "patient", "add", "--name", "Cleo", "--condition", "fibromyalgia",
            "--start", "2026-01-01")
    ok(capsys, anna, "patient", "edit", "--patient", "Anna", "--informed", "2026-01-01",
       "--reason", "read the leaflet")
    # verify needs the whole trail, which this login cannot read: exit 2, "not checked".
    err = refused(capsys, anna, "verify")
    assert "clinician's login" in err and "not checked" in err
    assert _owner_rows(clinic, "SELECT count(*) FROM alert_dismissal") == [(0,)]
    assert _owner_rows(clinic, "SELECT target_mg, informed_on::text FROM patient "
                       "WHERE id = %(id)s", id=set_up.anna) == [(4.5, "2026-01-01")]
    assert _owner_rows(clinic, "SELECT count(*) FROM patient") == [(2,)]
    # Every audit row it wrote names the login, whatever the app's actor was.
    actors = _owner_rows(clinic, "SELECT DISTINCT actor, patient_id FROM audit_entry "
                         "WHERE actor <> %(owner)s", owner=make_url(clinic.owner_url).username)
    assert actors == [(set_up.anna_login, set_up.anna)]


def test_the_clinicians_login_sees_every_patient_and_dismisses(set_up: SetUp, capsys) -> None:
    clinic = set_up.clinic
    anna, doctor = clinic.url(set_up.anna_login), clinic.url(set_up.doctor)
    ok(capsys, anna, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "0.75")
    out = ok(capsys, doctor, "patient", "list")
    assert "Anna" in out and "Bo" in out
    ok(capsys, doctor, "dose", "--patient", "Bo", "--date", "2026-01-02", "--mg", "0.75")
    ok(capsys, doctor, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1",
       "--reason", "the pharmacy label said 1 mg")
    ok(capsys, doctor, "dismiss", "--patient", "Bo", "--code", "information_pending",
       "--date", "2026-01-01", "--reason", "discussed by phone")
    ok(capsys, doctor, "patient", "edit", "--patient", "Bo", "--tolerance-days", "3",
       "--reason", "agreed at visit")
    ok(capsys, clinic.url(set_up.bo_login), "score", "--patient", "Bo", "--date",
       "2026-01-04", "--symptom", "pain", "--value", "3")
    assert "intact" in ok(capsys, doctor, "verify")
    assert "intact" in ok(capsys, clinic.owner_url, "verify")
    # One chain through every login's rows, each row naming the login that wrote it.
    owner = make_url(clinic.owner_url).username
    rows = _owner_rows(clinic, "SELECT actor, table_name, patient_id FROM audit_entry "
                       "WHERE actor <> %(owner)s ORDER BY id", owner=owner)
    assert {(a, p) for a, _t, p in rows} == {
        (set_up.anna_login, set_up.anna), (set_up.doctor, set_up.bo),
        (set_up.doctor, set_up.anna), (set_up.bo_login, set_up.bo)}
    assert ("alert_dismissal" in {t for a, t, _p in rows if a == set_up.doctor})
    links = _owner_rows(clinic, "SELECT prev_hash = lag(hash, 1, repeat('0', 64)) "
                        "OVER (ORDER BY id) FROM audit_entry ORDER BY id")
    assert links and all(link for (link,) in links)


def test_server_role_is_the_logins_group(set_up: SetUp) -> None:
    clinic = set_up.clinic
    expected = {clinic.owner_url: None, clinic.url(set_up.doctor): "clinician",
                clinic.url(set_up.anna_login): "patient"}
    for url, role in expected.items():
        db = Database(url)
        try:
            with db.engine.connect() as conn:
                assert server_role(conn) == role
            with db.read() as session:
                assert server_role(session) == role
        finally:
            db.dispose()


def test_server_role_on_sqlite_is_none(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "t.db"))
    try:
        with db.engine.connect() as conn:
            assert server_role(conn) is None
    finally:
        db.dispose()


# -- raw SQL as the logins ---------------------------------------------------------------------

FORGED_AUDIT = (
    "INSERT INTO audit_entry (at, actor, action, table_name, row_id, patient_id, field, "
    "prev_hash, hash) VALUES (now(), %s, 'insert', 'dose_entry', 1, %s, '*', %s, %s)")
TAMPERING = {
    "UPDATE audit_entry SET reason = 'nothing happened'": "permission denied",
    "DELETE FROM audit_entry": "permission denied",
    "TRUNCATE audit_entry": "permission denied",
    "ALTER TABLE audit_entry DISABLE TRIGGER ALL": "must be owner",
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change": "must be owner",
    "DROP TRIGGER audit_entry_no_change ON audit_entry": "must be owner",
    "DROP TRIGGER audit_entry_actor_is_login ON audit_entry": "must be owner",
    "DROP TABLE audit_entry": "must be owner",
    "CREATE TRIGGER t BEFORE INSERT ON audit_entry FOR EACH ROW "
    "EXECUTE FUNCTION audit_entry_append_only()": "permission denied",
    "ALTER TABLE dose_entry DISABLE ROW LEVEL SECURITY": "must be owner",
    "DROP POLICY ldn_patient_own ON dose_entry": "must be owner",
    "CREATE POLICY mine ON dose_entry USING (true)": "must be owner",
    "SET session_replication_role = replica": "permission denied",
    "SELECT * FROM patient_login": "permission denied",
    "INSERT INTO patient_login VALUES (session_user, 1)": "permission denied",
    "ALTER TABLE patient OWNER TO CURRENT_USER": "must be owner",
}


def _refused(conn: psycopg.Connection, statement: str, params: Any = None) -> str:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(statement, params)
    return str(caught.value)


def _seed_diaries(set_up: SetUp, capsys) -> None:
    clinic = set_up.clinic
    for login, name in ((set_up.anna_login, "Anna"), (set_up.bo_login, "Bo")):
        url = clinic.url(login)
        ok(capsys, url, "dose", "--patient", name, "--date", "2026-01-02", "--mg", "0.75")
        ok(capsys, url, "effect", "--patient", name, "--date", "2026-01-02", "--name",
           "headache", "--severity", "2")
        ok(capsys, url, "score", "--patient", name, "--date", "2026-01-02", "--symptom",
           "pain", "--value", "5")
        ok(capsys, url, "med", "add", "--patient", name, "--name", "sertraline")
        ok(capsys, url, "chemo", "add", "--patient", name, "--date", "2026-01-20")
    ok(capsys, clinic.url(set_up.doctor), "dismiss", "--patient", "Bo", "--code",
       "information_pending", "--date", "2026-01-01", "--reason", "discussed")
    db = Database(clinic.url(set_up.bo_login))
    try:
        Clinic(db).check_in(set_up.bo, CheckIn(day=date(2026, 1, 3), no_side_effects=True,
                                               note="ok"))
    finally:
        db.dispose()


def test_raw_sql_as_a_patients_login(set_up: SetUp, capsys) -> None:
    _seed_diaries(set_up, capsys)
    clinic = set_up.clinic
    anna, bo = set_up.anna, set_up.bo
    with psycopg.connect(**clinic.libpq(set_up.anna_login), autocommit=True) as conn:
        # Another patient's rows do not exist, in any table; its own are all there.
        for table, access in TABLES.items():
            key = access.patient_key
            other = conn.execute(f"SELECT count(*) FROM {table} WHERE {key} = %s",
                                 (bo,)).fetchone()[0]
            assert other == 0, table
            foreign = conn.execute(f"SELECT count(*) FROM {table} WHERE {key} <> %s",
                                   (anna,)).fetchone()[0]
            assert foreign == 0, table
        assert conn.execute("SELECT count(*) FROM patient").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM patient_status").fetchone()[0] == 1
        # Writing into another patient's diary is refused; changing it touches nothing.
        err = _refused(conn, "INSERT INTO dose_entry (patient_id, day, taken, mg, "
                       "above_max_confirmed) VALUES (%s, '2026-01-09', true, 1, false)", (bo,))
        assert "row-level security" in err
        err = _refused(conn, "INSERT INTO note (patient_id, day, text) VALUES "
                       "(%s, '2026-01-09', 'x')", (bo,))
        assert "row-level security" in err
        assert conn.execute("UPDATE dose_entry SET mg = 5 WHERE patient_id = %s",
                            (bo,)).rowcount == 0
        assert conn.execute("DELETE FROM clear_day WHERE patient_id = %s", (bo,)).rowcount == 0
        assert conn.execute("UPDATE patient SET informed_on = '2026-01-01' WHERE id = %s",
                            (bo,)).rowcount == 0
        # Moving its own rows to another patient is refused too.
        err = _refused(conn, "UPDATE dose_entry SET patient_id = %s WHERE patient_id = %s",
                       (bo, anna))
        assert "row-level security" in err
        # Protocol settings and dismissals are the clinician's.
        for column in ("target_mg = 6", "step_mg = 1", "tolerance_days = 3",
                       "max_mg = 25", "name = 'x'"):
            assert "permission denied" in _refused(conn, f"UPDATE patient SET {column}")
        assert "permission denied" in _refused(
            conn, "INSERT INTO alert_dismissal (patient_id, code, day, reason, actor, at) "
            "VALUES (%s, 'information_pending', '2026-01-01', 'x', session_user, now())", (anna,))
        assert "permission denied" in _refused(conn, "DELETE FROM alert_dismissal")
        assert "permission denied" in _refused(
            conn, "INSERT INTO patient (name, condition, protocol, start_date, start_mg, "
            "start_days, step_mg, interval_days, target_mg, max_mg, tolerance_days, "
            "min_severity, formulation, transplant, thyroid_interval_days) VALUES ('x', 'y', "
            "'z', '2026-01-01', 1, 1, 1, 1, 1, 1, 4, 1, 'capsule', false, 1)")
        assert "permission denied" in _refused(conn, "SET ROLE ldn_clinician")
        # The audit trail: append-only, and the actor is the login.
        for statement, expected in TAMPERING.items():
            assert expected in _refused(conn, statement), statement
        err = _refused(conn, FORGED_AUDIT, ("clinician:dr-jensen", anna, "0" * 64, "0" * 64))
        assert "must be the database login" in err
        # The one column the login may change, changed behind the app's back: allowed by the
        # server, and seen by verify (the row no longer equals what the audit trail says).
        assert conn.execute("UPDATE patient SET informed_on = '2026-01-01' WHERE id = %s",
                            (anna,)).rowcount == 1
    code, out, _err = cli(capsys, clinic.url(set_up.doctor), "verify")
    assert code == 1 and "informed_on" in out, out


def test_raw_sql_as_a_clinicians_login(set_up: SetUp, capsys) -> None:
    _seed_diaries(set_up, capsys)
    clinic = set_up.clinic
    with psycopg.connect(**clinic.libpq(set_up.doctor), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM patient").fetchone()[0] == 2
        patients = conn.execute("SELECT DISTINCT patient_id FROM dose_entry ORDER BY 1")
        assert [p for (p,) in patients] == sorted([set_up.anna, set_up.bo])
        for statement, expected in TAMPERING.items():
            assert expected in _refused(conn, statement), statement
        err = _refused(conn, FORGED_AUDIT, (set_up.anna_login, set_up.anna, "0" * 64, "0" * 64))
        assert "must be the database login" in err
        # A clinician changes protocol settings (the app audits it; raw SQL is verify's to see).
        assert conn.execute("UPDATE patient SET tolerance_days = 3 WHERE id = %s",
                            (set_up.bo,)).rowcount == 1
    with psycopg.connect(**clinic.libpq(set_up.doctor)) as conn:
        actor = conn.execute("SELECT session_user").fetchone()[0]
        head = conn.execute("SELECT audit_chain_head()").fetchone()[0]
        assert len(head) == 64 and actor == set_up.doctor


def test_a_login_cannot_connect_to_another_database_of_the_server(set_up: SetUp,
                                                                  pg_server) -> None:
    """The groups are cluster-wide; CONNECT is given login by login, database by database."""
    other = pg_server.create()
    try:
        assert main(["--db", other, "admin", "init"]) == 0  # another clinic's database
        stranger = {**set_up.clinic.libpq(set_up.doctor), "dbname": make_url(other).database}
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(**stranger).close()
    finally:
        _drop_database(pg_server, other)


# -- what admin refuses --------------------------------------------------------------------------

def test_admin_refuses_what_it_cannot_do(server: ClinicServer, capsys, tmp_path: Path,
                                         pg_server, monkeypatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    owner = server.owner_url
    pw = _password_file(tmp_path, "pw", PASSWORD + "\n")
    doctor = server.login("doctor")
    # Not a PostgreSQL URL.
    for target in (str(tmp_path / "clinic.db"), f"sqlite:///{tmp_path / 'c.db'}"):
        err = refused(capsys, target, "admin", "init")
        assert "PostgreSQL" in err
        assert not (tmp_path / "clinic.db").exists() and not (tmp_path / "c.db").exists()
    # Logins before init: the groups are not there yet.
    err = refused(capsys, owner, "admin", "clinician", "--login", doctor)
    assert "admin init" in err
    ok(capsys, owner, "admin", "init")
    ok(capsys, owner, "patient", "add", "--name", "Anna", "--condition", "fibromyalgia",
       "--start", "2026-01-01")
    # Bad login names, quoted or not, never reach the server.
    for name in ("", "Robert'); DROP TABLE patient; --", 'a"b', "pg_evil", "ldn_clinician",
                 "PUBLIC", "x" * 64, "1abc", "ann a", "åse"):
        err = refused(capsys, owner, "admin", "clinician", "--login", name)
        assert "--login" in err, name
    # No such patient; an ambiguous one.
    patient_login = server.login("anna")
    err = refused(capsys, owner, "admin", "patient", "--login", patient_login, "--patient",
                  "Nobody")
    assert "No patient with id or name Nobody" in err
    refused(capsys, owner, "admin", "patient", "--login", patient_login, "--patient", "999")
    # Password files: missing, empty, a directory.
    for bad in (str(tmp_path / "missing"), _password_file(tmp_path, "empty", "\n  \nx\n"),
                str(tmp_path)):
        err = refused(capsys, owner, "admin", "clinician", "--login", doctor,
                      "--password-file", bad)
        assert "--password-file" in err
    with pg_server.admin.connect() as conn:
        names = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    assert doctor not in names and patient_login not in names
    # The owner, and a superuser-like role, cannot be made a login: they would bypass RLS.
    owner_name = make_url(owner).username
    assert "owns" in refused(capsys, owner, "admin", "clinician", "--login", owner_name)
    # Not the owner: a clinician's login cannot run admin.
    ok(capsys, owner, "admin", "clinician", "--login", doctor, "--password-file", pw)
    for action in (("init",), ("clinician", "--login", server.login("other")),
                   ("patient", "--login", patient_login, "--patient", "Anna")):
        err = refused(capsys, server.url(doctor), "admin", *action)
        assert "owner" in err, action
    # One login, one role, one patient.
    err = refused(capsys, owner, "admin", "patient", "--login", doctor, "--patient", "Anna")
    assert "already a clinician's login" in err
    ok(capsys, owner, "admin", "patient", "--login", patient_login, "--patient", "Anna")
    ok(capsys, owner, "admin", "patient", "--login", patient_login, "--patient", "Anna")
    assert "already a patient's login" in refused(capsys, owner, "admin", "clinician",
                                                  "--login", patient_login)
    ok(capsys, owner, "patient", "add", "--name", "Bo", "--condition", "fibromyalgia",
       "--start", "2026-01-01")
    err = refused(capsys, owner, "admin", "patient", "--login", patient_login, "--patient",
                  "Bo")
    assert "already the login of patient" in err


def test_an_existing_role_is_granted_and_keeps_its_password(server: ClinicServer, capsys,
                                                            pg_server) -> None:
    ok(capsys, server.owner_url, "admin", "init")
    existing = server.login("existing")
    with pg_server.admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE \"{existing}\" LOGIN PASSWORD 'its own password'"))
    out = ok(capsys, server.owner_url, "admin", "clinician", "--login", existing)
    assert "No password set" not in out and existing in out
    with psycopg.connect(**server.libpq(existing, "its own password")) as conn:
        assert conn.execute("SELECT count(*) FROM patient").fetchone()[0] == 0
    db = Database(server.url(existing, "its own password"))
    try:
        with db.read() as session:
            assert server_role(session) == "clinician"
    finally:
        db.dispose()


def test_a_new_login_without_a_password_file_says_so(server: ClinicServer, capsys) -> None:
    ok(capsys, server.owner_url, "admin", "init")
    login = server.login("nopw")
    out = ok(capsys, server.owner_url, "admin", "clinician", "--login", login)
    assert "No password set" in out
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**server.libpq(login, "")).close()


def test_the_password_comes_from_the_files_first_line_only(set_up: SetUp) -> None:
    clinic = set_up.clinic
    with psycopg.connect(**clinic.libpq(set_up.anna_login, PASSWORD)) as conn:
        assert conn.execute("SELECT session_user").fetchone()[0] == set_up.anna_login
    for wrong in (f"  {PASSWORD}  ", "not the password"):
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(**clinic.libpq(set_up.anna_login, wrong)).close()


def test_import_by_the_clinicians_and_the_patients_logins(set_up: SetUp, capsys,
                                                          tmp_path: Path) -> None:
    """SPEC §11 on a server: a clinician's login takes in a bundle from home (a new patient
    appears, audited as that login); a patient's login may add its own diary from a file, but
    the server keeps another patient's file out (RLS), and nothing is written."""
    clinic = set_up.clinic
    doctor = clinic.url(set_up.doctor)
    home = str(tmp_path / "home.db")
    karen = int(ok(capsys, home, "patient", "add", "--name", "Karen", "--condition", "ms",
                   "--start", "2026-01-05"))
    ok(capsys, home, "dose", "--patient", str(karen), "--date", "2026-01-05", "--mg", "0.5")
    ok(capsys, home, "score", "--patient", str(karen), "--date", "2026-01-05", "--symptom",
       "pain", "--value", "6")
    bundle = tmp_path / "karen.json"
    ok(capsys, home, "export", "--patient", str(karen), "--format", "fhir", "--out", str(bundle))
    out = ok(capsys, doctor, "import", str(bundle))
    assert "3 entries added" in out
    actors = {a for (a,) in _owner_rows(
        clinic, "SELECT DISTINCT actor FROM audit_entry WHERE reason = %(r)s",
        r=f"imported from {bundle}")}
    assert actors == {set_up.doctor}  # the login itself (session_user), SPEC §10
    # Anna's own file (her own records, one more day) through her login: taken in.
    anna = clinic.url(set_up.anna_login)
    ok(capsys, clinic.owner_url, "dose", "--patient", str(set_up.anna), "--date",
       "2026-01-02", "--mg", "0.5")
    mine = tmp_path / "anna.json"
    ok(capsys, clinic.owner_url, "export", "--patient", str(set_up.anna), "--format", "fhir",
       "--out", str(mine))
    data = json.loads(mine.read_text(encoding="utf-8"))
    data["entry"].append(json.loads(json.dumps(next(
        e for e in data["entry"] if e["resource"]["resourceType"] == "MedicationAdministration"))))
    extra = data["entry"][-1]
    extra["fullUrl"] = f"urn:uuid:{uuid.uuid4()}"
    extra["resource"]["id"] = extra["fullUrl"][len("urn:uuid:"):]
    extra["resource"]["effectiveDateTime"] = "2026-01-03"
    mine.write_text(json.dumps(data), encoding="utf-8")
    assert "1 entries added" in ok(capsys, anna, "import", str(mine))
    # Karen's file through Anna's login: Karen is not in Anna's view, and Anna may not create
    # patients: refused, nothing written.
    before = _owner_rows(clinic, "SELECT count(*) FROM audit_entry")
    code, _out, err = cli(capsys, anna, "import", str(bundle))
    assert code == 2 and err
    assert _owner_rows(clinic, "SELECT count(*) FROM audit_entry") == before
