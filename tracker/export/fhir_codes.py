"""The code systems, profiles and extensions of the FHIR bundle (SPEC §11, docs/fhir.md).

Shared by the way out (:mod:`tracker.export.fhir`) and the way in
(:mod:`tracker.services.fhir_import`), so both read one table. Well-known codes are used where
one exists for the thing itself (naltrexone's ATC code, UCUM units, LOINC's 0-10 pain score,
SNOMED CT for a few side effects and for chemotherapy); everything only this tracker knows (its
protocols, side-effect and symptom keys, alert codes, the protocol's numbers) is in the
tracker's own ``urn:ldn-tracker:`` namespace.
"""

from __future__ import annotations

from typing import Final

DK_CORE_PATIENT: Final = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-patient"
DK_CORE_OBSERVATION: Final = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-observation"

URI_IDENTIFIER: Final = "urn:ietf:rfc:3986"  # identifier.value is then the urn:uuid: itself
ATC: Final = "http://www.whocc.no/atc"
NALTREXONE_ATC: Final = "N07BB04"
UCUM: Final = "http://unitsofmeasure.org"
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"

OWN: Final = "urn:ldn-tracker:"
SIDE_EFFECT_SYSTEM: Final = OWN + "side-effect"  # code: the stored key ("vivid_dreams") or name
SYMPTOM_SYSTEM: Final = OWN + "symptom"  # code: the stored key ("pain") or the own symptom
DIARY_SYSTEM: Final = OWN + "diary"  # the codes below
NO_SIDE_EFFECTS: Final = "no-side-effects"
NOTE: Final = "note"
ALERT_SYSTEM: Final = OWN + "alert"  # code: the alert code of SPEC §4 and §6
PROTOCOL_SYSTEM: Final = OWN + "protocol"
CONDITION_SYSTEM: Final = OWN + "condition"
SKIPPED: Final = "skipped"  # MedicationAdministration.statusReason, in DIARY_SYSTEM

PROTOCOL_EXTENSION: Final = OWN + "extension:protocol"
DISMISSAL_EXTENSION: Final = OWN + "extension:dismissal"

# The protocol's numbers, each a sub-extension of PROTOCOL_EXTENSION: (patient field, the
# FHIR value[x] it is written as, the UCUM unit of a Quantity).
PROTOCOL_FIELDS: Final[tuple[tuple[str, str, str | None], ...]] = (
    ("protocol", "valueCode", None),
    ("condition", "valueString", None),
    ("start_mg", "valueQuantity", "mg"),
    ("start_days", "valueInteger", None),
    ("step_mg", "valueQuantity", "mg"),
    ("interval_days", "valueInteger", None),
    ("target_mg", "valueQuantity", "mg"),
    ("max_mg", "valueQuantity", "mg"),
    ("tolerance_days", "valueInteger", None),
    ("min_severity", "valueInteger", None),
    ("formulation", "valueCode", None),
    ("concentration_mg_ml", "valueQuantity", "mg/mL"),
    ("weight_kg", "valueQuantity", "kg"),
    ("transplant", "valueBoolean", None),
    ("informed_on", "valueDate", None),
    ("thyroid_interval_days", "valueInteger", None),
)

# Well-known codes for some of the tracker's side effects (SNOMED CT clinical findings) and
# symptoms (LOINC): written beside the tracker's own code, and understood on the way in.
SIDE_EFFECT_SNOMED: Final = {
    "headache": ("25064002", "Headache"),
    "nausea": ("422587007", "Nausea"),
    "insomnia": ("193462001", "Insomnia"),
    "loss_of_appetite": ("79890006", "Loss of appetite"),
}
SYMPTOM_LOINC: Final = {
    "pain": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
}
CHEMOTHERAPY_SNOMED: Final = ("367336001", "Chemotherapy")
