"""The plan and its alerts in the patient's words: what tonight's dose is, why, and when it changes.

The clinician reads the plan's ``reason`` ("Titration step 3: 2 mg (nominal 2.25 mg), day 2 of
21", the ``plan`` command's "why"); the patient reads :func:`dose_story`, built from the same
structured values (the phase, the step, the reduction week, the next day whose dose differs),
never from the clinician's sentence. :func:`patient_alert` says each alert the patient sees in
plain words, from the alert's own values. As everything in this package, nothing is rendered
here: the interface renders the :class:`~tracker.i18n.Message` in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.clinical import alerts as A
from tracker.clinical.instructions import dose_instruction
from tracker.clinical.model import Alert, Plan, PlannedDay
from tracker.clinical.records import PatientInfo
from tracker.i18n import N_, Message

_ONE = timedelta(days=1)

W_START = N_("Starting low: the start dose, then raising slowly towards {target_mg}")
W_TITRATION = N_("Raising slowly: step {step} of {steps} towards {target_mg}")
W_TITRATION_WAIT = N_("Raising slowly: step {step} of {steps} towards {target_mg}; the next "
                      "step waits until the side effects settle")
W_TARGET = N_("Your target dose: the plan stays here")
W_REDUCTION = N_("Half the dose for a week, because side effects lasted too long")
W_PLATEAU = N_("The highest dose that suited you: the plan stays here")
W_PAUSE = N_("Paused for chemotherapy")
W_HOLD = N_("Paused: LDN must never be taken with {name}, an opioid")
W_HOLD_ANY = N_("Paused: LDN must never be taken with an opioid")
W_RESTART_HOLD = N_("LDN again from tonight, after the opioid pause: the dose you paused at")
W_RESTART_PAUSE = N_("LDN again from tonight, after the chemotherapy pause: the dose you "
                     "paused at")
W_BACK = N_("Back to your dose from before the week at half the dose")

N_SAME_UNTIL = N_("Same dose until {last}; from {day}: {dose}")
N_FROM_TOMORROW = N_("From tomorrow, {day}: {dose}")
N_NONE_UNTIL = N_("No LDN until {last}; from {day}: {dose}")
N_STAYS = N_("The same dose from now on")

# What to do when tonight's dose needs something the patient may not have: said once.
ASK_LIQUID = N_("No capsule is this small: ask the pharmacy for LDN as a liquid, and the "
                "clinic what to take until you have it.")
ASK_CAPSULES = N_("This week needs {dose_mg} capsules: ask the pharmacy if you have none.")


@dataclass(frozen=True)
class DoseStory:
    """Tonight's dose, why, when it changes, and what to ask the pharmacy (None: nothing)."""

    tonight: Message
    why: Message | None
    next: Message | None
    ask: Message | None


def tonight_dose(planned: PlannedDay, patient: PatientInfo) -> Message:
    """Tonight's dose as the patient takes it; a dose no capsule delivers is named only (what
    to do about it is :attr:`DoseStory.ask`, said once)."""
    if planned.needs_liquid and patient.formulation != "liquid":
        return Message(N_("{dose_mg} (as a liquid)"), {"dose_mg": float(planned.dose_mg)})
    return dose_instruction(planned, patient)


def dose_story(plan: Plan, planned: PlannedDay, patient: PatientInfo) -> DoseStory:
    """The Today card's words for ``planned``, a day of ``plan``."""
    return DoseStory(tonight_dose(planned, patient), patient_why(plan, planned),
                     _next(plan, planned, patient), _ask(plan, planned, patient))


def patient_why(plan: Plan, planned: PlannedDay) -> Message:
    """Why ``planned`` has its dose, in the patient's words (Today's card, the History's day,
    the Plan's table): the phase, the step of how many, the week at half the dose, the pause."""
    back = _first_day_back(planned)
    if back is not None:
        return back
    target = {"target_mg": float(plan.target_mg), "steps": plan.last_step, "step": planned.step}
    phase = planned.phase
    if phase == "start":
        return Message(W_START, target)
    if phase == "titration":
        waiting = _step_waits(plan, planned)
        return Message(W_TITRATION_WAIT if waiting else W_TITRATION, target)
    if phase == "target":
        return Message(W_TARGET)
    if phase == "plateau":
        return Message(W_PLATEAU)
    if phase == "reduction":  # back to which dose, and when: the next line says it
        return Message(W_REDUCTION)
    if phase == "pause":
        return Message(W_PAUSE)
    name = planned.reason.params.get("name")
    return Message(W_HOLD, {"name": name}) if name else Message(W_HOLD_ANY)


def _first_day_back(planned: PlannedDay) -> Message | None:
    """The first evening with LDN after a hold, a pause or a reduction week (the engine marks
    that day's reason), said as such: the day a patient most needs to know they start again."""
    from tracker.clinical.titration import R_BACK, R_RESTART_HOLD, R_RESTART_PAUSE

    template = planned.reason.template
    if template == R_RESTART_HOLD:
        return Message(W_RESTART_HOLD)
    if template == R_RESTART_PAUSE:
        return Message(W_RESTART_PAUSE)
    if template == R_BACK:
        return Message(W_BACK)
    return None


def _step_waits(plan: Plan, planned: PlannedDay) -> bool:
    """Whether a step-up is being deferred (the engine says so in the step's reason)."""
    from tracker.clinical.titration import R_STEP_WAIT

    return planned.reason.template == R_STEP_WAIT


def _next(plan: Plan, planned: PlannedDay, patient: PatientInfo) -> Message | None:
    """When the dose the patient takes next changes, and to what."""
    change = next_dose_change(plan, planned.day)
    if change is None:
        return Message(N_STAYS) if planned.phase in ("target", "plateau") else None
    params: dict[str, object] = {"day": change.day, "last": change.day - _ONE,
                                 "dose": tonight_dose(change, patient)}
    if planned.dose_mg <= 0:
        return Message(N_NONE_UNTIL, params)
    if change.day == planned.day + _ONE:
        return Message(N_FROM_TOMORROW, params)
    return Message(N_SAME_UNTIL, params)


def next_dose_change(plan: Plan, day: date) -> PlannedDay | None:
    """The first day after ``day`` whose planned dose differs (a phase alone is no change to
    the patient: 2.25 and 2.75 mg are both a 2 mg capsule)."""
    current = plan.on(day)
    if current is None:
        return None
    start = (day - plan.days[0].day).days + 1
    return next((p for p in plan.days[start:] if p.dose_mg != current.dose_mg
                 or p.needs_liquid != current.needs_liquid), None)


def _ask(plan: Plan, planned: PlannedDay, patient: PatientInfo) -> Message | None:
    if patient.formulation == "liquid" or planned.dose_mg <= 0:
        return None
    if planned.needs_liquid:
        return Message(ASK_LIQUID, {"dose_mg": float(planned.dose_mg)})
    if planned.phase == "reduction":
        return Message(ASK_CAPSULES, {"dose_mg": float(planned.dose_mg)})
    return None


# -- alerts -----------------------------------------------------------------------------------

PATIENT_ALERTS = {
    A.INFORMATION_PENDING: N_("Please read the information about LDN: press i."),
    A.TRANSPLANT_CAUTION: N_("After an organ transplant LDN is advised against: do not take "
                             "LDN until your clinician has looked at this with you."),
    A.SIDE_EFFECT_REDUCTION: N_("Side effects have lasted {days} days, so the dose is halved "
                                "for a week: {reduced_mg} from {start} to {end}, then "
                                "{back_mg}."),
    A.PERSISTS_DESPITE_REDUCTION: N_("Side effects were still there on {day}, the last day at "
                                     "half the dose: call the clinic before you go back to "
                                     "{back_mg} on {next_day}."),
    A.PLATEAU: N_("Side effects came back at {failed_mg}, so the plan stays at {plateau_mg} from "
                  "{day}, the highest dose that suited you. Talk to your clinician about it."),
    A.NEEDS_LIQUID: N_("From {day} your dose is {dose_mg}, smaller than any capsule: ask the "
                       "pharmacy for LDN as a liquid."),
    A.MISSED_DOSES: N_("No dose was logged as taken from {first} to {last}. LDN works when it is "
                       "taken every evening: take tonight's dose and log it, and tell the clinic "
                       "if it is hard to keep up."),
    A.DOSE_MAYBE_TOO_HIGH: N_("Since the dose rose to {dose_mg} on {start} you have been more "
                              "tired, and your {other} is worse. The dose may be too high: talk "
                              "to your clinician."),
    A.THYROID_BLOOD_TEST: N_("Time for a thyroid blood test: book it, and tell the doctor who "
                             "treats your thyroid."),
}
HOLD_OPEN = N_("No LDN from {start} while you take {name}, an opioid, and for 7 days after the "
               "last dose: LDN must never be taken with opioids. Tell the clinic the day you "
               "stop it.")
HOLD_UNTIL = N_("No LDN from {start} to {end}: {name} is an opioid, and LDN must never be taken "
                "with opioids. Then LDN restarts at the same dose.")


def patient_alert(alert: Alert) -> Message:
    """``alert`` in the patient's words, from its own values (its code's clinician wording for
    a code without one)."""
    params = alert.message.params
    if alert.code == A.OPIOID_CONTRAINDICATION:
        return Message(HOLD_UNTIL if "end" in params else HOLD_OPEN, params)
    template = PATIENT_ALERTS.get(alert.code)
    return alert.message if template is None else Message(template, params)
