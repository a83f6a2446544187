"""A patient's record as one FHIR R4 (4.0.1) Bundle of type ``collection`` (SPEC §11).

:func:`bundle_of` maps a :class:`~tracker.storage.record_set.RecordSet` and the patient's
alerts to the bundle's JSON, entry by entry (docs/fhir.md has the table and an example);
:func:`validate` parses it with ``fhir.resources``' R4B models, which check every element's
type and cardinality, so nothing leaves that a FHIR reader would refuse; :func:`write_bundle`
does both and writes the file owner-only. The way back in is
:mod:`tracker.services.fhir_import`, with the same codes (:mod:`tracker.export.fhir_codes`).

Every entry's ``fullUrl`` is ``urn:uuid:`` and the row's uuid (migration 0004; the resource's
``id`` is the uuid too, and the Patient carries it as its identifier), so a second
export of the same records has the same ``fullUrl``s; open alerts are derived, not stored, and
take a uuid derived from the patient's uuid, the code and the day (``uuid5``), stable too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from tracker.clinical.model import Alert
from tracker.clinical.protocols import find_condition
from tracker.clinical.vocabulary import label_of
from tracker.export import fhir_codes as codes
from tracker.export.csv_files import write_private
from tracker.storage.record_set import (
    ChemoRow,
    ClearRow,
    DismissalRow,
    DoseRow,
    EffectRow,
    MedicationRow,
    NoteRow,
    RecordSet,
    ScoreRow,
)

Json = dict[str, Any]

NALTREXONE: Json = {
    "coding": [{"system": codes.ATC, "code": codes.NALTREXONE_ATC, "display": "naltrexone"}],
    "text": "Low Dose Naltrexone (LDN)",
}
SURVEY: list[Json] = [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey",
                                   "display": "Survey"}]}]


def urn(row_uuid: str) -> str:
    return f"urn:uuid:{row_uuid}"


def alert_uuid(patient_uuid: str, code: str, day: date) -> str:
    """An open alert's identity: the same alert of the same patient, the same uuid."""
    return str(uuid.uuid5(uuid.UUID(patient_uuid), f"alert:{code}:{day.isoformat()}"))


def _identifier(row_uuid: str) -> list[Json]:
    return [{"system": codes.URI_IDENTIFIER, "value": urn(row_uuid)}]


def _quantity(value: float, unit: str) -> Json:
    return {"value": value, "unit": unit, "system": codes.UCUM, "code": unit}


def _local_datetime(day: date, hh_mm: str) -> str:
    """The dose's wall-clock time with this machine's UTC offset on that day (FHIR requires an
    offset once a time is given; the way in reads the wall clock back as written)."""
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    moment = datetime.combine(day, time(hours, minutes)).astimezone()
    return moment.isoformat(timespec="seconds")


class _Builder:
    def __init__(self, record: RecordSet) -> None:
        self.record = record
        self.subject: Json = {"reference": urn(record.patient_uuid)}
        self.entries: list[Json] = []

    def add(self, row_uuid: str, resource: Json) -> None:
        head: Json = {"resourceType": resource.pop("resourceType"), "id": row_uuid}
        if "meta" in resource:
            head["meta"] = resource.pop("meta")
        if head["resourceType"] == "Patient":  # the tracker's identifier (DK Core: 1..*)
            head["identifier"] = _identifier(row_uuid)
        resource = {**head, **resource}
        self.entries.append({"fullUrl": urn(row_uuid), "resource": resource})

    # -- the patient and the treatment ------------------------------------------------------

    def patient(self) -> None:
        self.add(self.record.patient_uuid, {
            "resourceType": "Patient",
            "meta": {"profile": [codes.DK_CORE_PATIENT]},
            "active": True,
            "name": [{"text": self.record.patient.name}],
        })

    def treatment(self) -> None:
        p = self.record.patient
        numbers = []
        for name, kind, unit in codes.PROTOCOL_FIELDS:
            value = getattr(p, name)
            if value is None:
                continue
            if kind == "valueQuantity":
                assert unit is not None
                value = _quantity(float(value), unit)
            elif kind == "valueDate":
                value = value.isoformat()
            numbers.append({"url": name, kind: value})
        condition = find_condition(p.condition)
        statement_uuid = str(uuid.uuid5(uuid.UUID(self.record.patient_uuid), "ldn-treatment"))
        self.add(statement_uuid, {
            "resourceType": "MedicationStatement",
            "extension": [{"url": codes.PROTOCOL_EXTENSION, "extension": numbers}],
            "status": "active",
            "medicationCodeableConcept": NALTREXONE,
            "subject": self.subject,
            "effectivePeriod": {"start": p.start_date.isoformat()},
            "reasonCode": [{"coding": [{"system": codes.CONDITION_SYSTEM, "code": p.condition,
                                        "display": condition.en if condition else p.condition}],
                            "text": condition.en if condition else p.condition}],
            "dosage": [{"text": f"Titration protocol {p.protocol}: start {p.start_mg:g} mg, "
                                f"target {p.target_mg:g} mg, at most {p.max_mg:g} mg",
                        "doseAndRate": [{"doseQuantity": _quantity(p.target_mg, "mg")}]}],
        })

    # -- the diary -----------------------------------------------------------------------------

    def dose(self, row: DoseRow) -> None:
        when = _local_datetime(row.day, row.time) if row.time else row.day.isoformat()
        resource: Json = {
            "resourceType": "MedicationAdministration",
            "status": "completed" if row.taken else "not-done",
            "medicationCodeableConcept": NALTREXONE,
            "subject": self.subject,
            "effectiveDateTime": when,
        }
        if row.taken:
            assert row.mg is not None
            resource["dosage"] = {"dose": _quantity(row.mg, "mg")}
        else:
            resource["statusReason"] = [{"coding": [{"system": codes.DIARY_SYSTEM,
                                                     "code": codes.SKIPPED,
                                                     "display": "Dose skipped"}]}]
        self.add(row.uuid, resource)

    def _observation(self, row_uuid: str, day: date, code: Json, value: Json) -> None:
        self.add(row_uuid, {
            "resourceType": "Observation",
            "meta": {"profile": [codes.DK_CORE_OBSERVATION]},
            "status": "final",
            "category": SURVEY,
            "code": code,
            "subject": self.subject,
            "effectiveDateTime": day.isoformat(),
            **value,
        })

    @staticmethod
    def _code(system: str, key: str, known: dict[str, tuple[str, str]], known_system: str
              ) -> Json:
        label = label_of(key)
        coding = [{"system": system, "code": key, "display": label}]
        if key in known:
            code, display = known[key]
            coding.append({"system": known_system, "code": code, "display": display})
        return {"coding": coding, "text": label}

    def effect(self, row: EffectRow) -> None:
        self._observation(row.uuid, row.day, self._code(
            codes.SIDE_EFFECT_SYSTEM, row.name, codes.SIDE_EFFECT_SNOMED, codes.SNOMED),
            {"valueInteger": row.severity})

    def clear_day(self, row: ClearRow) -> None:
        self._observation(row.uuid, row.day, {
            "coding": [{"system": codes.DIARY_SYSTEM, "code": codes.NO_SIDE_EFFECTS,
                        "display": "No side effects today"}],
            "text": "No side effects today"}, {"valueBoolean": True})

    def score(self, row: ScoreRow) -> None:
        self._observation(row.uuid, row.day, self._code(
            codes.SYMPTOM_SYSTEM, row.symptom, codes.SYMPTOM_LOINC, codes.LOINC),
            {"valueInteger": row.value})

    def note(self, row: NoteRow) -> None:
        self._observation(row.uuid, row.day, {
            "coding": [{"system": codes.DIARY_SYSTEM, "code": codes.NOTE,
                        "display": "Diary note"}], "text": "Diary note"},
            {"valueString": row.text})

    # -- events and alerts ---------------------------------------------------------------------

    def medication(self, row: MedicationRow, today: date) -> None:
        period = {k: v.isoformat() for k, v in (("start", row.start), ("end", row.end)) if v}
        resource: Json = {
            "resourceType": "MedicationStatement",
            "status": "completed" if row.end is not None and row.end < today else "active",
            "medicationCodeableConcept": {"text": row.name},
            "subject": self.subject,
        }
        if period:
            resource["effectivePeriod"] = period
        self.add(row.uuid, resource)

    def chemo(self, row: ChemoRow, today: date) -> None:
        code, display = codes.CHEMOTHERAPY_SNOMED
        self.add(row.uuid, {
            "resourceType": "Procedure",
            "status": "completed" if row.end < today else "in-progress",
            "code": {"coding": [{"system": codes.SNOMED, "code": code, "display": display}],
                     "text": display},
            "subject": self.subject,
            "performedPeriod": {"start": row.start.isoformat(), "end": row.end.isoformat()},
        })

    def _flag(self, row_uuid: str, code: str, day: date, text: str, active: bool,
              extra: Json | None = None) -> None:
        self.add(row_uuid, {
            "resourceType": "Flag",
            **(extra or {}),
            "status": "active" if active else "inactive",
            "code": {"coding": [{"system": codes.ALERT_SYSTEM, "code": code}], "text": text},
            "subject": self.subject,
            "period": {"start": day.isoformat()},
        })

    def open_alert(self, alert: Alert) -> None:
        self._flag(alert_uuid(self.record.patient_uuid, alert.code, alert.day), alert.code,
                   alert.day, alert.message.render(), active=True)

    def dismissal(self, row: DismissalRow) -> None:
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        self._flag(row.uuid, row.code, row.day, row.reason, active=False, extra={
            "extension": [{"url": codes.DISMISSAL_EXTENSION, "extension": [
                {"url": "reason", "valueString": row.reason},
                {"url": "actor", "valueString": row.actor},
                {"url": "at", "valueDateTime": at.isoformat(timespec="seconds")},
            ]}]})


def bundle_of(record: RecordSet, open_alerts: Iterable[Alert], today: date,
              timestamp: datetime | None = None) -> Json:
    """The bundle's JSON: the patient, the treatment, then the diary day by day, the events
    and the alerts (open ones as active ``Flag``s, dismissed ones as inactive with why)."""
    build = _Builder(record)
    build.patient()
    build.treatment()
    for dose in record.doses:
        build.dose(dose)
    for effect in record.effects:
        build.effect(effect)
    for clear in record.clear_days:
        build.clear_day(clear)
    for score in record.scores:
        build.score(score)
    for note in record.notes:
        build.note(note)
    for med in record.medications:
        build.medication(med, today)
    for chemo in record.chemo:
        build.chemo(chemo, today)
    for alert in open_alerts:
        build.open_alert(alert)
    for dismissal in record.dismissals:
        build.dismissal(dismissal)
    stamp = (timestamp or datetime.now(UTC)).isoformat(timespec="seconds")
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(uuid.UUID(record.patient_uuid), "bundle")),
        "meta": {"lastUpdated": stamp},
        "type": "collection",
        "timestamp": stamp,
        "entry": build.entries,
    }


def validate(bundle: Json) -> None:
    """Parse the bundle with fhir.resources' R4B (R4-compatible) models; raises
    ``pydantic.ValidationError`` naming the element when anything does not conform."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)


def encode(bundle: Json) -> bytes:
    """Compact UTF-8 JSON: a three-year diary is ~4.5 MB so, ~6.5 MB indented."""
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def write_bundle(path: Path, bundle: Json) -> Path:
    """Validate and write the bundle as an owner-only UTF-8 JSON file (atomically)."""
    validate(bundle)
    write_private(path, encode(bundle))
    return path
