"""The read model of one diary day: what Today, History and the day editor show and edit.

Read in a worker thread, through any :class:`~tracker.storage.records.DayReader`: the Clinic, or
the direct ``sqlite3`` snapshot of the cold start (so no SQLAlchemy import here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tracker.clinical import alerts as A
from tracker.clinical.alert_status import OPEN, alert_states
from tracker.clinical.horizons import OUTLOOK_DAYS
from tracker.clinical.model import Alert, Diary, Plan, PlannedDay
from tracker.clinical.patient_words import DoseStory, dose_story
from tracker.clinical.records import CheckIn, PatientInfo
from tracker.clinical.vocabulary import SIDE_EFFECTS, SYMPTOMS
from tracker.i18n import N_, Message
from tracker.storage.records import DayReader
from tracker.validation import ValidationError, today

if TYPE_CHECKING:
    from tracker.clinical.progress import Adherence

# Alerts that stand until acted on: shown whatever their date while they are open (SPEC §13).
STANDING_ALERTS = (A.OPIOID_CONTRAINDICATION, A.TRANSPLANT_CAUTION, A.INFORMATION_PENDING)
RECENT_DAYS = 7  # other open alerts: shown for a week from their day
# What the dose card itself tells while it holds (said once, on the card).
TOLD_BY_THE_CARD = {A.NEEDS_LIQUID: lambda p: p.needs_liquid,
                    A.SIDE_EFFECT_REDUCTION: lambda p: p.phase == "reduction"}


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
    story: DoseStory | None = None  # the planned day in the patient's words
    plan: Plan | None = None  # what the day was read from (the adherence is computed from it)
    diary: Diary | None = None  # without its symptom scores (Records.day_plan)


def load_day(source: DayReader, patient_id: int, day: date) -> DayView:
    """Read everything for one day (runs in a worker thread)."""
    patient = source.patient(patient_id)
    until = max(day, today()) + timedelta(days=OUTLOOK_DAYS)
    # Without the diary's scores (two thirds of its rows): the rules read the weeks they ask
    # for, the screen the names scored (docs/performance.md, the cold start).
    plan, diary, symptoms = source.day_plan(patient_id, until=until, on=today())
    known_effects = {t.key for t in SIDE_EFFECTS}
    known_symptoms = {t.key for t in SYMPTOMS}
    own_effects = list(dict.fromkeys(e.name for e in diary.effects
                                     if e.name not in known_effects))
    own_symptoms = [name for name in symptoms if name not in known_symptoms]
    planned = plan.on(day)
    return DayView(patient, day, planned, plan.next_change(day),
                   source.day_entries(patient_id, day), own_effects, own_symptoms,
                   day_alerts(plan, diary, source.alerts(patient_id, plan), day, planned),
                   None if planned is None else dose_story(plan, planned, patient), plan, diary)


def day_alerts(plan: Plan, diary: Diary, alerts: list[Alert], day: date,
               planned: PlannedDay | None) -> list[Alert]:
    """The alerts to point out on ``day``, newest first: those open on that day (SPEC §13),
    standing ones whatever their date, others of the last week; not what the dose card says."""
    recent = day - timedelta(days=RECENT_DAYS)
    shown = []
    for state in alert_states(plan, diary, day, alerts=alerts):
        if state.status != OPEN or not (state.code in STANDING_ALERTS or recent <= state.day):
            continue
        told = TOLD_BY_THE_CARD.get(state.code)
        if planned is not None and told is not None and told(planned):
            continue
        shown.append(state.alert)
    return shown[::-1]


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


def day_adherence(view: DayView) -> Adherence | None:
    """The patient's adherence up to ``view``'s day (None: the view carries no plan)."""
    from tracker.clinical.progress import recent_adherence

    if view.plan is None or view.diary is None:
        return None
    return recent_adherence(view.plan, view.diary.doses, view.day)
