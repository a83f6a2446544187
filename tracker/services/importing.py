"""Taking a patient's FHIR bundle into the database (SPEC §11 ``import``).

One transaction: the patient is matched by the tracker's identifier (the uuid the bundle's
``Patient`` carries), else created from the bundle's protocol; then every row the database
lacks is added through the same write path as an evening check-in
(:func:`tracker.services.check_in.write_check_in`) and :mod:`tracker.services.audited`, each
with its audit row and the reason "imported from FILE", keeping the row's uuid from the file.
A day the database already holds with another value is a conflict: the import is refused whole,
the days named, unless ``replace`` is given, which applies the file's values as audited
corrections. The same file taken in twice adds nothing the second time: rows are matched by
what they are (a patient's dose of a day, a side effect of a day, a medication by its uuid or
its name and start), not only by uuid, so a bundle from another system is matched too.
That comparison is :mod:`tracker.services.import_merge`; here are the transaction, the new
patient, the role's check, the writes and the summary ``import`` prints.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.clinical.protocols import SettingsError, build_settings
from tracker.i18n import N_, Message, _
from tracker.models import AlertDismissal, ChemoSession, Medication, Patient
from tracker.services import audited, status
from tracker.services.check_in import write_check_in
from tracker.services.clinic import Clinic
from tracker.services.fhir_import import BundleRefused, Incoming, describe, read_bundle
from tracker.services.import_merge import ImportResult, Merge, compare
from tracker.services.roles import PROTOCOL_SETTINGS, Role, may, refusal
from tracker.storage.record_set import read_record_set
from tracker.storage.records import CheckIn

PATIENT_OWN_FIELDS = ("name", "informed_on")  # the rest is the clinician's (SPEC §10)
KINDS = {  # what was added, as the summary line names it
    "patient": N_("patient"), "dose": N_("doses"), "side effect": N_("side effects"),
    "no side effects": N_("days without side effects"), "score": N_("scores"),
    "note": N_("notes"), "medication": N_("medications"), "chemotherapy": N_("chemotherapy"),
    "dismissed alert": N_("dismissed alerts"),
}


def _refused(template: str, **params: Any) -> BundleRefused:
    return BundleRefused(Message(template, params))


def _new_patient(incoming: Incoming, file: str) -> Patient:
    """The patient a bundle describes, its protocol checked as ``patient add`` checks it."""
    where = f"{file}: entry {incoming.settings_entry}"
    s = incoming.settings
    if s is None or not incoming.name:
        raise _refused(N_("{file}: this database has no such patient, and the bundle lacks "
                          "what is needed to create one (a Patient with a name and the LDN "
                          "MedicationStatement with its protocol)."), file=file)
    try:
        settings = build_settings(
            s["protocol"], s["start_date"], weight_kg=s.get("weight_kg"),
            formulation=s["formulation"], concentration_mg_ml=s.get("concentration_mg_ml"),
            tolerance_days=s.get("tolerance_days") or 4, target_mg=s["target_mg"],
            max_mg=s["max_mg"], start_mg=s["start_mg"], start_days=s["start_days"],
            interval_days=s["interval_days"], transplant=bool(s.get("transplant")),
            informed_on=s.get("informed_on"))
    except SettingsError as exc:
        raise BundleRefused(Message(N_("{where} (MedicationStatement): {problem}"),
                                    {"where": where, "problem": exc.message})) from None
    if not 0 <= float(s["step_mg"]) <= 25:
        raise _refused(N_("{where} (MedicationStatement): the step must be from 0 to 25 mg."),
                       where=where)
    return Patient(
        uuid=incoming.patient_uuid, name=incoming.name[:200], condition=str(s["condition"]),
        protocol=settings.protocol, start_date=settings.start_date,
        start_mg=settings.start_mg, start_days=settings.start_days,
        step_mg=float(s["step_mg"]), interval_days=settings.interval_days,
        target_mg=settings.target_mg, max_mg=settings.max_mg,
        tolerance_days=settings.tolerance_days, min_severity=int(s.get("min_severity") or 1),
        formulation=settings.formulation, concentration_mg_ml=settings.concentration_mg_ml,
        weight_kg=settings.weight_kg, transplant=settings.transplant,
        informed_on=settings.informed_on,
        thyroid_interval_days=int(s.get("thyroid_interval_days") or 42))


def _free_uuids(session: Session, model: Any, wanted: list[str]) -> set[str]:
    """Those of ``wanted`` no row of ``model`` holds yet (a uuid is one row's for ever)."""
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        taken.update(session.scalars(select(model.uuid).where(model.uuid.in_(chunk))))
    return set(wanted) - taken


def import_file(clinic: Clinic, path: Path, *, role: Role, dry_run: bool = False,
                replace: bool = False) -> ImportResult:
    """:func:`read_bundle`, then :func:`import_bundle`."""
    return import_bundle(clinic, read_bundle(path), str(path), role=role, dry_run=dry_run,
                         replace=replace)


def import_bundle(clinic: Clinic, incoming: Incoming, file: str, *, role: Role,
                  dry_run: bool = False, replace: bool = False) -> ImportResult:
    """Take a bundle read from ``file`` in (or, with ``dry_run``, say what would change).

    Raises :class:`BundleRefused` (nothing written) for a value the database refuses, conflicts
    without ``replace``, or a protocol change the role may not make.
    """
    reason = f"imported from {file}"
    opened = clinic.db.read() if dry_run else clinic.db.write()
    with opened as session:
        found = session.scalar(select(Patient).where(Patient.uuid == incoming.patient_uuid)) \
            if incoming.patient_uuid else None
        if found is None and incoming.name is None:
            raise _refused(N_("{file}: the patient {uuid} is not in this database, and the "
                              "bundle holds no Patient to create."), file=file,
                           uuid=incoming.patient_uuid or "?")
        connection = session.connection().connection.driver_connection
        existing = read_record_set(connection, found.id) if found is not None else None
        merge = compare(incoming, existing, replace)
        result = merge.result
        if result.conflicts and not replace:
            raise _refused(N_("{file} disagrees with this database on {count} entries "
                              "({conflicts}); nothing was imported. Give --replace to apply "
                              "the file's values as corrections."), file=file,
                           count=len(result.conflicts), conflicts=describe(result.conflicts))
        clinical = sorted(set(merge.settings_changes) - set(PATIENT_OWN_FIELDS))
        if clinical and not may(role, f"patient edit {PROTOCOL_SETTINGS[0]}"):
            raise BundleRefused(refusal(role, f"import --replace ({', '.join(clinical)})"))
        patient = found if found is not None else _new_patient(incoming, file)
        if dry_run:
            return result
        actor = clinic.actor
        if found is None:
            audited.insert(session, actor, patient, reason)
        elif merge.settings_changes:
            audited.update(session, actor, patient, merge.settings_changes, reason)
        result.patient_id = patient.id
        _write(session, actor, patient, merge, reason)
        status.refresh(session, clinic.records(session), patient)
        return result


def _write(session: Session, actor: str, patient: Patient, merge: Merge, reason: str) -> None:
    from tracker.models import ClearDay, DoseEntry, Note, SideEffectReport, SymptomScore

    tables = {"dose": DoseEntry, "effect": SideEffectReport, "clear": ClearDay,
              "score": SymptomScore, "note": Note}
    wanted: dict[str, list[str]] = defaultdict(list)
    for identity in merge.identity.values():
        for (kind, _name), row_uuid in identity.items():
            wanted[kind].append(row_uuid)
    free = {kind: _free_uuids(session, tables[kind], uuids) for kind, uuids in wanted.items()}
    for day in sorted(merge.days):
        identity = {key: u for key, u in merge.identity.get(day, {}).items()
                    if u in free.get(key[0], set())}
        entry = CheckIn(day=day, confirm_above_max=True, reason=reason, **merge.days[day])
        write_check_in(actor, session, patient, entry, identity=identity)
    pid = patient.id
    meds = _free_uuids(session, Medication, [r.uuid for r in merge.new_medications])
    for med in merge.new_medications:
        audited.insert(session, actor, Medication(
            patient_id=pid, name=med.name, start_date=med.start, end_date=med.end,
            **({"uuid": med.uuid} if med.uuid in meds else {})), reason)
    for row_uuid, changes in merge.changed_medications:
        row = session.scalar(select(Medication).where(Medication.uuid == row_uuid))
        assert row is not None
        audited.update(session, actor, row, changes, reason)
    chemo = _free_uuids(session, ChemoSession, [r.uuid for r in merge.new_chemo])
    for session_row in merge.new_chemo:
        audited.insert(session, actor, ChemoSession(
            patient_id=pid, start_date=session_row.start, end_date=session_row.end,
            **({"uuid": session_row.uuid} if session_row.uuid in chemo else {})), reason)
    for row_uuid, changes in merge.changed_chemo:
        crow = session.scalar(select(ChemoSession).where(ChemoSession.uuid == row_uuid))
        assert crow is not None
        audited.update(session, actor, crow, changes, reason)
    kept = _free_uuids(session, AlertDismissal, [r.uuid for r in merge.new_dismissals])
    for d in merge.new_dismissals:
        audited.insert(session, actor, AlertDismissal(
            patient_id=pid, code=d.code, day=d.day, reason=d.reason, actor=d.actor, at=d.at,
            **({"uuid": d.uuid} if d.uuid in kept else {})), reason)


def summary_lines(result: ImportResult, dry_run: bool) -> list[Message]:
    """What ``import`` prints: the patient, how many entries it added (and corrected)."""
    kinds = ", ".join(f"{count} {_(KINDS[kind])}"
                      for kind, count in sorted(result.added.items()))
    lines = []
    if dry_run:
        lines.append(Message(N_("Dry run, nothing written: patient {patient}: {count} entries "
                                "would be added ({kinds})."),
                             {"patient": result.patient_id if result.patient_id is not None
                              else "(new)", "count": result.entries_added,
                              "kinds": kinds or "-"}))
    else:
        lines.append(Message(N_("Patient {patient}: {count} entries added ({kinds})."),
                             {"patient": result.patient_id, "count": result.entries_added,
                              "kinds": kinds or "-"}))
    if result.corrected:
        lines.append(Message(N_("{count} entries corrected from the file: {which}."),
                             {"count": result.entries_corrected,
                              "which": describe(result.conflicts)}))
    if result.passed_over:
        lines.append(Message(N_("{count} entries passed over (not kept by this tracker): "
                                "{which}."), {"count": len(result.passed_over),
                                              "which": describe(result.passed_over)}))
    return lines
