"""The FHIR file itself, before any entry is read: JSON, a Bundle of type collection, FHIR R4.

:func:`load_json` reads the file (no such file, a folder, too large, not UTF-8, not JSON: each
refused in words); :func:`parse_bundle` checks it is a ``Bundle`` of type ``collection`` whose
every resource exists in FHIR R4 (4.0.1), then has ``fhir.resources``' R4B models validate it,
refusing with the first entry at fault named. :class:`BundleRefused` is what every refusal of
an import raises (:mod:`tracker.services.fhir_import` reads the entries,
:mod:`tracker.services.importing` merges them).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tracker.i18n import N_, Message, _

MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # a 30-year diary is ~30 MB

# Resources the R4B models know that FHIR R4 (4.0.1) does not have (R4B's additions).
R4B_ONLY = frozenset({
    "AdministrableProductDefinition", "Citation", "ClinicalUseDefinition", "EvidenceReport",
    "Ingredient", "ManufacturedItemDefinition", "MedicinalProductDefinition",
    "NutritionProduct", "PackagedProductDefinition", "RegulatedAuthorization",
    "SubscriptionStatus", "SubscriptionTopic",
})


class BundleRefused(Exception):
    """The file cannot be taken in; ``message`` says which entry and why (nothing written)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


# -- the file --------------------------------------------------------------------------------

def refuse(template: str, **params: Any) -> BundleRefused:
    return BundleRefused(Message(template, params))


def load_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise refuse(N_("{file}: no such file."), file=str(path)) from None
    if path.is_dir():
        raise refuse(N_("{file} is a folder: give the bundle's file."), file=str(path))
    if size > MAX_BUNDLE_BYTES:
        raise refuse(N_("{file} is larger than {limit} MB: not a patient's bundle."),
                      file=str(path), limit=MAX_BUNDLE_BYTES // (1024 * 1024))
    raw = path.read_bytes()
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except UnicodeDecodeError:
        raise refuse(N_("{file} is not UTF-8 JSON text."), file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise refuse(N_("{file} is not JSON (line {line}, column {column}: {what})."),
                      file=str(path), line=exc.lineno, column=exc.colno, what=exc.msg) from None


def _describe(index: int, resource: Any) -> str:
    kind = resource.get("resourceType", "?") if isinstance(resource, dict) else "?"
    return f"{_('entry')} {index} ({kind})"


def parse_bundle(data: Any, file: str) -> Any:
    """The bundle as fhir.resources R4B models; refused naming the first entry at fault."""
    import pydantic
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle

    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        found = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise refuse(N_("{file} is not a FHIR Bundle (its resourceType is {found})."),
                      file=file, found=found)
    if data.get("type") != "collection":
        raise refuse(N_("{file}: a Bundle of type collection is expected (got {found})."),
                      file=file, found=data.get("type"))
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise refuse(N_("{file}: entry must be a list."), file=file)
    for k, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(kind, str):
            raise refuse(N_("{file}: entry {index} has no resource."), file=file, index=k)
        try:
            get_fhir_model_class(kind)
            if kind in R4B_ONLY:
                raise ValueError(kind)
        except (KeyError, ValueError):
            raise refuse(N_("{file}: entry {index}: {kind} is not a FHIR R4 resource (is the "
                             "file another FHIR version?)."), file=file, index=k,
                          kind=kind) from None
    try:
        return Bundle.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        where = file
        if len(loc) >= 2 and loc[0] == "entry" and isinstance(loc[1], int):
            where = f"{file}: {_describe(loc[1], entries[loc[1]].get('resource'))}"
            loc = loc[3:] if len(loc) > 2 and loc[2] == "resource" else loc[2:]
        element = ".".join(str(part) for part in loc) or "resource"
        if first["type"] == "extra_forbidden":
            raise refuse(N_("{where}: {element} is not an element of FHIR R4 (4.0.1) (is the "
                             "file another FHIR version?)."), where=where,
                          element=element) from None
        raise refuse(N_("{where}: {element}: {problem}."), where=where, element=element,
                      problem=str(first["msg"]).rstrip(".")) from None
    except (KeyError, ValueError, TypeError) as exc:  # fhir_core's own refusals
        raise refuse(N_("{file} is not a valid FHIR R4 Bundle ({problem})."), file=file,
                      problem=str(exc) or type(exc).__name__) from None
