"""The write paths every interface uses: validation, the audit trail, one transaction each.

The command line and the app both go through :class:`Clinic`. A refused input raises
:class:`~tracker.validation.ValidationError` before anything is written; every accepted change
is written together with its audit rows in one transaction, so nothing is half-saved.
Corrections never erase: the previous value stays in the audit trail with who, when and why.
The write transactions are all opened here; what the evening check-in writes is in
:mod:`tracker.services.check_in`, the cohort's derived status in :mod:`tracker.services.status`,
and the reads the Clinic inherits (patients, plans, alerts, the audit trail) in
:mod:`tracker.services.clinic_reads`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.clinical.horizons import PLAN_HORIZON_DAYS
from tracker.clinical.model import Alert, Plan
from tracker.clinical.protocols import SettingsError, build_settings, find_condition
from tracker.clinical.vocabulary import clean_name
from tracker.i18n import N_, Message
from tracker.models import AlertDismissal, ChemoSession, Medication, Patient
from tracker.services import audited, status
from tracker.services import check_in as evening
from tracker.services.clinic_reads import ClinicReads
from tracker.services.status import STALE_STATUS_DAY, STATUS_BATCH
from tracker.storage.audit import utcnow
from tracker.storage.cohort import StoredStatus
from tracker.storage.records import CheckIn, PatientInfo, unknown_patient
from tracker.validation import ValidationError, fail, require_text, today

__all__ = ["AUDITED_PATIENT_FIELDS", "STALE_STATUS_DAY", "STATUS_BATCH", "CheckIn", "Clinic",
           "PatientInfo"]

AUDITED_PATIENT_FIELDS = (
    "name", "condition", "protocol", "start_date", "start_mg", "start_days", "step_mg",
    "interval_days", "target_mg", "max_mg", "tolerance_days", "min_severity", "formulation",
    "concentration_mg_ml", "weight_kg", "transplant", "informed_on", "thyroid_interval_days",
)


class Clinic(ClinicReads):
    """The clinic's records in one database, as seen by one actor (patient or clinician)."""

    # -- the audit trail ---------------------------------------------------------------------

    def _audit(self, session: Session, action: str, row: Any, fields: dict[str, tuple[Any, Any]],
               reason: str | None = None) -> None:
        audited.append(session, self.actor, action, row, fields, reason)

    def _insert(self, session: Session, row: Any, reason: str | None = None) -> None:
        audited.insert(session, self.actor, row, reason)

    def _update(self, session: Session, row: Any, changes: dict[str, Any],
                reason: str | None) -> bool:
        return audited.update(session, self.actor, row, changes, reason)

    def _delete(self, session: Session, row: Any, reason: str | None) -> None:
        audited.delete(session, self.actor, row, reason)

    # -- patients ----------------------------------------------------------------------------

    def add_patient(
        self,
        *,
        name: str,
        condition: str,
        start: date,
        protocol: str | None = None,
        weight_kg: float | None = None,
        formulation: str = "capsule",
        concentration_mg_ml: float | None = None,
        step_mg: float | None = None,
        tolerance_days: int = 4,
        target_mg: float | None = None,
        transplant: bool = False,
        informed_on: date | None = None,
        interval_days: int | None = None,
        medications: Iterable[str] = (),
    ) -> int:
        clean = require_text(name, "name", 200)
        found = find_condition(condition)
        if not clean_name(condition):
            raise fail("condition", N_("{field} must not be empty."))
        if found is None and protocol is None:
            from tracker.clinical.protocols import CONDITIONS

            raise ValidationError("condition", Message(
                N_("Unknown condition {value}. Give --protocol, or one of: {known}."),
                {"value": condition, "known": ", ".join(c.en for c in CONDITIONS)}))
        chosen = protocol or (found.protocol if found else "autoimmune")
        try:
            settings = build_settings(
                chosen, start, weight_kg=weight_kg,
                formulation=formulation,  # type: ignore[arg-type]
                concentration_mg_ml=concentration_mg_ml, step_mg=step_mg,
                tolerance_days=tolerance_days, target_mg=target_mg, transplant=transplant,
                informed_on=informed_on, interval_days=interval_days,
            )
        except SettingsError as exc:
            raise ValidationError(exc.field, exc.message) from None
        meds = [require_text(m, "medication", 200) for m in medications]
        with self.db.write() as session:
            patient = Patient(
                name=clean, condition=found.key if found else clean_name(condition),
                protocol=settings.protocol, start_date=settings.start_date,
                start_mg=settings.start_mg, start_days=settings.start_days,
                step_mg=settings.step_mg, interval_days=settings.interval_days,
                target_mg=settings.target_mg, max_mg=settings.max_mg,
                tolerance_days=settings.tolerance_days, min_severity=settings.min_severity,
                formulation=settings.formulation,
                concentration_mg_ml=settings.concentration_mg_ml,
                weight_kg=settings.weight_kg, transplant=settings.transplant,
                informed_on=settings.informed_on,
                thyroid_interval_days=settings.thyroid_interval_days,
            )
            self._insert(session, patient)
            for med in meds:
                self._insert(session, Medication(patient_id=patient.id, name=med))
            return patient.id

    def update_patient(self, patient_id: int, reason: str | None = None, **changes: Any) -> None:
        """Edit a patient's settings; the whole set is re-checked as on creation."""
        with self.db.write() as session:
            patient = self._patient(session, patient_id)
            merged = {k: getattr(patient, k) for k in AUDITED_PATIENT_FIELDS} | changes
            unknown = set(changes) - set(AUDITED_PATIENT_FIELDS)
            if unknown:
                raise fail(sorted(unknown)[0], N_("{field} cannot be edited."))
            if "name" in changes:
                merged["name"] = require_text(changes["name"], "name", 200)
            try:
                build_settings(
                    merged["protocol"], merged["start_date"], weight_kg=merged["weight_kg"],
                    formulation=merged["formulation"],
                    concentration_mg_ml=merged["concentration_mg_ml"],
                    tolerance_days=merged["tolerance_days"], target_mg=merged["target_mg"],
                    # A new step is checked as on creation (0.5 or 1); the stored one was.
                    step_mg=changes.get("step_mg"),
                    max_mg=merged["max_mg"], start_mg=merged["start_mg"],
                    start_days=merged["start_days"], interval_days=merged["interval_days"],
                )
            except SettingsError as exc:
                raise ValidationError(exc.field, exc.message) from None
            self._update(session, patient, changes, reason)
            self._refresh_status(session, patient)

    @staticmethod
    def _patient(session: Session, patient_id: int) -> Patient:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise unknown_patient(patient_id)
        return patient

    # -- events ------------------------------------------------------------------------------

    def add_medication(self, patient_id: int, name: str, start: date | None = None,
                       end: date | None = None) -> int:
        clean = require_text(name, "name", 200)
        if start and end and end < start:
            raise fail("to", N_("{field} must be on or after the start date {start}."),
                       start=start)
        with self.db.write() as session:
            patient = self._patient(session, patient_id)
            med = Medication(patient_id=patient_id, name=clean, start_date=start, end_date=end)
            self._insert(session, med)
            self._refresh_status(session, patient)
            return med.id

    def end_medication(self, medication_id: int, end: date, reason: str | None = None) -> None:
        with self.db.write() as session:
            med = session.get(Medication, medication_id)
            if med is None:
                raise fail("medication", N_("{field}: no such medication."))
            if med.start_date and end < med.start_date:
                raise fail("to", N_("{field} must be on or after the start date {start}."),
                           start=med.start_date)
            self._update(session, med, {"end_date": end}, reason)
            self._refresh_status(session, self._patient(session, med.patient_id))

    def add_chemo(self, patient_id: int, start: date, end: date | None = None) -> int:
        end = end or start
        if end < start:
            raise fail("end", N_("{field} must be on or after the start date {start}."),
                       start=start)
        with self.db.write() as session:
            patient = self._patient(session, patient_id)
            chemo = ChemoSession(patient_id=patient_id, start_date=start, end_date=end)
            self._insert(session, chemo)
            self._refresh_status(session, patient)
            return chemo.id

    # -- the diary ---------------------------------------------------------------------------

    @staticmethod
    def check_dose(patient: Patient | PatientInfo, mg: float, confirm: bool) -> None:
        """Above 0, at most the hard limit, above the plan maximum only if confirmed."""
        evening.check_dose(patient, mg, confirm)

    def log_dose(self, patient_id: int, day: date, *, taken: bool, mg: float | None = None,
                 time: str | None = None, confirm: bool = False,
                 reason: str | None = None) -> None:
        self.check_in(patient_id, CheckIn(day=day, taken=taken, mg=mg, time=time,
                                          confirm_above_max=confirm, reason=reason))

    def log_effect(self, patient_id: int, day: date, name: str, severity: int,
                   reason: str | None = None) -> None:
        self.check_in(patient_id, CheckIn(day=day, effects={name: severity}, reason=reason))

    def log_no_effects(self, patient_id: int, day: date, reason: str | None = None) -> None:
        self.check_in(patient_id, CheckIn(day=day, no_side_effects=True, reason=reason))

    def log_score(self, patient_id: int, day: date, symptom: str, value: int,
                  reason: str | None = None) -> None:
        self.check_in(patient_id, CheckIn(day=day, scores={symptom: value}, reason=reason))

    def validate_check_in(self, patient: Patient | PatientInfo, entry: CheckIn) -> CheckIn:
        """Every field checked before anything is written; names canonicalised."""
        return evening.validate_check_in(patient, entry)

    def check_in(self, patient_id: int, entry: CheckIn, *,
                 expected: CheckIn | None = None) -> list[Alert]:
        """Save one day's entries; an earlier entry of the same day is corrected, audited.

        ``expected`` is what the day held when the form was opened: if the stored values are
        no longer those (saved elsewhere since), nothing is written and
        :class:`~tracker.services.day.ChangedElsewhere` is raised; the check reads the day in
        the write's own transaction, so no save can slip in between.

        Returns the alerts the rules now raise for that day and the days before it that are
        not dismissed, newest first, for the app to show in plain words.
        """
        with self.db.write() as session:
            patient = self._patient(session, patient_id)
            if expected is not None:
                evening.check_unchanged(
                    self.records(session).day_entries(patient.id, entry.day), expected)
            entry = self.validate_check_in(patient, entry)
            evening.write_check_in(self.actor, session, patient, entry)
            # The derived status and the alerts follow in the same transaction (one diary read
            # and one plan serve both), in a savepoint: should the refresh fail, the day's
            # entries are still committed, with the row marked stale (the cohort view
            # recomputes it), and the error is raised once they are.
            try:
                with session.begin_nested():
                    plan, gone = self._refresh_status(
                        session, patient, alerts_until=evening.alerts_horizon(entry.day))
            except Exception as exc:  # noqa: BLE001 - raised again after the commit
                status.mark_stale(session, patient.id)
                failed: Exception | None = exc
            else:
                failed = None
        if failed is not None:
            raise failed
        return evening.alerts_near(plan, gone, entry.day)

    # -- alerts ------------------------------------------------------------------------------

    def dismiss_alert(self, patient_id: int, code: str, day: date, reason: str) -> None:
        """Only a clinician dismisses a clinical alert, with a reason kept in the audit trail."""
        why = require_text(reason, "reason", 1000)
        with self.db.write() as session:
            patient = self._patient(session, patient_id)
            until = max(day, today()) + timedelta(days=PLAN_HORIZON_DAYS)
            plan_alerts = self.plan(patient_id, until=until)
            if not any(a.code == code and a.day == day for a in plan_alerts.alerts):
                raise ValidationError("code", Message(
                    N_("No alert {value} on {day} for this patient."),
                    {"value": code, "day": day}))
            exists = session.scalar(select(AlertDismissal).where(
                AlertDismissal.patient_id == patient_id, AlertDismissal.code == code,
                AlertDismissal.day == day))
            if exists is None:
                self._insert(session, AlertDismissal(
                    patient_id=patient_id, code=code, day=day, reason=why, actor=self.actor,
                    at=utcnow()), why)
            self._refresh_status(session, patient)

    # -- the cohort's derived status (:mod:`tracker.services.status`) ------------------------

    def _refresh_status(self, session: Session, patient: Patient,
                        alerts_until: date | None = None) -> tuple[Plan, set[tuple[str, date]]]:
        """See :func:`tracker.services.status.refresh`."""
        return status.refresh(session, self.records(session), patient, alerts_until)

    def refresh_status(self, patient_ids: Iterable[int]) -> int:
        """Recompute these patients' derived status; returns how many.

        A few patients per transaction (``STATUS_BATCH``): a refresh costs tens of milliseconds
        a patient on a three-year diary, and a patient's check-in waiting for the write lock
        must not wait for hundreds of them.
        """
        ids = list(patient_ids)
        for start in range(0, len(ids), STATUS_BATCH):
            with self.db.write() as session:
                for pid in ids[start:start + STATUS_BATCH]:
                    self._refresh_status(session, self._patient(session, pid))
        return len(ids)

    def cohort_status(self, refresh_stale: bool = True) -> list[tuple[PatientInfo,
                                                                      StoredStatus]]:
        """Every patient with their derived status; rows from an earlier day are refreshed.

        On a big clinic the first opening of a day refreshes every row (tens of milliseconds a
        patient). An interface that must open at once asks with ``refresh_stale=False`` (the
        rows as stored; ``computed_for`` tells which are from an earlier day), after
        ``refresh_status(stale_status(missing_only=True))`` so that no patient is left out,
        and refreshes ``stale_status()`` in the background.
        """
        if refresh_stale:
            self.refresh_status(self.stale_status())
        with self.db.read() as session:
            return status.cohort_rows(self.records(session))
