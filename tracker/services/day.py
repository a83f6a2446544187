"""The read model of one diary day: what Today, History and the day editor show and edit.

Read in a worker thread, through any :class:`~tracker.storage.records.DayReader`: the Clinic, or
the direct ``sqlite3`` snapshot of the cold start (so no SQLAlchemy import here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.clinical.horizons import OUTLOOK_DAYS
from tracker.clinical.model import Alert, PlannedDay
from tracker.clinical.records import CheckIn, PatientInfo
from tracker.clinical.vocabulary import SIDE_EFFECTS, SYMPTOMS
from tracker.i18n import N_, Message
from tracker.storage.records import DayReader
from tracker.validation import ValidationError, today

# Alerts that stand until acted on, shown whatever their date.
STANDING_ALERTS = ("opioid_contraindication", "transplant_caution", "information_pending")


CHANGED_ELSEWHERE = N_("This day was changed elsewhere since you opened it; it now shows "
                       "what is saved.")


class ChangedElsewhere(ValidationError):
    """A save refused, nothing written: the day's stored values are no longer those the form
    was opened on (saved on another screen, by another program or person since)."""

    def __init__(self) -> None:
        super().__init__("dose", Message(CHANGED_ELSEWHERE, {}))


@dataclass(frozen=True)
class DayView:
    """What a screen needs to show and edit one diary day."""

    patient: PatientInfo
    day: date
    planned: PlannedDay | None
    next_change: PlannedDay | None
    saved: CheckIn
    own_effects: list[str]
    own_symptoms: list[str]
    alerts: list[Alert]


def load_day(source: DayReader, patient_id: int, day: date) -> DayView:
    """Read everything for one day (runs in a worker thread)."""
    patient = source.patient(patient_id)
    until = max(day, today()) + timedelta(days=OUTLOOK_DAYS)
    plan, diary = source.plan_and_diary(patient_id, until=until, on=today())
    known_effects = {t.key for t in SIDE_EFFECTS}
    known_symptoms = {t.key for t in SYMPTOMS}
    own_effects = list(dict.fromkeys(e.name for e in diary.effects
                                     if e.name not in known_effects))
    own_symptoms = list(dict.fromkeys(s.symptom for s in diary.scores
                                      if s.symptom not in known_symptoms))
    alerts = [a for a in source.alerts(patient_id, plan)
              if a.code in STANDING_ALERTS or day - timedelta(days=7) <= a.day <= day][::-1]
    return DayView(patient, day, plan.on(day), plan.next_change(day),
                   source.day_entries(patient_id, day), own_effects, own_symptoms, alerts)


def corrects_saved(saved: CheckIn, entry: CheckIn) -> bool:
    """Whether saving ``entry`` changes something already saved (a correction needs a why)."""
    if saved.taken is not None and entry.taken is not None and (
            saved.taken != entry.taken or (entry.taken and saved.mg != entry.mg)):
        return True
    if any(saved.effects.get(k, v) != v for k, v in entry.effects.items()):
        return True
    if entry.no_side_effects and any(v > 0 for v in saved.effects.values()):
        return True
    if any(saved.scores.get(k, v) != v for k, v in entry.scores.items()):
        return True
    return bool(saved.note and (entry.note or "").strip() != saved.note)
