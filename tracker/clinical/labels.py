"""What a phase, a condition and a protocol are called: one table each, for every output.

The Today card, the calendar, the plan and clinic screens, the review, ``summary`` and the
report all name a phase the same way. The labels are gettext msgids (English, marked with
``N_``), translated where they are shown (``_(phase_label(phase))``): this package renders no
text. Condition names come from the guide's list, which holds both languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.clinical.protocols import PROTOCOLS, find_condition
from tracker.i18n import N_

NONE = "–"

PHASE_LABELS: Mapping[str, str] = {
    "start": N_("Start dose"),
    "titration": N_("Titration"),
    "target": N_("Target dose"),
    "reduction": N_("Reduction week"),
    "plateau": N_("Highest tolerated dose"),
    "pause": N_("Pause"),
    "hold": N_("Hold"),
}


def phase_label(phase: str | None) -> str:
    """A phase code's label (a msgid: show it through ``_``); an unknown code as it is, ``–``
    for none."""
    if not phase:
        return NONE
    return PHASE_LABELS.get(phase, phase)


def protocol_label(key: str | None) -> str:
    """A protocol key's name (``chronic_pain``; a msgid: show it through ``_``); an unknown key
    as it is, ``–`` for none."""
    if not key:
        return NONE
    return PROTOCOLS[key].label if key in PROTOCOLS else key


def condition_label(key: str | None, language: str) -> str:
    """A condition key's name in ``language`` (``"da"`` or ``"en"``); a condition not in the
    guide's list as typed, ``–`` for none."""
    if not key:
        return NONE
    condition = find_condition(key)
    if condition is None:
        return key
    return condition.da if language == "da" else condition.en


# An alert's status (SPEC §13, tracker/clinical/alert_status.py), as the review shows it.
ALERT_STATUS_LABELS: Mapping[str, str] = {
    "open": N_("open"),
    "resolved": N_("resolved"),
    "dismissed": N_("dismissed"),
    "upcoming": N_("upcoming"),
}


def alert_status_label(status: str) -> str:
    """An alert status's label (a msgid: show it through ``_``); an unknown one as it is."""
    return ALERT_STATUS_LABELS.get(status, status)
