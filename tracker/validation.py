"""Parsing what people type, with messages that name the field and the allowed range.

Shared by the command line and the app, so "4,5" means 4.5 mg and "2026-02-30" is refused the
same way everywhere. Pure: no database, no UI.
"""

from __future__ import annotations

import math
import os
import re
from datetime import date, datetime
from typing import Any

from tracker.i18n import N_, Message

# A treatment diary lives within these; beyond them a date is a typing slip (and the plan's
# arithmetic would run past Python's last date).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


class ValidationError(ValueError):
    """Bad input: ``field`` names it, ``message`` says what is allowed (in both languages)."""

    def __init__(self, field: str, message: Message) -> None:
        if "field" not in message.params:
            message = Message(message.template, {"field": field, **message.params})
        super().__init__(f"{field}: {message.render('en')}")
        self.field = field
        self.message = message

    def render(self) -> str:
        return self.message.render()


def fail(field: str, template: str, **params: Any) -> ValidationError:
    return ValidationError(field, Message(template, {"field": field, **params}))


def today() -> date:
    """Today's date; ``LDN_TRACKER_TODAY`` pins it (demos, tests, replaying a past day)."""
    pinned = os.environ.get("LDN_TRACKER_TODAY")
    if pinned:
        try:
            return parse_date(pinned, "LDN_TRACKER_TODAY")
        except ValidationError:
            pass
    return date.today()


def parse_date(text: str, field: str) -> date:
    value = text.strip()
    if not _ISO_DATE.match(value):
        raise fail(field, N_("{field} must be a date written YYYY-MM-DD (got {value})."),
                   value=text)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise fail(field, N_("{field}: {value} is not a date in the calendar."),
                   value=text) from None
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise fail(field, N_("{field} must be a date from {low} to {high} (got {value})."),
                   value=text, low=FIRST_DATE.isoformat(), high=LAST_DATE.isoformat())
    return parsed


def parse_number(text: str | float, field: str) -> float:
    """A decimal number; the Danish decimal comma is accepted ("4,5" is 4.5)."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = str(text).strip().replace(" ", "")
        if not _NUMBER.match(cleaned):
            raise fail(field, N_("{field} must be a number, e.g. 4.5 or 4,5 (got {value})."),
                       value=text)
        value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise fail(field, N_("{field} must be a number, e.g. 4.5 or 4,5 (got {value})."),
                   value=text)
    return value


def parse_int(text: str | int, field: str, low: int, high: int) -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        cleaned = str(text).strip()
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise fail(field, N_("{field} must be a whole number from {low} to {high} "
                                 "(got {value})."), value=text, low=low, high=high)
        value = int(cleaned)
    if not low <= value <= high:
        raise fail(field, N_("{field} must be a whole number from {low} to {high} "
                             "(got {value})."), value=text, low=low, high=high)
    return value


def parse_time(text: str, field: str = "time") -> str:
    match = _TIME.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}"
    raise fail(field, N_("{field} must be a time HH:MM from 00:00 to 23:59 (got {value})."),
               value=text)


def now_time() -> str:
    return datetime.now().strftime("%H:%M")


def require_text(text: str | None, field: str, max_length: int = 200) -> str:
    from tracker.clinical.vocabulary import clean_name

    value = clean_name(text or "")
    if not value:
        raise fail(field, N_("{field} must not be empty."))
    if len(value) > max_length:
        raise fail(field, N_("{field} must be at most {high} characters (got {value})."),
                   high=max_length, value=len(value))
    return value


def problem_text(exc: BaseException) -> str:
    """An error in plain words for a notification: the message of a refusal, the reason of
    a file error, else the kind of error and its first line (never a traceback)."""
    if isinstance(exc, ValidationError):
        return exc.message.render()
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first}".rstrip(": ")
