"""The append-only, hash-chained audit trail: one row per changed field, who, when and why.

Each row's SHA-256 hash covers its content and the previous row's hash, so a row changed,
removed or reordered breaks the chain, and :func:`verify` names it. The database itself
refuses UPDATE and DELETE on the table (triggers created by the migrations).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.i18n import N_, Message
from tracker.models import AuditEntry, Patient

GENESIS_HASH = "0" * 64
PG_CHAIN_LOCK = 7_041_966  # advisory lock: one writer at a time extends the chain; taken by
# audit_chain_head() on PostgreSQL (migration 0003 spells the number out)


@dataclass(frozen=True)
class VerifyResult:
    """The hash chain's verdict: ``rows`` walked, the first bad row, the head when intact."""

    ok: bool
    rows: int
    first_bad_id: int | None = None
    message: Message | None = None
    head_id: int | None = None  # the last row (None: an empty trail or a broken chain)
    head_hash: str = GENESIS_HASH

    @property
    def problem(self) -> str | None:
        """What broke the chain, in the user's language."""
        return self.message.render() if self.message is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _plain(value: Any) -> str | None:
    """Audit values as text: ISO dates, plain numbers, true/false."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def audit_hash(prev_hash: str, entry: Any) -> str:
    """The SHA-256 of ``entry``'s content (an :class:`AuditEntry` or a row of its columns)."""
    return _content_hash(prev_hash, entry.at, entry.actor, entry.action, entry.table_name,
                         entry.row_id, entry.patient_id, entry.field, entry.old_value,
                         entry.new_value, entry.reason)


_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one, not one a row


def _content_hash(prev_hash: str, at: datetime, *content: Any) -> str:
    payload = _PAYLOAD.encode([prev_hash, at.isoformat(timespec="microseconds"), *content])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_CHAIN_HEAD = "ldn_tracker.audit_chain_head"  # session.info: (last hash, actor) of this transaction


def append(session: Session, actor: str, action: str, row: Any,
           fields: dict[str, tuple[Any, Any]], reason: str | None = None) -> None:
    """Audit rows for ``row``'s changed ``fields`` (name: (old, new)), chained to the last.

    On PostgreSQL the actor is the database login (``session_user``) whatever ``actor`` says:
    a trigger refuses any other, and the hash must cover what is stored. The chain's head comes
    from ``audit_chain_head()``, which takes the chain's lock and, running as the tables' owner,
    sees the rows that row-level security hides from a patient's login (migration 0003).
    """
    append_all(session, actor, action, [(row, fields)], reason)


def append_all(session: Session, actor: str, action: str,
               changes: Sequence[tuple[Any, dict[str, tuple[Any, Any]]]],
               reason: str | None = None) -> None:
    """:func:`append` for several rows at once, in their order: one chain, one flush (not
    one a row)."""
    head = session.info.get(_CHAIN_HEAD)
    if head is not None:  # this transaction's own last row: the lock is still ours
        prev, actor = head
    elif session.get_bind().dialect.name == "postgresql":
        prev, actor = session.execute(select(func.audit_chain_head(),
                                             func.session_user())).one()
    else:
        prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    prev = prev or GENESIS_HASH
    at = utcnow()
    for row, fields in changes:
        patient_id = row.id if isinstance(row, Patient) else getattr(row, "patient_id", None)
        for name, (old, new) in fields.items():
            entry = AuditEntry(
                at=at, actor=actor, action=action, table_name=row.__tablename__,
                row_id=row.id, patient_id=patient_id, field=name, old_value=_plain(old),
                new_value=_plain(new), reason=reason, prev_hash=prev, hash="",
            )
            entry.hash = audit_hash(prev, entry)
            prev = entry.hash
            session.add(entry)
    session.flush()
    # The next append in this transaction chains to this row without reading it back: the
    # transaction holds the chain's lock (SQLite's write lock, BEGIN IMMEDIATE; PostgreSQL's
    # from audit_chain_head()) until it ends, so no other row can come between. A session is
    # one transaction (storage.database.Database.write); its info ends with it.
    session.info[_CHAIN_HEAD] = (prev, actor)


def row_values(row: Any, skip: tuple[str, ...] = ()) -> str:
    """A whole row as JSON text, for the audit rows of an insert or a delete."""
    return json.dumps({c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns
                       if c.key not in skip}, ensure_ascii=False)


CHAIN_COLUMNS = ("id", "at", "actor", "action", "table_name", "row_id", "patient_id", "field",
                 "old_value", "new_value", "reason", "prev_hash", "hash")
STREAM_BATCH = 5000
_cursor_names = itertools.count(1)


def stream(session: Session, sql: str) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``sql`` as plain tuples, fetched a batch at a time, in the session's
    transaction: on the DB-API connection itself (SQLAlchemy's rows cost more than the
    checks), through a server-side cursor on PostgreSQL so that nothing is held in memory."""
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None
    if session.get_bind().dialect.name == "postgresql":
        cursor = dbapi.cursor(name=f"ldn_tracker_stream_{next(_cursor_names)}")
        cursor.itersize = STREAM_BATCH
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield from batch
    finally:
        cursor.close()


def stored_datetime(value: Any) -> datetime | None:
    """A timestamp as the driver gives it (SQLite: ISO text, a server: a datetime)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def verify(session: Session) -> VerifyResult:
    """Recompute the hash chain; name the first row changed, removed or reordered.

    Rows are read in id order. A row whose content no longer gives its stored hash was
    changed. A row that does not point at the hash of the row before it tells what happened
    in between: its ``prev_hash`` is the hash of another row still in the table (rows were
    reordered: this one is out of place), or of no row at all (the row before it was
    changed and its hash recomputed, or, where ids are missing, rows were removed).
    Removing rows from the *end* of the chain cannot be seen from the chain alone (an anchor
    kept outside the database can: :mod:`tracker.storage.verify`).

    The rows are read as the driver gives them, streamed, without the ORM: a clinic's trail
    has millions of rows, and a value no ORM type would accept (a date that is not a date)
    is a changed row, not a crash.
    """
    if session.get_bind().dialect.name == "postgresql":
        from tracker.storage.admin import require_whole_trail

        require_whole_trail(session)  # a patient's login sees only its own patient's rows
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    sql = f"SELECT {', '.join(CHAIN_COLUMNS)} FROM {AuditEntry.__tablename__} ORDER BY id"
    with closing(stream(session, sql)) as rows:
        for (row_id, at_value, actor, action, table, about, patient, field, old, new, reason,
             prev_hash, stored_hash) in rows:
            count += 1
            at = stored_datetime(at_value)
            if at is None or _content_hash(prev_hash, at, actor, action, table, about, patient,
                                           field, old, new, reason) != stored_hash:
                return VerifyResult(False, count, row_id, Message(
                    N_("audit row {row} was changed (its content no longer matches its "
                       "hash)"), {"row": row_id}))
            if prev_hash != prev:
                rows.close()
                return _chain_break(session, row_id, prev_hash, last_id, count)
            prev = stored_hash
            last_id = row_id
    return VerifyResult(True, count, head_id=last_id or None, head_hash=prev)


def _chain_break(session: Session, row_id: int, prev_hash: str, last_id: int,
                 count: int) -> VerifyResult:
    """Explain why row ``row_id`` does not follow the row before it (``last_id``, 0: none)."""
    home = session.scalar(select(AuditEntry.id).where(AuditEntry.hash == prev_hash)
                          .order_by(AuditEntry.id).limit(1))
    if home is not None:
        return VerifyResult(False, count, row_id, Message(
            N_("audit row {row} is out of order: it was written right after row {home}, not "
               "after row {last} (rows reordered)"),
            {"row": row_id, "home": home, "last": last_id or "-"}))
    if row_id > last_id + 1:
        first, last = last_id + 1, row_id - 1
        template = N_("audit row {first} before row {row} was removed (row {row} points at a "
                      "row that is gone)") if first == last else \
            N_("audit rows {first} to {last} before row {row} were removed (row {row} points "
               "at a row that is gone)")
        return VerifyResult(False, count, first, Message(
            template, {"first": first, "last": last, "row": row_id}))
    if last_id == 0:
        return VerifyResult(False, count, row_id, Message(
            N_("audit row {row} was changed (it is the first row but does not start the "
               "chain)"), {"row": row_id}))
    return VerifyResult(False, count, last_id, Message(
        N_("audit row {last} was changed and its hash recomputed (row {row} still points at "
           "the original)"), {"last": last_id, "row": row_id}))
