"""The PostgreSQL roles of SPEC §10: the ``admin`` commands, the logins, and the role the
server gives a connection.

On a server the database, not the app, keeps each person to their role, so that a modified
copy of the app cannot step over it. The tables' owner (the role that ran the migrations) keeps
the tables; nobody else owns them, so nobody else can alter, disable or drop the audit trail's
triggers. Two group roles without login, ``ldn_clinician`` and ``ldn_patient``, hold the grants
and are bound by the row-level security of :mod:`tracker.storage.grants` (the table of grants,
the policies and the SQL that sets them); this module holds what a reader of the commands looks
for: ``admin init`` (:func:`init_roles`), ``admin clinician`` / ``admin patient``
(:func:`add_login`), who may run them (the owner of the database and its tables, allowed to
create roles), and what the app asks the server (:func:`server_role`,
:func:`require_whole_trail`).

The group roles are cluster-wide (SPEC names them), while grants and policies are per database:
a clinician of another database on the same server is a member of the same ``ldn_clinician``.
What keeps it out of this one is CONNECT, taken from PUBLIC by ``admin init`` and given login
by login by ``admin clinician`` / ``admin patient``.

``admin init`` re-applies the whole set in one transaction and compares the catalogue before and
after: when nothing differs it rolls back, so a second run changes nothing at all. Identifiers
are quoted by ``psycopg.sql``, never by string formatting; a password never reaches the server
in clear text (libpq computes the SCRAM verifier here, as psql's ``\\password`` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from tracker.i18n import N_, Message
from tracker.storage.database import Database, DatabaseError
from tracker.storage.grants import (
    ADD,
    ADMIN_LOCK,
    AUDIT_NEVER,
    CLINICIAN_GROUP,
    CLINICIAN_POLICY,
    CORRECT,
    DELETE,
    EDIT,
    FUNCTIONS,
    GROUPS,
    INSERT,
    OWNER_ONLY_TABLES,
    PATIENT_GROUP,
    PATIENT_POLICY,
    READ,
    READ_ONLY_TABLES,
    REMOVE,
    SELECT,
    TABLES,
    UPDATE,
    RoleStatements,
    TableAccess,
)
from tracker.storage.locations import is_url
from tracker.validation import ValidationError

__all__ = [
    "ADD", "ADMIN_LOCK", "AUDIT_NEVER", "CLINICIAN_GROUP", "CLINICIAN_POLICY", "CORRECT",
    "DELETE", "EDIT", "FUNCTIONS", "GROUPS", "INSERT", "LOGIN_NAME", "OWNER_ONLY_TABLES",
    "PATIENT_GROUP", "PATIENT_POLICY", "READ", "READ_ONLY_TABLES", "RESERVED_LOGINS", "REMOVE",
    "SELECT", "TABLES", "UPDATE", "InitReport", "LoginReport", "ServerRole", "TableAccess",
    "add_login", "check_login_name", "init_roles", "is_postgres_url", "require_whole_trail",
    "server_role",
]

ServerRole = Literal["clinician", "patient"]

LOGIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,62}$")
RESERVED_LOGINS = {"public", "none", "current_user", "session_user", "current_role",
                   *GROUPS}


def is_postgres_url(target: str) -> bool:
    if not is_url(target):
        return False
    try:
        return make_url(target).get_backend_name() == "postgresql"
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can read: not a PostgreSQL one
        return False


def check_login_name(name: str) -> str:
    """A login name the server will keep as typed (no truncation), outside PostgreSQL's own."""
    if not LOGIN_NAME.match(name):
        raise ValidationError("--login", Message(N_(
            "{field} must be a login name: a letter or _ first, then letters, digits, _, . or "
            "-, at most 63 characters (got {value})."), {"value": name}))
    if name.lower().startswith("pg_") or name.lower() in RESERVED_LOGINS:
        raise ValidationError("--login", Message(N_(
            "{field}: {value} is reserved (PostgreSQL's own names and the group roles {groups} "
            "cannot be a login)."), {"value": name, "groups": ", ".join(GROUPS)}))
    return name


# -- what the app asks the server --------------------------------------------------------------

def server_role(connection: Connection | Session) -> ServerRole | None:
    """The role the server gives this connection's login: its group, None if in neither.

    ``clinician`` for a member of ``ldn_clinician`` (a superuser is a member of every role),
    else ``patient`` for a member of ``ldn_patient``, else None: the tables' owner, or any
    database but PostgreSQL. ``--role`` cannot raise what this says.
    """
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name != "postgresql":
        return None
    groups = set(connection.execute(text(
        "SELECT rolname FROM pg_roles WHERE rolname IN (:clinician, :patient) "
        "AND pg_has_role(session_user, oid, 'MEMBER')"),
        {"clinician": CLINICIAN_GROUP, "patient": PATIENT_GROUP}).scalars())
    if CLINICIAN_GROUP in groups:
        return "clinician"
    if PATIENT_GROUP in groups:
        return "patient"
    return None


def require_whole_trail(session: Session) -> None:
    """``verify`` reads the whole trail: refused (exit 2, not checked) for a patient's login.

    Row-level security shows a patient's login its own patient's audit rows only, and the chain
    runs through every patient's rows, so from there it cannot be checked; a clinician's login
    (or the owner) can.
    """
    if server_role(session) == "patient":
        login = session.execute(text("SELECT session_user")).scalar_one()
        raise DatabaseError(N_(
            "The audit trail was not checked: {login} is a patient's login, which sees only its "
            "own patient's audit rows, and the chain runs through every patient's. Run verify "
            "with a clinician's login."), login=login)


# -- admin init ---------------------------------------------------------------------------------

@dataclass
class InitReport:
    database: str
    changed: bool
    tables: int
    notes: list[Message] = field(default_factory=list)


def init_roles(db: Database) -> InitReport:
    """Create the group roles, their grants and the row-level security (idempotent)."""
    with _owner_transaction(db) as admin:
        admin.require_owner()
        before = admin.state()
        notes = admin.apply()
        changed = admin.state() != before
        if not changed:
            admin.rollback()
        return InitReport(admin.database, changed, len(TABLES), notes)


# -- admin clinician / admin patient ---------------------------------------------------------

@dataclass
class LoginReport:
    login: str
    database: str
    created: bool
    password_set: bool
    url: str


def add_login(db: Database, login: str, role: ServerRole, password: str | None,
              patient_id: int | None = None) -> LoginReport:
    """A login role in the group of ``role`` (created, or an existing one granted)."""
    check_login_name(login)
    with _owner_transaction(db) as admin:
        admin.require_owner()
        admin.require_ready()
        created, password_set = admin.login(login, role, password, patient_id)
        url = URL.create(db.url.drivername, username=login, host=db.url.host,
                         port=db.url.port, database=db.url.database,
                         query=db.url.query).render_as_string()
        return LoginReport(login, admin.database, created, password_set, url)


# -- the SQL ----------------------------------------------------------------------------------

@contextmanager
def _owner_transaction(db: Database) -> Iterator[_Admin]:
    """One transaction on the server, committed unless it raised or rolled back itself."""
    if db.is_sqlite:
        raise DatabaseError(N_("The roles are PostgreSQL's: {where} is not a PostgreSQL "
                               "database."), where=db.display_name)
    raw = db.engine.raw_connection()
    try:
        pg: Any = raw.driver_connection
        pg.rollback()  # whatever the pool left open: this transaction is ours
        try:
            admin = _Admin(pg)
            yield admin
            if not admin.rolled_back:
                pg.commit()
        except BaseException:
            pg.rollback()
            raise
    finally:
        raw.close()


class _Admin(RoleStatements):
    """``admin init``'s statements, and who may run the admin commands and the logins."""

    # -- who may run it ------------------------------------------------------------------

    def require_owner(self) -> None:
        """The owner of the database and its tables, allowed to create roles."""
        names = [*TABLES, *READ_ONLY_TABLES, *OWNER_ONLY_TABLES]
        rows = self.run(
            "SELECT c.relname, pg_get_userbyid(c.relowner), "
            "pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)",
            (names,)).fetchall()
        for table, owner, mine in rows:
            if not mine:
                raise DatabaseError(N_(
                    "admin must be run with the tables' owner's URL: {owner} owns the table "
                    "{table}, and you are logged in as {user}."),
                    owner=owner, table=table, user=self.user)
        missing = sorted(set(names) - {r[0] for r in rows})
        if missing:
            raise DatabaseError(N_("The table {table} is missing from the schema {schema}: this "
                                   "is not an ldn-tracker database."),
                                table=missing[0], schema=self.schema)
        owner, mine, may_create_roles = self.run(
            "SELECT pg_get_userbyid(d.datdba), pg_has_role(current_user, d.datdba, 'USAGE'), "
            "(SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_database d WHERE d.datname = current_database()").fetchone()
        if not mine:
            raise DatabaseError(N_(
                "admin must be run by the database's owner: {owner} owns the database "
                "{database}, and you are logged in as {user} (as an administrator: ALTER "
                "DATABASE {database} OWNER TO {user})."),
                owner=owner, database=self.database, user=self.user)
        if not may_create_roles:
            raise DatabaseError(N_(
                "{user} may not create roles: as an administrator, run ALTER ROLE {user} "
                "CREATEROLE."), user=self.user)

    def require_ready(self) -> None:
        ready = self.run(
            "SELECT count(*) = 2 AND (SELECT relrowsecurity FROM pg_class "
            "WHERE oid = %s::regclass) FROM pg_roles WHERE rolname = ANY(%s)",
            (self.table("patient").as_string(self.pg), list(GROUPS))).fetchone()[0]
        if not ready:
            raise DatabaseError(N_(
                "The group roles are not set up in {database} yet: run ldn-tracker --db "
                "OWNER_URL admin init first."), database=self.database)

    # -- admin clinician / admin patient ---------------------------------------------------

    def login(self, login: str, role: ServerRole, password: str | None,
              patient_id: int | None) -> tuple[bool, bool]:
        sql = self.sql
        group = CLINICIAN_GROUP if role == "clinician" else PATIENT_GROUP
        other = PATIENT_GROUP if role == "clinician" else CLINICIAN_GROUP
        existing = self.run(
            "SELECT r.rolsuper OR r.rolbypassrls, "
            "pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = %s::regclass), "
            "'USAGE') OR pg_has_role(r.oid, (SELECT datdba FROM pg_database "
            "WHERE datname = current_database()), 'USAGE'), "
            "pg_has_role(r.oid, %s, 'MEMBER') FROM pg_roles r WHERE r.rolname = %s",
            (self.table("patient").as_string(self.pg), other, login)).fetchone()
        if existing is not None:
            bypasses, owns, in_other = existing
            if bypasses:
                raise ValidationError("--login", Message(N_(
                    "{field}: {value} is a superuser or bypasses row-level security, so no role "
                    "would bind it: choose another login."), {"value": login}))
            if owns:
                raise ValidationError("--login", Message(N_(
                    "{field}: {value} owns (or acts as the owner of) the database or its "
                    "tables, and could switch the policies off: choose another login."),
                    {"value": login}))
            if in_other:
                raise ValidationError("--login", Message(
                    N_("{field}: {value} is already a clinician's login.") if role == "patient"
                    else N_("{field}: {value} is already a patient's login."),
                    {"value": login}))
        if patient_id is not None:
            mapped = self.run(
                sql.SQL("SELECT patient_id FROM {} WHERE login = %s").format(
                    self.table("patient_login")), (login,)).fetchone()
            if mapped is not None and mapped[0] != patient_id:
                raise ValidationError("--login", Message(N_(
                    "{field}: {value} is already the login of patient {patient}; one login is "
                    "one patient's."), {"value": login, "patient": mapped[0]}))
        name = sql.Identifier(login)
        secret = sql.SQL("")
        if password is not None:
            verifier = self.pg.pgconn.encrypt_password(password.encode("utf-8"),
                                                       login.encode("utf-8"), None)
            secret = sql.SQL(" PASSWORD {}").format(sql.Literal(verifier.decode("ascii")))
        if existing is None:
            self.run(sql.SQL("CREATE ROLE {} LOGIN INHERIT{}").format(name, secret))
        else:
            self.run(sql.SQL("ALTER ROLE {} LOGIN INHERIT{}").format(name, secret))
        self.run(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), name))
        self.run(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(self.database), name))
        if patient_id is not None:
            self.run(sql.SQL("INSERT INTO {} (login, patient_id) VALUES (%s, %s) "
                             "ON CONFLICT (login) DO NOTHING").format(
                self.table("patient_login")), (login, patient_id))
        return existing is None, password is not None
