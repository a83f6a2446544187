"""Properties of the plan over random settings and diaries (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from _clinical_helpers import D0
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.clinical import (
    CANCER_CAP_MG,
    CAPSULE_STRENGTHS_MG,
    PHASES,
    ChemoSession,
    Diary,
    DoseEntry,
    EffectEntry,
    Medication,
    PatientSettings,
    ScoreEntry,
    compute_plan,
)
from tracker.clinical.engine import walk
from tracker.clinical.episodes import SideEffectIndex
from tracker.clinical.events import chemo_pauses, hold_days, opioid_holds, pause_days
from tracker.clinical.protocols import PROTOCOLS, build_settings

HORIZON = 160
EXAMPLES = settings(max_examples=150, deadline=None)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@st.composite
def patient(draw: st.DrawFn) -> PatientSettings:
    protocol = draw(st.sampled_from(sorted(PROTOCOLS)))
    liquid = draw(st.booleans())
    kwargs: dict[str, object] = {
        "formulation": "liquid" if liquid else "capsule",
        "tolerance_days": draw(st.sampled_from([3, 4])),
        "start_days": draw(st.integers(1, 21)),
        "interval_days": draw(st.integers(1, 28)),
        "transplant": draw(st.booleans()),
        "informed_on": draw(st.sampled_from([None, D0])),
    }
    if liquid:
        kwargs["concentration_mg_ml"] = draw(st.sampled_from([0.5, 1.0, 2.0, 4.5]))
    if protocol == "pediatric":
        kwargs["weight_kg"] = draw(st.floats(2, 39.9).map(lambda w: round(w, 1)))
    else:
        if protocol != "cancer":
            kwargs["step_mg"] = draw(st.sampled_from([0.5, 1.0]))
        if draw(st.booleans()):
            top = 6.0 if protocol == "cancer" else 12.0
            target = draw(st.sampled_from([x for x in (1.0, 2.0, 3.0, 4.5, 6.0, 9.0, 12.0)
                                           if x <= top and x >= PROTOCOLS[protocol].start_mg]))
            kwargs["target_mg"] = target
    s = build_settings(protocol, D0, **kwargs)  # type: ignore[arg-type]
    if draw(st.booleans()):
        from dataclasses import replace

        s = replace(s, min_severity=draw(st.integers(1, 3)))
    return s


OPIOIDS = ["Tramadol", "Kodimagnyl", "Morfin 10 mg", "Imodium"]
OTHERS = ["Panodil", "Levothyroxin", "Ibuprofen"]


@st.composite
def diary(draw: st.DrawFn) -> Diary:
    n = st.integers(-5, HORIZON)
    # Side effects come in runs, so that episodes long enough to fire are common.
    effects: list[EffectEntry] = []
    for _ in range(draw(st.integers(0, 8))):
        first = draw(n)
        for k in range(draw(st.integers(1, 12))):
            if draw(st.integers(0, 9)) == 0:
                continue  # a forgotten day now and then
            effects.append(EffectEntry(day(first + k), draw(st.sampled_from(
                ["headache", "nausea", "vivid dreams"])), draw(st.integers(0, 4))))
    clear = frozenset(day(x) for x in draw(st.lists(n, max_size=15)))
    chemo = tuple(
        ChemoSession(day(c), day(c + draw(st.integers(0, 3))))
        for c in draw(st.lists(n, max_size=3)))
    meds = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.none() | n)
        end = draw(st.none() | n)
        if start is not None and end is not None and end < start:
            start, end = end, start
        meds.append(Medication(draw(st.sampled_from(OPIOIDS + OTHERS)), None if start is None
                               else day(start), None if end is None else day(end)))
    doses = tuple(DoseEntry(day(x), draw(st.booleans()), 1.0)
                  for x in sorted(set(draw(st.lists(n, max_size=40)))))
    scores = tuple(ScoreEntry(day(x), draw(st.sampled_from(["fatigue", "pain", "low_mood"])),
                              draw(st.integers(0, 10)))
                   for x in draw(st.lists(n, max_size=60)))
    return Diary(doses=doses, effects=tuple(effects), clear_days=clear, scores=scores,
                 medications=tuple(meds), chemo=chemo)


@EXAMPLES
@given(patient(), diary(), st.integers(-3, HORIZON))
def test_plan_invariants(s: PatientSettings, dia: Diary, until_n: int) -> None:
    until = day(until_n)
    p = compute_plan(s, dia, until)
    if until < s.start_date:
        assert p.days == ()
        return
    assert [x.day for x in p.days] == [day(i) for i in range(until_n + 1)]
    cap = min(s.max_mg, CANCER_CAP_MG) if s.protocol == "cancer" else s.max_mg
    for x in p.days:
        assert x.phase in PHASES
        assert 0 <= x.dose_mg <= cap + 1e-9 and 0 <= x.nominal_mg <= cap + 1e-9
        assert x.dose_mg <= x.nominal_mg + 1e-9
        assert (x.dose_mg == 0) == (x.phase in ("pause", "hold"))
        if x.phase in ("pause", "hold"):
            assert x.nominal_mg == 0 and not x.needs_liquid
        if s.formulation == "capsule":
            assert x.volume_ml is None
            assert x.dose_mg == 0 or x.dose_mg in CAPSULE_STRENGTHS_MG or (
                x.needs_liquid and x.dose_mg < min(CAPSULE_STRENGTHS_MG))
        else:
            assert not x.needs_liquid and x.dose_mg == x.nominal_mg
            assert x.volume_ml is not None


@EXAMPLES
@given(patient(), diary())
def test_reductions_follow_long_episodes_and_never_overlap(s: PatientSettings,
                                                           dia: Diary) -> None:
    p = compute_plan(s, dia, day(HORIZON))
    for a, b in zip(p.reductions, p.reductions[1:], strict=False):
        assert b.trigger_day > a.end
    for r in p.reductions:
        assert (r.start - r.trigger_day).days == 1 and (r.end - r.trigger_day).days == 7
        assert any(e.start <= r.trigger_day <= e.end and e.duration > s.tolerance_days
                   and e.fired for e in p.episodes)
        on_t = p.on(r.trigger_day)
        assert on_t is not None and on_t.dose_mg == r.failed_mg > 0
        assert r.reduced_mg < r.failed_mg
        for n in range(1, 8):
            planned = p.on(r.trigger_day + timedelta(days=n))
            if planned is not None:
                assert planned.phase in ("reduction", "pause", "hold")
                if planned.phase == "reduction":
                    assert planned.dose_mg == r.reduced_mg
        assert r.back_to_mg <= r.failed_mg
    codes = [a.code for a in p.alerts]
    assert codes.count("side_effect_reduction") == len(p.reductions)
    assert codes.count("plateau") == sum(r.plateau for r in p.reductions)


@settings(max_examples=400, deadline=None)
@given(patient(), diary(), st.integers(-3, HORIZON))
def test_quiet_stretches_planned_at_once_are_the_days_walked_one_by_one(
        s: PatientSettings, dia: Diary, until_n: int) -> None:
    """The engine plans a stretch of quiet days at once; walking every day through the rules
    must give the same days, reductions, alerts and state."""
    until = day(until_n)
    index = SideEffectIndex(dia, s.min_severity)
    pauses = pause_days(chemo_pauses(dia), s.start_date, until)
    holds = hold_days(opioid_holds(dia, s.start_date), s.start_date, until)
    fast, fast_days = walk(s, index, holds, pauses, until)
    slow, slow_days = walk(s, index, holds, pauses, until, fast_forward=False)
    assert fast_days == slow_days
    assert [x.day for x in fast_days] == [day(i) for i in range(max(until_n + 1, 0))]
    assert fast.reductions == slow.reductions and fast.alerts == slow.alerts
    assert fast.step_ups == slow.step_ups
    assert (fast.step, fast.days_on_step, fast.plateau, fast.week) == (
        slow.step, slow.days_on_step, slow.plateau, slow.week)


@EXAMPLES
@given(patient(), diary(), st.integers(0, HORIZON))
def test_scores_read_only_in_the_windows_asked_for_give_the_same_plan(
        s: PatientSettings, dia: Diary, until_n: int) -> None:
    """A caller that reads the scores only in the windows the rules ask for (the status
    refresh) gets the plan of the whole diary; nothing outside them is asked for."""
    asked: list[tuple[date, date]] = []

    def scores_in(windows: list[tuple[date, date]]) -> list[ScoreEntry]:
        asked.extend(windows)
        return sorted((x for x in dia.scores if any(a <= x.day < b for a, b in windows)),
                      key=lambda x: (x.day, x.symptom))

    until = day(until_n)
    whole = compute_plan(s, dia, until)
    bare = Diary(doses=dia.doses, effects=dia.effects, clear_days=dia.clear_days,
                 medications=dia.medications, chemo=dia.chemo)
    assert compute_plan(s, bare, until, scores_in=scores_in) == whole
    ups = [b.day for a, b in zip(whole.days, whole.days[1:], strict=False)
           if 0 < a.dose_mg < b.dose_mg]
    for first, end in asked:  # every day asked for is within a week of an increase
        for n in range((end - first).days):
            asked_day = first + timedelta(days=n)
            assert any(abs((asked_day - up).days) <= 7 for up in ups)


@EXAMPLES
@given(patient(), diary(), st.randoms(use_true_random=False))
def test_deterministic_and_order_independent(s: PatientSettings, dia: Diary,
                                             rnd: random.Random) -> None:
    first = compute_plan(s, dia, day(HORIZON))
    assert compute_plan(s, dia, day(HORIZON)) == first

    def shuffled(items: tuple) -> tuple:  # type: ignore[type-arg]
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    mixed = Diary(doses=shuffled(dia.doses), effects=shuffled(dia.effects),
                  clear_days=dia.clear_days, scores=shuffled(dia.scores),
                  medications=dia.medications, chemo=shuffled(dia.chemo))
    again = compute_plan(s, mixed, day(HORIZON))
    assert again.days == first.days and again.reductions == first.reductions
    assert again.episodes == first.episodes


@EXAMPLES
@given(patient(), diary(), st.integers(0, HORIZON))
def test_later_entries_never_change_earlier_days(s: PatientSettings, dia: Diary,
                                                 cut_n: int) -> None:
    cut = day(cut_n)
    before = Diary(
        doses=tuple(x for x in dia.doses if x.day <= cut),
        effects=tuple(x for x in dia.effects if x.day <= cut),
        clear_days=frozenset(x for x in dia.clear_days if x <= cut),
        scores=tuple(x for x in dia.scores if x.day <= cut),
        medications=dia.medications,
        chemo=dia.chemo,
    )
    full = compute_plan(s, dia, day(HORIZON))
    partial = compute_plan(s, before, day(HORIZON))
    assert full.days[: cut_n + 1] == partial.days[: cut_n + 1]
    # and planning a shorter horizon gives the same days
    assert compute_plan(s, dia, cut).days == full.days[: cut_n + 1]


@settings(max_examples=40, deadline=None)
@given(patient(), diary())
def test_every_text_renders_in_both_languages(s: PatientSettings, dia: Diary) -> None:
    p = compute_plan(s, dia, day(HORIZON))
    for x in p.days[::7]:
        assert x.reason.render("en") and x.reason.render("da")
    for a in p.alerts:
        assert a.message.render("en") and a.message.render("da")
