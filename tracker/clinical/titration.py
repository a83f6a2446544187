"""Where the patient stands on a morning of the plan, and the rules that move it on (SPEC §3–§6).

``compute_plan`` walks the calendar one day at a time. Everything a day's dose depends on from
the days before it — the titration step and its clock, a reduction week, the highest tolerated
dose, whether yesterday was without LDN — lives in one :class:`TitrationState`, and each rule of
the SPEC is one method that reads or moves it, so every rule can be read and audited on its own.
The walk is on the hot path (every check-in, the clinic-wide export), so the state is a slotted
object with plain attributes and a day costs only a few calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.clinical import alerts as A
from tracker.clinical.deliverable import clean_mg, deliverable_dose, volume_ml
from tracker.clinical.episodes import EpisodeCounter, SideEffectIndex
from tracker.clinical.events import Hold, Pause
from tracker.clinical.model import (
    Alert,
    Formulation,
    PatientSettings,
    Phase,
    PlannedDay,
    Reduction,
    planned_day,
    planned_days_like,
)
from tracker.i18n import N_, Message

_ONE = timedelta(days=1)
REDUCTION_DAYS = 7

R_START = N_("Start dose, day {day} of {days}")
R_START_WAIT = N_("Start dose; the first step-up waits until the side effects settle")
R_STEP = N_("Titration step {step}: {dose_mg}, day {day} of {days}")
R_STEP_NOMINAL = N_("Titration step {step}: {dose_mg} (nominal {nominal_mg}), day {day} of {days}")
R_STEP_WAIT = N_("Titration step {step}: {dose_mg}; the next step-up waits until the side "
                 "effects settle")
R_TARGET_REACHED = N_("Titration step {step}: target dose {dose_mg} reached")
R_TARGET = N_("Target dose {dose_mg}")
R_TARGET_NOMINAL = N_("Target dose {dose_mg} (nominal {nominal_mg})")
R_REDUCTION = N_("Reduction day {day} of 7 after {days} days of side effects: half of {failed_mg}")
R_BACK = N_("Back to {dose_mg} after the reduction week")
R_PLATEAU_FIRST = N_("Highest tolerated dose {dose_mg}: titration stopped because side effects "
                     "came back at {failed_mg}")
R_PLATEAU = N_("Highest tolerated dose {dose_mg}")
R_PAUSE = N_("Chemotherapy pause: no LDN from {first} to {last}, restart on {restart}")
R_HOLD = N_("Opioid hold: LDN must not be combined with {name}")
R_RESTART_PAUSE = N_("Restart at {dose_mg} after the chemotherapy pause")
R_RESTART_HOLD = N_("Restart at {dose_mg} after the opioid hold")
R_NEEDS_LIQUID = N_("{reason} (below the smallest capsule: ask the pharmacy for a liquid)")


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose as planned: what the patient takes (SPEC §2), the nominal dose it stands for."""

    mg: float
    nominal_mg: float
    needs_liquid: bool


@dataclass(frozen=True, slots=True)
class ReductionWeek:
    """A reduction week in progress (T+1 … T+7), from the day T the rule fired."""

    reduction: Reduction
    dose: Dose  # half the dose of T, made deliverable
    counted_days: int  # the counted episode duration that fired the rule
    back_up_on: date  # T+8


@dataclass(slots=True, eq=False)
class TitrationState:
    """The state carried from one day of the plan to the next, and what the walk recorded."""

    # The patient's ladder and how it is delivered: fixed for the whole walk.
    rungs: tuple[Dose, ...]  # step 0 (the start dose) to the last step (the target)
    last_step: int
    target_mg: float  # nominal
    interval_days: int
    tolerance_days: int
    formulation: Formulation
    liquid: bool
    concentration_mg_ml: float | None
    index: SideEffectIndex
    counter: EpisodeCounter
    # Where the patient stands this morning.
    step: int = 0
    days_on_step: int = 0  # days with LDN on the current step so far (pause, hold: not counted)
    step_days: int = 0  # days the current step runs before the next step-up is due
    week: ReductionWeek | None = None  # set on T, over on T+8
    plateau: Dose | None = None  # the highest tolerated dose: titration has stopped
    plateau_set_by: Reduction | None = None  # the week that set it, named on its first day
    plateau_after_week: Dose | None = None  # where the week in progress ends, if it set one
    back_from: Reduction | None = None  # the week just over, until the first day with LDN
    after_no_ldn: Phase | None = None  # "pause" or "hold" when yesterday had no LDN
    failures: dict[float, int] = field(default_factory=dict)  # firings per deliverable dose
    # What the walk recorded.
    reductions: list[Reduction] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    step_ups: list[tuple[date, float]] = field(default_factory=list)  # deliverable dose rose
    # The last reason that reads the same every day (target_reason, plateau_day): its dose,
    # template and message, made once for the whole stretch.
    said_daily: tuple[Dose, str, Message] | None = None

    @classmethod
    def at_start(cls, settings: PatientSettings, ladder: tuple[float, ...],
                 index: SideEffectIndex) -> TitrationState:
        """Day 0: the start dose for ``start_days`` days (§3), counting side effects from now."""
        rungs = []
        for nominal in ladder:
            dose, needs_liquid = deliverable_dose(nominal, settings.formulation)
            rungs.append(Dose(dose, nominal, needs_liquid))
        return cls(
            rungs=tuple(rungs),
            last_step=len(rungs) - 1,
            target_mg=ladder[-1],
            interval_days=settings.interval_days,
            tolerance_days=settings.tolerance_days,
            formulation=settings.formulation,
            liquid=settings.formulation == "liquid",
            concentration_mg_ml=settings.concentration_mg_ml,
            index=index,
            counter=EpisodeCounter(index, settings.start_date),
            step_days=settings.start_days,
        )

    def back_up(self) -> None:
        """T+8 (§4): the week is over, back to the dose of T; the titration clock restarts.

        After a second firing at the same dose it goes to the highest tolerated dose instead,
        and titration stops there.
        """
        week = self.week
        assert week is not None
        self.days_on_step = 0
        self.step_days = self.interval_days
        if week.reduction.plateau:
            self.plateau = self.plateau_after_week
            self.plateau_set_by = week.reduction
        self.back_from = week.reduction
        self.week = None

    def day_without_ldn(self, day: date, holds: list[Hold] | None,
                        pause: Pause | None) -> PlannedDay:
        """A chemotherapy pause or opioid hold day (§6): 0 mg, whatever else was planned.

        The titration clock stands still, and side effects count afresh from the next day.
        """
        self.counter.restart(day + _ONE)
        self.counter.feed(day)
        phase: Phase
        if holds:
            phase = "hold"
            names = ", ".join(dict.fromkeys(h.medication.name for h in holds))
            reason = Message(R_HOLD, {"name": names})
        else:
            assert pause is not None
            phase = "pause"
            reason = Message(R_PAUSE, {
                "first": pause.first, "last": pause.last, "restart": pause.restart})
        self.after_no_ldn = phase
        if self.week is not None:
            self._alert_if_persisting(day)
        volume = 0.0 if self.liquid and self.concentration_mg_ml else None
        return planned_day(day, 0.0, 0.0, phase, reason, False, volume, self.step)

    def day_with_ldn(self, day: date) -> PlannedDay:
        """A day with LDN: its dose from the state of the morning, then that day's diary."""
        in_week = self.week is not None
        if in_week:
            dose, phase, reason = self.reduction_day(day)
        elif self.plateau is not None:
            dose, phase, reason = self.plateau_day()
        else:
            dose, phase, reason = self.titration_day(day)
        if not in_week and (self.after_no_ldn is not None or self.back_from is not None):
            reason = self.first_day_back(dose.mg, phase, reason)
        self.after_no_ldn = None

        # Only now read today's diary: it shapes tomorrow, never today.
        self.side_effect_rule(day, dose.mg, in_week)

        if dose.needs_liquid:
            reason = Message(R_NEEDS_LIQUID, {"reason": reason})
        volume = volume_ml(dose.mg, self.concentration_mg_ml) if self.liquid else None
        # Once a day on the hot path: planned_day fills the frozen instance at once.
        return planned_day(day, dose.mg, dose.nominal_mg, phase, reason, dose.needs_liquid, volume,
                          self.step)

    def quiet_dose(self) -> tuple[Dose, Phase, Message] | None:
        """Today's dose, phase and reason if today is quiet, else ``None``.

        A quiet day is planned as the day before it was: no reduction week, not the first day
        back after a week, a pause or a hold, and the patient at the highest tolerated dose or
        at the target dose (after the day it was reached). Only the side-effect rule can end a
        stretch of them, or a day without LDN.
        """
        if self.week is not None or self.after_no_ldn is not None or self.back_from is not None:
            return None
        if self.plateau is not None:
            return self.plateau_day()
        step = self.step
        dose = self.rungs[step]
        if step == 0 or step < self.last_step or dose.nominal_mg < self.target_mg:
            return None
        return dose, "target", self.target_reason(dose)

    def quiet_days(self, quiet: tuple[Dose, Phase, Message], first: date, stop: date,
                   out: list[PlannedDay]) -> date:
        """Plan the quiet days from ``first`` until ``stop`` (a day without LDN, or the day
        after the plan) into ``out``; the next day to plan. ``quiet`` is what
        :meth:`quiet_dose` said of ``first``.

        Each day is what :meth:`day_with_ldn` makes of a quiet day, made without asking the
        rules again: the same dose and reason, and that day's side effects fed to the rule,
        which ends the stretch on the day it fires.
        """
        dose, phase, reason = quiet
        if dose.needs_liquid:
            reason = Message(R_NEEDS_LIQUID, {"reason": reason})
        volume = volume_ml(dose.mg, self.concentration_mg_ml) if self.liquid else None
        # The rule fires on a day with LDN only (a dose of 0 mg never fires it).
        fired = self.counter.feed_through(first, stop, self.tolerance_days if dose.mg > 0
                                          else math.inf)
        end = stop if fired is None else fired[0] + _ONE
        out.extend(planned_days_like(planned_day(
            first, dose.mg, dose.nominal_mg, phase, reason, dose.needs_liquid, volume, self.step),
            (end - first).days))
        if fired is not None:
            self.start_reduction_week(fired[0], dose.mg, fired[1])
        if self.plateau is None:  # on the target step its days are counted (titration_day)
            self.days_on_step += (end - first).days
        return end

    def titration_day(self, day: date) -> tuple[Dose, Phase, Message]:
        """The start dose or a titration step (§3), stepping up today if a step-up is due."""
        stepped = self.step < self.last_step and self.step_up_due(day)
        if stepped:
            self.step_up(day)
        self.days_on_step += 1
        step = self.step
        dose = self.rungs[step]
        if not stepped and step and dose.nominal_mg >= self.target_mg:
            return dose, "target", self.target_reason(dose)
        params: dict[str, object] = {
            "step": step, "dose_mg": dose.mg, "nominal_mg": dose.nominal_mg,
            "day": self.days_on_step, "days": self.step_days}
        waiting = self.days_on_step > self.step_days  # a step-up was due but deferred
        if step == 0:
            template = R_START_WAIT if waiting and step < self.last_step else R_START
            return dose, "start", Message(template, params)
        shows_nominal = dose.nominal_mg != dose.mg
        if dose.nominal_mg >= self.target_mg:
            if stepped:
                return dose, "target", Message(R_TARGET_REACHED, params)
            return dose, "target", Message(R_TARGET_NOMINAL if shows_nominal else R_TARGET, params)
        if waiting:
            return dose, "titration", Message(R_STEP_WAIT, params)
        return dose, "titration", Message(R_STEP_NOMINAL if shows_nominal else R_STEP, params)

    def target_reason(self, dose: Dose) -> Message:
        """The reason of a day at the target dose (after the day it was reached): the same
        sentence every day, so one message serves them all (most of a long plan's days)."""
        said = self.said_daily
        if said is not None and said[0] is dose and said[1] == R_TARGET_NOMINAL or \
                said is not None and said[0] is dose and said[1] == R_TARGET:
            return said[2]
        template = R_TARGET_NOMINAL if dose.nominal_mg != dose.mg else R_TARGET
        reason = Message(template, {
            "step": self.step, "dose_mg": dose.mg, "nominal_mg": dose.nominal_mg})
        self.said_daily = (dose, template, reason)
        return reason

    def step_up_due(self, day: date) -> bool:
        """Whether the next step begins today.

        It is due once the current step has run its days (§3). It waits while yesterday was a
        side-effect day (§4), and the first day back after a pause or hold is never a step-up
        day (§6).
        """
        return (self.step < self.last_step
                and self.days_on_step >= self.step_days
                and self.after_no_ldn is None
                and not self.index.is_side_effect_day(day - _ONE))

    def step_up(self, day: date) -> None:
        """The next step begins today; its clock runs ``interval_days``."""
        previous_mg = self.rungs[self.step].mg
        self.step += 1
        self.days_on_step = 0
        self.step_days = self.interval_days
        dose_mg = self.rungs[self.step].mg
        if dose_mg > previous_mg:
            self.step_ups.append((day, dose_mg))

    def reduction_day(self, day: date) -> tuple[Dose, Phase, Message]:
        """T+1 … T+7 (§4): half the dose of T, made deliverable."""
        week = self.week
        assert week is not None
        reduction = week.reduction
        return week.dose, "reduction", Message(R_REDUCTION, {
            "day": (day - reduction.trigger_day).days, "days": week.counted_days,
            "failed_mg": reduction.failed_mg})

    def plateau_day(self) -> tuple[Dose, Phase, Message]:
        """The highest tolerated dose (§4): titration has stopped for good."""
        dose = self.plateau
        assert dose is not None
        back_from = self.back_from
        if back_from is not None and self.plateau_set_by is back_from:
            return dose, "plateau", Message(R_PLATEAU_FIRST, {
                "dose_mg": dose.mg, "failed_mg": back_from.failed_mg})
        said = self.said_daily  # the same sentence every day: one message
        if said is not None and said[0] is dose and said[1] == R_PLATEAU:
            return dose, "plateau", said[2]
        reason = Message(R_PLATEAU, {"dose_mg": dose.mg})
        self.said_daily = (dose, R_PLATEAU, reason)
        return dose, "plateau", reason

    def first_day_back(self, dose_mg: float, phase: Phase, reason: Message) -> Message:
        """The reason on the first day with LDN after a pause or hold (§6) or a reduction week.

        LDN restarts at the dose it stopped at; after a reduction week it is back to the dose
        of T. In plateau the highest tolerated dose stays the reason.
        """
        if self.after_no_ldn is not None:
            template = R_RESTART_HOLD if self.after_no_ldn == "hold" else R_RESTART_PAUSE
            reason = Message(template, {"dose_mg": dose_mg})
        elif self.back_from is not None and phase != "plateau":
            reason = Message(R_BACK, {"dose_mg": dose_mg})
        self.back_from = None
        return reason

    def side_effect_rule(self, day: date, dose_mg: float, in_week: bool) -> None:
        """Today's side effects (§4): the rule fires when the counted episode grows too long.

        Never during a reduction week, never on a day without LDN; a side-effect day on T+7
        says the week did not help.
        """
        counted = self.counter.feed(day)
        if counted > self.tolerance_days and not in_week and dose_mg > 0:
            self.start_reduction_week(day, dose_mg, counted)
        elif self.week is not None:
            self._alert_if_persisting(day)

    def start_reduction_week(self, day: date, dose_mg: float, counted: int) -> None:
        """The rule fired on T = ``day``: T+1 … T+7 at half the dose, counting afresh on T+8.

        A second firing at the same deliverable dose sets the highest tolerated dose for T+8.
        """
        failed = clean_mg(dose_mg)
        self.failures[failed] = self.failures.get(failed, 0) + 1
        half = clean_mg(failed / 2)
        reduced_mg, reduced_liquid = deliverable_dose(half, self.formulation)
        reduced = Dose(reduced_mg, half, reduced_liquid)
        second_failure = self.failures[failed] >= 2
        if second_failure:
            self.plateau_after_week = self.highest_tolerated_below(failed, reduced)
            back_to = self.plateau_after_week.mg
        else:
            back_to = failed
        reduction = Reduction(
            trigger_day=day,
            start=day + _ONE,
            end=day + timedelta(days=REDUCTION_DAYS),
            failed_mg=failed,
            reduced_mg=reduced_mg,
            back_to_mg=back_to,
            plateau=second_failure,
        )
        back_up_on = reduction.end + _ONE
        self.week = ReductionWeek(reduction, reduced, counted, back_up_on)
        self.reductions.append(reduction)
        self.alerts.append(A.side_effect_reduction(reduction, counted))
        if second_failure:
            self.alerts.append(A.plateau(reduction))
        self.counter.restart(back_up_on)

    def highest_tolerated_below(self, failed_mg: float, reduced: Dose) -> Dose:
        """The highest deliverable dose of a step reached so far below ``failed_mg`` (§4).

        None: the reduced dose.
        """
        for dose in reversed(self.rungs[: self.step + 1]):
            if dose.mg < failed_mg:
                return dose
        return reduced

    def _alert_if_persisting(self, day: date) -> None:
        """A side-effect day on T+7 (§4): the alert ``persists_despite_reduction``."""
        week = self.week
        if (week is not None and day == week.reduction.end
                and self.index.is_side_effect_day(day)):
            self.alerts.append(A.persists_despite_reduction(week.reduction))
