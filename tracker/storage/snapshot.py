"""Direct reads from an up-to-date SQLite file with the standard library, for the first screen.

The app's cold start (docs/performance.md): importing SQLAlchemy and the models costs more than
a whole minimal Textual app. An existing SQLite file already at the current schema needs no
migration, so the first screen reads it through :class:`~tracker.storage.records.Records` on a plain
``sqlite3`` connection, while the Clinic (SQLAlchemy, the write path) opens after the screen is
drawn. A new file, an older schema or a server goes the full way, with its upgrade and backup.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.storage.locations import is_url, read_only_uri
from tracker.storage.records import Records
from tracker.storage.schema import SCHEMA_REVISION

BUSY_TIMEOUT_S = 30.0


class DirectReads:
    """Read connections to one SQLite file; :meth:`probe` says whether it qualifies."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def probe(cls, target: str) -> DirectReads | None:
        """Direct reads for ``target`` when it is an existing SQLite file at the current
        schema; ``None`` otherwise (and on any doubt: the full open will tell what is wrong)."""
        if is_url(target):
            return None
        path = Path(target).expanduser()
        try:
            if not path.is_file() or path.stat().st_size == 0:
                return None
            reads = cls(path)
            with reads.records() as records:
                rows = records.connection.execute(
                    "SELECT version_num FROM alembic_version").fetchall()
        except (OSError, sqlite3.Error):
            return None
        return reads if rows == [(SCHEMA_REVISION,)] else None

    @contextmanager
    def records(self) -> Iterator[Records]:
        """:class:`Records` on a read-only connection, in one read transaction."""
        # mode=ro: never creates the file nor writes to it (the Clinic owns every write).
        conn = sqlite3.connect(read_only_uri(self.path), uri=True,
                               timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("BEGIN")  # one snapshot for all the reads of a screen
            yield Records(conn)
        finally:
            conn.close()
