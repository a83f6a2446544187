"""What the patient's Plan screen shows, read in one go (in a worker): the plan from some weeks
before today to some weeks after, and the symptom scores over the same days as chart series
(:func:`tracker.analysis.series.symptom_series`, as the clinician's chart). pandas is imported
here only when the view is built, never at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.clinical.model import Plan, PlannedDay
from tracker.services.clinic import Clinic, PatientInfo

WEEKS_BEFORE = 12
WEEKS_AHEAD = 12


@dataclass(frozen=True)
class PlanView:
    patient: PatientInfo
    plan: Plan
    today: date
    first: date  # the charts' first day: WEEKS_BEFORE before today, or the plan's start
    # each symptom's 7-day mean on each score day from ``first``, by its name, in name order
    symptoms: dict[str, list[tuple[date, float]]] = field(default_factory=dict)

    @property
    def charted(self) -> list[PlannedDay]:
        """The plan's days the charts show: from ``first`` on."""
        return [d for d in self.plan.days if d.day >= self.first]

    @property
    def coming(self) -> list[PlannedDay]:
        """The plan's days the table lists: from today on."""
        return [d for d in self.plan.days if d.day >= self.today]


def load_plan_view(clinic: Clinic, patient_id: int, now: date) -> PlanView:
    from tracker.analysis import scores_frame
    from tracker.analysis.series import symptom_series

    plan, diary = clinic.plan_and_diary(patient_id, until=now + timedelta(weeks=WEEKS_AHEAD),
                                        on=now)
    first = now - timedelta(weeks=WEEKS_BEFORE)
    if plan.days:
        first = max(first, plan.days[0].day)
    return PlanView(clinic.patient(patient_id), plan, now, first,
                    symptom_series(scores_frame(diary.scores), since=first))
