"""Tonight's dose in the form the patient takes it: one truth for every output that tells it.

"1 capsule of 1.5 mg" or "1.3 ml of the 1 mg/ml liquid": the patient should never have to do
arithmetic at the kitchen table. The Today card, the history, the plan screen, the day editor and
the evening reminder (``remind``, SPEC §12) all say it through :func:`dose_instruction`. As
everything in this package, it renders no text: it returns an i18n
:class:`~tracker.i18n.Message` the interface renders in the user's language.
"""

from __future__ import annotations

from tracker.clinical.model import PlannedDay
from tracker.clinical.records import PatientInfo
from tracker.i18n import N_, Message


def dose_instruction(planned: PlannedDay, patient: PatientInfo) -> Message:
    """The planned dose as the patient takes it: capsules, a volume of liquid, a dose too small
    for a capsule, or none."""
    if planned.dose_mg <= 0:
        return Message(N_("No LDN today"))
    if patient.formulation == "liquid" and patient.concentration_mg_ml:
        volume = planned.volume_ml
        if volume is None:
            volume = round(planned.dose_mg / patient.concentration_mg_ml, 1)
        return Message(N_("{volume_ml} of the {concentration} mg/ml liquid ({dose_mg})"), {
            "volume_ml": float(volume), "concentration": float(patient.concentration_mg_ml),
            "dose_mg": float(planned.dose_mg)})
    if planned.needs_liquid:
        return Message(N_("{dose_mg}: below the smallest capsule, ask the pharmacy for a liquid"),
                       {"dose_mg": float(planned.dose_mg)})
    return Message(N_("1 capsule of {dose_mg}"), {"dose_mg": float(planned.dose_mg)})


def dose_instruction_short(planned: PlannedDay, patient: PatientInfo) -> Message:
    """:func:`dose_instruction` for a narrow column: a liquid's volume and dose without the
    liquid's name ("1.2 ml (0.6 mg)"); everything else as it is."""
    full = dose_instruction(planned, patient)
    if full.template == N_("{volume_ml} of the {concentration} mg/ml liquid ({dose_mg})"):
        return Message(N_("{volume_ml} ({dose_mg})"), {
            "volume_ml": full.params["volume_ml"], "dose_mg": full.params["dose_mg"]})
    return full


def tonight_reminder(planned: PlannedDay | None, patient: PatientInfo) -> Message:
    """The evening reminder's one line (SPEC §12): tonight's dose as the patient takes it, or
    that there is no LDN tonight and why (a pause, a hold, the plan not started yet)."""
    if planned is None:
        return Message(N_("No LDN tonight: the plan starts on {day}."),
                       {"day": patient.start_date})
    if planned.dose_mg <= 0:
        return Message(N_("No LDN tonight. {reason}."), {"reason": planned.reason})
    return Message(N_("Time for tonight's LDN: {dose}"),
                   {"dose": dose_instruction(planned, patient)})
