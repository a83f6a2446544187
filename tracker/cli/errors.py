"""What the user sees when a command cannot do what was asked, and the exit status it ends with.

A refusal is told on stderr in plain words (the flag as it was typed and the allowed range) with
exit status 2, and nothing is written. Whatever else goes wrong still ends in one line of words,
never a traceback. The database and SQLAlchemy are imported only once something has failed, so
a command that succeeds never pays for them here.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from tracker.i18n import Message, _
from tracker.validation import ValidationError

EXIT_USAGE = 2


class UsageError(Exception):
    """A refusal told on stderr with exit status 2."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class UsageParser(argparse.ArgumentParser):
    """An argparse parser whose errors say "error" in the user's language and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {_('error')}: {message}\n")


def validation_text(exc: ValidationError) -> str:
    """The message with the field named as the command-line flag the user typed (or the
    environment variable, such as ``LDN_TRACKER_ROLE``, named as it is set)."""
    named_as_typed = exc.field.startswith("-") or exc.field.isupper()
    flag = exc.field if named_as_typed else f"--{exc.field.replace('_', '-')}"
    flag = {"--concentration-mg-ml": "--concentration", "--informed-on": "--informed"}.get(
        flag, flag)
    if "{field}" in exc.message.template:
        return Message(exc.message.template, {**exc.message.params, "field": flag}).render()
    return f"{flag}: {exc.message.render()}"


def error(text: str) -> int:
    print(f"ldn-tracker: {_('error')}: {text}", file=sys.stderr)
    return EXIT_USAGE


def explain_failure(exc: Exception) -> int:
    """Tell on stderr why a command stopped, in plain words, and return its exit status."""
    if isinstance(exc, ValidationError):
        return error(validation_text(exc))
    if isinstance(exc, UsageError):
        return error(exc.text)
    if isinstance(exc, BrokenPipeError):  # the reader (`| head`) has had enough: not a failure
        return 0
    from tracker.storage.database import DatabaseError

    if isinstance(exc, DatabaseError):
        return error(str(exc))
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        return error(_("The database refused the change; nothing was written ({kind}).")
                     .format(kind=type(exc).__name__))
    if isinstance(exc, OSError):
        return error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    print(f"ldn-tracker: {_('internal error')}: {type(exc).__name__}", file=sys.stderr)
    return 1
