"""A derived per-patient status for the clinic's cohort view.

It is a cache, never the truth: the plan is computed from the diary (SPEC §4). A diary write
refreshes its patient's row in the same transaction, and a row computed for an earlier day
is refreshed when read, so the cohort view opens without recomputing every plan.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base


class PatientStatus(Base):
    __tablename__ = "patient_status"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True
    )
    computed_for: Mapped[date] = mapped_column(Date)  # the "today" the row describes
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    phase: Mapped[str] = mapped_column(String(20))
    dose_mg: Mapped[float]
    next_step_date: Mapped[date | None] = mapped_column(Date)
    adherence_30d: Mapped[float | None]
    last_entry: Mapped[date | None] = mapped_column(Date)
    # The code of every open alert (SPEC §13), most urgent first, comma-separated: their number
    # is the count the cohort shows.
    open_alerts: Mapped[str] = mapped_column(Text, default="")
    # The cohort's flags (tracker/clinical/flags.py FLAG_ORDER), comma-separated.
    flags: Mapped[str] = mapped_column(Text, default="")
    next_upcoming: Mapped[date | None] = mapped_column(Date)  # the first upcoming alert's day
