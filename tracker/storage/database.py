"""Engine, sessions and the schema's life cycle: the one place that knows about the database.

Opening a database upgrades it to the newest schema with alembic (never ``create_all``); an
existing SQLite file is first copied, with SQLite's backup API, to a timestamped backup beside
it. SQLite runs in WAL mode with ``synchronous=FULL`` (a diary must survive a power cut), foreign
keys on and a busy timeout; new files are created readable by their owner only, before the first
connection, so the -wal and -shm files SQLite makes get the same mode.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.i18n import N_, Message
from tracker.storage.locations import is_url
from tracker.storage.schema import SCHEMA_REVISION

# The newest alembic revision (kept in tracker.storage.records, which the app's first screen reads
# without SQLAlchemy): opening an up-to-date database never has to import alembic.
HEAD_REVISION = SCHEMA_REVISION
BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 1 << 30  # address space, not memory: pages are shared with the OS file cache


class DatabaseError(Exception):
    """A database problem told to the user in plain words (no traceback), in their language."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, params)
        # Rendered when shown (str), in the language of that moment; rendering here in a
        # fixed language would switch the process's language under a running app.
        super().__init__(template)

    def __str__(self) -> str:
        return self.message.render()


def _owner_only_file(path: Path) -> None:
    """Create ``path`` (and its directory) readable by its owner only, whatever the umask."""
    # mkdir(parents=True) gives missing parents the umask's mode (0777 under umask 0): make
    # each missing directory ourselves, owner-only.
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(directory, 0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    except FileExistsError:
        # Never open (and close) an existing database: closing any descriptor of a file drops
        # every POSIX lock this process holds on it, including those of SQLite connections
        # already open here; another process could then checkpoint and remove the -wal and
        # -shm under them ("disk I/O error", lost commits).
        pass
    else:
        os.close(fd)
    os.chmod(path, 0o600)


def migrations_dir() -> Path:
    """The alembic scripts: inside the installed package, else the repository root."""
    from importlib.resources import files

    packaged = Path(str(files("tracker"))) / "migrations"
    if (packaged / "env.py").exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Transactions are begun by the "begin" listener below, so pysqlite must not begin its own.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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
    """One database, SQLite file or server URL, upgraded to the current schema when opened."""

    def __init__(self, target: str, *, migrate: bool = True, backup: bool = True) -> None:
        self.target = target
        self.path: Path | None = None
        if is_url(target):
            url = make_url(target)
            if url.get_backend_name() == "sqlite" and url.database:
                self.path = Path(url.database).expanduser()
        else:
            self.path = Path(target).expanduser()
            url = make_url(f"sqlite:///{self.path}")
        self.url = url
        self.is_sqlite = url.get_backend_name() == "sqlite"
        existed = self.path is not None and self.path.exists() and self.path.stat().st_size > 0
        if self.path is not None:
            if self.path.is_dir():
                raise DatabaseError(N_("{path} is a directory, not a database file."),
                                    path=self.path)
            try:
                _owner_only_file(self.path)
            except OSError as exc:
                raise DatabaseError(N_("Cannot create the database {path}: {problem}."),
                                    path=self.path, problem=exc.strerror) from exc
        self.engine = self._make_engine()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.backup_path: Path | None = None
        if migrate:
            self.upgrade(backup=backup and existed)

    def _make_engine(self) -> Engine:
        if self.is_sqlite:
            engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(self.url, pool_pre_ping=True)

    # -- sessions ----------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        with self.sessions() as session:
            session.connection(execution_options={"write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
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
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            raise DatabaseError(N_("Cannot open the database {where}: {problem}"),
                                where=self.display_name, problem=_first_line(exc)) from exc
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

    @property
    def display_name(self) -> str:
        """Where the data is, never with a password."""
        return str(self.path) if self.path is not None else \
            self.url.render_as_string(hide_password=True)

    def upgrade(self, *, backup: bool = True) -> None:
        current = self.current_revision()
        if current == HEAD_REVISION:
            return
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
        _owner_only_file(dest)
        src = sqlite3.connect(self.path)
        dst = sqlite3.connect(dest)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        os.chmod(dest, 0o600)
        return dest


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
