"""The clinic's flags for one patient, from a plan and a diary: plain Python, no pandas.

It runs on every diary write (to keep ``patient_status`` current), so it must stay cheap and
must not import pandas: the headless ``dose`` command's start-up time depends on it. The next
step and adherence it stores are :mod:`tracker.clinical.progress`'s, the figures the summary
and the export show; the plan it is given reaches ``OUTLOOK_DAYS`` after today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.clinical.model import Diary, Plan
from tracker.clinical.progress import MONTH_DAYS, adherence, next_step

LOW_ADHERENCE = 0.8
# "No entry for 3 days": the three whole days before today are empty (today is still running,
# so an evening diarist is not flagged in the morning).
NO_ENTRY_DAYS = 3


def last_entry(diary: Diary) -> date | None:
    days = [d.day for d in diary.doses] + [e.day for e in diary.effects] + \
        [s.day for s in diary.scores] + list(diary.clear_days)
    return max(days) if days else None


def status_values(plan: Plan, diary: Diary, today: date,
                  dismissed: set[tuple[str, date]]) -> dict[str, Any]:
    current = plan.on(today) or (plan.days[0] if plan.days else None)
    dose = current.dose_mg if current else 0.0
    step = next_step(plan, today)
    open_alerts = sorted({a.code for a in plan.alerts
                          if a.day <= today and (a.code, a.day) not in dismissed})
    rate = adherence(plan, diary, today, MONTH_DAYS)
    last = last_entry(diary)
    flags = []
    if current is not None and current.phase == "reduction":
        flags.append("reduction")
    if current is not None and current.phase == "plateau":
        flags.append("plateau")
    if open_alerts:
        flags.append("alerts")
    if rate is not None and rate < LOW_ADHERENCE:
        flags.append("low_adherence")
    if (plan.days and plan.days[0].day <= today) and \
            (last is None or (today - last).days > NO_ENTRY_DAYS):
        flags.append("no_entry_3d")
    return {
        "computed_for": today,
        "phase": current.phase if current else "start",
        "dose_mg": dose,
        "next_step_date": step.day if step else None,
        "adherence_30d": rate,
        "last_entry": last,
        "open_alerts": ",".join(open_alerts),
        "flags": ",".join(flags),
    }
