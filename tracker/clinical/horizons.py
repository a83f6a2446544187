"""How far the plan is computed: one place for the horizons every output uses.

The plan is causal (a day depends only on the days before it), so a plan computed to a later
day and cut is the plan computed to the earlier one: :func:`within`.
"""

from __future__ import annotations

from datetime import date

from tracker.clinical.model import Plan

# What a clinician reads and exports: the plan until four weeks after today (SPEC §9 ``plan``).
PLAN_HORIZON_DAYS = 28

# How far ahead the next step-up is looked for: two capsule steps that deliver the same dose
# (nominal 2.25 and 2.75 mg are both a 2 mg capsule) put the next rise two intervals away.
OUTLOOK_DAYS = 120


def within(plan: Plan, until: date) -> Plan:
    """The plan cut at ``until``: the same as computing it to ``until`` (the plan is causal)."""
    return Plan(
        days=tuple(d for d in plan.days if d.day <= until),
        episodes=tuple(e for e in plan.episodes if e.start <= until),
        reductions=tuple(r for r in plan.reductions if r.trigger_day <= until),
        alerts=tuple(a for a in plan.alerts if a.day <= until),
        last_step=plan.last_step,
        target_mg=plan.target_mg,
    )
