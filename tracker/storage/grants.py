"""The table of grants and the row-level security of SPEC §10, and the SQL that sets them.

What each group role may do is one table, :data:`TABLES`, so that a reader (or a reviewer of a
new write path) checks it in one place: ``ldn_clinician`` and ``ldn_patient`` hold exactly the
grants the app's read and write paths use, no TRUNCATE, TRIGGER or REFERENCES for anyone,
``audit_entry`` SELECT and INSERT only; a patient's login may change only
``patient.informed_on`` of its settings and may not dismiss alerts. Inserts get USAGE on their
table's sequence, nothing more.

Row-level security on every table holding a patient's rows lets a patient's login see and write
its own patient's rows only (the ``patient_login`` map, read through ``ldn_login_patient()``,
migration 0003); a clinician's login sees all. Policies are OR-ed, so any policy but ours is
dropped. ``ENABLE``, not ``FORCE``: the logins are not owners, so the policies bind them, and
the owner, who must see the whole chain (``audit_chain_head()`` runs as the owner) and could
switch the policies off anyway, is not bound.

:class:`RoleStatements` runs ``admin init``'s statements on one psycopg connection, in the
transaction :mod:`tracker.storage.admin` opens (that module holds the commands' entry points,
who may run them, and the logins), and reads back :meth:`~RoleStatements.state`, everything
they set, which ``admin init`` compares before and after to change nothing on a second run.
Identifiers are quoted by ``psycopg.sql``, never by string formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.i18n import N_, Message
from tracker.storage.database import DatabaseError

CLINICIAN_GROUP = "ldn_clinician"
PATIENT_GROUP = "ldn_patient"
GROUPS = (CLINICIAN_GROUP, PATIENT_GROUP)

CLINICIAN_POLICY = "ldn_clinician_all"
PATIENT_POLICY = "ldn_patient_own"
ADMIN_LOCK = 7_041_968  # one `admin` command at a time on a database

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


class RoleStatements:
    """The statements of ``admin init``, on one psycopg connection, in its transaction."""

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
