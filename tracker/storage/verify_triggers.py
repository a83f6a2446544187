"""Are the triggers that make the audit trail append-only still there, unchanged and enabled?

The hash chain shows a row edited in the middle of the trail, but whoever may drop or disable
the triggers of migration 0001 can then delete the trail's last rows, or change it and recompute
every hash after, and the chain stays consistent. So ``verify`` reads each engine's own record
of the triggers: SQLite's ``sqlite_master`` (the trigger's SQL, compared with the migration's:
a ``WHEN 0`` added, another event or table is a change), PostgreSQL's ``pg_trigger`` (present,
not disabled nor firing only on a replica, the same events) and the function behind them (it
still only raises). Another engine cannot be checked, and ``verify`` says so rather than pass.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.i18n import N_, Message
from tracker.models import AuditEntry

AUDIT_TABLE = AuditEntry.__tablename__
# The append-only triggers of migration 0001, as each engine stores them.
SQLITE_TRIGGERS = {"audit_entry_no_update": "UPDATE", "audit_entry_no_delete": "DELETE"}
PG_TRIGGERS = {  # name: pg_trigger.tgtype (ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32)
    "audit_entry_no_change": 1 | 2 | 8 | 16,
    "audit_entry_no_truncate": 2 | 32,
}
# Migration 0003's: an audit row must name the login that writes it (PostgreSQL only).
PG_ACTOR_TRIGGER = "audit_entry_actor_is_login"
PG_ACTOR_KIND = 1 | 2 | 4  # ROW, BEFORE, INSERT
_PG_ACTOR_BODY = re.compile(r"begin if new\.actor is distinct from session_user::text then "
                            r"raise exception '(?:[^']|'')*', session_user, new\.actor "
                            r"using errcode = 'insufficient_privilege'; end if; return new; "
                            r"end;?")
_SQLITE_TRIGGER_SQL = (r'create trigger "?{name}"? before {action} on "?audit_entry"? '
                       r"begin select raise\(abort, '[^']*'\); end;?")
_PG_FUNCTION_BODY = re.compile(r"begin raise exception '[^']*'; end;?")


def check_triggers(conn: Any, dialect: str) -> list[Message]:
    """The append-only triggers of ``audit_entry``: present, unchanged and enabled."""
    problems = []
    if dialect == "sqlite":
        stored = dict(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name = '{AUDIT_TABLE}'").all())
        for name, action in SQLITE_TRIGGERS.items():
            sql = stored.get(name)
            if sql is None:
                problems.append(_trigger_missing(name))
            elif not re.fullmatch(_SQLITE_TRIGGER_SQL.format(name=name, action=action.lower()),
                                  " ".join(sql.split()).lower()):
                problems.append(_trigger_changed(name))
        return problems
    if dialect != "postgresql":
        return [Message(N_("the append-only triggers cannot be checked on {engine}"),
                        {"engine": dialect})]
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, t.tgenabled, t.tgtype, p.proname, p.prosrc FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid "
        f"WHERE t.tgrelid = '{AUDIT_TABLE}'::regclass AND NOT t.tgisinternal").all()
    triggers = {row.tgname: row for row in rows}
    for name, kind in PG_TRIGGERS.items():
        row = triggers.get(name)
        if row is None:
            problems.append(_trigger_missing(name))
            continue
        enabled = row.tgenabled.decode() if isinstance(row.tgenabled, bytes) else \
            str(row.tgenabled)
        if enabled == "D":
            problems.append(Message(N_("the append-only trigger {name} on audit_entry is "
                                       "disabled"), {"name": name}))
        elif enabled == "R":
            problems.append(Message(N_("the append-only trigger {name} on audit_entry fires "
                                       "only on a replica: it is disabled here"),
                                    {"name": name}))
        if int(row.tgtype) != kind:
            problems.append(_trigger_changed(name))
        elif not _PG_FUNCTION_BODY.fullmatch(" ".join(str(row.prosrc).split()).lower()):
            problems.append(Message(
                N_("the function {function} behind the append-only trigger {name} was "
                   "changed: it no longer refuses every change"),
                {"function": row.proname, "name": name}))
    problems.extend(_actor_trigger(triggers.get(PG_ACTOR_TRIGGER)))
    return problems


def _actor_trigger(row: Any) -> list[Message]:
    """Migration 0003's trigger: without it (or disabled, or changed) a login could write
    audit rows in another's name, and the trail would say who did what wrongly."""
    name = PG_ACTOR_TRIGGER
    if row is None:
        return [Message(N_("the trigger {name} on audit_entry is missing (an audit row could "
                           "name someone other than the login that wrote it)"), {"name": name})]
    enabled = row.tgenabled.decode() if isinstance(row.tgenabled, bytes) else str(row.tgenabled)
    if enabled in ("D", "R"):
        return [Message(N_("the trigger {name} on audit_entry is disabled (an audit row could "
                           "name someone other than the login that wrote it)"), {"name": name})]
    if int(row.tgtype) != PG_ACTOR_KIND or not _PG_ACTOR_BODY.fullmatch(
            " ".join(str(row.prosrc).split()).lower()):
        return [Message(N_("the trigger {name} on audit_entry, or the function behind it, was "
                           "changed: it no longer checks that an audit row names its login"),
                        {"name": name})]
    return []


def _trigger_missing(name: str) -> Message:
    return Message(N_("the append-only trigger {name} on audit_entry is missing (the audit "
                      "trail can be changed without the database refusing it)"),
                   {"name": name})


def _trigger_changed(name: str) -> Message:
    return Message(N_("the append-only trigger {name} on audit_entry was changed: it no longer "
                      "refuses every change"), {"name": name})
