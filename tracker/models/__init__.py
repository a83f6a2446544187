"""SQLAlchemy 2 typed ORM: one module per aggregate. Persistence lives here and in services."""

from tracker.models.access import PatientLogin
from tracker.models.audit import AlertDismissal, AuditEntry
from tracker.models.base import Base
from tracker.models.diary import ClearDay, DoseEntry, Note, SideEffectReport, SymptomScore
from tracker.models.patient import ChemoSession, Medication, Patient
from tracker.models.status import PatientStatus

__all__ = [
    "AlertDismissal",
    "AuditEntry",
    "Base",
    "ChemoSession",
    "ClearDay",
    "DoseEntry",
    "Medication",
    "Note",
    "Patient",
    "PatientLogin",
    "PatientStatus",
    "SideEffectReport",
    "SymptomScore",
]
