"""The anchor file of ``verify --anchor FILE``: what the trail held last time, kept elsewhere.

A trail cut at its end, or rewritten whole with every hash recomputed, is still a consistent
chain: nothing inside the database can show it. Only a record kept outside can, so the anchor
file holds the trail's length and the hash of its last row (JSON: ``rows``, ``head_id``,
``head_hash``, ``recorded_at``). ``verify`` checks that the trail still begins with that many
rows ending in that hash (the chain vouches for every row before it), and, only if every check
passed, records the current length and head there.

The file is evidence, so it is handled as such: a damaged one (empty, cut short, edited) is
refused with exit status 2 and left as it is, never treated as new; it is replaced atomically
(a temporary file beside it, fsynced, renamed); a new one is 0600 and an existing one keeps its
mode without ever being chmodded.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tracker.i18n import N_, Message
from tracker.models import AuditEntry
from tracker.storage.audit import GENESIS_HASH
from tracker.validation import ValidationError

AUDIT_TABLE = AuditEntry.__tablename__
ANCHOR_KIND = "ldn-tracker audit anchor"
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Anchor:
    """What an anchor file records: the trail's length and the hash of its last row."""

    rows: int
    head_id: int | None
    head_hash: str
    recorded_at: str = ""


@dataclass(frozen=True)
class AnchorCheck:
    path: Path
    recorded: Anchor | None  # None: the file did not exist yet
    current: Anchor
    written: bool = False


def read_anchor(path: Path) -> Anchor | None:
    """The anchor ``path`` records; None if there is no such file yet.

    A file that exists but cannot be read, or is not an anchor (empty, cut short, edited), is
    refused with exit status 2: treating it as new would let whoever damaged it start over.
    """
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError("--anchor", Message(
            N_("{field}: the anchor file {path} cannot be read: {problem}."),
            {"path": str(path), "problem": problem})) from None
    try:
        data = json.loads(content)
    except ValueError:
        raise _damaged(path, Message(N_("it is empty")) if not content.strip()
                       else Message(N_("it is not JSON"))) from None
    if not isinstance(data, dict) or data.get("kind") != ANCHOR_KIND:
        raise _damaged(path, Message(N_("it is not an ldn-tracker anchor")))
    rows, head_id, head_hash = data.get("rows"), data.get("head_id"), data.get("head_hash")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise _damaged(path, Message(N_("{key} is missing or not valid"), {"key": "rows"}))
    if not isinstance(head_hash, str) or not _HASH.fullmatch(head_hash) \
            or (rows == 0) != (head_hash == GENESIS_HASH):
        raise _damaged(path, Message(N_("{key} is missing or not valid"),
                                     {"key": "head_hash"}))
    if head_id is not None and (isinstance(head_id, bool) or not isinstance(head_id, int)):
        raise _damaged(path, Message(N_("{key} is missing or not valid"), {"key": "head_id"}))
    return Anchor(rows, head_id, head_hash, str(data.get("recorded_at", "")))


def _damaged(path: Path, problem: Message) -> ValidationError:
    return ValidationError("--anchor", Message(
        N_("{field}: the anchor file {path} is damaged ({problem}); it was left as it is and "
           "nothing was checked"), {"path": str(path), "problem": problem}))


def check_anchor(conn: Any, recorded: Anchor, rows: int, path: Path) -> list[Message]:
    """Does the trail still begin with the ``recorded.rows`` rows the anchor saw?"""
    if recorded.rows == 0:
        return []
    if rows < recorded.rows:
        return [Message(N_("the audit trail has {rows} rows, but the anchor {path} recorded "
                           "{recorded} on {when}: rows it recorded are gone (cut from the end, "
                           "removed, or the whole trail replaced)"),
                        {"rows": rows, "path": str(path), "recorded": recorded.rows,
                         "when": recorded.recorded_at or "?"})]
    there = conn.execute(text(f"SELECT id, hash FROM {AUDIT_TABLE} ORDER BY id LIMIT 1 "
                              "OFFSET :skip"), {"skip": recorded.rows - 1}).one()
    if there.hash != recorded.head_hash:
        return [Message(N_("audit row number {position} (id {row}) is not the row the anchor "
                           "{path} recorded on {when}: the trail was rewritten up to there"),
                        {"position": recorded.rows, "row": there.id, "path": str(path),
                         "when": recorded.recorded_at or "?"})]
    return []


def write_anchor(anchor: AnchorCheck, database: str) -> AnchorCheck:
    """Write the current length and head into the anchor file, atomically.

    A new file is created owner-only (0600); an existing one is replaced by a new file with the
    same mode (the existing file is never chmodded).
    """
    path = anchor.path
    current = anchor.current
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    content = json.dumps({"kind": ANCHOR_KIND, "version": 1, "rows": current.rows,
                          "head_id": current.head_id, "head_hash": current.head_hash,
                          "recorded_at": now, "database": database},
                         ensure_ascii=False, indent=1) + "\n"
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            if mode != 0o600:
                os.chmod(temporary, mode)  # the new file, never the one it replaces
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_directory(target.parent)
    except OSError as exc:
        raise ValidationError("--anchor", Message(
            N_("{field}: the anchor file {path} cannot be written: {problem}. The audit trail "
               "itself is intact."), {"path": str(path), "problem": exc.strerror or str(exc)})
        ) from None
    return AnchorCheck(path, anchor.recorded,
                       Anchor(current.rows, current.head_id, current.head_hash, now), True)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
