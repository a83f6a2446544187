"""SPEC §3 and §5: the titration ladder of every protocol, without events or side effects."""

from __future__ import annotations

from datetime import date

import pytest
from _clinical_helpers import D0, d, plan, settings, step_up_days

from tracker.clinical import (
    CANCER_CAP_MG,
    Diary,
    PatientSettings,
    compute_plan,
    deliverable_dose,
)
from tracker.clinical.protocols import PROTOCOLS, pediatric_target_mg, round_to

ADULT = [name for name in PROTOCOLS if name != "pediatric"]


def test_spec_example_autoimmune_capsules() -> None:
    p = plan(settings("autoimmune"), until=250)
    jan = {day.day: day for day in p.days}
    for n in range(14):  # Jan 1–14
        assert jan[d(n)].dose_mg == 0.75 and jan[d(n)].phase == "start"
    assert (jan[date(2026, 1, 15)].nominal_mg, jan[date(2026, 1, 15)].dose_mg) == (1.25, 1.0)
    assert jan[date(2026, 1, 15)].phase == "titration"
    assert jan[date(2026, 2, 4)].dose_mg == 1.0
    assert (jan[date(2026, 2, 5)].nominal_mg, jan[date(2026, 2, 5)].dose_mg) == (1.75, 1.5)
    assert (jan[date(2026, 2, 26)].nominal_mg, jan[date(2026, 2, 26)].dose_mg) == (2.25, 2.0)
    # … until nominal 4.5 → 4.5, then maintenance at target.
    first_target = next(day for day in p.days if day.nominal_mg == 4.5)
    assert first_target.dose_mg == 4.5 and first_target.phase == "target"
    # (4.5 − 0.75) / 0.5 = 7.5: step 8 is the first to reach the target.
    assert first_target.day == d(14 + (8 - 1) * 21)
    assert all(day.dose_mg == 4.5 and day.phase == "target"
               for day in p.days if day.day >= first_target.day)


def test_spec_example_reasons_explain_the_capsule_rounding() -> None:
    p = plan(settings("autoimmune"), until=40)
    assert p.on(date(2026, 1, 3)).reason.render("en") == "Start dose, day 3 of 14"
    text = p.on(date(2026, 2, 5)).reason.render("en")
    assert text.startswith("Titration step 2: 1.5 mg (nominal 1.75 mg)")


@pytest.mark.parametrize("protocol", ADULT)
@pytest.mark.parametrize("step_mg", [0.5, 1.0])
@pytest.mark.parametrize("formulation", ["capsule", "liquid"])
def test_every_protocol_row_follows_the_formula(protocol: str, step_mg: float,
                                                 formulation: str) -> None:
    extra = {"concentration_mg_ml": 1.0} if formulation == "liquid" else {}
    if protocol == "cancer":
        s = settings(protocol, formulation=formulation, **extra)
    else:
        s = settings(protocol, step_mg=step_mg, formulation=formulation, **extra)
    row = PROTOCOLS[protocol]
    assert (s.start_mg, s.start_days, s.interval_days, s.target_mg) == (
        row.start_mg, row.start_days, row.interval_days, row.target_mg)
    p = plan(s, until=400)
    for i, day in enumerate(p.days):
        k = 0 if i < s.start_days else 1 + (i - s.start_days) // s.interval_days
        nominal = min(round_to(s.start_mg + k * s.step_mg, "0.000001"), s.target_mg)
        assert day.nominal_mg == pytest.approx(nominal, abs=1e-9), (protocol, i)
        assert (day.dose_mg, day.needs_liquid) == deliverable_dose(nominal, formulation)
        expected_phase = ("start" if k == 0 else
                          "target" if nominal == s.target_mg else "titration")
        assert day.phase == expected_phase
        assert day.dose_mg <= s.max_mg
        if formulation == "liquid":
            assert day.volume_ml == round_to(day.dose_mg / 1.0, "0.1")
        else:
            assert day.volume_ml is None


def test_cancer_protocol_reaches_target_in_two_weeks() -> None:
    p = plan(settings("cancer"), until=30)
    assert [p.days[n].dose_mg for n in (0, 6, 7, 13, 14, 30)] == [1.5, 1.5, 3, 3, 4.5, 4.5]


def test_cancer_hard_cap_even_for_hand_built_settings() -> None:
    s = PatientSettings(start_date=D0, protocol="cancer", start_mg=1.5, start_days=7,
                        step_mg=1.5, interval_days=7, target_mg=9, max_mg=12)
    p = compute_plan(s, Diary(), d(100))
    assert max(day.dose_mg for day in p.days) == CANCER_CAP_MG
    assert max(day.nominal_mg for day in p.days) == CANCER_CAP_MG
    assert p.days[-1].phase == "target"


def test_never_above_max_even_if_target_is_higher() -> None:
    s = PatientSettings(start_date=D0, protocol="autoimmune", start_mg=0.75, start_days=14,
                        step_mg=1, interval_days=7, target_mg=9, max_mg=3)
    p = compute_plan(s, Diary(), d(200))
    assert max(day.nominal_mg for day in p.days) == 3
    assert p.days[-1].phase == "target"


def test_start_equal_to_target_goes_to_target_after_start_days() -> None:
    s = settings("autoimmune", start_mg=4.5)
    p = plan(s, until=30)
    assert {day.phase for day in p.days[:14]} == {"start"}
    assert {day.phase for day in p.days[14:]} == {"target"}
    assert {day.dose_mg for day in p.days} == {4.5}


def test_empty_before_start() -> None:
    p = compute_plan(settings(), Diary(), date(2025, 12, 31))
    assert p.days == () and p.alerts == () and p.on(D0) is None


def test_one_day_per_calendar_day() -> None:
    p = plan(settings(), until=59)
    assert len(p.days) == 60
    assert [day.day for day in p.days] == [d(n) for n in range(60)]


# --- children (SPEC §5) ---------------------------------------------------------------------


def test_pediatric_20_kg_child() -> None:
    s = settings("pediatric", weight_kg=20, formulation="liquid", concentration_mg_ml=1.0)
    assert s.target_mg == 2.0
    p = plan(s, until=60)
    # nominal on day 7·w is 0.1 + (2 − 0.1)·w/4 rounded (half up) to 0.05:
    # 0.1, 0.575 → 0.6, 1.05, 1.525 → 1.55, 2.0
    expected = [0.1, 0.6, 1.05, 1.55, 2.0]
    for n, day in enumerate(p.days):
        w = min(n // 7, 4)
        assert day.nominal_mg == expected[w]
        assert day.dose_mg == expected[w]
        assert day.phase == ("start" if w == 0 else "target" if w == 4 else "titration")
    assert [p.days[7 * w].volume_ml for w in range(5)] == [0.1, 0.6, 1.1, 1.6, 2.0]


@pytest.mark.parametrize("weight", [5, 8.5, 13, 20, 27.3, 39.9])
def test_pediatric_formula_for_any_weight(weight: float) -> None:
    s = settings("pediatric", weight_kg=weight)
    target = pediatric_target_mg(weight)
    p = plan(s, until=50)
    for w in range(5):
        expected = round_to(0.1 + (target - 0.1) * w / 4, "0.05")
        day = p.days[7 * w]
        assert day.nominal_mg == pytest.approx(expected, abs=1e-9)
        assert (day.dose_mg, day.needs_liquid) == deliverable_dose(expected, "capsule")
    assert max(day.nominal_mg for day in p.days) == target
    assert step_up_days(p) == [7, 14, 21, 28][: len(step_up_days(p))]


def test_the_engine_s_planned_days_equal_the_dataclass_s() -> None:
    """``planned_day`` (the day loop's fast constructor) makes exactly a ``PlannedDay``: the same
    fields, equality and repr, so a field added to the dataclass cannot be left out."""
    from dataclasses import fields

    from tracker.clinical.model import PlannedDay, planned_day
    from tracker.i18n import Message

    values = (D0, 1.5, 1.75, "titration", Message("x", {"a": 1}), True, 1.5, 3)
    fast, slow = planned_day(*values), PlannedDay(*values)  # type: ignore[arg-type]
    assert fast == slow and repr(fast) == repr(slow) and type(fast) is PlannedDay
    assert vars(fast) == vars(slow)
    assert [f.name for f in fields(PlannedDay)] == list(vars(fast))


def test_the_fast_constructors_make_the_dataclasses_own_values() -> None:
    """The diary read's and the episodes' fast constructors make exactly the model's values
    (fields, equality, repr, hash), so a field added to one of them cannot be left out."""
    from dataclasses import fields

    from tracker.clinical.model import (
        DoseEntry,
        EffectEntry,
        Episode,
        ScoreEntry,
        dose_entry,
        effect_entry,
        episode,
        score_entry,
    )

    for make, cls, values in ((episode, Episode, (D0, D0, 1, 2, ("nausea",), True, D0)),
                              (dose_entry, DoseEntry, (D0, True, 1.5)),
                              (dose_entry, DoseEntry, (D0, False, None)),
                              (effect_entry, EffectEntry, (D0, "headache", 2)),
                              (score_entry, ScoreEntry, (D0, "pain", 7))):
        fast, slow = make(*values), cls(*values)  # type: ignore[operator]
        assert fast == slow and repr(fast) == repr(slow) and hash(fast) == hash(slow)
        assert type(fast) is cls and vars(fast) == vars(slow)
        assert [f.name for f in fields(cls)] == list(vars(fast))
