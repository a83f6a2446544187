"""Engine, sessions and the schema's life cycle: the one place that opens the database.

Opening a database upgrades it to the newest schema with alembic (never ``create_all``); an
existing SQLite file is first copied, with SQLite's backup API, to a timestamped backup beside
it. SQLite runs in WAL mode with ``synchronous=FULL`` (a diary must survive a power cut), foreign
keys on and a busy timeout.

What ``--db`` names is checked before any of this, in :mod:`tracker.storage.targets` (URL
schemes and drivers, directories, missing paths, owner-only creation, read-only files): this
module opens what that one let through. A file without write permission opens read-only
(``mode=ro``, no WAL switch, no migration, no backup), so reading works and every write is
refused in plain words; a schema from a newer version of the app is refused before anything is
copied or changed. ``DatabaseError`` and the refusals are importable from here, as before.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.i18n import N_
from tracker.storage.locations import read_only_uri
from tracker.storage.schema import SCHEMA_REVISION
from tracker.storage.targets import (
    NO_DATABASE,
    READ_ONLY,
    SUPPORTED_DRIVERS,
    DatabaseError,
    check_target,
    create_owner_only,
    server_engine,
)

__all__ = ["BUSY_TIMEOUT_MS", "HEAD_REVISION", "NO_DATABASE", "READ_ONLY", "SUPPORTED_DRIVERS",
           "Database", "DatabaseError", "alembic_config", "known_revision", "migrations_dir"]

# The newest alembic revision (kept in tracker.storage.schema, which the app's first screen reads
# without SQLAlchemy): opening an up-to-date database never has to import alembic.
HEAD_REVISION = SCHEMA_REVISION
BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 1 << 30  # address space, not memory: pages are shared with the OS file cache


def migrations_dir() -> Path:
    """The alembic scripts: inside the installed package, else the repository root."""
    from importlib.resources import files

    packaged = Path(str(files("tracker"))) / "migrations"
    if (packaged / "env.py").exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    _set_pragmas(dbapi_conn, read_only=False)


def _sqlite_read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    _set_pragmas(dbapi_conn, read_only=True)


def _set_pragmas(dbapi_conn: Any, *, read_only: bool) -> None:
    # Transactions are begun by the "begin" listener below, so pysqlite must not begin its own.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if read_only:
        # No WAL switch (it writes the header): the file is read as it is.
        cur.execute("PRAGMA query_only = ON")
    else:
        _enter_wal(cur)
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    # Reads through memory-mapped I/O: a diary is read whole for every plan, and in a clinic one
    # patient's rows lie on thousands of pages (they grow day by day beside everyone else's);
    # mapping saves a copy per page (~2 ms of a 3-year diary read). Writes still go through the
    # WAL, so durability is unchanged.
    cur.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    cur.close()


def _enter_wal(cur: Any) -> None:
    """Put the file in WAL mode (persistent: once any connection did, this only reads it).

    Switching a rollback-journal file to WAL needs an exclusive lock, and SQLite answers "database
    is locked" at once, without the busy handler, while another process holds the file (say, it
    is migrating a new database in the same instant). So wait for it here, within the busy
    timeout, as a write would.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            mode = str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode != "wal":
                mode = str(cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode in ("wal", "memory"):  # an in-memory database has no WAL
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        if time.monotonic() >= deadline:
            raise sqlite3.OperationalError("database is locked (could not enter WAL mode)")
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _sqlite_begin(conn: Any) -> None:
    # A write transaction takes the write lock at once (BEGIN IMMEDIATE): waiting happens at the
    # start, under the busy timeout, instead of failing with "database is locked" half-way.
    mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database, SQLite file or server URL, upgraded to the current schema when opened.

    ``create=False`` is for a command that only reads: a database that is not there (no file,
    an empty file, a server database without the schema) is refused, and nothing is created.
    """

    def __init__(self, target: str, *, migrate: bool = True, backup: bool = True,
                 create: bool = True) -> None:
        self.target = target
        self.create = create
        checked = check_target(target, create=create)  # before anything is opened
        self.path: Path | None = checked.path
        self.url: URL = checked.url
        self.is_sqlite = checked.url.get_backend_name() == "sqlite"
        self.read_only = checked.read_only
        self.engine = self._make_engine()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.backup_path: Path | None = None
        if migrate:
            self.upgrade(backup=backup and checked.existed)

    def _make_engine(self) -> Engine:
        if self.is_sqlite and self.read_only:
            assert self.path is not None
            # pysqlite hands the file: URI to SQLite as it is (SQLAlchemy's ``uri=true``).
            database, _, query = read_only_uri(self.path).partition("?")
            url = URL.create("sqlite", database=database,
                             query={**dict(parse_qsl(query)), "uri": "true"})
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_read_only_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        if self.is_sqlite:
            engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return server_engine(self.url, self.display_name)

    # -- sessions ----------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        if self.read_only:
            raise DatabaseError(READ_ONLY, where=self.display_name)
        with self.sessions() as session:
            try:
                session.connection(execution_options={"write": True})
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                if isinstance(exc, OperationalError) and "readonly database" in str(exc.orig):
                    # Made read-only while open, or a directory SQLite cannot write its
                    # journal into: the same refusal, in words.
                    raise DatabaseError(READ_ONLY, where=self.display_name) from exc
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema ------------------------------------------------------------------------------

    def current_revision(self) -> str | None:
        """The schema's alembic revision; None for a new database."""
        if self.is_sqlite and self.path is not None:
            return self._file_revision(self.path)
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            template = N_("Cannot open the database {where}: {problem}") if self.is_sqlite \
                else N_("Cannot connect to the database server of {where}: {problem}")
            raise DatabaseError(template, where=self.display_name,
                                problem=_first_line(exc)) from exc
        with conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except (OperationalError, ProgrammingError) as exc:
                if "alembic_version" in str(exc.orig):
                    return None
                raise DatabaseError(N_("Cannot open the database {where}: {problem}"),
                                    where=self.display_name, problem=_first_line(exc)) from exc
            except SQLAlchemyError as exc:
                raise DatabaseError(N_("Cannot open the database {where}: {problem}"),
                                    where=self.display_name, problem=_first_line(exc)) from exc

    def _file_revision(self, path: Path) -> str | None:
        """The revision of a SQLite file, read on a read-only connection: a file that must be
        refused (newer, not a database) is not even switched to WAL."""
        try:
            conn = sqlite3.connect(read_only_uri(path), uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            if "no such table: alembic_version" in str(exc):
                return None
            raise DatabaseError(N_("Cannot open the database {where}: {problem}"),
                                where=self.display_name, problem=_first_line(exc)) from exc
        return None if row is None else str(row[0])

    @property
    def display_name(self) -> str:
        """Where the data is, never with a password."""
        return str(self.path) if self.path is not None else \
            self.url.render_as_string(hide_password=True)

    def upgrade(self, *, backup: bool = True) -> None:
        current = self.current_revision()
        if current == HEAD_REVISION:
            return
        if current is None and not self.create:
            raise DatabaseError(NO_DATABASE, where=self.display_name)
        if current is not None and not known_revision(current):
            # Before any backup: a newer file is refused as it is, every time, untouched.
            raise DatabaseError(N_(
                "The database {where} was made by a newer version of ldn-tracker (its schema "
                "is {revision}; this version knows up to {head}). Update ldn-tracker to open "
                "it; nothing was changed."), where=self.display_name, revision=current,
                head=HEAD_REVISION)
        if self.read_only:
            if current is None:
                raise DatabaseError(READ_ONLY, where=self.display_name)
            raise DatabaseError(N_(
                "The database {where} is read-only and was made by an older version of "
                "ldn-tracker: it must be upgraded first, which needs write permission. Nothing "
                "was changed."), where=self.display_name)
        if backup and current is not None and self.is_sqlite:
            self.backup_path = self.backup(reason="pre-upgrade")
        try:
            self._alembic_upgrade()
        except Exception as exc:
            if self.backup_path:
                raise DatabaseError(N_("Upgrading the database {where} failed: {problem}. A copy "
                                       "from before the upgrade is at {backup}."),
                                    where=self.display_name, problem=_first_line(exc),
                                    backup=self.backup_path) from exc
            raise DatabaseError(N_("Upgrading the database {where} failed: {problem}."),
                                where=self.display_name, problem=_first_line(exc)) from exc

    def _alembic_upgrade(self, revision: str = "head") -> None:
        from alembic import command

        with self._migration_connection() as conn:
            command.upgrade(alembic_config(conn), revision)

    @contextmanager
    def _migration_connection(self) -> Iterator[Any]:
        with self.engine.connect() as conn:
            if self.is_sqlite:
                # Batch mode rebuilds tables; cascades must not fire while it copies rows. The
                # pragma is a no-op inside a transaction, so it goes to the driver before one.
                _driver(conn).execute("PRAGMA foreign_keys = OFF")
                # Take the write lock before alembic reads the version (BEGIN IMMEDIATE) and hold
                # it to the last migration: two processes opening a new or old database at once
                # then migrate one after the other, the second finding nothing to do. The
                # transaction is begun here, not by alembic, which on SQLite would commit after
                # each revision and let the other process in between ("table already exists").
                conn.execution_options(write=True)
                conn.begin()
            elif conn.dialect.name == "postgresql":
                # The same on a server: one migrator at a time, until its transaction ends.
                conn.execute(text("SELECT pg_advisory_xact_lock(7041967)"))
            try:
                yield conn
                conn.commit()
            finally:
                if self.is_sqlite:
                    conn.rollback()
                    _driver(conn).execute("PRAGMA foreign_keys = ON")

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self._migration_connection() as conn:
            command.downgrade(alembic_config(conn), revision)

    def backup(self, *, reason: str = "backup") -> Path:
        """Copy a live SQLite database with the backup API to an owner-only timestamped file."""
        if self.path is None:
            raise DatabaseError(N_("Only a SQLite file can be backed up this way."))
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        dest = self.path.with_name(f"{self.path.name}.{reason}-{stamp}.bak")
        if not create_owner_only(dest):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dest))
        src = sqlite3.connect(self.path)
        dst = sqlite3.connect(dest)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        return dest


def known_revision(revision: str) -> bool:
    """Whether this version's migration scripts know ``revision`` (else a newer app made it)."""
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory(str(migrations_dir())).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic's "can't locate revision" has several classes
        return False


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _driver(conn: Any) -> Any:
    return conn.connection.driver_connection


def alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg
