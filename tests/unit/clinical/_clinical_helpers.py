"""Small builders shared by the clinical tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from tracker.clinical import Alert, Diary, EffectEntry, PatientSettings, Plan, compute_plan
from tracker.clinical.protocols import build_settings

D0 = date(2026, 1, 1)


def d(n: int) -> date:
    """Day n of the plan (day 0 is the start date)."""
    return D0 + timedelta(days=n)


def settings(protocol: str = "autoimmune", **kwargs: object) -> PatientSettings:
    kwargs.setdefault("informed_on", D0)
    return build_settings(protocol, D0, **kwargs)  # type: ignore[arg-type]


def effects(days: Iterable[int], name: str = "headache", severity: int = 2) -> tuple[
        EffectEntry, ...]:
    return tuple(EffectEntry(d(n), name, severity) for n in days)


def plan(s: PatientSettings, diary: Diary | None = None, until: int = 200,
         today: int | None = None) -> Plan:
    return compute_plan(s, diary or Diary(), d(until), None if today is None else d(today))


def doses(p: Plan, first: int, last: int) -> list[float]:
    return [p.days[n].dose_mg for n in range(first, last + 1)]


def alerts(p: Plan, code: str) -> list[Alert]:
    return [a for a in p.alerts if a.code == code]


def step_up_days(p: Plan) -> list[int]:
    """Plan-day numbers on which the titration step index increased."""
    return [i for i in range(1, len(p.days)) if p.days[i].step > p.days[i - 1].step]
