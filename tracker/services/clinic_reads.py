"""The read paths every interface uses: each query in a read transaction of its own.

:class:`ClinicReads` is what :class:`~tracker.services.clinic.Clinic` can tell without writing:
the audit trail and its verification, the patients (by id or by name), their medications, one
day of the diary, the rules engine's inputs, plan and alerts, and which derived statuses are
stale. The reads themselves are plain SQL (:mod:`tracker.storage.records`) on the session's own
connection; the writes, and the cohort view that refreshes stale rows first, are the Clinic's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.clinical.alert_status import AlertState
from tracker.clinical.model import Alert, Diary, PatientSettings, Plan
from tracker.clinical.vocabulary import clean_name
from tracker.i18n import N_, Message
from tracker.models import AuditEntry, Medication, Patient
from tracker.services import audited, status
from tracker.storage.database import Database
from tracker.storage.records import CheckIn, DayPlan, PatientInfo, Records
from tracker.validation import ValidationError, fail, patient_id

if TYPE_CHECKING:
    from tracker.storage.verify import Verification


class ClinicReads:
    """What one actor (patient or clinician) reads of the clinic's records in one database."""

    def __init__(self, db: Database, actor: str = "patient") -> None:
        self.db = db
        self.actor = actor

    # -- the audit trail ---------------------------------------------------------------------

    def verify_audit(self, anchor: Path | None = None) -> Verification:
        """Every check of ``ldn-tracker verify``: :func:`tracker.services.audited.verify`."""
        return audited.verify(self.db, anchor)

    def audit_trail(self, patient_id: int) -> list[AuditEntry]:
        with self.db.read() as session:
            return list(session.scalars(select(AuditEntry)
                                        .where(AuditEntry.patient_id == patient_id)
                                        .order_by(AuditEntry.id)))

    # -- patients ----------------------------------------------------------------------------

    def list_patients(self) -> list[PatientInfo]:
        with self.db.read() as session:
            return self.records(session).list_patients()

    def patient(self, patient_id: int) -> PatientInfo:
        with self.db.read() as session:
            return self.records(session).patient(patient_id)

    def find_patient(self, ref: str) -> int:
        """A patient by id or by unique name (case-insensitive)."""
        text = clean_name(ref)
        if not text:
            raise fail("patient", N_("{field} must not be empty: give an id or a name."))
        with self.db.read() as session:
            pid = patient_id(text)  # ASCII digits only: "٣" is a name, never id 3
            if pid is not None and session.get(Patient, pid) is not None:
                return pid
            ids = list(session.scalars(select(Patient.id).where(
                func.lower(Patient.name) == text.lower())))
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise ValidationError("patient", Message(
                N_("{value} matches several patients (ids {ids}): give the id."),
                {"value": text, "ids": ", ".join(map(str, ids))}))
        raise ValidationError("patient", Message(
            N_("No patient with id or name {value}."), {"value": text}))

    def medications(self, patient_id: int) -> list[Medication]:
        with self.db.read() as session:
            return list(session.scalars(select(Medication)
                                        .where(Medication.patient_id == patient_id)
                                        .order_by(Medication.id)))

    # -- the diary ---------------------------------------------------------------------------

    def day_entries(self, patient_id: int, day: date) -> CheckIn:
        """What is logged for one day, as a CheckIn (the app's correction form starts here)."""
        with self.db.read() as session:
            return self.records(session).day_entries(patient_id, day)

    # -- reading for the rules engine ------------------------------------------------------

    @staticmethod
    def records(session: Session) -> Records:
        """The reads (:mod:`tracker.storage.records`) on the session's own DB-API connection, in its
        transaction: plain SQL, as SQLAlchemy's per-row processing cost as much as a plan."""
        dbapi = session.connection().connection.driver_connection
        assert dbapi is not None
        return Records(dbapi)

    def inputs(self, patient_id: int) -> tuple[PatientSettings, Diary]:
        with self.db.read() as session:
            return self.records(session).inputs(patient_id)

    def plan(self, patient_id: int, until: date | None = None,
             on: date | None = None) -> Plan:
        """The plan from its start to ``until`` (default: 4 weeks after today)."""
        return self.plan_and_diary(patient_id, until, on)[0]

    def plan_and_diary(self, patient_id: int, until: date | None = None,
                       on: date | None = None) -> tuple[Plan, Diary]:
        """The plan and the diary it was computed from, read once."""
        with self.db.read() as session:
            return self.records(session).plan_and_diary(patient_id, until, on)

    def day_plan(self, patient_id: int, until: date, on: date) -> DayPlan:
        """See :meth:`tracker.storage.records.Records.day_plan` (read in one transaction)."""
        with self.db.read() as session:
            return self.records(session).day_plan(patient_id, until, on)

    def alerts(self, patient_id: int, plan: Plan | None = None,
               include_dismissed: bool = False) -> list[Alert]:
        """See :meth:`tracker.storage.records.Records.alerts`."""
        with self.db.read() as session:
            return self.records(session).alerts(patient_id, plan, include_dismissed)

    def alert_states(self, patient_id: int, plan: Plan | None = None,
                     diary: Diary | None = None) -> list[AlertState]:
        """See :meth:`tracker.storage.records.Records.alert_states`."""
        with self.db.read() as session:
            return self.records(session).alert_states(patient_id, plan, diary)

    # -- the cohort's derived status (:mod:`tracker.services.status`) ------------------------

    def stale_status(self, *, missing_only: bool = False) -> list[int]:
        """Patients whose derived status is missing, or (unless ``missing_only``) was computed
        for an earlier day than today."""
        with self.db.read() as session:
            return status.stale_patients(self.records(session), missing_only=missing_only)
