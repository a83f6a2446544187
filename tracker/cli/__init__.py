"""The headless commands of SPEC §9: parse, call a service, print.

The grammar is in :mod:`~tracker.cli.parser`, the table of handlers in
:mod:`~tracker.cli.commands` (the handlers in a module per group of commands beside it), the
CSV and JSON printing in :mod:`~tracker.cli.output`, and what a failure tells the user (exit
status 2 for a refusal, never a traceback) in :mod:`~tracker.cli.errors`. Who may run what
(SPEC §10) is :mod:`tracker.services.roles`, asked by :func:`~tracker.cli.access.authorize`
before anything is opened, so a refusal writes nothing. Heavy modules (pandas, Textual,
alembic) are imported only by the commands that need them, so a `dose` entry starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.cli.access import authorize
from tracker.cli.commands import run
from tracker.cli.errors import explain_failure
from tracker.cli.parser import parse_command_line
from tracker.i18n import set_language
from tracker.memory import loading_modules
from tracker.storage.locations import check_database_option

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_command_line(argv)
    if args.lang:
        set_language(args.lang)
    try:
        if args.db is not None:  # `--db ""` is refused for the app and demo too
            check_database_option(args.db)
        if args.command is None:
            with loading_modules():  # Textual and the screens live as long as the app
                from tracker.app import run_app

            return run_app(args.db, role=authorize(args))
        if args.command == "demo":
            with loading_modules():
                from tracker.app import run_demo

            return run_demo(args.db, role=authorize(args))
        # `run` looked up here, in tracker.cli, at each call: a test may wrap it.
        return run(args)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        return explain_failure(exc)
