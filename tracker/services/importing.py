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
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.clinical.protocols import SettingsError, build_settings
from tracker.clinical.vocabulary import label_of
from tracker.i18n import N_, Message, _, format_mg
from tracker.models import AlertDismissal, ChemoSession, Medication, Patient
from tracker.services import audited, status
from tracker.services.check_in import write_check_in
from tracker.services.clinic import Clinic
from tracker.services.fhir_import import BundleRefused, Incoming, describe, read_bundle
from tracker.services.roles import PROTOCOL_SETTINGS, Role, may, refusal
from tracker.storage.record_set import RecordSet, read_record_set
from tracker.storage.records import CheckIn

# The patient's fields a bundle carries and an import compares (the name and the protocol).
SETTING_FIELDS = ("name", "condition", "protocol", "start_date", "start_mg", "start_days",
                  "step_mg", "interval_days", "target_mg", "max_mg", "tolerance_days",
                  "min_severity", "formulation", "concentration_mg_ml", "weight_kg",
                  "transplant", "informed_on", "thyroid_interval_days")
PATIENT_OWN_FIELDS = ("name", "informed_on")  # the rest is the clinician's (SPEC §10)
KINDS = {  # what was added, as the summary line names it
    "patient": N_("patient"), "dose": N_("doses"), "side effect": N_("side effects"),
    "no side effects": N_("days without side effects"), "score": N_("scores"),
    "note": N_("notes"), "medication": N_("medications"), "chemotherapy": N_("chemotherapy"),
    "dismissed alert": N_("dismissed alerts"),
}


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    patient_id: int | None  # None: a dry run of a patient the database does not hold yet
    new_patient: bool
    added: Counter[str] = field(default_factory=Counter)
    corrected: Counter[str] = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)
    passed_over: list[str] = field(default_factory=list)

    @property
    def entries_added(self) -> int:
        return sum(self.added.values())

    @property
    def entries_corrected(self) -> int:
        return sum(self.corrected.values())


def _same(one: Any, other: Any) -> bool:
    """Equal, floats (doses, settings) to within rounding; tuples element by element."""
    if isinstance(one, tuple) and isinstance(other, tuple):
        return len(one) == len(other) and all(map(_same, one, other))
    if isinstance(one, float) or isinstance(other, float):
        return one is not None and other is not None and abs(float(one) - float(other)) < 1e-9
    return bool(one == other)


def _refused(template: str, **params: Any) -> BundleRefused:
    return BundleRefused(Message(template, params))


class _Merge:
    """The comparison of a bundle with what the database holds, and its application."""

    def __init__(self, incoming: Incoming, existing: RecordSet | None, replace: bool) -> None:
        self.incoming = incoming
        self.existing = existing
        self.replace = replace
        self.result = ImportResult(patient_id=existing.patient.id if existing else None,
                                   new_patient=existing is None,
                                   passed_over=list(incoming.passed_over))
        self.days: dict[date, dict[str, Any]] = {}  # a CheckIn's fields, per day
        self.identity: dict[date, dict[tuple[str, str | None], str]] = defaultdict(dict)
        self.settings_changes: dict[str, Any] = {}
        self.new_medications: list[Any] = []
        self.changed_medications: list[tuple[str, dict[str, Any]]] = []
        self.new_chemo: list[Any] = []
        self.changed_chemo: list[tuple[str, dict[str, Any]]] = []
        self.new_dismissals: list[Any] = []

    def conflict(self, day: date | None, template: str, **params: Any) -> bool:
        """Record a conflict (told in the user's language); True when the file's value is to
        be applied (``replace``)."""
        what = Message(template, params).render()
        self.result.conflicts.append(f"{day.isoformat()}: {what}" if day else what)
        return self.replace

    def day(self, day: date) -> dict[str, Any]:
        """What the import writes on ``day``: the fields of a :class:`CheckIn`."""
        entry = self.days.get(day)
        if entry is None:
            entry = self.days[day] = {"effects": {}, "scores": {}}
        return entry

    # -- the patient -----------------------------------------------------------------------

    def settings(self) -> None:
        wanted = dict(self.incoming.settings or {})
        if self.incoming.name is not None:
            wanted["name"] = self.incoming.name
        if self.existing is None or not wanted:
            return
        patient = self.existing.patient
        for name in SETTING_FIELDS:
            if name not in wanted or _same(getattr(patient, name), wanted[name]):
                continue
            if self.conflict(None, N_("{name}: {here} here, {there} in the file"), name=name,
                             here=str(getattr(patient, name)), there=str(wanted[name])):
                self.settings_changes[name] = wanted[name]
                self.result.corrected["patient"] += 1

    # -- the diary -------------------------------------------------------------------------

    def _one(self, kind: str, day: date, old: Any, new: Any, what: Message,
             identity: tuple[str, str | None], row_uuid: str) -> bool:
        """One value of the file against the database's (``old`` None: there is none);
        True when the file's value is to be written (new, or a correction with ``replace``)."""
        if old is None:
            self.result.added[kind] += 1
            self.identity[day][identity] = row_uuid
            return True
        if _same(old, new) or not self.conflict(day, what.template, **what.params):
            return False
        self.result.corrected[kind] += 1
        return True

    def diary(self) -> None:
        ex = self.existing
        doses = {r.day: r for r in ex.doses} if ex else {}
        effects = {(r.day, r.name): r.severity for r in ex.effects} if ex else {}
        clear = {r.day for r in ex.clear_days} if ex else set()
        scores = {(r.day, r.symptom): r.value for r in ex.scores} if ex else {}
        notes = {r.day: r.text for r in ex.notes} if ex else {}
        for dose in self.incoming.doses:
            was = doses.get(dose.day)
            time = dose.time if dose.time is not None or was is None else was.time
            if self._one("dose", dose.day, None if was is None else (was.taken, was.mg, was.time),
                         (dose.taken, dose.mg, time),
                         _differs(N_("dose"), _dose(was.taken, was.mg) if was else "",
                                  _dose(dose.taken, dose.mg)), ("dose", None), dose.uuid):
                self.day(dose.day).update(taken=dose.taken, mg=dose.mg, time=time)
        for effect in self.incoming.effects:
            old = effects.get((effect.day, effect.name))
            # "No side effects" that day here: the file's report would end it.
            ends_clear = old is None and effect.severity > 0 and effect.day in clear
            if ends_clear and not self.conflict(
                    effect.day, N_("no side effects here, {name} {there} in the file"),
                    name=_(label_of(effect.name)), there=effect.severity):
                continue
            if self._one("side effect", effect.day, old, effect.severity,
                         _differs(label_of(effect.name), old, effect.severity),
                         ("effect", effect.name), effect.uuid):
                self.day(effect.day)["effects"][effect.name] = effect.severity
        incoming_effects = {(r.day, r.name): r.severity for r in self.incoming.effects}
        for free in self.incoming.clear_days:
            if free.day in clear:
                continue
            worse = sorted(n for (d, n), severity in effects.items()
                           if d == free.day and severity > 0
                           and incoming_effects.get((d, n), severity) > 0)
            if worse and not self.conflict(
                    free.day, N_("{names} here, no side effects in the file"),
                    names=", ".join(_(label_of(n)) for n in worse)):
                continue
            self._one("no side effects", free.day, None, True, Message(""), ("clear", None),
                      free.uuid)
            self.day(free.day)["no_side_effects"] = True
        for score in self.incoming.scores:
            was_value = scores.get((score.day, score.symptom))
            if self._one("score", score.day, was_value, score.value,
                         _differs(label_of(score.symptom), was_value, score.value),
                         ("score", score.symptom), score.uuid):
                self.day(score.day)["scores"][score.symptom] = score.value
        for note in self.incoming.notes:
            if self._one("note", note.day, notes.get(note.day), note.text,
                         Message(N_("the note differs")),
                         ("note", None), note.uuid):
                self.day(note.day)["note"] = note.text

    # -- events and dismissals -------------------------------------------------------------

    def events(self) -> None:
        ex = self.existing
        meds = {r.uuid: r for r in ex.medications} if ex else {}
        meds_by_name = {(r.name.casefold(), r.start): r for r in ex.medications} if ex else {}
        for row in self.incoming.medications:
            old = meds.get(row.uuid) or meds_by_name.get((row.name.casefold(), row.start))
            if old is None:
                self.result.added["medication"] += 1
                self.new_medications.append(row)
            elif (old.name, old.start, old.end) != (row.name, row.start, row.end) \
                    and self.conflict(row.start, N_("the medication {name} differs"),
                                      name=old.name):
                self.result.corrected["medication"] += 1
                self.changed_medications.append((old.uuid, {
                    "name": row.name, "start_date": row.start, "end_date": row.end}))
        chemo = {r.uuid: r for r in ex.chemo} if ex else {}
        chemo_days = {(r.start, r.end) for r in ex.chemo} if ex else set()
        for crow in self.incoming.chemo:
            old_chemo = chemo.get(crow.uuid)
            if old_chemo is None and (crow.start, crow.end) in chemo_days:
                continue
            if old_chemo is None:
                self.result.added["chemotherapy"] += 1
                self.new_chemo.append(crow)
            elif (old_chemo.start, old_chemo.end) != (crow.start, crow.end) and self.conflict(
                    crow.start, N_("the chemotherapy session differs")):
                self.result.corrected["chemotherapy"] += 1
                self.changed_chemo.append((old_chemo.uuid, {"start_date": crow.start,
                                                            "end_date": crow.end}))
        dismissed = {(r.code, r.day) for r in ex.dismissals} if ex else set()
        for drow in self.incoming.dismissals:
            if (drow.code, drow.day) not in dismissed:
                self.result.added["dismissed alert"] += 1
                self.new_dismissals.append(drow)


def _dose(taken: bool, mg: float | None) -> str:
    return format_mg(mg) if taken and mg is not None else _("skipped")


def _differs(what: str, here: Any, there: Any) -> Message:
    return Message(N_("{what} {here} here, {there} in the file"),
                   {"what": _(what), "here": here, "there": there})


def compare(incoming: Incoming, existing: RecordSet | None, replace: bool) -> _Merge:
    merge = _Merge(incoming, existing, replace)
    merge.settings()
    merge.diary()
    merge.events()
    if existing is None:
        merge.result.added["patient"] += 1
    return merge


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


def _write(session: Session, actor: str, patient: Patient, merge: _Merge, reason: str) -> None:
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
