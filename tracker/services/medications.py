"""The patient's medications as the app shows and edits them, with what the plan makes of an
opioid among them (SPEC §6).

What the screen says about LDN is read from the plan, never worked out again here: while an
opioid is taken the plan holds LDN (phase ``hold``), and the day LDN restarts is the first day
after the opioid's last day that the plan gives LDN again (the 8th day after it, unless another
opioid or a chemotherapy pause keeps it at 0 mg longer).

Limits (docs/ui.md, "Medications"): a first day at most :data:`AHEAD_DAYS` days after today (a
treatment planned soon, e.g. an operation); a last day on or after the first day and at most
:data:`AHEAD_DAYS` days after today. An empty last day means "still taking it".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tracker.clinical.events import OPIOID_FREE_DAYS, opioid_match
from tracker.clinical.horizons import PLAN_HORIZON_DAYS
from tracker.clinical.model import Plan, PlannedDay
from tracker.clinical.records import PatientInfo
from tracker.i18n import N_, Message
from tracker.validation import FIRST_DATE, ValidationError, parse_date, today

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic

AHEAD_DAYS = PLAN_HORIZON_DAYS  # how far after today a first or last day may be
NO_LDN = ("hold", "pause")  # the plan's phases without LDN

DATE_LATEST = N_("{field} must be a date written YYYY-MM-DD, at the latest {high} "
                 "(got {value}).")
DATE_RANGE = N_("{field} must be a date written YYYY-MM-DD from {low} to {high} "
                "(got {value}).")
EMPTY_NAME = N_("{field} must not be empty: type the medication's name.")


@dataclass(frozen=True)
class MedicationRow:
    """One medication, and for an opioid what the plan does about it."""

    id: int
    name: str
    start: date | None  # None: since before the diary began (entered at setup)
    end: date | None  # None: still taking it
    opioid: str | None  # the opioid term the name matched, if any
    restart: date | None  # an ended opioid: the first day after its last with LDN again


@dataclass(frozen=True)
class MedicationsView:
    patient: PatientInfo
    rows: list[MedicationRow]
    today: date
    planned_today: PlannedDay | None


@dataclass(frozen=True)
class NewMedication:
    """The add form, checked: the arguments of ``Clinic.add_medication``."""

    name: str
    start: date
    end: date | None


def restart_after(plan: Plan, last_day: date) -> date | None:
    """The first day after ``last_day`` on which the plan gives LDN again (``None``: not within
    the plan, e.g. another opioid still taken without a last day)."""
    return next((d.day for d in plan.days if d.day > last_day and d.phase not in NO_LDN),
                None)


def load_medications(clinic: Clinic, patient_id: int) -> MedicationsView:
    """The list and today's plan (runs in a worker thread)."""
    now = today()
    patient = clinic.patient(patient_id)
    meds = clinic.medications(patient_id)
    ends = [m.end_date for m in meds if m.end_date is not None]
    until = max([now, *ends]) + timedelta(days=OPIOID_FREE_DAYS + PLAN_HORIZON_DAYS)
    plan = clinic.plan(patient_id, until=until, on=now)
    rows = []
    for med in meds:
        match = opioid_match(med.name)
        restart = None
        if match and med.end_date is not None and \
                med.end_date + timedelta(days=OPIOID_FREE_DAYS) >= patient.start_date:
            restart = restart_after(plan, med.end_date)
        rows.append(MedicationRow(med.id, med.name, med.start_date, med.end_date, match,
                                  restart))
    return MedicationsView(patient, rows, now, plan.on(now))


def latest_day(now: date) -> date:
    return now + timedelta(days=AHEAD_DAYS)


def parse_first_day(text: str, field: str, now: date) -> date:
    """The first day: a date at the latest :data:`AHEAD_DAYS` after ``now``."""
    high = latest_day(now)
    try:
        day = parse_date(text, field)
    except ValidationError:
        day = None
    if day is None or day > high:  # the range as the field is typed: YYYY-MM-DD
        raise ValidationError(field, Message(DATE_LATEST, {"high": high.isoformat(),
                                                        "value": text}))
    return day


def parse_last_day(text: str, field: str, start: date | None, now: date) -> date:
    """The last day: on or after ``start`` (if known), at most :data:`AHEAD_DAYS` after
    ``now``."""
    low, high = start or FIRST_DATE, latest_day(now)
    try:
        day = parse_date(text, field)
    except ValidationError:
        day = None
    if day is None or not low <= day <= high:
        raise ValidationError(field, Message(DATE_RANGE, {
            "low": low.isoformat(), "high": high.isoformat(), "value": text}))
    return day


def check_new(name: str, first: str, last: str, now: date) -> NewMedication:
    """The add form's three fields (keys ``name``, ``from``, ``to``), each checked in turn."""
    clean = " ".join(name.split())
    if not clean:
        raise ValidationError("name", Message(EMPTY_NAME, {}))
    start = parse_first_day(first, "from", now)
    end = parse_last_day(last, "to", start, now) if last.strip() else None
    return NewMedication(clean, start, end)
