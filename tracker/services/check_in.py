"""The evening check-in: what a day's entries must satisfy, and how they reach the diary.

A check-in is validated in full before anything is written (a dose above 0 mg, at most the
hard limit of 25 mg, above the plan maximum only when confirmed; severities 0-4, scores 0-10, a
note of at most 5000 characters). The write then corrects the day in place: each changed value
gets its audit row with the reason given, so a correction never erases what was logged before.
:class:`~tracker.services.clinic.Clinic` owns the transaction; this module only says what goes
into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.clinical.model import HARD_LIMIT_MG, Alert, Plan
from tracker.clinical.records import same_entries
from tracker.clinical.vocabulary import MAX_NAME_LENGTH, side_effect_key, symptom_key
from tracker.i18n import N_, Message
from tracker.models import ClearDay, DoseEntry, Note, Patient, SideEffectReport, SymptomScore
from tracker.services import audited
from tracker.services.day import ChangedElsewhere
from tracker.storage.records import CheckIn, PatientInfo
from tracker.validation import ValidationError, fail, parse_time, require_text, today


class AboveMaximum(ValidationError):
    """A dose above the plan's maximum and not confirmed (the soft limit): allowed once the
    patient confirms it. ``mg`` and ``max_mg`` let the app ask in its own words."""

    def __init__(self, mg: float, max_mg: float) -> None:
        super().__init__("mg", Message(N_(
            "{field}: {value_mg} is above this patient's plan maximum of {max_mg}. "
            "Confirm it (--confirm) if it is really meant."),
            {"field": "mg", "value_mg": mg, "max_mg": max_mg}))
        self.mg = mg
        self.max_mg = max_mg


def check_dose(patient: Patient | PatientInfo, mg: float, confirm: bool) -> None:
    """Above 0, at most the hard limit, above the plan maximum only if confirmed."""
    if not mg > 0:
        raise fail("mg", N_("{field}: a dose must be above 0 mg (got {value})."), value=mg)
    if mg > HARD_LIMIT_MG:
        raise fail("mg", N_(
            "{field}: {value_mg} is above the hard limit of 25 mg and is refused as a "
            "likely decimal slip (did you mean {slip_mg}?). Allowed: above 0 and at most "
            "25 mg."), value_mg=mg, slip_mg=mg / 10)
    if mg > patient.max_mg and not confirm:
        raise AboveMaximum(mg, patient.max_mg)


def validate_check_in(patient: Patient | PatientInfo, entry: CheckIn) -> CheckIn:
    """Every field checked before anything is written; names canonicalised."""
    mg = entry.mg
    time = entry.time
    if entry.taken is True:
        if mg is None:
            raise fail("mg", N_("{field}: give the dose taken in mg (above 0, at most "
                                "25)."))
        check_dose(patient, mg, entry.confirm_above_max)
    elif entry.taken is False:
        mg = None
    if time is not None:
        time = parse_time(time)
    effects: dict[str, int] = {}
    for raw, severity in entry.effects.items():
        key = side_effect_key(require_text(raw, "name", MAX_NAME_LENGTH))
        if isinstance(severity, bool) or not isinstance(severity, int) \
                or not 0 <= severity <= 4:
            raise fail("severity", N_("{field} must be a whole number from 0 (none) to 4 "
                                      "(very severe) (got {value})."), value=severity)
        effects[key] = severity
    scores: dict[str, int] = {}
    for raw, value in entry.scores.items():
        key = symptom_key(require_text(raw, "symptom", MAX_NAME_LENGTH))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise fail("value", N_("{field} must be a whole number from 0 to 10 "
                                   "(got {value})."), value=value)
        scores[key] = value
    note = entry.note.strip() if entry.note is not None else None  # "" deletes the note
    if note is not None and len(note) > 5000:
        raise fail("note", N_("{field} must be at most {high} characters (got {value})."),
                   high=5000, value=len(note))
    reason = entry.reason.strip() if entry.reason else None
    return CheckIn(day=entry.day, taken=entry.taken, mg=mg, time=time,
                   confirm_above_max=entry.confirm_above_max, effects=effects,
                   no_side_effects=entry.no_side_effects, scores=scores, note=note,
                   reason=reason)


def check_unchanged(stored: CheckIn, expected: CheckIn) -> None:
    """Refuse a save made on a form opened on other values than the day now holds."""
    if not same_entries(stored, expected):
        raise ChangedElsewhere()


def write_check_in(actor: str, session: Session, patient: Patient, entry: CheckIn,
                   identity: Mapping[tuple[str, str | None], str] | None = None) -> None:
    """Write a validated entry, each change with its audit row (:mod:`tracker.services.audited`).

    ``identity`` gives a new row its uuid (an import keeps the file's: ``("dose", None)``,
    ``("effect", name)``, ``("clear", None)``, ``("score", symptom)``, ``("note", None)``);
    any other new row gets a fresh one.
    """
    pid, day, why = patient.id, entry.day, entry.reason
    known = identity or {}

    def uid(kind: str, name: str | None = None) -> dict[str, str]:
        row_uuid = known.get((kind, name))
        return {"uuid": row_uuid} if row_uuid else {}
    # The day's new rows are inserted together at the end, with their audit rows (one flush
    # for the rows and one for the audit rows, not two a row). Updates and
    # deletions are written as they come, before them, so a unique (patient, day, name) row
    # is gone before its successor is inserted.
    new: list[Any] = []
    if entry.taken is not None:
        dose = session.scalar(select(DoseEntry).where(DoseEntry.patient_id == pid,
                                                      DoseEntry.day == day))
        values = {"taken": entry.taken, "mg": entry.mg if entry.taken else None,
                  "time": entry.time,
                  "above_max_confirmed": bool(entry.taken and entry.mg is not None
                                              and entry.mg > patient.max_mg)}
        if dose is None:
            new.append(DoseEntry(patient_id=pid, day=day, **values, **uid("dose")))
        else:
            audited.update(session, actor, dose, values, why)
    clear = session.scalar(select(ClearDay).where(ClearDay.patient_id == pid,
                                                  ClearDay.day == day))
    existing = {r.name: r for r in session.scalars(select(SideEffectReport).where(
        SideEffectReport.patient_id == pid, SideEffectReport.day == day))}
    if entry.no_side_effects:
        # "No side effects today" replaces what was reported earlier that day.
        for row in existing.values():
            if row.severity > 0:
                audited.update(session, actor, row, {"severity": 0}, why)
        if clear is None:
            new.append(ClearDay(patient_id=pid, day=day, **uid("clear")))
    for name, severity in entry.effects.items():
        report = existing.get(name)
        if report is None:
            new.append(SideEffectReport(patient_id=pid, day=day, name=name, severity=severity,
                                        **uid("effect", name)))
        else:
            audited.update(session, actor, report, {"severity": severity}, why)
        if severity > 0 and clear is not None and not entry.no_side_effects:
            audited.delete(session, actor, clear, why)
            clear = None
    scores = {r.symptom: r for r in session.scalars(select(SymptomScore).where(
        SymptomScore.patient_id == pid, SymptomScore.day == day))} if entry.scores else {}
    for symptom, value in entry.scores.items():
        score = scores.get(symptom)
        if score is None:
            new.append(SymptomScore(patient_id=pid, day=day, symptom=symptom, value=value,
                                    **uid("score", symptom)))
        else:
            audited.update(session, actor, score, {"value": value}, why)
    if entry.note is not None:
        note = session.scalar(select(Note).where(Note.patient_id == pid, Note.day == day))
        if note is None and entry.note:
            new.append(Note(patient_id=pid, day=day, text=entry.note, **uid("note")))
        elif note is not None and entry.note:
            audited.update(session, actor, note, {"text": entry.note}, why)
        elif note is not None:
            audited.delete(session, actor, note, why)
    audited.insert_all(session, actor, new, why)


def alerts_horizon(day: date) -> date:
    """How far the plan must reach for the alerts a check-in of ``day`` shows."""
    return max(day, today()) + timedelta(days=8)


def alerts_near(plan: Plan, gone: set[tuple[str, date]], day: date) -> list[Alert]:
    """The alerts around ``day`` not dismissed, newest first."""
    return [a for a in reversed(plan.alerts) if (a.code, a.day) not in gone
            and day - timedelta(days=7) <= a.day <= day + timedelta(days=1)]
