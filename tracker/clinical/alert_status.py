"""Alerts over time (SPEC §13): each alert's status as of today.

``open``: its condition holds today, or it is a past event not yet reviewed; ``resolved``: its
condition has ended; ``dismissed``: a clinician dismissed it (per code and day, with a reason,
outside the engine); ``upcoming``: dated after today. Dismissed wins over every other status,
then upcoming; an alert dated today or earlier is open until the day its condition ends
(:func:`resolved_on`), resolved from that day. The rule per code is in
``docs/clinical-rules.md`` ("Alerts over time").

A pure function of the plan, the diary and today, like the plan itself: moving today forward
never turns a resolved alert back to open, and the same inputs always give the same statuses.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from tracker.clinical import alerts as A
from tracker.clinical.events import opioid_holds
from tracker.clinical.model import Alert, Diary, Plan
from tracker.i18n import Message

AlertStatus = Literal["open", "resolved", "dismissed", "upcoming"]
OPEN: AlertStatus = "open"
RESOLVED: AlertStatus = "resolved"
DISMISSED: AlertStatus = "dismissed"
UPCOMING: AlertStatus = "upcoming"
ALERT_STATUSES: tuple[AlertStatus, ...] = (OPEN, UPCOMING, RESOLVED, DISMISSED)

# Conditions that end on a day the plan or the diary tells (resolved from then on). Every
# other code is a standing condition or an event to review: open until a clinician dismisses
# it (``transplant_caution`` "until a clinician acknowledges it", SPEC §6;
# ``information_pending`` disappears from the plan once the information is acknowledged).
ENDING_CODES: tuple[str, ...] = (
    A.OPIOID_CONTRAINDICATION, A.SIDE_EFFECT_REDUCTION, A.MISSED_DOSES, A.NEEDS_LIQUID)

_ONE = timedelta(days=1)
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class AlertState:
    """An alert with its status as of ``today``; ``resolved_on``: the first day its condition
    no longer holds, when known (also ahead of today, e.g. the end of an opioid hold with an
    end date); None for an alert that stands until dismissed."""

    alert: Alert
    status: AlertStatus
    resolved_on: date | None = None

    @property
    def day(self) -> date:
        return self.alert.day

    @property
    def code(self) -> str:
        return self.alert.code

    @property
    def message(self) -> Message:
        return self.alert.message


class _Conditions:
    """When each alert's condition ends, from one plan and one diary (read once each)."""

    def __init__(self, plan: Plan, diary: Diary) -> None:
        self.plan = plan
        self.diary = diary
        self._taken: list[date] | None = None
        self._hold_ends: dict[date, list[date | None]] | None = None

    def resolved_on(self, alert: Alert) -> date | None:
        code = alert.code
        if code == A.OPIOID_CONTRAINDICATION:
            return self._hold_over(alert.day)
        if code == A.SIDE_EFFECT_REDUCTION:
            week_end = next((r.end for r in self.plan.reductions
                             if r.trigger_day == alert.day), alert.day + _WEEK)
            return week_end + _ONE  # T+8: back up, the reduction week is over
        if code == A.MISSED_DOSES:
            return self._first_taken_after(alert.day)
        if code == A.NEEDS_LIQUID:
            return self._liquid_run_over(alert.day)
        return None

    def _hold_over(self, day: date) -> date | None:
        """The day after the last hold day of the opioid(s) whose hold the alert is dated by;
        None while one of them has no end date."""
        if self._hold_ends is None:
            start = self.plan.days[0].day if self.plan.days else day
            self._hold_ends = {}
            for hold in opioid_holds(self.diary, start):
                self._hold_ends.setdefault(max(hold.first, start), []).append(hold.last)
        ends = self._hold_ends.get(day)
        if not ends or any(end is None for end in ends):
            return None
        return max(end for end in ends if end is not None) + _ONE

    def _first_taken_after(self, day: date) -> date | None:
        """The first day after ``day`` planned with LDN and logged as taken: the run of missed
        doses is over (days planned at 0 mg neither count nor end a run, as in the engine)."""
        if self._taken is None:
            plan = self.plan
            self._taken = sorted(
                e.day for e in self.diary.doses
                if e.taken and (p := plan.on(e.day)) is not None and p.dose_mg > 0)
        taken = self._taken
        i = bisect_right(taken, day)
        return taken[i] if i < len(taken) else None

    def _liquid_run_over(self, day: date) -> date | None:
        """The first day after ``day`` that a capsule delivers again; None if the run lasts
        to the end of the plan."""
        days = self.plan.days
        if not days:
            return None
        i = (day - days[0].day).days
        for planned in days[max(i, 0):]:
            if not planned.needs_liquid and planned.day > day:
                return planned.day
        return None


def alert_states(plan: Plan, diary: Diary, today: date,
                 dismissed: Collection[tuple[str, date]] = frozenset(),
                 alerts: Iterable[Alert] | None = None) -> tuple[AlertState, ...]:
    """Every alert of ``plan`` (or ``alerts``, raised by that plan) with its status as of
    ``today``, in the plan's order. ``dismissed``: the (code, day) pairs a clinician dismissed.
    """
    conditions = _Conditions(plan, diary)
    out = []
    for alert in plan.alerts if alerts is None else alerts:
        ends = conditions.resolved_on(alert) if alert.code in ENDING_CODES else None
        if (alert.code, alert.day) in dismissed:
            status = DISMISSED
        elif alert.day > today:
            status = UPCOMING
        elif ends is not None and ends <= today:
            status = RESOLVED
        else:
            status = OPEN
        out.append(AlertState(alert, status, ends))
    return tuple(out)


def open_alerts(states: Iterable[AlertState]) -> list[Alert]:
    """The alerts that need attention now (status ``open``)."""
    return [s.alert for s in states if s.status == OPEN]
