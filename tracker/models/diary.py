"""The diary aggregate: what the patient logged, one row per patient, day and item."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, Identified


class DoseEntry(Identified, Base):
    __tablename__ = "dose_entry"
    __table_args__ = (
        UniqueConstraint("patient_id", "day"),
        # The rules engine's read from the index alone (migration 0006, docs/performance.md).
        Index("ix_dose_entry_read", "patient_id", "day", "taken", "mg"),
        CheckConstraint(
            "(taken AND mg > 0 AND mg <= 25) OR (NOT taken AND mg IS NULL)",
            name="taken_has_dose",
        ),
        CheckConstraint("time IS NULL OR length(time) = 5", name="time_hh_mm"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    taken: Mapped[bool]
    mg: Mapped[float | None]
    time: Mapped[str | None] = mapped_column(String(5))
    above_max_confirmed: Mapped[bool] = mapped_column(default=False)


class SideEffectReport(Identified, Base):
    """One side effect on one day; severity 0 records it as absent (PRO-CTCAE 0–4)."""

    __tablename__ = "side_effect_report"
    __table_args__ = (
        UniqueConstraint("patient_id", "day", "name"),
        Index("ix_side_effect_report_read", "patient_id", "day", "name", "severity"),
        CheckConstraint("severity BETWEEN 0 AND 4", name="severity_0_4"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    severity: Mapped[int] = mapped_column(Integer)


class ClearDay(Identified, Base):
    """An explicit "no side effects today"."""

    __tablename__ = "clear_day"
    __table_args__ = (UniqueConstraint("patient_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)


class SymptomScore(Identified, Base):
    __tablename__ = "symptom_score"
    __table_args__ = (
        UniqueConstraint("patient_id", "day", "symptom"),
        Index("ix_symptom_score_read", "patient_id", "day", "symptom", "value"),
        CheckConstraint("value BETWEEN 0 AND 10", name="value_0_10"),
        CheckConstraint("length(trim(symptom)) > 0", name="symptom_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    symptom: Mapped[str] = mapped_column(String(100))
    value: Mapped[int] = mapped_column(Integer)


class Note(Identified, Base):
    __tablename__ = "note"
    __table_args__ = (UniqueConstraint("patient_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
