"""SPEC §6 alerts that are read from the finished plan and the diary."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _clinical_helpers import D0, alerts, d, plan, settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tracker.clinical import ALERT_CODES, Diary, DoseEntry, EffectEntry, ScoreEntry
from tracker.clinical.protocols import build_settings


def taken(days: range | list[int], ok: bool = True) -> tuple[DoseEntry, ...]:
    return tuple(DoseEntry(d(n), ok, 1.0 if ok else None) for n in days)


def test_alerts_are_sorted_and_use_known_codes() -> None:
    s = build_settings("autoimmune_thyroid", D0, transplant=True)
    p = plan(s, until=300)
    assert [(a.day, a.code) for a in p.alerts] == sorted((a.day, a.code) for a in p.alerts)
    assert {a.code for a in p.alerts} <= set(ALERT_CODES)
    assert all(a.message.render("en") for a in p.alerts)


def test_transplant_and_information_pending_dated_start() -> None:
    s = build_settings("autoimmune", D0, transplant=True)
    p = plan(s, Diary(doses=taken(range(0, 31))), until=30)
    assert [(a.day, a.code) for a in p.alerts] == [
        (D0, "information_pending"), (D0, "transplant_caution")]
    informed = build_settings("autoimmune", D0, informed_on=D0)
    assert not plan(informed, Diary(doses=taken(range(0, 31))), until=30).alerts


def test_child_information_speaks_of_the_family() -> None:
    s = build_settings("pediatric", D0, weight_kg=15)
    (alert,) = alerts(plan(s, until=10), "information_pending")
    assert "family" in alert.message.render("en")


def test_needs_liquid_once_per_run_for_capsules() -> None:
    s = settings("autoimmune_thyroid")  # 0.2 → 0.7 → 1.2 …: two steps below one capsule
    p = plan(s, Diary(doses=taken(range(0, 120))), until=100)
    (alert,) = alerts(p, "needs_liquid")
    assert alert.day == d(0)
    assert "0.2 mg" in alert.message.render("en")
    first_capsule = next(x for x in p.days if not x.needs_liquid)
    assert first_capsule.dose_mg == 1.0 and first_capsule.nominal_mg == 1.2
    liquid = settings("autoimmune_thyroid", formulation="liquid", concentration_mg_ml=1.0)
    assert not alerts(plan(liquid, until=100), "needs_liquid")


def test_missed_doses_three_in_a_row() -> None:
    s = settings()
    logged = taken([0, 1, 2, 6, 7, 8, 9, 10, 11])  # nothing on 3, 4, 5
    p = plan(s, Diary(doses=logged), until=11)
    (alert,) = alerts(p, "missed_doses")
    assert alert.day == d(5)
    two = taken([0, 1, 2, 5, 6, 7, 8, 9, 10, 11])
    assert not alerts(plan(s, Diary(doses=two), until=11), "missed_doses")


def test_skipped_counts_as_missed_and_runs_alert_once() -> None:
    s = settings()
    logged = taken([0, 1]) + taken(range(2, 9), ok=False) + taken([9, 10])
    (alert,) = alerts(plan(s, Diary(doses=logged), until=10), "missed_doses")
    assert alert.day == d(4)


def test_today_counts_only_if_logged_skipped() -> None:
    s = settings()
    logged = taken([0, 1, 2])
    assert not alerts(plan(s, Diary(doses=logged), until=30, today=5), "missed_doses")
    skipped = logged + taken([5], ok=False)
    (alert,) = alerts(plan(s, Diary(doses=skipped), until=30, today=5), "missed_doses")
    assert alert.day == d(5)
    # future days never count as missed
    assert [a.day for a in alerts(plan(s, Diary(doses=logged), until=30, today=6),
                                  "missed_doses")] == [d(5)]


def test_zero_mg_days_are_not_planned_doses() -> None:
    from tracker.clinical import Medication

    s = settings()
    meds = (Medication("Tramadol", d(3), d(3)),)  # hold 3-10
    logged = taken([0, 1, 2, 11, 13, 14])  # days 3-10 held, 12 missed only
    assert not alerts(plan(s, Diary(doses=logged, medications=meds), until=14), "missed_doses")


def _scores(symptom: str, days: range, value: int) -> tuple[ScoreEntry, ...]:
    return tuple(ScoreEntry(d(n), symptom, value) for n in days)


def test_dose_maybe_too_high_after_a_step_up() -> None:
    s = settings()  # step-up on day 14
    scores = (_scores("fatigue", range(7, 14), 3) + _scores("fatigue", range(14, 21), 6)
              + _scores("pain", range(7, 14), 4) + _scores("pain", range(14, 21), 6))
    p = plan(s, Diary(scores=scores), until=40)
    (alert,) = alerts(p, "dose_maybe_too_high")
    assert alert.day == d(14)  # met on the first day after the increase
    text = alert.message.render("en")
    assert "1 mg" in text and "0.75 mg" in text and "pain" in text


def test_dose_maybe_too_high_needs_both_symptoms() -> None:
    s = settings()
    only_fatigue = _scores("fatigue", range(7, 14), 3) + _scores("fatigue", range(14, 21), 7)
    assert not alerts(plan(s, Diary(scores=only_fatigue), until=40), "dose_maybe_too_high")
    mood = only_fatigue + _scores("Low mood", range(7, 14), 2) + _scores(
        "Low mood", range(14, 21), 5)
    assert alerts(plan(s, Diary(scores=mood), until=40), "dose_maybe_too_high")


def test_dose_maybe_too_high_dated_when_the_mean_crosses() -> None:
    s = settings()
    before = _scores("fatigue", range(7, 14), 2) + _scores("pain", range(7, 14), 2)
    after = tuple(
        ScoreEntry(d(14 + i), sym, v)
        for i, v in enumerate([2, 3, 5, 6, 6, 6, 6])
        for sym in ("fatigue", "pain"))
    (alert,) = alerts(plan(s, Diary(scores=before + after), until=40), "dose_maybe_too_high")
    # means from day 14: 2, 2.5, 3.33, 4.0 (rise 2 on the 4th day)
    assert alert.day == d(17)


def test_no_dose_too_high_without_a_baseline_or_without_increase() -> None:
    s = settings()
    no_baseline = _scores("fatigue", range(14, 21), 8) + _scores("pain", range(14, 21), 8)
    assert not alerts(plan(s, Diary(scores=no_baseline), until=40), "dose_maybe_too_high")
    flat = (_scores("fatigue", range(0, 7), 1) + _scores("fatigue", range(7, 14), 8)
            + _scores("pain", range(0, 7), 1) + _scores("pain", range(7, 14), 8))
    assert not alerts(plan(s, Diary(scores=flat), until=40), "dose_maybe_too_high")


def test_dose_maybe_too_high_windows_reach_their_first_and_last_days() -> None:
    """Only the 7 days before an increase and the 7 from it are read: a baseline scored on the
    7th day before alone counts, and so does a rise first met on the 7th day after."""
    s = settings()  # step-up on day 14
    scores = (_scores("fatigue", [7], 2) + _scores("pain", [7], 2)
              + _scores("fatigue", [20], 6) + _scores("pain", [20], 6)
              # far from the windows, and never read: a flat or falling record would hide it
              + _scores("fatigue", range(40, 80), 0) + _scores("pain", range(40, 80), 0))
    (alert,) = alerts(plan(s, Diary(scores=scores), until=90), "dose_maybe_too_high")
    assert alert.day == d(20)
    outside = _scores("fatigue", [6], 2) + _scores("pain", [6], 2) + _scores(
        "fatigue", [21], 6) + _scores("pain", [21], 6)
    assert not alerts(plan(s, Diary(scores=outside), until=90), "dose_maybe_too_high")


def test_thyroid_blood_tests_after_start_and_each_increase() -> None:
    s = settings("autoimmune_thyroid")
    p = plan(s, until=400)
    rises = [p.days[i].day for i in range(1, len(p.days))
             if p.days[i].step > p.days[i - 1].step and p.days[i].dose_mg > p.days[i - 1].dose_mg]
    interval = timedelta(days=s.thyroid_interval_days)
    due = {D0 + interval} | {day + interval for day in rises}
    expected = sorted(x for x in due if x <= d(400))
    assert [a.day for a in alerts(p, "thyroid_blood_test")] == expected
    assert s.thyroid_interval_days == 42
    assert not alerts(plan(settings("autoimmune"), until=400), "thyroid_blood_test")


def test_alerts_never_after_until() -> None:
    s = settings("autoimmune_thyroid")
    p = plan(s, until=30)
    assert all(a.day <= d(30) for a in p.alerts)


def test_dose_maybe_too_high_after_return_from_reduction() -> None:
    from _clinical_helpers import effects

    s = settings("fertility")  # 1 mg; side effects days 0-4 → 0.5 mg on 5-11, back on 12
    scores = (_scores("fatigue", range(5, 12), 2) + _scores("fatigue", range(12, 19), 5)
              + _scores("low_mood", range(5, 12), 1) + _scores("low_mood", range(12, 19), 4))
    p = plan(s, Diary(effects=effects(range(0, 5)), scores=scores), until=40)
    (alert,) = alerts(p, "dose_maybe_too_high")
    assert alert.day == d(12)
    assert "low mood" in alert.message.render("en")


def test_opioid_alert_names_the_end_of_the_hold() -> None:
    from tracker.clinical import Medication

    s = settings()
    p = plan(s, Diary(medications=(Medication("Morfin", d(10), d(12)),)), until=40)
    (alert,) = alerts(p, "opioid_contraindication")
    text = alert.message.render("en")
    assert "Morfin" in text and "11 January" in text and "20 January" in text  # 13 January + 7
    open_ended = plan(s, Diary(medications=(Medication("Morfin", d(10)),)), until=40)
    (alert,) = alerts(open_ended, "opioid_contraindication")
    assert "7 days after the last dose of Morfin" in alert.message.render("en")



@given(fatigue=st.lists(st.integers(0, 10), min_size=71, max_size=71),
       pain=st.lists(st.integers(0, 10), min_size=71, max_size=71),
       gaps=st.sets(st.integers(0, 70), max_size=30),
       effect_days=st.lists(st.integers(0, 70), max_size=15, unique=True),
       shuffle=st.randoms(use_true_random=False))
@hsettings(max_examples=150, deadline=None)
def test_dose_maybe_too_high_is_the_same_whatever_the_order_of_the_scores(
        fatigue: list[int], pain: list[int], gaps: set[int], effect_days: list[int],
        shuffle: Any) -> None:
    """A diary read from storage has its scores in day order and the windows around each
    increase are found by bisection; any other order is scanned whole: the alerts agree, on
    step-ups and returns from reduction weeks alike (side effects make those)."""
    s = settings()
    entries = [ScoreEntry(d(n), symptom, values[n]) for n in range(71) if n not in gaps
               for symptom, values in (("fatigue", fatigue), ("pain", pain))]
    ordered = tuple(entries)
    shuffle.shuffle(entries)
    effects = tuple(EffectEntry(d(n), "headache", 2) for n in sorted(effect_days))
    in_order = plan(s, Diary(scores=ordered, effects=effects), until=80)
    any_order = plan(s, Diary(scores=tuple(entries), effects=effects), until=80)
    assert alerts(in_order, "dose_maybe_too_high") == alerts(any_order, "dose_maybe_too_high")


@given(days=st.lists(st.integers(0, 60), max_size=80),
       windows=st.lists(st.tuples(st.integers(-5, 65), st.integers(1, 20)), max_size=6))
def test_the_scores_in_the_windows_are_the_same_found_either_way(
        days: list[int], windows: list[tuple[int, int]]) -> None:
    """The windows' scores by bisection (day order) are exactly those a whole scan finds."""
    from tracker.clinical.alerts import _in_windows, _merged

    scores = [ScoreEntry(d(n), "pain", k) for k, n in enumerate(sorted(days))]
    merged = _merged((d(first), d(first + length)) for first, length in windows)
    wanted = [s for s in scores if any(d(a) <= s.day < d(a + n) for a, n in windows)]
    assert list(_in_windows(scores, merged)) == wanted
    assert sorted(_in_windows(scores[::-1], merged), key=lambda s: s.value) == wanted
