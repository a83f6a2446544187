"""The clinic's flags for one patient, from a plan and a diary: plain Python, no pandas.

It runs on every diary write (to keep ``patient_status`` current), so it must stay cheap and
must not import pandas: the headless ``dose`` command's start-up time depends on it. The next
step and adherence it stores are :mod:`tracker.clinical.progress`'s, the figures the summary
and the export show; the plan it is given reaches ``OUTLOOK_DAYS`` after today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.clinical import alerts as A
from tracker.clinical.alert_status import OPEN, UPCOMING, alert_states
from tracker.clinical.model import Diary, Plan
from tracker.clinical.progress import MONTH_DAYS, adherence, next_step

LOW_ADHERENCE = 0.8
# "No entry for 3 days": the three whole days before today are empty (today is still running,
# so an evening diarist is not flagged in the morning).
NO_ENTRY_DAYS = 3

LOW_ADHERENCE_FLAG = "low_adherence"
NO_ENTRY_FLAG = "no_entry_3d"
# The cohort's flags, most urgent first (SPEC §13): the opioid hold and the transplant caution
# above every other flag, then the side-effect alerts, the diary's, the rest. An alert flags
# while it is open (tracker/clinical/alert_status.py); its flag is its code.
FLAG_ORDER: tuple[str, ...] = (
    A.OPIOID_CONTRAINDICATION,
    A.TRANSPLANT_CAUTION,
    A.SIDE_EFFECT_REDUCTION,
    A.PERSISTS_DESPITE_REDUCTION,
    A.PLATEAU,
    A.DOSE_MAYBE_TOO_HIGH,
    A.MISSED_DOSES,
    NO_ENTRY_FLAG,
    LOW_ADHERENCE_FLAG,
    A.INFORMATION_PENDING,
    A.THYROID_BLOOD_TEST,
    A.NEEDS_LIQUID,
)
_RANK = {flag: n for n, flag in enumerate(FLAG_ORDER)}


def flag_rank(flag: str) -> int:
    """A flag's place in :data:`FLAG_ORDER` (an unknown one after all of them)."""
    return _RANK.get(flag, len(FLAG_ORDER))


def last_entry(diary: Diary) -> date | None:
    days = [d.day for d in diary.doses] + [e.day for e in diary.effects] + \
        [s.day for s in diary.scores] + list(diary.clear_days)
    return max(days) if days else None


def status_values(plan: Plan, diary: Diary, today: date,
                  dismissed: set[tuple[str, date]], *,
                  last_score_day: date | None = None) -> dict[str, Any]:
    """The cohort row of one patient: ``open_alerts`` has the code of every open alert (one
    per alert: their number is the count), ``flags`` the distinct flags in
    :data:`FLAG_ORDER`, ``next_upcoming`` the day of the first upcoming alert of the plan.

    ``last_score_day`` is the last day with a symptom score, for a ``diary`` read without its
    scores (the rules read only a few weeks of them: ``compute_plan``'s ``scores_in``).
    """
    current = plan.on(today) or (plan.days[0] if plan.days else None)
    dose = current.dose_mg if current else 0.0
    step = next_step(plan, today)
    states = alert_states(plan, diary, today, dismissed)
    opened = sorted((s.code for s in states if s.status == OPEN), key=flag_rank)
    upcoming = [s.day for s in states if s.status == UPCOMING]
    rate = adherence(plan, diary, today, MONTH_DAYS)
    last = max((d for d in (last_entry(diary), last_score_day) if d is not None), default=None)
    flags = set(opened)
    if rate is not None and rate < LOW_ADHERENCE:
        flags.add(LOW_ADHERENCE_FLAG)
    if (plan.days and plan.days[0].day <= today) and \
            (last is None or (today - last).days > NO_ENTRY_DAYS):
        flags.add(NO_ENTRY_FLAG)
    return {
        "computed_for": today,
        "phase": current.phase if current else "start",
        "dose_mg": dose,
        "next_step_date": step.day if step else None,
        "adherence_30d": rate,
        "last_entry": last,
        "open_alerts": ",".join(opened),
        "flags": ",".join(sorted(flags, key=flag_rank)),
        "next_upcoming": min(upcoming, default=None),
    }
