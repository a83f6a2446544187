"""A demo patient ten weeks into an autoimmune titration, so a newcomer sees every feature.

The diary is realistic rather than perfect: doses mostly taken (one skipped, one day forgotten),
symptom scores slowly improving, a few mild vivid dreams at the start, and one five-day episode
of vivid dreams and insomnia after the second step-up that made the rules engine halve the dose
for a week, now behind them. A side effect of the patient's own ("Dry mouth"), a target symptom
of their own and a few notes complete it. Deterministic: the same ``today`` gives the same data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from tracker.clinical import compute_plan
from tracker.clinical.model import Diary, EffectEntry
from tracker.services.clinic import CheckIn, Clinic

DEMO_NAME = "Anna (demo)"
DAYS = 70
EPISODE = range(36, 41)  # five side-effect days after the step-up on day 35: the rule fires
EARLY_DREAMS = range(1, 4)  # three mild days at the start: under the 4-day tolerance
OWN_EFFECT_DAYS = (25, 57)
SKIPPED = (30,)
FORGOTTEN = (52,)
NOTES = {
    0: "First capsule tonight. A bit nervous.",
    37: "Very vivid dreams again, woke up at 3.",
    48: "Back on the full dose, the dreams are gone.",
    66: "Walked to the shop and back without a rest!",
}
OWN_SYMPTOM = "Tingling in the hands"


def _effects(day: int) -> dict[str, int]:
    if day in EPISODE:
        return {"vivid_dreams": 2 if day < 39 else 1, "insomnia": 2}
    if day in EARLY_DREAMS:
        return {"vivid_dreams": 1}
    if day in OWN_EFFECT_DAYS:
        return {"Dry mouth": 1}
    return {}


def _scores(day: int, rng: random.Random) -> dict[str, int]:
    progress = day / DAYS

    def score(start: float, end: float) -> int:
        return max(0, min(10, round(start + (end - start) * progress + rng.choice((-1, 0, 0, 1)))))

    sleep = score(4, 2) + (3 if day in EPISODE else 0)
    return {"pain": score(6, 3), "fatigue": score(7, 4), "low_mood": score(5, 2),
            "sleep_problems": min(10, sleep), OWN_SYMPTOM: score(5, 3)}


def build_demo(clinic: Clinic, today: date) -> int:
    """Create the demo patient and diary; returns the patient's id."""
    start = today - timedelta(days=DAYS)
    pid = clinic.add_patient(name=DEMO_NAME, condition="ms", start=start, informed_on=start,
                             medications=["Vitamin D"])
    settings, _diary = clinic.inputs(pid)
    effects = tuple(EffectEntry(start + timedelta(days=d), name, severity)
                    for d in range(DAYS) for name, severity in _effects(d).items())
    clear = frozenset(start + timedelta(days=d) for d in range(DAYS)
                      if not _effects(d) and d not in FORGOTTEN)
    plan = compute_plan(settings, Diary(effects=effects, clear_days=clear), today, today=today)
    rng = random.Random(20_260_101)
    for d in range(DAYS):
        if d in FORGOTTEN:
            continue
        day = start + timedelta(days=d)
        planned = plan.on(day)
        taken = d not in SKIPPED and planned is not None and planned.dose_mg > 0
        effects_today = _effects(d)
        clinic.check_in(pid, CheckIn(
            day=day, taken=taken, mg=planned.dose_mg if taken and planned else None,
            time=f"21:{rng.randrange(0, 50):02d}" if taken else None,
            effects=effects_today, no_side_effects=not effects_today,
            scores=_scores(d, rng), note=NOTES.get(d)))
    return pid
