"""The whole clinic's trend figures at once (``export --all``) are each patient's own summary,
number for number: plans from the real engine over varied random diaries, and the corners.
(Where the treatment stands, the export takes from the same function as the summary:
tracker/clinical/progress.py; tests/integration/test_summary_agreement.py compares the two.)"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tracker.analysis import build_summary
from tracker.analysis.bulk import summaries
from tracker.analysis.bulk_arrays import CohortFrames
from tracker.analysis.windows import dose_steps
from tracker.clinical import compute_plan
from tracker.clinical.horizons import within
from tracker.clinical.model import ChemoSession, Diary, DoseEntry, EffectEntry, Plan, ScoreEntry
from tracker.clinical.protocols import build_settings

TODAY = date(2026, 6, 1)
FIGURES = ("symptoms", "dose_response", "dose_steps", "intake")
SYMPTOMS = ("pain", "fatigue", "low_mood", "Åndenød", "=x")


def random_patient(rnd: random.Random) -> tuple[Plan, Diary]:
    start = TODAY - timedelta(days=rnd.choice([-40, -3, 0, 1, 2, 20, 90, 200, 400]))
    protocol = rnd.choice(["autoimmune", "chronic_pain", "cancer", "cfs_me", "fertility"])
    settings = build_settings(protocol, start)
    first = start - timedelta(days=rnd.choice([0, 0, 10]))  # scores before the start: 0 mg
    last = TODAY + timedelta(days=rnd.choice([0, -1, -30, 5]))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    keep = rnd.random()
    doses = tuple(DoseEntry(d, taken, rnd.choice([None, 0.75, 1.5, 2.25]) if taken else None)
                  for d in days if rnd.random() < keep
                  for taken in [rnd.random() < 0.85])
    effects = tuple(EffectEntry(d, rnd.choice(["headache", "nausea"]), rnd.randint(1, 3))
                    for d in days if rnd.random() < 0.15)
    scores = []
    for d in days:
        for symptom in SYMPTOMS[:rnd.randint(0, len(SYMPTOMS))]:
            if rnd.random() < 0.7:
                scores.append(ScoreEntry(d, symptom, rnd.randint(0, 10)))
                if rnd.random() < 0.05:  # two scores on one day: their mean counts
                    scores.append(ScoreEntry(d, symptom, rnd.randint(0, 10)))
    chemo = (ChemoSession(start + timedelta(days=30), start + timedelta(days=32)),) \
        if protocol == "cancer" else ()
    diary = Diary(doses=doses, effects=effects, scores=tuple(scores), chemo=chemo)
    return compute_plan(settings, diary, TODAY + timedelta(days=28), TODAY), diary


def cohort(patients: list[tuple[Plan, Diary]]) -> CohortFrames:
    plan_rows = [(i, d.day.toordinal(), d.dose_mg, d.nominal_mg, d.phase)
                 for i, (plan, _diary) in enumerate(patients) for d in plan.days]
    dose_rows = sorted((i, e.day.toordinal(), e.taken, np.nan if e.mg is None else e.mg)
                       for i, (_plan, diary) in enumerate(patients) for e in diary.doses)
    score_rows = [(i, s.day.toordinal(), s.symptom, s.value)
                  for i, (_plan, diary) in enumerate(patients) for s in diary.scores]
    random.Random(1).shuffle(score_rows)  # any order
    return CohortFrames(
        patients=len(patients),
        plan=pd.DataFrame(plan_rows, columns=["patient", "day", "dose_mg", "nominal_mg", "phase"]),
        doses=pd.DataFrame(dose_rows, columns=["patient", "day", "taken", "mg"]),
        scores=pd.DataFrame(score_rows, columns=["patient", "day", "symptom", "value"]),
        today=TODAY,
        steps=[dose_steps(within(plan, TODAY + timedelta(days=28)), TODAY)
               for plan, _diary in patients],
    )


def expected(plan: Plan, diary: Diary) -> dict[str, Any]:
    summary = build_summary(plan, diary, [], TODAY, {"id": 1})
    return {key: summary[key] for key in FIGURES}


@pytest.mark.parametrize("seed", range(4))
def test_every_patients_figures_are_their_own_summarys(seed: int) -> None:
    rnd = random.Random(seed)
    patients = [random_patient(rnd) for _ in range(12)]
    figures = summaries(cohort(patients))
    assert len(figures) == len(patients)
    for (plan, diary), got in zip(patients, figures, strict=True):
        assert got == expected(plan, diary)
    assert any(f["symptoms"] for f in figures) and any(f["dose_response"] for f in figures)
    kinds = {step["kind"] for f in figures for step in f["dose_steps"]}
    assert kinds == {"step_up", "reduction"}, kinds


def test_patients_without_plan_doses_or_scores() -> None:
    later = build_settings("autoimmune", TODAY + timedelta(days=60))  # starts after the plan ends
    nothing = (compute_plan(later, Diary(), TODAY + timedelta(days=28), TODAY), Diary())
    one_day = (compute_plan(build_settings("autoimmune", TODAY), Diary(), TODAY, TODAY),
               Diary(scores=(ScoreEntry(TODAY, "pain", 4),)))  # one score day: no slope
    patients = [nothing, one_day, nothing]
    figures = summaries(cohort(patients))
    assert figures == [expected(*p) for p in patients]
    assert figures[1]["symptoms"][0]["slope_per_week"] is None
    assert figures[0] == {"symptoms": [], "dose_response": [], "dose_steps": [],
                          "intake": {"from": None, "to": None, "planned_days": 0,
                                     "taken_planned": 0, "taken_other": 0, "skipped": 0,
                                     "not_logged": 0, "taken_unplanned": 0}}
