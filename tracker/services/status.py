"""The cohort view's derived ``patient_status`` rows: computed from the diary, never the truth.

Each row summarises one patient's plan for the cohort screen, so the clinic opens without
computing every plan. A row is recomputed in the transaction that changes what it is derived
from; a check-in refreshes it in a savepoint of its transaction, and should that fail, commits
its entries with the row marked stale (``STALE_STATUS_DAY``), so that the refresh is redone the
next time the cohort is read. The transactions themselves are
:class:`~tracker.services.clinic.Clinic`'s; these functions work inside them.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from tracker.clinical.model import Plan
from tracker.models import Patient, PatientStatus
from tracker.storage import cohort
from tracker.storage.audit import utcnow
from tracker.storage.cohort import StoredStatus
from tracker.storage.records import PatientInfo, Records, settings_of
from tracker.validation import today

STALE_STATUS_DAY = date(1900, 1, 1)  # a patient_status row to recompute
STATUS_BATCH = 20  # derived status rows refreshed per transaction


def mark_stale(session: Session, patient_id: int) -> None:
    session.execute(update(PatientStatus).where(PatientStatus.patient_id == patient_id)
                    .values(computed_for=STALE_STATUS_DAY))


def refresh(session: Session, records: Records, patient: Patient,
            alerts_until: date | None = None) -> tuple[Plan, set[tuple[str, date]]]:
    """Keep the cohort view's row for this patient current (same transaction).

    Returns a plan reaching at least ``alerts_until`` (the status's own, when that is
    further out: a longer horizon never changes earlier days or their alerts, the plan is
    causal) and the dismissed alerts, so a check-in reads its alerts without a second
    diary read and plan.
    """
    from tracker.clinical import compute_plan
    from tracker.clinical.flags import status_values
    from tracker.clinical.horizons import OUTLOOK_DAYS

    now = today()
    horizon = now + timedelta(days=OUTLOOK_DAYS)
    # The status reads no symptom score but the few weeks the rules ask for (scores_in) and
    # the last day: two thirds of a diary's rows left unread (docs/performance.md).
    settings = settings_of(patient)
    plan, diary, scores_in = records.plan_without_scores(settings, patient.id, horizon, now)
    gone = records.dismissed(patient.id)
    values = status_values(plan, diary, now, gone,
                           last_score_day=records.last_score_day(patient.id))
    row = session.get(PatientStatus, patient.id)
    if row is None:
        session.add(PatientStatus(patient_id=patient.id, computed_at=utcnow(), **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.computed_at = utcnow()
    session.flush()
    if alerts_until is not None and alerts_until > horizon:
        plan = compute_plan(settings, diary, alerts_until, today=now, scores_in=scores_in)
    return plan, gone


def stale_patients(records: Records, *, missing_only: bool = False) -> list[int]:
    """Patients whose derived status is missing, or (unless ``missing_only``) was computed
    for an earlier day than today."""
    return records.stale_patients(today(), missing_only=missing_only)


def cohort_rows(records: Records) -> list[tuple[PatientInfo, StoredStatus]]:
    """Every patient that has a status row, with it, as stored (plain SQL: the ORM's two mapped
    objects a patient were most of the clinic screen's wait, docs/performance.md)."""
    return cohort.cohort_rows(records)
