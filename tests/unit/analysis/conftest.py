"""Hand-built plans and diaries: the engine is not needed to check the trend maths."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pytest

from tracker.clinical.model import Phase, Plan, PlannedDay
from tracker.i18n import Message

PlanBuilder = Callable[..., Plan]


def build_plan(
    start: date,
    doses: Sequence[float],
    phases: Sequence[Phase] | None = None,
    **plan_fields: object,
) -> Plan:
    """A plan of ``len(doses)`` days from ``start``; phase ``titration`` unless given."""
    days = tuple(
        PlannedDay(
            day=start + timedelta(days=i),
            dose_mg=dose,
            nominal_mg=dose,
            phase=phases[i] if phases else "titration",
            reason=Message("Planned dose {dose_mg}", {"dose_mg": dose}),
        )
        for i, dose in enumerate(doses)
    )
    return Plan(days=days, **plan_fields)  # type: ignore[arg-type]


@pytest.fixture
def plan_of() -> PlanBuilder:
    return build_plan
