"""The values inside one FHIR entry, read and checked for :mod:`tracker.services.fhir_import`.

A row's uuid (the entry's ``urn:uuid:`` fullUrl or identifier), a concept's codings, a day and
time within the diary's dates, a whole number within its range, a side effect's or symptom's
name as the vocabulary's key, and the protocol's fields from the tracker's protocol extension.
Each refuses a value the diary would refuse, naming the entry (``where``), with
:func:`tracker.services.fhir_file.refuse`; none knows which kind of resource it is reading.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from tracker.export import fhir_codes as codes
from tracker.i18n import N_
from tracker.services.fhir_file import refuse
from tracker.validation import FIRST_DATE, LAST_DATE


def uuid_of(full_url: str | None, resource: Any) -> str | None:
    """The row's uuid: the entry's ``urn:uuid:`` fullUrl, else a uuid identifier."""
    identifiers = getattr(resource, "identifier", None) or []
    if not isinstance(identifiers, list):
        identifiers = [identifiers]
    candidates = [full_url or "", *(i.value or "" for i in identifiers)]
    for text in candidates:
        if text.startswith("urn:uuid:"):
            try:
                return str(uuid.UUID(text[len("urn:uuid:"):]))
            except ValueError:
                continue
    return None


def codings(concept: Any) -> list[tuple[str, str]]:
    return [(c.system or "", c.code or "") for c in (getattr(concept, "coding", None) or [])]


def has_coding(concept: Any, system: str, code: str | None = None) -> str | None:
    for sys_, value in codings(concept):
        if sys_ == system and (code is None or value == code):
            return value
    return None


def day_and_time(value: Any, where: str) -> tuple[date, str | None]:
    if isinstance(value, datetime):
        day, hh_mm = value.date(), f"{value.hour:02d}:{value.minute:02d}"
        # A time given as midnight UTC with no minutes is how some systems write a date.
    elif isinstance(value, date):
        day, hh_mm = value, None
    else:
        raise refuse(N_("{where}: a date is needed (effectiveDateTime)."), where=where)
    if not FIRST_DATE <= day <= LAST_DATE:
        raise refuse(N_("{where}: the date {value} is outside {low} to {high}."), where=where,
                      value=day.isoformat(), low=FIRST_DATE.isoformat(),
                      high=LAST_DATE.isoformat())
    return day, hh_mm


def effective_day(resource: Any, where: str) -> tuple[date, str | None]:
    value = getattr(resource, "effectiveDateTime", None)
    if value is None and getattr(resource, "effectivePeriod", None) is not None:
        value = resource.effectivePeriod.start
    return day_and_time(value, where)


def int_value(resource: Any, where: str, field_name: str, high: int) -> int:
    value = resource.valueInteger
    if value is None and resource.valueQuantity is not None:
        quantity = resource.valueQuantity.value
        if quantity is not None and quantity == int(quantity):
            value = int(quantity)
    if value is None:
        raise refuse(N_("{where}: {field} needs a whole number from 0 to {high} "
                         "(valueInteger)."), where=where, field=field_name, high=high)
    if not 0 <= value <= high:
        raise refuse(N_("{where}: {field} must be a whole number from 0 to {high} (got "
                         "{value})."), where=where, field=field_name, high=high, value=value)
    return int(value)


def clean_key(name: str, where: str, field_name: str, key: Any) -> str:
    from tracker.clinical.vocabulary import MAX_NAME_LENGTH, clean_name

    text = clean_name(name)
    if not text or len(text) > MAX_NAME_LENGTH:
        raise refuse(N_("{where}: {field} must be 1 to {high} characters."), where=where,
                      field=field_name, high=MAX_NAME_LENGTH)
    return str(key(text))


def protocol_settings(extension: Any, where: str) -> dict[str, Any]:
    """The protocol's fields from the tracker's protocol extension."""
    found: dict[str, Any] = {}
    kinds = {name: kind for name, kind, _unit in codes.PROTOCOL_FIELDS}
    for part in extension.extension or []:
        kind = kinds.get(part.url)
        if kind is None:
            continue
        value = getattr(part, kind, None)
        if kind == "valueQuantity" and value is not None:
            value = None if value.value is None else float(value.value)
        found[part.url] = value
    missing = [name for name in ("protocol", "condition", "start_mg", "start_days", "step_mg",
                                 "interval_days", "target_mg", "max_mg", "formulation")
               if found.get(name) is None]
    if missing:
        raise refuse(N_("{where}: the protocol lacks {fields}."), where=where,
                      fields=", ".join(missing))
    return found
