"""SPEC §8's dated figures of the summary against the oracle's plain loops over the calendar
(``tests/oracles/pandas_figures.py``), on plans from the real engine over random diaries."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.oracles import pandas_figures as reference
from tests.unit.analysis.test_analysis_bulk import TODAY, random_patient
from tracker.analysis import build_summary, doses_frame, plan_frame, scores_frame
from tracker.clinical.horizons import within


def close(got: float | None, want: float | None, places: int = 3) -> bool:
    if want is None:
        return got is None
    return got is not None and abs(got - want) <= 0.5 * 10 ** -places + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_the_summary_agrees_with_the_oracle(seed: int) -> None:
    rnd = random.Random(100 + seed)
    for _ in range(10):
        plan, diary = random_patient(rnd)
        summary = build_summary(plan, diary, [], TODAY, {"id": 1})
        shown = within(plan, TODAY + timedelta(days=28))
        plan_df = plan_frame(shown, reasons=False)
        scores_df = scores_frame(diary.scores)
        start = shown.days[0].day if shown.days else None
        want = reference.symptom_windows(scores_df, start, TODAY)
        assert {s["symptom"] for s in summary["symptoms"]} == set(want)
        for s in summary["symptoms"]:
            w = want[s["symptom"]]
            assert close(s["baseline"], w["baseline"]), s
            assert s["baseline_from"] == (None if w["baseline_from"] is None
                                          else date.isoformat(w["baseline_from"]))
            assert close(s["last_28d"], w["last_28d"]) and close(s["rolling_mean"],
                                                                 w["rolling_mean"])
            assert s["responder"] == w["responder"], s
        steps = reference.step_windows(scores_df, plan_df,
                                       [r.start for r in shown.reductions], TODAY)
        assert [(st["date"], st["kind"]) for st in summary["dose_steps"]] == \
            [(day.isoformat(), kind) for day, kind, _around in steps]
        for st, (_day, _kind, around) in zip(summary["dose_steps"], steps, strict=True):
            for point in st["symptoms"]:
                before, before_days, after, after_days = around[point["symptom"]]
                assert (point["before_days"], point["after_days"]) == (before_days, after_days)
                assert close(point["before"], before) and close(point["after"], after)
        counts = reference.intake_counts(plan_df, doses_frame(diary.doses), TODAY)
        assert {k: v for k, v in summary["intake"].items() if k not in ("from", "to")} == counts
