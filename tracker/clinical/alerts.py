"""Alerts (SPEC §4, §6): what happened, what the guide says, what to do.

The engine raises the side-effect alerts while it plans (``side_effect_reduction``,
``persists_despite_reduction``, ``plateau``); :func:`derived_alerts` reads the finished plan and
the diary for the others. Dismissing an alert is the interface's business, not the engine's.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from itertools import chain
from operator import attrgetter

from tracker.clinical.events import Hold
from tracker.clinical.model import (
    Alert,
    Diary,
    PatientSettings,
    PlannedDay,
    Reduction,
    ScoreEntry,
)
from tracker.clinical.vocabulary import symptom_key
from tracker.i18n import N_, Message

SIDE_EFFECT_REDUCTION = "side_effect_reduction"
PERSISTS_DESPITE_REDUCTION = "persists_despite_reduction"
PLATEAU = "plateau"
OPIOID_CONTRAINDICATION = "opioid_contraindication"
TRANSPLANT_CAUTION = "transplant_caution"
INFORMATION_PENDING = "information_pending"
NEEDS_LIQUID = "needs_liquid"
MISSED_DOSES = "missed_doses"
DOSE_MAYBE_TOO_HIGH = "dose_maybe_too_high"
THYROID_BLOOD_TEST = "thyroid_blood_test"

ALERT_CODES: tuple[str, ...] = (
    SIDE_EFFECT_REDUCTION,
    PERSISTS_DESPITE_REDUCTION,
    PLATEAU,
    OPIOID_CONTRAINDICATION,
    TRANSPLANT_CAUTION,
    INFORMATION_PENDING,
    NEEDS_LIQUID,
    MISSED_DOSES,
    DOSE_MAYBE_TOO_HIGH,
    THYROID_BLOOD_TEST,
)

MISSED_IN_A_ROW = 3
TOO_HIGH_WINDOW_DAYS = 7
TOO_HIGH_RISE = 2.0

_ONE = timedelta(days=1)

# --- raised by the engine ------------------------------------------------------------------


def side_effect_reduction(reduction: Reduction, days: int) -> Alert:
    if reduction.plateau:
        template = N_(
            "Side effects have lasted {days} days. The guide says to halve the dose for a week: "
            "take {reduced_mg} from {start} to {end}, then stay at {back_mg}, the highest "
            "tolerated dose.")
    else:
        template = N_(
            "Side effects have lasted {days} days. The guide says to halve the dose for a week: "
            "take {reduced_mg} from {start} to {end}, then {back_mg} again.")
    return Alert(reduction.trigger_day, SIDE_EFFECT_REDUCTION, Message(template, {
        "days": days,
        "reduced_mg": reduction.reduced_mg,
        "start": reduction.start,
        "end": reduction.end,
        "back_mg": reduction.back_to_mg,
    }))


def persists_despite_reduction(reduction: Reduction) -> Alert:
    return Alert(reduction.end, PERSISTS_DESPITE_REDUCTION, Message(N_(
        "Side effects were still there on {day}, the last day of the halved dose. The guide "
        "allows one week at half dose: contact the clinic before going back to {back_mg} on "
        "{next_day}."), {
        "day": reduction.end,
        "back_mg": reduction.back_to_mg,
        "next_day": reduction.end + _ONE,
    }))


def plateau(reduction: Reduction) -> Alert:
    return Alert(reduction.trigger_day, PLATEAU, Message(N_(
        "Side effects came back at {failed_mg}, a dose that already needed a reduction. The guide "
        "says to stay at the highest tolerated dose: {plateau_mg} from {day}, with no further "
        "increases. Review the treatment with the clinician."), {
        "failed_mg": reduction.failed_mg,
        "plateau_mg": reduction.back_to_mg,
        "day": reduction.end + _ONE,
    }))


# --- read from the plan and the diary ------------------------------------------------------


def opioid_contraindication(hold: Hold, day: date) -> Alert:
    params: dict[str, object] = {"name": hold.medication.name, "start": day}
    if hold.last is None:
        template = N_(
            "{name} is an opioid. LDN blocks opioids, codeine and loperamide included, and must "
            "never be combined with them: no LDN from {start} until 7 days after the last dose "
            "of {name}. Tell the clinic the day it stops; LDN then restarts at the same dose.")
    else:
        template = N_(
            "{name} is an opioid. LDN blocks opioids, codeine and loperamide included, and must "
            "never be combined with them: no LDN from {start} to {end} (7 days after the last "
            "dose), then LDN restarts at the same dose.")
        params["end"] = hold.last
    return Alert(day, OPIOID_CONTRAINDICATION, Message(template, params))


def transplant_caution(day: date) -> Alert:
    return Alert(day, TRANSPLANT_CAUTION, Message(N_(
        "The patient has had an organ transplant. The guide advises against LDN after organ "
        "transplantation (this is still being studied): a clinician must review and acknowledge "
        "this before LDN is taken.")))


def information_pending(day: date, child: bool) -> Alert:
    if child:
        template = N_(
            "The family has not yet acknowledged the information about LDN. LDN is not approved "
            "for this use and off-label use carries a stricter duty to inform: go through what "
            "LDN is, its side effects, the 3-4 day rule and the opioid warning with the family, "
            "and record the day they acknowledged it.")
    else:
        template = N_(
            "The patient has not yet acknowledged the information about LDN. LDN is not approved "
            "for this use and off-label use carries a stricter duty to inform: show what LDN is, "
            "its side effects, the 3-4 day rule and the opioid warning, and record the day it "
            "was acknowledged.")
    return Alert(day, INFORMATION_PENDING, Message(template))


def needs_liquid_alerts(days: Sequence[PlannedDay]) -> list[Alert]:
    """One alert on the first day of each run of days whose dose no capsule delivers."""
    alerts = []
    previous = False
    for planned in days:
        if planned.needs_liquid and not previous:
            alerts.append(Alert(planned.day, NEEDS_LIQUID, Message(N_(
                "From {day} the plan is {dose_mg}, below the smallest capsule (0.75 mg). Ask the "
                "pharmacy for LDN as a liquid so this dose can be measured."), {
                "day": planned.day, "dose_mg": planned.dose_mg})))
        previous = planned.needs_liquid
    return alerts


def missed_dose_alerts(days: Sequence[PlannedDay], diary: Diary, today: date) -> list[Alert]:
    """Three planned doses in a row not logged as taken; days planned at 0 mg are skipped over.

    A past day without a dose entry counts as not taken; today counts only once logged as
    skipped (the evening is not over). One alert per run, dated its third day.
    """
    logged = {entry.day for entry in diary.doses}
    taken = {entry.day for entry in diary.doses if entry.taken}  # any entry of the day taken
    alerts = []
    missed, first = 0, today  # the run of missed doses so far, and its first day
    for planned in days:
        day = planned.day
        if day > today:
            break
        if planned.dose_mg <= 0:
            continue
        if day in taken or (day not in logged and day >= today):  # today: only once skipped
            missed = 0
            continue
        if not missed:
            first = day
        missed += 1
        if missed == MISSED_IN_A_ROW:
            alerts.append(Alert(day, MISSED_DOSES, Message(N_(
                "No dose was logged as taken from {first} to {last}: {count} planned doses in a "
                "row. LDN works when it is taken every day: take today's dose as planned and log "
                "it, and talk to the clinic if the doses are hard to keep up."), {
                "first": first, "last": day, "count": MISSED_IN_A_ROW})))
    return alerts


_SCORE_DAY = attrgetter("day")


def _in_windows(scores: Sequence[ScoreEntry],
                windows: list[tuple[date, date]]) -> Iterable[ScoreEntry]:
    """The scores on the days of ``windows`` (half-open ``[first, end)``, sorted, not
    overlapping), each once. A diary read from storage has its scores in day order: then each
    window is found by bisection, a few weeks out of years of scores; any other order is
    scanned whole. (Sorting days already in order is one pass in C, twice as fast as
    comparing each pair through ``map``.)"""
    days = list(map(_SCORE_DAY, scores))
    if days == sorted(days):
        return chain.from_iterable(scores[bisect_left(days, first):bisect_left(days, end)]
                                   for first, end in windows)
    return (s for s in scores if any(first <= s.day < end for first, end in windows))


def _merged(windows: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Half-open day windows, sorted and joined where they overlap or touch."""
    merged: list[tuple[date, date]] = []
    for first, end in sorted(windows):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((first, end))
    return merged


ScoresIn = Callable[[list[tuple[date, date]]], Iterable[ScoreEntry]]
"""The diary's scores on the days of some windows (half-open ``[first, end)``, sorted, not
overlapping), in day order: the only scores the rules read (:func:`dose_too_high_alerts`)."""


def scores_in_diary(diary: Diary) -> ScoresIn:
    """The scores of ``diary`` in the windows asked for (see :func:`_in_windows`)."""
    return lambda windows: _in_windows(diary.scores, windows)


def _daily_means(scores: Iterable[ScoreEntry]) -> dict[str, dict[date, float]]:
    """Each day's mean fatigue, pain and low mood of ``scores``."""
    sums: dict[str, dict[date, list[float]]] = {}
    keys: dict[str, str | None] = {}  # the few distinct names, folded once each
    for score in scores:
        symptom = score.symptom
        if symptom in keys:
            key = keys[symptom]
        else:
            folded = symptom_key(symptom)
            key = keys[symptom] = folded if folded in ("fatigue", "pain", "low_mood") else None
        if key is not None:
            sums.setdefault(key, {}).setdefault(score.day, []).append(float(score.value))
    return {k: {d: sum(v) / len(v) for d, v in per_day.items()} for k, per_day in sums.items()}


def _mean(values: dict[date, float], days: Iterable[date]) -> float | None:
    found = [values[day] for day in days if day in values]
    return sum(found) / len(found) if found else None


def dose_too_high_alerts(days: Sequence[PlannedDay], diary: Diary, until: date,
                         scores_in: ScoresIn | None = None) -> list[Alert]:
    """SPEC §6: after a dose increase, mean fatigue up ≥ 2 with pain or low mood up ≥ 2.

    An increase is a day planned above the previous day's non-zero dose (a titration step or a
    return from a reduction). The 7 days from the increase are compared with the 7 days before
    it; each symptom needs a score in both windows. The alert is dated the first day the
    condition holds on the scores so far (at the latest the 7th day).

    Only the scores around the increases are read, through ``scores_in`` (default: from
    ``diary.scores``): a few weeks out of years of scores, so a caller that needs no other
    score can leave the rest unread.
    """
    mgs = [planned.dose_mg for planned in days]
    increases = [i for i in range(1, len(mgs)) if 0 < mgs[i - 1] < mgs[i]]
    if not increases:
        return []
    window = timedelta(days=TOO_HIGH_WINDOW_DAYS)
    windows = _merged((days[i].day - window, days[i].day + window) for i in increases)
    means = _daily_means((scores_in or scores_in_diary(diary))(windows))
    if not means.get("fatigue"):
        return []
    alerts = []
    for i in increases:
        before_day, planned = days[i - 1], days[i]
        d = planned.day
        before = [d - timedelta(days=n) for n in range(TOO_HIGH_WINDOW_DAYS, 0, -1)]
        base = {k: _mean(v, before) for k, v in means.items()}
        if base.get("fatigue") is None:
            continue
        last = min(d + timedelta(days=TOO_HIGH_WINDOW_DAYS - 1), until)
        since: dict[str, list[float]] = {key: [] for key in means}  # the scores from d on
        day = d
        while day <= last:
            rises: dict[str, float] = {}
            for key, values in means.items():
                found = since[key]
                if day in values:
                    found.append(values[day])
                then = base.get(key)
                if found and then is not None:
                    rises[key] = sum(found) / len(found) - then
            other = next((k for k in ("pain", "low_mood")
                          if rises.get(k, 0.0) >= TOO_HIGH_RISE), None)
            if rises.get("fatigue", 0.0) >= TOO_HIGH_RISE and other is not None:
                label = Message(N_("pain")) if other == "pain" else Message(N_("low mood"))
                alerts.append(Alert(day, DOSE_MAYBE_TOO_HIGH, Message(N_(
                    "Since the dose rose to {dose_mg} on {start}, mean fatigue has risen by "
                    "{fatigue} points and {other} by {rise} points (0-10). The guide says a dose "
                    "that is too high shows as more fatigue, low mood and pain: consider going "
                    "back to {previous_mg} and discuss it with the clinician."), {
                    "dose_mg": planned.dose_mg,
                    "start": d,
                    "fatigue": round(rises["fatigue"], 1),
                    "other": label,
                    "rise": round(rises[other], 1),
                    "previous_mg": before_day.dose_mg,
                })))
                break
            day += _ONE
    return alerts


def thyroid_alerts(
    settings: PatientSettings, step_ups: Iterable[tuple[date, float]], until: date
) -> list[Alert]:
    """``thyroid_blood_test`` reminders: an interval after the start and after each increase."""
    if settings.protocol != "autoimmune_thyroid" or settings.thyroid_interval_days <= 0:
        return []
    interval = timedelta(days=settings.thyroid_interval_days)
    alerts = []
    seen: set[date] = set()
    due = settings.start_date + interval
    if due <= until:
        seen.add(due)
        alerts.append(Alert(due, THYROID_BLOOD_TEST, Message(N_(
            "Thyroid blood test due: {days} days since LDN started on {start}. The guide asks for "
            "follow-up blood tests so the thyroid medication can be adjusted; book the test and "
            "tell the doctor who treats the thyroid."), {
            "days": settings.thyroid_interval_days, "start": settings.start_date})))
    for day, dose in step_ups:
        due = day + interval
        if due > until or due in seen:
            continue
        seen.add(due)
        alerts.append(Alert(due, THYROID_BLOOD_TEST, Message(N_(
            "Thyroid blood test due: {days} days since the dose rose to {dose_mg} on {start}. "
            "The guide asks for follow-up blood tests so the thyroid medication can be adjusted; "
            "book the test and tell the doctor who treats the thyroid."), {
            "days": settings.thyroid_interval_days, "dose_mg": dose, "start": day})))
    return alerts
