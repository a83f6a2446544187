"""The PostgreSQL roles of SPEC §10: group roles, grants, row-level security and logins.

On a server the database, not the app, keeps each person to their role, so that a modified
copy of the app cannot step over it. The tables' owner (the role that ran the migrations) keeps
the tables; nobody else owns them, so nobody else can alter, disable or drop the audit trail's
triggers. Two group roles without login, ``ldn_clinician`` and ``ldn_patient``, hold exactly
the grants the app's read and write paths use (:data:`TABLES`): no TRUNCATE, TRIGGER or
REFERENCES for anyone, ``audit_entry`` SELECT and INSERT only, a patient's login may change
only ``patient.informed_on`` of its settings and may not dismiss alerts. Row-level security on
every table holding a patient's rows lets a patient's login see and write its own patient's
rows only (the ``patient_login`` map, read through ``ldn_login_patient()``, migration 0003); a
clinician's login sees all. ``ENABLE``, not ``FORCE``: the logins are not owners, so the
policies bind them, and the owner, who must see the whole chain (``audit_chain_head()`` runs as
the owner) and could switch the policies off anyway, is not bound.

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
from tracker.storage.locations import is_url
from tracker.validation import ValidationError

CLINICIAN_GROUP = "ldn_clinician"
PATIENT_GROUP = "ldn_patient"
GROUPS = (CLINICIAN_GROUP, PATIENT_GROUP)
ServerRole = Literal["clinician", "patient"]

CLINICIAN_POLICY = "ldn_clinician_all"
PATIENT_POLICY = "ldn_patient_own"
ADMIN_LOCK = 7_041_968  # one `admin` command at a time on a database
LOGIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,62}$")
RESERVED_LOGINS = {"public", "none", "current_user", "session_user", "current_role",
                   *GROUPS}

SELECT, INSERT, UPDATE, DELETE = "SELECT", "INSERT", "UPDATE", "DELETE"


@dataclass(frozen=True)
class TableAccess:
    """What each group may do on one table, and the column naming the patient a row is of."""

    patient_key: str
    clinician: tuple[str, ...]
    patient: tuple[str, ...]
    patient_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)


READ = (SELECT,)
ADD = (SELECT, INSERT)
CORRECT = (SELECT, INSERT, UPDATE)
REMOVE = (SELECT, INSERT, DELETE)
EDIT = (SELECT, INSERT, UPDATE, DELETE)
# Exactly what the write paths use (services/clinic.py, services/check_in.py, services/status.py):
# corrections update; "no side effects" and an emptied note delete; nothing else deletes. A
# patient's login adds no patient, changes only when the off-label information was acknowledged
# and dismisses no alert.
TABLES: dict[str, TableAccess] = {
    "patient": TableAccess("id", CORRECT, READ, {UPDATE: ("informed_on",)}),
    "medication": TableAccess("patient_id", CORRECT, CORRECT),
    "chemo_session": TableAccess("patient_id", ADD, ADD),
    "dose_entry": TableAccess("patient_id", CORRECT, CORRECT),
    "side_effect_report": TableAccess("patient_id", CORRECT, CORRECT),
    "clear_day": TableAccess("patient_id", REMOVE, REMOVE),
    "symptom_score": TableAccess("patient_id", CORRECT, CORRECT),
    "note": TableAccess("patient_id", EDIT, EDIT),
    "patient_status": TableAccess("patient_id", CORRECT, CORRECT),
    "alert_dismissal": TableAccess("patient_id", ADD, READ),
    "audit_entry": TableAccess("patient_id", ADD, ADD),
}
READ_ONLY_TABLES = ("alembic_version",)  # both groups read the schema's revision
OWNER_ONLY_TABLES = ("patient_login",)  # read by the policies through ldn_login_patient()
# The functions of migration 0003 and the groups that call them: the chain's head for every
# writer, the login's patient for the patient's policies.
FUNCTIONS = {"audit_chain_head()": GROUPS, "ldn_login_patient()": (PATIENT_GROUP,),
             "audit_entry_actor_is_login()": ()}
AUDIT_NEVER = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")  # on audit_entry, for no grantee


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


class _Admin:
    """The statements of the admin commands, on one psycopg connection, in its transaction."""

    def __init__(self, pg: Any) -> None:
        from psycopg import sql

        self.sql = sql
        self.pg = pg
        self.cur = pg.cursor()
        self.rolled_back = False
        self.cur.execute("SELECT pg_advisory_xact_lock(%s)", (ADMIN_LOCK,))
        self.database, self.schema, self.user = self.cur.execute(
            "SELECT current_database(), current_schema(), current_user").fetchone()

    def rollback(self) -> None:
        self.pg.rollback()
        self.rolled_back = True

    def run(self, statement: Any, params: Any = None) -> Any:
        return self.cur.execute(statement, params)

    def table(self, name: str) -> Any:
        return self.sql.Identifier(self.schema, name)

    def groups(self, names: tuple[str, ...] = GROUPS) -> Any:
        return self.sql.SQL(", ").join(self.sql.Identifier(g) for g in names)

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

    # -- the state admin init compares ------------------------------------------------------

    def state(self) -> tuple[Any, ...]:
        """Everything ``admin init`` sets, as plain sorted values."""
        names = [*TABLES, *READ_ONLY_TABLES, *OWNER_ONLY_TABLES]
        roles = self.run(
            "SELECT rolname, rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, "
            "array(SELECT pg_get_userbyid(m.roleid) FROM pg_auth_members m "
            "WHERE m.member = r.oid ORDER BY 1) FROM pg_roles r WHERE rolname = ANY(%s) "
            "ORDER BY 1", (list(GROUPS),)).fetchall()
        relations = self.run(
            "SELECT c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, "
            "array(SELECT x::text FROM unnest(c.relacl) x ORDER BY 1), "
            "array(SELECT a.attname || ':' || x::text FROM pg_attribute a, unnest(a.attacl) x "
            "WHERE a.attrelid = c.oid ORDER BY 1) "
            "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND (c.relname = ANY(%s) OR c.relkind = 'S') ORDER BY 1", (names,)).fetchall()
        policies = self.run(
            "SELECT tablename, policyname, permissive, roles::text[], cmd, qual, with_check "
            "FROM pg_policies WHERE schemaname = current_schema() ORDER BY 1, 2").fetchall()
        functions = self.run(
            "SELECT p.oid::regprocedure::text, array(SELECT x::text FROM unnest(p.proacl) x "
            "ORDER BY 1) FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
            "ORDER BY 1").fetchall()
        database = self.run(
            "SELECT array(SELECT x::text FROM unnest(datacl) x ORDER BY 1) FROM pg_database "
            "WHERE datname = current_database()").fetchone()
        return tuple(roles), tuple(relations), tuple(policies), tuple(functions), database

    # -- admin init ---------------------------------------------------------------------------

    def apply(self) -> list[Message]:
        notes: list[Message] = []
        self.ensure_groups()
        sql = self.sql
        everyone = sql.SQL("{}, PUBLIC").format(self.groups())
        for name in (*TABLES, *READ_ONLY_TABLES, *OWNER_ONLY_TABLES):
            self.run(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(self.table(name),
                                                                     everyone))
        for name in READ_ONLY_TABLES:
            self.run(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(self.table(name),
                                                                     self.groups()))
        for name, access in TABLES.items():
            self.grant_table(name, access)
            notes += self.own_policies_only(name)
            self.policies(name, access)
        notes += self.audit_append_only()
        for function, callers in FUNCTIONS.items():
            signature = sql.SQL("{}.{}").format(sql.Identifier(self.schema),
                                                sql.SQL(function))
            self.run(sql.SQL("REVOKE ALL ON FUNCTION {} FROM {}").format(signature, everyone))
            if callers:
                self.run(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
                    signature, self.groups(callers)))
        if not self.run("SELECT bool_and(has_schema_privilege(g, current_schema(), 'USAGE')) "
                        "FROM unnest(%s::text[]) g", (list(GROUPS),)).fetchone()[0]:
            self.run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                sql.Identifier(self.schema), self.groups()))
        # The groups are shared by every database of the server: CONNECT goes login by login.
        self.run(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM {}").format(
            sql.Identifier(self.database), everyone))
        return notes

    def ensure_groups(self) -> None:
        sql = self.sql
        for group in GROUPS:
            row = self.run("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s",
                           (group,)).fetchone()
            if row is None:
                self.run(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
            elif row[0]:
                raise DatabaseError(N_(
                    "The group role {group} is a superuser or bypasses row-level security: as "
                    "an administrator, run ALTER ROLE {group} NOSUPERUSER NOBYPASSRLS."),
                    group=group)
            self.run(sql.SQL("ALTER ROLE {} NOLOGIN NOCREATEDB NOCREATEROLE INHERIT").format(
                sql.Identifier(group)))
            # A group inside another role (the owner's, the other group) would pass that role's
            # rights to every login in it.
            for (above,) in self.run(
                    "SELECT pg_get_userbyid(m.roleid) FROM pg_auth_members m JOIN pg_roles r "
                    "ON r.oid = m.member WHERE r.rolname = %s", (group,)).fetchall():
                self.run(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(above),
                                                             sql.Identifier(group)))

    def grant_table(self, name: str, access: TableAccess) -> None:
        sql = self.sql
        table = self.table(name)
        by_group = ((CLINICIAN_GROUP, access.clinician), (PATIENT_GROUP, access.patient))
        for group, privileges in by_group:
            self.run(sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                sql.SQL(", ").join(sql.SQL(p) for p in privileges), table,
                sql.Identifier(group)))
        for privilege, columns in access.patient_columns.items():
            self.run(sql.SQL("GRANT {} ({}) ON TABLE {} TO {}").format(
                sql.SQL(privilege), sql.SQL(", ").join(map(sql.Identifier, columns)), table,
                sql.Identifier(PATIENT_GROUP)))
        # Inserts draw ids from the table's sequence: USAGE (nextval) is all they need.
        for sequence in self.run(
                "SELECT n.nspname, s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid "
                "AND s.relkind = 'S' JOIN pg_namespace n ON n.oid = s.relnamespace "
                "WHERE d.classid = 'pg_class'::regclass AND d.refobjid = %s::regclass "
                "AND d.deptype IN ('a', 'i') ORDER BY 2",
                (table.as_string(self.pg),)).fetchall():
            seq = sql.Identifier(*sequence)
            self.run(sql.SQL("REVOKE ALL ON SEQUENCE {} FROM {}, PUBLIC").format(
                seq, self.groups()))
            for group, privileges in by_group:
                if INSERT in privileges:
                    self.run(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                        seq, sql.Identifier(group)))

    def own_policies_only(self, name: str) -> list[Message]:
        """Another policy would open rows ours keep closed (policies are OR-ed): it goes."""
        notes = []
        for (policy,) in self.run(
                "SELECT policyname FROM pg_policies WHERE schemaname = current_schema() "
                "AND tablename = %s AND policyname <> ALL(%s) ORDER BY 1",
                (name, [CLINICIAN_POLICY, PATIENT_POLICY])).fetchall():
            self.run(self.sql.SQL("DROP POLICY {} ON {}").format(self.sql.Identifier(policy),
                                                                self.table(name)))
            notes.append(Message(N_("Removed the policy {policy} on {table}: only ldn-tracker's "
                                    "own policies may open rows."),
                                 {"policy": policy, "table": name}))
        return notes

    def policies(self, name: str, access: TableAccess) -> None:
        sql = self.sql
        table = self.table(name)
        own = sql.SQL("{} = (SELECT {}.ldn_login_patient())").format(
            sql.Identifier(access.patient_key), sql.Identifier(self.schema))
        for policy, group, rows in ((CLINICIAN_POLICY, CLINICIAN_GROUP, sql.SQL("true")),
                                    (PATIENT_POLICY, PATIENT_GROUP, own)):
            self.run(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(policy),
                                                                     table))
            self.run(sql.SQL("CREATE POLICY {} ON {} TO {} USING ({}) WITH CHECK ({})").format(
                sql.Identifier(policy), table, sql.Identifier(group), rows, rows))
        self.run(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table))
        # FORCE would bind the owner too, and audit_chain_head() (run as the owner) would no
        # longer see the chain's head.
        self.run(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(table))

    def audit_append_only(self) -> list[Message]:
        """No grantee but the owner may change, empty or add triggers to the audit trail."""
        notes = []
        rows = self.run(
            "SELECT pg_get_userbyid(x.grantee), array_agg(x.privilege_type ORDER BY 1) "
            "FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = %s::regclass "
            "AND x.grantee <> c.relowner AND x.grantee <> 0 AND x.privilege_type = ANY(%s) "
            "GROUP BY 1 ORDER BY 1",
            (self.table("audit_entry").as_string(self.pg), list(AUDIT_NEVER))).fetchall()
        for grantee, privileges in rows:
            self.run(self.sql.SQL("REVOKE {} ON TABLE {} FROM {}").format(
                self.sql.SQL(", ").join(self.sql.SQL(p) for p in privileges),
                self.table("audit_entry"), self.sql.Identifier(grantee)))
            notes.append(Message(N_("Revoked {privileges} on audit_entry from {role}: the "
                                    "audit trail is append-only."),
                                 {"privileges": ", ".join(privileges), "role": grantee}))
        return notes

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
