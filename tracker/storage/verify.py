"""Does the database still hold what its audit trail says? The checks of ``ldn-tracker verify``.

The hash chain (:func:`tracker.storage.audit.verify`) proves only that the trail itself was not
edited in the middle. It says nothing about the rows the trail describes: whoever can write the
file can change a dose with plain SQL and leave the trail alone, or drop the append-only
triggers first. So ``verify`` checks four things, each in the same read snapshot:

1. **the chain**: every audit row still gives its hash and points at the row before it;
2. **the records**: the trail is replayed into what every audited row should hold, and that is
   compared with the live tables (:mod:`tracker.storage.verify_replay`, values read as
   :mod:`tracker.storage.verify_values` says);
3. **the triggers** that make the trail append-only are present, unchanged and enabled
   (:mod:`tracker.storage.verify_triggers`);
4. **the anchor** (``--anchor FILE``, optional): the trail still begins with the rows the file
   recorded last time, so a trail cut at its end or rewritten whole, which a consistent chain
   cannot reveal, is seen; on success the file then records the current length and head
   (:mod:`tracker.storage.verify_anchor`).

This module is the entry point and the verdict: which checks run, in which order their problems
are listed (chain, triggers, anchor, then the tables and their records), and the
:class:`Verification` handed to the command, whose ``ok`` decides the exit status. Each part
imports only the parts below it, never this module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.i18n import N_, Message
from tracker.models import AuditEntry
from tracker.storage import audit
from tracker.storage.audit import GENESIS_HASH, VerifyResult
from tracker.storage.verify_anchor import (
    Anchor,
    AnchorCheck,
    check_anchor,
    read_anchor,
    write_anchor,
)
from tracker.storage.verify_replay import Findings, replay
from tracker.storage.verify_triggers import check_triggers
from tracker.storage.verify_values import AUDITED_TABLES, TableSpec

AUDIT_TABLE = AuditEntry.__tablename__


@dataclass(frozen=True)
class Verification:
    """The verdict of every check; ``ok`` only if none found anything."""

    chain: VerifyResult
    rows: int  # audit rows
    records: int  # live rows compared with the trail
    tables: int
    problems: tuple[Message, ...]  # what to list, in order: chain, triggers, anchor, records
    problem_count: int
    differences_per_table: dict[str, int]
    anchor: AnchorCheck | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def first_bad_id(self) -> int | None:
        """The first audit row the chain check named (None: the chain is whole)."""
        return self.chain.first_bad_id

    @property
    def problem(self) -> str | None:
        """The first problem, in the user's language."""
        return self.problems[0].render() if self.problems else None

    @property
    def unlisted(self) -> int:
        return self.problem_count - len(self.problems)


# -- the checks ------------------------------------------------------------------------------

def check(session: Session, anchor_path: Path | None = None) -> Verification:
    """Every check, in one read snapshot of a fresh ``session``.

    A damaged or unreadable anchor file is refused before anything is read (ValidationError,
    exit status 2); a database that cannot be read is a DatabaseError (exit status 2).
    """
    recorded = read_anchor(anchor_path) if anchor_path is not None else None
    from tracker.storage.database import DatabaseError

    # The big reads go to the driver itself (audit.stream), so its errors come unwrapped.
    driver_error = session.get_bind().dialect.loaded_dbapi.Error
    try:
        return _check(session, anchor_path, recorded)
    except (SQLAlchemyError, driver_error) as exc:
        orig = getattr(exc, "orig", None) or exc
        problem = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        raise DatabaseError(N_("Could not check the audit trail: {problem}"),
                            problem=problem) from exc


def _check(session: Session, anchor_path: Path | None,
           recorded: Anchor | None) -> Verification:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # One snapshot for every query: the trail and the tables as of one instant, while the
        # patients go on writing (READ COMMITTED would show each query a newer state).
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    conn = session.connection()
    found = Findings()
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    if AUDIT_TABLE not in present:
        found.add(Message(N_("the table {table} is missing"), {"table": AUDIT_TABLE}))
        chain = VerifyResult(False, 0)
        rows = 0
    else:
        chain = audit.verify(session)
        if chain.message is not None:
            found.add(chain.message)
        rows = int(conn.exec_driver_sql(f"SELECT count(*) FROM {AUDIT_TABLE}").scalar_one())
    for message in check_triggers(conn, dialect):
        found.add(message)
    current = Anchor(chain.rows, chain.head_id, chain.head_hash) if chain.ok else \
        Anchor(rows, None, GENESIS_HASH)
    anchor = None
    if anchor_path is not None:
        anchor = AnchorCheck(anchor_path, recorded, current)
        if recorded is not None and AUDIT_TABLE in present:
            for message in check_anchor(conn, recorded, rows, anchor_path):
                found.add(message)
    specs = []
    for name in AUDITED_TABLES:
        spec = TableSpec.of(name)
        if name not in present:
            found.add(Message(N_("the table {table} is missing"), {"table": name}))
            continue
        columns = {c["name"] for c in inspector.get_columns(name)}
        missing = [c for c in spec.columns if c not in columns]
        if missing:
            found.add(Message(N_("the column {column} of the table {table} is missing"),
                              {"column": missing[0], "table": name}))
            continue
        specs.append(spec)
    records = replay(session, specs, found) if AUDIT_TABLE in present else 0
    return Verification(chain, rows, records, len(specs), tuple(found.listed), found.count,
                        found.per_table, anchor)


def record_anchor(result: Verification, database: str) -> Verification:
    """Record the trail's current length and head in the anchor file (intact trails only).

    Never called on a broken trail: recording it would erase the evidence the next ``verify``
    needs. How the file is written: :func:`tracker.storage.verify_anchor.write_anchor`.
    """
    assert result.ok and result.anchor is not None
    return replace(result, anchor=write_anchor(result.anchor, database))
