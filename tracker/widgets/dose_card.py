"""Today's dose as the patient takes it, the phase and why, and the next change.

"1 capsule of 1.5 mg" or "1.3 ml of the 1 mg/ml liquid": the patient should never have to do
arithmetic at the kitchen table.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static

from tracker.clinical.labels import phase_label
from tracker.clinical.model import PlannedDay
from tracker.clinical.records import PatientInfo
from tracker.i18n import _, format_date, format_mg, format_ml, format_number


def dose_instruction(planned: PlannedDay, patient: PatientInfo) -> str:
    """The dose in the form the patient takes it."""
    if planned.dose_mg <= 0:
        return _("No LDN today")
    if patient.formulation == "liquid" and patient.concentration_mg_ml:
        volume = planned.volume_ml
        if volume is None:
            volume = round(planned.dose_mg / patient.concentration_mg_ml, 1)
        return _("{volume} of the {concentration} mg/ml liquid ({dose})").format(
            volume=format_ml(volume), concentration=format_number(patient.concentration_mg_ml),
            dose=format_mg(planned.dose_mg))
    if planned.needs_liquid:
        return _("{dose}: below the smallest capsule, ask the pharmacy for a liquid").format(
            dose=format_mg(planned.dose_mg))
    return _("1 capsule of {dose}").format(dose=format_mg(planned.dose_mg))


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
            text.append(dose_instruction(planned, patient), style="bold")
            text.append("\n")
            text.append(planned.reason.render())
        self.border_subtitle = _(phase_label(planned.phase)) if planned else ""
        if next_change is not None and planned is not None:
            text.append("\n")
            text.append(_("Next change on {day}: {dose} ({phase})").format(
                day=format_date(next_change.day), dose=dose_instruction(next_change, patient),
                phase=_(phase_label(next_change.phase))))
        self.update(text)
