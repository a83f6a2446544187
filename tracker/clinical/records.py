"""A patient and one evening's entries as plain values: what the interfaces and the services
hand each other (no database, no UI in them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PatientInfo:
    """A read model of a patient for lists and headers."""

    id: int
    name: str
    condition: str
    protocol: str
    start_date: date
    formulation: str
    concentration_mg_ml: float | None
    weight_kg: float | None
    target_mg: float
    max_mg: float
    step_mg: float
    interval_days: int
    tolerance_days: int
    transplant: bool
    informed_on: date | None


@dataclass(frozen=True)
class CheckIn:
    """One evening's entries from the app, saved in one transaction."""

    day: date
    taken: bool | None = None  # None: no dose entry
    mg: float | None = None
    time: str | None = None
    confirm_above_max: bool = False
    effects: dict[str, int] = field(default_factory=dict)
    no_side_effects: bool = False
    scores: dict[str, int] = field(default_factory=dict)
    note: str | None = None
    reason: str | None = None  # why, when this corrects an earlier entry


def stored_values(entry: CheckIn) -> tuple[object, ...]:
    """What of ``entry`` the diary stores for its day (no reason, no confirmation; a dose's mg
    and time only when it was taken; an empty note is no note)."""
    taken = entry.taken
    return (entry.day, taken, entry.mg if taken else None, entry.time if taken else None,
            dict(entry.effects), entry.no_side_effects, dict(entry.scores),
            (entry.note or "").strip())


def same_entries(first: CheckIn, second: CheckIn) -> bool:
    """Whether the two hold the same stored values (an unsaved form, a day changed since)."""
    return stored_values(first) == stored_values(second)
