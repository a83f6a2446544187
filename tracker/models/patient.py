"""The patient aggregate: settings of the protocol and the events that shape the plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, Identified


class Patient(Identified, Base):
    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
        CheckConstraint("start_mg > 0 AND start_mg <= 25", name="start_mg_range"),
        CheckConstraint("start_days >= 1", name="start_days_positive"),
        CheckConstraint("step_mg >= 0 AND step_mg <= 25", name="step_mg_range"),
        CheckConstraint("interval_days >= 1", name="interval_days_positive"),
        CheckConstraint("target_mg > 0 AND target_mg <= max_mg", name="target_within_max"),
        CheckConstraint("max_mg > 0 AND max_mg <= 25", name="max_mg_range"),
        CheckConstraint("tolerance_days IN (3, 4)", name="tolerance_days_3_or_4"),
        CheckConstraint("min_severity BETWEEN 1 AND 4", name="min_severity_range"),
        CheckConstraint("formulation IN ('capsule', 'liquid')", name="formulation_known"),
        CheckConstraint(
            "(formulation = 'liquid' AND concentration_mg_ml > 0) "
            "OR (formulation = 'capsule' AND concentration_mg_ml IS NULL)",
            name="liquid_has_concentration",
        ),
        CheckConstraint("weight_kg IS NULL OR (weight_kg > 0 AND weight_kg <= 400)",
                        name="weight_range"),
        CheckConstraint("thyroid_interval_days >= 1", name="thyroid_interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    condition: Mapped[str] = mapped_column(String(200))
    protocol: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    start_mg: Mapped[float]
    start_days: Mapped[int] = mapped_column(Integer)
    step_mg: Mapped[float]
    interval_days: Mapped[int] = mapped_column(Integer)
    target_mg: Mapped[float]
    max_mg: Mapped[float]
    tolerance_days: Mapped[int] = mapped_column(Integer, default=4)
    min_severity: Mapped[int] = mapped_column(Integer, default=1)
    formulation: Mapped[str] = mapped_column(String(10), default="capsule")
    concentration_mg_ml: Mapped[float | None]
    weight_kg: Mapped[float | None]
    transplant: Mapped[bool] = mapped_column(default=False)
    informed_on: Mapped[date | None] = mapped_column(Date)
    thyroid_interval_days: Mapped[int] = mapped_column(Integer, default=42)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class Medication(Identified, Base):
    """A concomitant medication; opioids among them put LDN on hold (SPEC §6)."""

    __tablename__ = "medication"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                        name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class ChemoSession(Identified, Base):
    __tablename__ = "chemo_session"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="end_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"),
                                            index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
