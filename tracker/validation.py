"""Parsing what people type, with messages that name the field and the allowed range.

Shared by the command line and the app, so "4,5" means 4.5 mg and "2026-02-30" is refused the
same way everywhere. Pure: no database, no UI.

Numbers, dates and times are written with the ASCII digits 0-9 only (``[0-9]``, never ``\\d`` or
a bare ``int()``, which also take Arabic-Indic, full-width and other scripts' digits: ``٣`` would
be a patient id and ``４`` a severity), with ``.`` or ``,`` as the decimal mark, and at most
:data:`MAX_DIGITS` digits: a longer number is no dose, weight or setting anyone measured, and
beyond ~26 digits it cannot even be printed back in a message.
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
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})", re.ASCII)
_NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # a patient id: fits the database's 64-bit integer

# More digits than any dose, weight or setting has (a float keeps 15 exactly).
MAX_DIGITS = 15

# What each decimal field may hold, told when the text typed is not such a number at all. A
# well-written number outside it passes here and is refused by the clinical checks in their own
# words (services.check_in.check_dose: "did you mean 4.5?"; clinical.protocols.build_settings).
ALLOWED_NUMBERS: dict[str, str] = {
    "mg": N_("above 0 and at most 25 mg"),
    "target_mg": N_("above 0 and at most 25 mg"),
    "step_mg": N_("of 0.5 or 1 mg"),
    "weight_kg": N_("above 0 and at most 400 kg"),
    "concentration": N_("above 0 and at most 25 mg/ml"),
}


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
    if not _ISO_DATE.fullmatch(value):
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


def _allowed(field: str) -> str | None:
    """The allowed range of a decimal field, by its flag (``--weight-kg``) or its key."""
    key = field.lstrip("-").replace("-", "_")
    return ALLOWED_NUMBERS.get("concentration" if key == "concentration_mg_ml" else key)


def _not_a_number(field: str, given: object) -> ValidationError:
    # As typed, never as a float: inf or 1e300 cannot be rendered as a number in a message.
    text = given if isinstance(given, str) else repr(given)
    allowed = _allowed(field)
    if allowed is None:
        return fail(field, N_("{field} must be a number, e.g. 4.5 or 4,5 (got {value})."),
                    value=text)
    return fail(field, N_("{field} must be a number {allowed}, written with the digits 0-9 "
                          "and . or , as the decimal mark (got {value})."),
                allowed=Message(allowed), value=text)


def _digits(text: str) -> int:
    return sum(c in "0123456789" for c in text)


def parse_number(text: str | float, field: str) -> float:
    """A decimal number; the Danish decimal comma is accepted ("4,5" is 4.5).

    Only ASCII digits, an optional sign and one ``.`` or ``,``; surrounding spaces are ignored,
    spaces inside are not ("0 5" is no 0.5). Anything else, or more than :data:`MAX_DIGITS`
    digits, is refused naming the field (and its range, :data:`ALLOWED_NUMBERS`).
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
        if not math.isfinite(value) or abs(value) >= 10 ** MAX_DIGITS:
            raise _not_a_number(field, text)
        return value
    cleaned = str(text).strip()
    if not _NUMBER.fullmatch(cleaned) or _digits(cleaned) > MAX_DIGITS:
        raise _not_a_number(field, text)
    return float(cleaned.replace(",", "."))


def patient_id(text: str) -> int | None:
    """``text`` as a patient id if it is one (ASCII digits that fit the database), else None."""
    cleaned = text.strip()
    return int(cleaned) if _ID.fullmatch(cleaned) else None


def parse_int(text: str | int, field: str, low: int, high: int) -> int:
    def refused() -> ValidationError:
        return fail(field, N_("{field} must be a whole number from {low} to {high} "
                              "(got {value})."), value=text, low=low, high=high)

    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        cleaned = str(text).strip()
        # The digit limit also keeps int() from its own limit on long texts (ValueError).
        if not _WHOLE.fullmatch(cleaned) or _digits(cleaned) > MAX_DIGITS:
            raise refused()
        value = int(cleaned)
    if not low <= value <= high:
        raise refused()
    return value


def parse_time(text: str, field: str = "time") -> str:
    match = _TIME.fullmatch(text.strip())
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
