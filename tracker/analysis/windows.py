"""The dated windows of SPEC §8's figures, and the dose steps they are read around.

Plain Python (no pandas): the clinic-wide export (:mod:`tracker.export.bulk_plans`) lists every
patient's steps from the plan it computed anyway, and the per-patient summary
(:func:`tracker.analysis.summary.build_summary`) from its own; both then take the same windows
of the scores, in arrays (:mod:`tracker.analysis.bulk`) or frames
(:mod:`tracker.analysis.trends`). What each window is, in days counted inclusively
(``docs/analysis.md``, "Baseline, responders, steps and intake"):

- the **baseline**: the :data:`BASELINE_DAYS` days before the plan's first day where the
  symptom was scored in them, else the first :data:`BASELINE_DAYS` days of treatment;
- the **last 28 days** (:data:`RESPONDER_DAYS`) and the **7-day rolling mean**
  (:data:`~tracker.clinical.progress.TREND_WINDOW_DAYS`) end today;
- a **responder**'s last-28-day mean is at least :data:`RESPONDER_DROP` below its baseline;
- around a **dose step** on day D (D is day 1 at the new dose): the :data:`STEP_BEFORE_DAYS`
  days before D, and days :data:`STEP_AFTER_DAYS` after (D+7 … D+13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from tracker.clinical.model import Plan

BASELINE_DAYS: Final = 7
RESPONDER_DAYS: Final = 28
RESPONDER_DROP: Final = 0.30  # IMMPACT: a moderately important improvement in pain
EPSILON: Final = 1e-9
STEP_BEFORE_DAYS: Final = 7
STEP_AFTER_DAYS: Final = (8, 14)  # day 1 is the step's own day

StepKind = Literal["step_up", "reduction"]
STEP_KINDS: Final[tuple[StepKind, ...]] = ("step_up", "reduction")

# What happened on a day against the plan (``intake_by_day``), in this order.
INTAKE_KINDS: Final = ("taken_planned", "taken_other", "skipped", "not_logged")


@dataclass(frozen=True)
class DoseStep:
    """A change of the planned deliverable dose that the clinician reads symptoms around."""

    day: date  # the first day at the new dose
    kind: StepKind
    from_mg: float
    to_mg: float

    @property
    def before(self) -> tuple[date, date]:
        """The window before the step: the :data:`STEP_BEFORE_DAYS` days before its day."""
        return self.day - timedelta(days=STEP_BEFORE_DAYS), self.day - timedelta(days=1)

    @property
    def after(self) -> tuple[date, date]:
        """Days :data:`STEP_AFTER_DAYS` after the step, its own day being day 1."""
        first, last = STEP_AFTER_DAYS
        return self.day + timedelta(days=first - 1), self.day + timedelta(days=last - 1)


def dose_steps(plan: Plan, today: date) -> list[DoseStep]:
    """Every step-up and every reduction of ``plan`` on or before ``today``, in date order.

    A **step-up** is a day planned above the day before, when the day before was planned above
    0 mg and was not in a reduction week: the way back up after a reduction week and the
    restart after a pause or a hold are not steps (they return to a dose already read). A
    **reduction** is the first day of a reduction week (T+1, SPEC §4), from the dose planned on
    T to the reduced dose. The plan's first day is no step: the baseline is read before it.
    """
    steps: list[DoseStep] = []
    days = plan.days
    for previous, planned in zip(days, days[1:], strict=False):
        if planned.day > today:
            break
        if (planned.dose_mg > previous.dose_mg > 0 and previous.phase != "reduction"
                and planned.phase != "reduction"):
            steps.append(DoseStep(planned.day, "step_up", float(previous.dose_mg),
                                  float(planned.dose_mg)))
    steps += [DoseStep(r.start, "reduction", float(r.failed_mg), float(r.reduced_mg))
              for r in plan.reductions if r.start <= today]
    steps.sort(key=lambda s: (s.day, STEP_KINDS.index(s.kind)))
    return steps


def baseline_windows(start: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The two baselines a plan starting on ``start`` may have: the week before it, and its
    first week (used when the symptom was not scored in the week before)."""
    week = timedelta(days=BASELINE_DAYS - 1)
    before = start - timedelta(days=BASELINE_DAYS)
    return (before, before + week), (start, start + week)


def ending(today: date, days: int) -> tuple[date, date]:
    """The ``days`` calendar days ending at ``today``, as ``(first, last)``."""
    return today - timedelta(days=days - 1), today


def is_responder(baseline: float | None, recent: float | None) -> bool | None:
    """Whether ``recent`` is at least :data:`RESPONDER_DROP` below ``baseline``; None when
    either is unknown or the baseline is 0 (nothing to improve on)."""
    if baseline is None or recent is None or baseline != baseline or recent != recent \
            or baseline <= 0:
        return None
    # Means are ratios of small integers: a mean exactly 30 % below (4.9 against 7) must not
    # miss by a float's last bit (0.7 * 7 is 4.8999999999999995).
    return bool(baseline - recent >= RESPONDER_DROP * baseline - EPSILON)


def per_cent(change: float, baseline: float) -> float:
    """``change`` as a percentage of ``baseline`` (NaN for a baseline of 0 or unknown)."""
    if baseline != baseline or baseline == 0:
        return float("nan")
    return 100 * change / baseline
