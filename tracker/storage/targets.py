"""What ``--db`` names, checked before anything is opened: the first line of the file safety.

A slip in ``--db`` must cost nothing. So before an engine exists or a byte is read, the target
is taken apart here: a URL ldn-tracker cannot use (an unknown scheme, a driver it is not tested
with) is refused by its scheme alone, never with its password; a directory is not a database; a
missing or empty path is refused to a command that only reads (``create=False``: ``--db
typo.db verify`` creates nothing); a new file is created readable by its owner only, its
missing directories too, whatever the umask, before the first connection, so the -wal and -shm
files SQLite makes get the same mode. A file that exists is never made writable, nor chmodded at
all (its mode is its owner's decision): one with no write permission (:func:`writable`) is
marked read-only and opened ``mode=ro`` by :class:`tracker.storage.database.Database`, which
holds the engine and the schema's life cycle. A PostgreSQL URL whose driver (psycopg) is not
installed is told which package to install when its engine is made (:func:`server_engine`: the
driver is imported then, and nothing is connected).

:class:`DatabaseError` and the two refusals every open may end in (:data:`NO_DATABASE`,
:data:`READ_ONLY`) live here, the lowest of the storage modules that raise them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tracker.i18n import N_, Message
from tracker.storage.locations import is_url, writable

# The URLs ldn-tracker speaks: backend -> the drivers it is tested with ("" is the default).
SUPPORTED_DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg")}

NO_DATABASE = N_("There is no database at {where}: this command only reads, so nothing was "
                 "created. Check --db (or LDN_TRACKER_DB).")
READ_ONLY = N_("The database {where} is read-only (no write permission): nothing was written. "
               "Commands that only read still work on it.")


class DatabaseError(Exception):
    """A database problem told to the user in plain words (no traceback), in their language."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, params)
        # Rendered when shown (str), in the language of that moment; rendering here in a
        # fixed language would switch the process's language under a running app.
        super().__init__(template)

    def __str__(self) -> str:
        return self.message.render()


@dataclass(frozen=True)
class Target:
    """``--db`` checked: its URL, its file (None on a server) and what that file was."""

    url: URL
    path: Path | None
    existed: bool  # a file with something in it before this open: worth a backup
    read_only: bool  # a file without write permission: read as it is, never written


def check_target(target: str, *, create: bool) -> Target:
    """``target`` (a path or a URL) as a :class:`Target`, a new file made owner-only, or a
    refusal: not a usable URL, a directory, nothing there for a command that only reads."""
    path: Path | None = None
    if is_url(target):
        url = database_url(target)
        if url.get_backend_name() == "sqlite" and url.database:
            path = Path(url.database).expanduser()
    else:
        path = Path(target).expanduser()
        url = make_url(f"sqlite:///{path}")
    existed = read_only = False
    if path is not None:
        if path.is_dir():
            raise DatabaseError(N_("{path} is a directory, not a database file."), path=path)
        existed = path.exists() and path.stat().st_size > 0
        if not create and not existed:
            raise DatabaseError(NO_DATABASE, where=path)
        try:
            create_owner_only(path)
        except OSError as exc:
            raise DatabaseError(N_("Cannot create the database {path}: {problem}."),
                                path=path, problem=exc.strerror) from exc
        read_only = not writable(path)
    return Target(url, path, existed, read_only)


def database_url(target: str) -> URL:
    """``target`` as a URL of a database ldn-tracker can use, or a refusal saying which are."""
    try:
        url = make_url(target)
    except ArgumentError:
        url = None
    backend, _, driver = (url.drivername if url else "").partition("+")
    if url is None or driver not in SUPPORTED_DRIVERS.get(backend, ()):
        # Never a password: what cannot be parsed is shown by its scheme alone.
        shown = url.render_as_string(hide_password=True) if url else \
            target.partition("://")[0] + "://…"
        raise DatabaseError(N_(
            "{where} is not a database URL ldn-tracker can use: give a SQLite file (a path, or "
            "sqlite:///PATH) or a PostgreSQL server (postgresql://… or "
            "postgresql+psycopg://…)."), where=shown)
    return url


def server_engine(url: URL, where: str) -> Engine:
    """The engine of a database server, or the refusal naming the driver's package."""
    try:
        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:  # the DB-API module of the dialect, imported here
        raise DatabaseError(N_(
            "{where} is a PostgreSQL server, but its driver (the psycopg package) is not "
            "installed: pip install 'ldn-tracker[postgres]' (or pip install "
            "'psycopg[binary]')."), where=where) from exc


def create_owner_only(path: Path) -> bool:
    """Create ``path`` empty and readable by its owner only (its missing directories 0700),
    whatever the umask; ``False`` if it already exists, which is then left exactly as it is."""
    # mkdir(parents=True) gives missing parents the umask's mode (0777 under umask 0): make
    # each missing directory ourselves, owner-only.
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(directory, 0o700)  # ours: just made
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    except FileExistsError:
        # Never open (and close) an existing database: closing any descriptor of a file drops
        # every POSIX lock this process holds on it, including those of SQLite connections
        # already open here; another process could then checkpoint and remove the -wal and
        # -shm under them ("disk I/O error", lost commits). Never chmod it either: a file the
        # owner made read-only stays read-only.
        return False
    try:
        os.fchmod(fd, 0o600)  # the file just made, whatever the umask took away
    finally:
        os.close(fd)
    return True
