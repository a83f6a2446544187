"""Danish and English for every user-facing string, through GNU gettext catalogues.

English is the source language: a msgid is the English text, and the Danish catalogue in
``locale/da/LC_MESSAGES/ldn_tracker.po`` (compiled to ``.mo``, both committed) translates it.
The language comes from ``LDN_TRACKER_LANG``, else the POSIX locale variables, else English;
``set_language`` overrides it (the app remembers the user's choice).

The pure domain never renders text: it returns a :class:`Message` (an English template marked
with ``N_`` and its parameters) and the interface renders it in the user's language, so the
same plan can be explained in Danish to the patient and in English to a log reader.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

DOMAIN = "ldn_tracker"
LANGUAGES = ("en", "da")
LOCALE_DIR = Path(__file__).parent / "locale"

_language: str | None = None
_translations: dict[str, _gettext.NullTranslations] = {}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for extraction without translating it now."""
    return message


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """Danish when the locale says so (``LANG=da_DK.UTF-8``), English otherwise."""
    env = os.environ if environ is None else environ
    explicit = env.get("LDN_TRACKER_LANG", "").strip().lower()
    if explicit in LANGUAGES:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value:
            return "da" if value.lower().startswith("da") else "en"
    return "en"


def get_language() -> str:
    global _language
    if _language is None:
        _language = detect_language()
    return _language


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    global _language
    _language = language


def translations(language: str | None = None) -> _gettext.NullTranslations:
    lang = language or get_language()
    if lang not in _translations:
        if lang == "en":
            _translations[lang] = _gettext.NullTranslations()
        else:
            _translations[lang] = _gettext.translation(
                DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True
            )
    return _translations[lang]


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def format_number(value: float, places: int = 2) -> str:
    """A number as a clinician writes it: leading zero, no trailing zeros, locale's comma."""
    quantum = Decimal(1).scaleb(-places)
    text = str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP).normalize())
    if "E" in text:  # Decimal("1E+1") for 10
        text = format(Decimal(text), "f")
    if text in ("-0", "0"):
        text = "0"
    return text.replace(".", ",") if get_language() == "da" else text


def format_mg(value: float) -> str:
    """``0.75 mg``, ``1 mg``, ``2.25 mg`` (``0,75 mg`` in Danish); never ``1.0 mg``."""
    return f"{format_number(value)} mg"


def format_ml(value: float) -> str:
    return f"{format_number(value, places=1)} ml"


def format_percent(fraction: float | None) -> str:
    """A share (0–1) as a whole percentage, ``86 %`` (a space before the sign, as Danish and
    the SI write it); ``–`` when it is unknown."""
    return "–" if fraction is None else f"{format_number(fraction * 100, places=0)} %"


def format_short_date(day: date) -> str:
    """A chart's axis tick: ``5 Jan 2026`` / ``5. jan. 2026``, the year always (SPEC §13)."""
    month = _(MONTHS[day.month - 1])[:3]
    if get_language() == "da":
        return f"{day.day}. {month.lower()}. {day.year}"
    return f"{day.day} {month} {day.year}"


def _current_year() -> int:
    """The year of today, pinned like every "today" of the app by ``LDN_TRACKER_TODAY`` (demos,
    tests, replaying a past day; ``tracker.validation.today`` reads the same variable)."""
    pinned = os.environ.get("LDN_TRACKER_TODAY", "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned).year
        except ValueError:
            pass
    return date.today().year


def format_date(day: date, *, year: bool = False) -> str:
    """``21 January`` / ``21. januar``; the year when it is not the current one, or always with
    ``year`` (a date a clinician reads carries its year, SPEC §13)."""
    month = _(MONTHS[day.month - 1])
    text = f"{day.day}. {month}" if get_language() == "da" else f"{day.day} {month}"
    if year or day.year != _current_year():
        text += f" {day.year}"
    return text


@dataclass(frozen=True)
class Message:
    """A translatable text: an English template (marked with ``N_``) and its parameters.

    Parameters that are dates render as dates, floats whose name ends in ``mg`` as doses, other
    floats as numbers; everything else with ``str()``.
    """

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        previous = _language
        if language is not None:
            set_language(language)
        try:
            params = {k: _render_param(k, v) for k, v in self.params.items()}
            return _(self.template).format(**params)
        finally:
            if language is not None:
                globals()["_language"] = previous

    def __str__(self) -> str:
        return self.render()


def _render_param(name: str, value: Any) -> str:
    if isinstance(value, Message):
        return value.render()
    if isinstance(value, date):
        # A message's date (an alert, a plan's reason, a refusal) may be read by a clinician
        # months later, in a summary or a report: it carries its year (SPEC §13).
        return format_date(value, year=True)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | int) and name.endswith("mg"):
        return format_mg(float(value))
    if isinstance(value, float | int) and name.endswith("ml"):
        return format_ml(float(value))
    if isinstance(value, float):
        return format_number(value)
    return str(value)
