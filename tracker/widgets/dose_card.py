"""Tonight's dose as the patient takes it, why, when it changes, and the patient's own record.

The words are :func:`tracker.clinical.patient_words.dose_story` (the patient's, not the
clinician's "why" of the ``plan`` command); the dose itself is
:func:`tracker.clinical.instructions.dose_instruction`, as the evening reminder prints it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tracker.clinical.model import PlannedDay
from tracker.clinical.patient_words import DoseStory
from tracker.clinical.records import PatientInfo
from tracker.i18n import _, format_date, ngettext

if TYPE_CHECKING:
    from tracker.clinical.progress import Adherence


class DoseCard(Static):
    DEFAULT_CSS = """
    DoseCard {
        height: auto;
        border: round $primary;
        padding: 0 1;
    }
    DoseCard.hold, DoseCard.pause {
        border: round $error;
    }
    DoseCard.reduction, DoseCard.plateau {
        border: round $warning;
    }
    """

    def show(self, patient: PatientInfo, day: date, planned: PlannedDay | None,
             story: DoseStory | None) -> None:
        self.border_title = _("Today, {day}").format(day=format_date(day))
        self.set_classes(planned.phase if planned else "")
        text = Text()
        if planned is None or story is None:
            text.append(_("The plan starts on {day}.").format(day=format_date(patient.start_date)),
                        style="bold")
        else:
            text.append(story.tonight.render(), style="bold")
            for line in (story.why, story.next, story.ask):
                if line is not None:
                    text.append("\n")
                    text.append(line.render(), style="bold" if line is story.ask else "")
        self.update(text)

    def show_adherence(self, adherence: Adherence | None) -> None:
        """The patient's own record on the card's lower edge (none before a planned dose)."""
        self.border_subtitle = adherence_text(adherence)


def adherence_text(adherence: Adherence | None) -> str:
    """"Taken 26 of the last 28 planned doses · 12 evenings in a row"."""
    if adherence is None or adherence.planned == 0:
        return ""
    text = _("Taken {taken} of the last {planned} planned doses").format(
        taken=adherence.taken, planned=adherence.planned)
    if adherence.streak > 1:
        text += " · " + ngettext("{n} evening in a row", "{n} evenings in a row",
                                 adherence.streak).format(n=adherence.streak)
    return text
