"""Writes that carry their audit rows: insert, update and delete, each in the caller's session.

Every change to a patient's records goes through these, so the append-only, hash-chained trail
(:mod:`tracker.storage.audit`) holds the old and the new value, who, when and why. The caller
owns the transaction: the row and its audit row are committed together or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from tracker.storage import audit

if TYPE_CHECKING:
    from tracker.storage.database import Database
    from tracker.storage.verify import Verification


def append(session: Session, actor: str, action: str, row: Any,
           fields: dict[str, tuple[Any, Any]], reason: str | None = None) -> None:
    audit.append(session, actor, action, row, fields, reason)


def insert(session: Session, actor: str, row: Any, reason: str | None = None) -> None:
    session.add(row)
    session.flush()
    append(session, actor, "insert", row,
           {"*": (None, audit.row_values(row, skip=("id", "created_at")))}, reason)


def insert_all(session: Session, actor: str, rows: list[Any], reason: str | None = None) -> None:
    """:func:`insert` for several new rows: one flush for the rows and one for their audit
    rows, in the rows' order."""
    if not rows:
        return
    session.add_all(rows)
    session.flush()
    audit.append_all(session, actor, "insert", [
        (row, {"*": (None, audit.row_values(row, skip=("id", "created_at")))}) for row in rows],
        reason)


def update(session: Session, actor: str, row: Any, changes: dict[str, Any],
           reason: str | None) -> bool:
    """Apply ``changes`` that differ from the row; ``False`` when nothing changed."""
    diff = {k: (getattr(row, k), v) for k, v in changes.items() if getattr(row, k) != v}
    if not diff:
        return False
    for key, (_old, new) in diff.items():
        setattr(row, key, new)
    session.flush()
    append(session, actor, "update", row, diff, reason)
    return True


def delete(session: Session, actor: str, row: Any, reason: str | None) -> None:
    append(session, actor, "delete", row, {"*": (audit.row_values(row), None)}, reason)
    session.delete(row)
    session.flush()


def verify(db: Database, anchor: Path | None = None) -> Verification:
    """Every check of ``ldn-tracker verify`` (SPEC §9, :mod:`tracker.storage.verify`).

    The hash chain; every audited row replayed from the trail and compared with the live
    tables; the append-only triggers; with ``anchor``, the trail still begins with what that
    file recorded, and on success the file then records the current head.
    """
    from tracker.storage import verify as checks  # only `verify` needs it, not the write path

    with db.read() as session:
        result = checks.check(session, anchor)
    if anchor is not None and result.ok:
        result = checks.record_anchor(result, db.display_name)
    return result
