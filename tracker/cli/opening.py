"""How a headless command opens the clinic: on the database the user named, as the role it was
run as, and created only by a command that writes.

The set of the commands that only read lives here, beside the one function that asks it, so a
command that only reads never creates a database file (SPEC §9). The services and the database
are imported when a command opens them, not before, so a ``dose`` entry starts fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tracker.cli.access import server_checked
from tracker.services.roles import actor, resolve_role

if TYPE_CHECKING:
    from tracker.storage.database import Database

# The commands that only read (SPEC §9): on a path where no database exists they say so and
# create nothing. Their files (export, report) are written elsewhere, never into the database.
READING_COMMANDS = frozenset({
    ("patient", "list"), ("med", "list"), ("plan", None), ("alerts", None), ("summary", None),
    ("export", None), ("report", None), ("verify", None), ("remind", None),
})


# The databases the running command opened, closed when it ends (:func:`closing_opened`).
_opened: list[Database] = []


def only_reads(args: argparse.Namespace) -> bool:
    if args.command == "import":  # a dry run only reads
        return bool(getattr(args, "dry_run", False))
    return (args.command, getattr(args, "action", None)) in READING_COMMANDS


def open_clinic(args: argparse.Namespace) -> Any:
    """The clinic on the database the user named; its audit rows name the role (SPEC §10)."""
    from tracker.memory import loading_modules

    with loading_modules():  # SQLAlchemy, the models, the services: the command's whole life
        from tracker.services.clinic import Clinic
        from tracker.storage.database import Database
        from tracker.storage.locations import resolve_database

    role = resolve_role(getattr(args, "role", None))
    database = Database(resolve_database(args.db), create=not only_reads(args))
    try:
        role = server_checked(args, database)
    except BaseException:
        database.dispose()
        raise
    _opened.append(database)
    return Clinic(database, actor=actor(role))


@contextmanager
def closing_opened() -> Iterator[None]:
    """Close every database the command in the block opened, however it ends: its pooled
    connections are not left to the garbage collector. A process that runs many commands (the
    test suite calls :func:`tracker.cli.main` in-process) would otherwise hold a PostgreSQL
    connection per command until a collection happens to free it, and run the server out of
    connection slots."""
    try:
        yield
    finally:
        while _opened:
            _opened.pop().dispose()
