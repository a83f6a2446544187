"""The patient's own adherence on Today: "Taken 26 of the last 28 planned doses · 12 evenings
in a row".

Counted from :func:`~tracker.analysis.trends.intake_by_day`, the day-by-day intake the summary
and the report count too (one truth): only days planned above 0 mg are planned doses, so a
pause or an opioid hold is neither missed nor a break in the run; today counts once it is
logged (an evening not over yet breaks nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from tracker.analysis.frames import doses_frame, plan_frame
from tracker.analysis.trends import intake_by_day
from tracker.clinical.model import DoseEntry, Plan

RECENT_DOSES = 28
TAKEN = ("taken_planned", "taken_other")


@dataclass(frozen=True)
class Adherence:
    """Of the last ``planned`` planned doses (at most ``RECENT_DOSES``), ``taken`` were logged
    as taken; ``streak``: planned doses taken in a row up to the latest one counted."""

    taken: int
    planned: int
    streak: int


def recent_adherence(intake: pd.DataFrame, last: int = RECENT_DOSES) -> Adherence:
    """The adherence of an ``intake_by_day`` frame: its last ``last`` planned doses, and the
    run of taken ones that ends the frame (the run may reach further back than ``last``)."""
    dosing = intake.loc[intake["planned_mg"] > 0, "intake"].isin(TAKEN).to_numpy()
    recent = dosing[-last:] if last > 0 else dosing[:0]
    missed = (~dosing).nonzero()[0]
    streak = len(dosing) - (int(missed[-1]) + 1 if len(missed) else 0)
    return Adherence(int(recent.sum()), len(recent), streak)


def adherence_of(plan: Plan, doses: Iterable[DoseEntry], today: date,
                 last: int = RECENT_DOSES) -> Adherence:
    """:func:`recent_adherence` of a plan and its diary's doses, as of ``today``."""
    intake = intake_by_day(plan_frame(plan, reasons=False), doses_frame(doses), today)
    return recent_adherence(intake, last)
