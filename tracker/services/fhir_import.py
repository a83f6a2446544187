"""A FHIR R4 bundle read back into a patient's records: the way in of SPEC §11.

:func:`read_bundle` refuses, naming the entry, a file that is not JSON, not a ``Bundle``, not
FHIR R4 (``fhir.resources``' R4B models parse it: an element of another version, a date such
as 30 February, a wrong type are refused there) or that holds a value the diary refuses (a dose
above 25 mg, a severity of 7: the check-in's own checks,
:func:`tracker.services.check_in.validate_check_in`). What it returns is an :class:`Incoming`:
the patient's uuid, name and protocol settings where the file has them, and the rows as
:mod:`tracker.storage.record_set` holds them, so :mod:`tracker.services.importing` compares
them with the database value by value.

It understands the tracker's own bundles (:mod:`tracker.export.fhir`, the codes in
:mod:`tracker.export.fhir_codes`) and the parts of another system's bundle that it can hold: a
naltrexone ``MedicationAdministration``, an ``Observation`` coded with the tracker's codes or
with a well-known code it knows (LOINC 72514-3, the SNOMED CT side effects), a
``MedicationStatement`` of another medication, a chemotherapy ``Procedure``. Entries it does not
hold (say, a blood pressure) are listed as passed over, never silently dropped. How one value
of an entry (a uuid, a date, a severity, the protocol's fields) is read is in
:mod:`tracker.services.fhir_values`; here is what each kind of entry means.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.clinical.model import HARD_LIMIT_MG
from tracker.clinical.vocabulary import side_effect_key, symptom_key
from tracker.export import fhir_codes as codes
from tracker.i18n import N_, _
from tracker.services.fhir_file import BundleRefused, load_json, parse_bundle, refuse
from tracker.services.fhir_values import (
    clean_key,
    codings,
    day_and_time,
    effective_day,
    has_coding,
    int_value,
    protocol_settings,
    uuid_of,
)
from tracker.storage.record_set import (
    ChemoRow,
    ClearRow,
    DismissalRow,
    DoseRow,
    EffectRow,
    MedicationRow,
    NoteRow,
    Rows,
    ScoreRow,
)

__all__ = ["BundleRefused", "Incoming", "describe", "load_json", "parse_bundle", "read_bundle"]


@dataclass(kw_only=True)
class Incoming(Rows):
    """What a bundle holds, as the tracker's rows (uuids from the entries' ``fullUrl``)."""

    patient_uuid: str | None = None  # the tracker's identifier of the patient
    name: str | None = None
    settings: dict[str, Any] | None = None  # the protocol's fields (fhir_codes.PROTOCOL_FIELDS)
    settings_entry: int | None = None
    passed_over: list[str] = field(default_factory=list)  # "entry 7 (Observation 8480-6)"
    entry_of: dict[tuple[str, Any], int] = field(default_factory=dict)  # row key -> entry


# -- the entries -----------------------------------------------------------------------------

class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.incoming = Incoming()
        self.subjects: set[str] = set()
        self.patient_urls: set[str] = set()

    def where(self, index: int, kind: str) -> str:
        return f"{self.file}: {_('entry')} {index} ({kind})"

    def keep(self, key: tuple[str, Any], index: int, where: str) -> None:
        if key in self.incoming.entry_of:
            raise refuse(N_("{where} repeats entry {other} ({what})."), where=where,
                          other=self.incoming.entry_of[key], what=f"{key[0]} {key[1]}")
        self.incoming.entry_of[key] = index

    def subject(self, resource: Any) -> None:
        ref = getattr(resource, "subject", None)
        if ref is None:
            return
        if ref.reference:
            self.subjects.add(ref.reference)
        elif ref.identifier is not None and ref.identifier.value:
            self.subjects.add(ref.identifier.value)

    # -- one method per kind of entry ------------------------------------------------------

    def patient(self, index: int, full_url: str | None, resource: Any) -> None:
        where = self.where(index, "Patient")
        if self.incoming.patient_uuid is not None or self.incoming.name is not None:
            raise refuse(N_("{where}: the bundle holds more than one Patient."), where=where)
        self.incoming.patient_uuid = uuid_of(full_url, resource)
        names = [n.text or " ".join([*(n.given or []), n.family or ""]).strip()
                 for n in (resource.name or [])]
        self.incoming.name = next((n for n in names if n), None)
        self.patient_urls = {u for u in (full_url, f"Patient/{resource.id}") if u}

    def statement(self, index: int, full_url: str | None, resource: Any) -> None:
        protocol = next((e for e in (resource.extension or [])
                         if e.url == codes.PROTOCOL_EXTENSION), None)
        where = self.where(index, "MedicationStatement")
        self.subject(resource)
        if protocol is not None:
            settings = protocol_settings(protocol, where)
            period = resource.effectivePeriod
            if period is None or period.start is None:
                raise refuse(N_("{where}: the treatment's start (effectivePeriod.start) is "
                                 "missing."), where=where)
            settings["start_date"] = day_and_time(period.start, where)[0]
            self.incoming.settings = settings
            self.incoming.settings_entry = index
            return
        row_uuid = uuid_of(full_url, resource) or str(uuid.uuid4())
        name = (resource.medicationCodeableConcept.text
                if resource.medicationCodeableConcept is not None else None)
        if not name and resource.medicationCodeableConcept is not None:
            name = next((c.display for c in resource.medicationCodeableConcept.coding or []
                         if c.display), None)
        if not name:
            raise refuse(N_("{where}: the medication has no name (medicationCodeableConcept."
                             "text)."), where=where)
        period = resource.effectivePeriod
        start = day_and_time(period.start, where)[0] if period and period.start else None
        end = day_and_time(period.end, where)[0] if period and period.end else None
        if start and end and end < start:
            raise refuse(N_("{where}: the medication ends before it starts."), where=where)
        self.keep(("medication", row_uuid), index, where)
        self.incoming.medications.append(MedicationRow(row_uuid, name, start, end))

    def administration(self, index: int, full_url: str | None, resource: Any) -> None:
        where = self.where(index, "MedicationAdministration")
        if not has_coding(resource.medicationCodeableConcept, codes.ATC, codes.NALTREXONE_ATC):
            self.incoming.passed_over.append(
                f"{_('entry')} {index} (MedicationAdministration)")
            return
        self.subject(resource)
        day, hh_mm = effective_day(resource, where)
        if resource.status == "completed":
            dose = resource.dosage.dose if resource.dosage is not None else None
            if dose is None or dose.value is None:
                raise refuse(N_("{where}: a completed dose needs dosage.dose in mg."),
                              where=where)
            unit = dose.code or dose.unit
            if unit != "mg":
                raise refuse(N_("{where}: the dose must be in mg (UCUM mg), not {unit}."),
                              where=where, unit=unit)
            mg = float(dose.value)
            if not 0 < mg <= HARD_LIMIT_MG:
                raise refuse(N_("{where}: Dose {value} mg is outside the allowed range: above "
                                 "0 and at most 25 mg."), where=where, value=f"{mg:g}")
            row = DoseRow(uuid_of(full_url, resource) or str(uuid.uuid4()), day, True, mg,
                          hh_mm)
        elif resource.status == "not-done":
            row = DoseRow(uuid_of(full_url, resource) or str(uuid.uuid4()), day, False, None,
                          hh_mm)
        else:
            self.incoming.passed_over.append(
                f"{_('entry')} {index} (MedicationAdministration, status {resource.status})")
            return
        self.keep(("dose", day), index, where)
        self.incoming.doses.append(row)

    def observation(self, index: int, full_url: str | None, resource: Any) -> None:
        where = self.where(index, "Observation")
        if resource.status in ("entered-in-error", "cancelled"):
            self.incoming.passed_over.append(
                f"{_('entry')} {index} (Observation, {resource.status})")
            return
        row_uuid = uuid_of(full_url, resource) or str(uuid.uuid4())
        concept = resource.code
        effect = has_coding(concept, codes.SIDE_EFFECT_SYSTEM) or next(
            (key for key, (code, _d) in codes.SIDE_EFFECT_SNOMED.items()
             if has_coding(concept, codes.SNOMED, code)), None)
        symptom = has_coding(concept, codes.SYMPTOM_SYSTEM) or next(
            (key for key, (code, _d) in codes.SYMPTOM_LOINC.items()
             if has_coding(concept, codes.LOINC, code)), None)
        diary = has_coding(concept, codes.DIARY_SYSTEM)
        if not (effect or symptom or diary):
            shown = ", ".join(code for _s, code in codings(concept)) or (concept.text or "?")
            self.incoming.passed_over.append(
                f"{_('entry')} {index} (Observation {shown})")
            return
        self.subject(resource)
        day, _time = effective_day(resource, where)
        if effect:
            name = clean_key(effect, where, "name", side_effect_key)
            severity = int_value(resource, where, "severity", 4)
            self.keep(("effect", (day, name)), index, where)
            self.incoming.effects.append(EffectRow(row_uuid, day, name, severity))
        elif symptom:
            name = clean_key(symptom, where, "symptom", symptom_key)
            value = int_value(resource, where, "value", 10)
            self.keep(("score", (day, name)), index, where)
            self.incoming.scores.append(ScoreRow(row_uuid, day, name, value))
        elif diary == codes.NO_SIDE_EFFECTS:
            if resource.valueBoolean is False:
                return
            self.keep(("clear", day), index, where)
            self.incoming.clear_days.append(ClearRow(row_uuid, day))
        elif diary == codes.NOTE:
            text = (resource.valueString or "").strip()
            if len(text) > 5000:
                raise refuse(N_("{where}: a note must be at most 5000 characters (got "
                                 "{value})."), where=where, value=len(text))
            if text:
                self.keep(("note", day), index, where)
                self.incoming.notes.append(NoteRow(row_uuid, day, text))
        else:
            self.incoming.passed_over.append(
                f"{_('entry')} {index} (Observation {diary})")

    def procedure(self, index: int, full_url: str | None, resource: Any) -> None:
        where = self.where(index, "Procedure")
        code, _display = codes.CHEMOTHERAPY_SNOMED
        if not has_coding(resource.code, codes.SNOMED, code) or resource.status in (
                "entered-in-error", "not-done"):
            self.incoming.passed_over.append(
                f"{_('entry')} {index} (Procedure)")
            return
        self.subject(resource)
        period = resource.performedPeriod
        if period is not None and period.start is not None:
            start = day_and_time(period.start, where)[0]
            end = day_and_time(period.end, where)[0] if period.end else start
        else:
            start = end = day_and_time(resource.performedDateTime, where)[0]
        if end < start:
            raise refuse(N_("{where}: the chemotherapy ends before it starts."), where=where)
        row_uuid = uuid_of(full_url, resource) or str(uuid.uuid4())
        self.keep(("chemo", row_uuid), index, where)
        self.incoming.chemo.append(ChemoRow(row_uuid, start, end))

    def flag(self, index: int, full_url: str | None, resource: Any) -> None:
        dismissal = next((e for e in (resource.extension or [])
                          if e.url == codes.DISMISSAL_EXTENSION), None)
        if dismissal is None:
            return  # an open alert: derived from the diary, computed again here
        where = self.where(index, "Flag")
        self.subject(resource)
        code = has_coding(resource.code, codes.ALERT_SYSTEM)
        parts = {e.url: e for e in dismissal.extension or []}
        if not code or resource.period is None or resource.period.start is None \
                or "reason" not in parts:
            raise refuse(N_("{where}: a dismissed alert needs its code, its day and the "
                             "reason."), where=where)
        day = day_and_time(resource.period.start, where)[0]
        reason = (parts["reason"].valueString or "").strip()
        actor = (parts["actor"].valueString if "actor" in parts else None) or "clinician"
        at = parts["at"].valueDateTime if "at" in parts else None
        moment = at if isinstance(at, datetime) else datetime.combine(day, datetime.min.time())
        if moment.tzinfo is not None:

            moment = moment.astimezone(UTC).replace(tzinfo=None)
        row_uuid = uuid_of(full_url, resource) or str(uuid.uuid4())
        self.keep(("dismissal", (code, day)), index, where)
        self.incoming.dismissals.append(DismissalRow(row_uuid, code, day, reason, actor[:100],
                                                     moment))


def read_bundle(path: Path, shown_as: str | None = None) -> Incoming:
    """The bundle in ``path`` as the tracker's rows; :class:`BundleRefused` if it cannot be."""
    file = shown_as or str(path)
    bundle = parse_bundle(load_json(path), file)
    reader = _Reader(file)
    handlers = {
        "Patient": reader.patient,
        "MedicationStatement": reader.statement,
        "MedicationAdministration": reader.administration,
        "Observation": reader.observation,
        "Procedure": reader.procedure,
        "Flag": reader.flag,
    }
    for index, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        handler = handlers.get(resource.get_resource_type())
        if handler is None:
            reader.incoming.passed_over.append(
                f"{_('entry')} {index} ({resource.get_resource_type()})")
            continue
        handler(index, entry.fullUrl, resource)
    _check_subjects(reader)
    return reader.incoming


def _check_subjects(reader: _Reader) -> None:
    """Every entry is about one patient: the bundle's Patient, or one the clinic has."""
    incoming = reader.incoming
    own = reader.patient_urls | ({f"urn:uuid:{incoming.patient_uuid}"}
                                 if incoming.patient_uuid else set())
    others = reader.subjects - own
    if incoming.name is not None:
        if others:
            raise refuse(N_("{file}: entries refer to a patient other than the bundle's "
                             "Patient ({other})."), file=reader.file, other=sorted(others)[0])
        return
    if len(others) != 1:
        raise refuse(N_("{file} holds no Patient, and its entries do not name one patient "
                         "by the tracker's identifier."), file=reader.file)
    (subject,) = others
    incoming.patient_uuid = uuid_of(subject, None)
    if incoming.patient_uuid is None:
        raise refuse(N_("{file}: the patient {subject} is not known by the tracker's "
                         "identifier (urn:uuid:…)."), file=reader.file, subject=subject)


def describe(items: Iterable[str], limit: int = 5) -> str:
    listed = list(items)
    shown = ", ".join(listed[:limit])
    return shown + (f" … (+{len(listed) - limit})" if len(listed) > limit else "")
