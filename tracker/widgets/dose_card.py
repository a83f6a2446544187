"""Today's dose as the patient takes it, the phase and why, and the next change.

The dose's wording is :func:`tracker.clinical.instructions.dose_instruction`, the same the
evening reminder (``remind``) prints.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from tracker.clinical.instructions import dose_instruction
from tracker.clinical.labels import phase_label
from tracker.clinical.model import PlannedDay
from tracker.clinical.records import PatientInfo
from tracker.i18n import _, format_date


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
             next_change: PlannedDay | None) -> None:
        self.border_title = _("Today, {day}").format(day=format_date(day))
        self.set_classes(planned.phase if planned else "")
        text = Text()
        if planned is None:
            text.append(_("The plan starts on {day}.").format(day=format_date(patient.start_date)),
                        style="bold")
        else:
            text.append(dose_instruction(planned, patient).render(), style="bold")
            text.append("\n")
            text.append(planned.reason.render())
        self.border_subtitle = _(phase_label(planned.phase)) if planned else ""
        if next_change is not None and planned is not None:
            text.append("\n")
            text.append(_("Next change on {day}: {dose} ({phase})").format(
                day=format_date(next_change.day),
                dose=dose_instruction(next_change, patient).render(),
                phase=_(phase_label(next_change.phase))))
        self.update(text)
