"""SPEC §4: the side-effect rule, with the lead's clarifications."""

from __future__ import annotations

from datetime import timedelta

from _clinical_helpers import alerts, d, doses, effects, plan, settings, step_up_days

from tracker.clinical import Diary, EffectEntry, Medication


def at_target(protocol: str = "autoimmune", **kw: object) -> tuple[object, int]:
    """Settings and the first plan-day at target (no events)."""
    s = settings(protocol, **kw)
    p = plan(s, until=400)
    first = next(i for i, day in enumerate(p.days) if day.phase == "target")
    return s, first


def test_reduction_at_target_halves_to_a_capsule() -> None:
    s, t0 = at_target()
    seff = range(t0 + 10, t0 + 15)  # five side-effect days: duration 5 > 4
    trigger = t0 + 14
    p = plan(s, Diary(effects=effects(seff)), until=t0 + 60)
    assert doses(p, t0, trigger) == [4.5] * (trigger - t0 + 1)
    week = p.days[trigger + 1 : trigger + 8]
    assert {(x.dose_mg, x.nominal_mg, x.phase, x.needs_liquid) for x in week} == {
        (2.0, 2.25, "reduction", False)}  # 4.5 → 2.25 → capsule 2
    assert p.days[trigger + 8].dose_mg == 4.5 and p.days[trigger + 8].phase == "target"
    (red,) = p.reductions
    assert (red.trigger_day, red.start, red.end) == (d(trigger), d(trigger + 1), d(trigger + 7))
    assert (red.failed_mg, red.reduced_mg, red.back_to_mg, red.plateau) == (4.5, 2.0, 4.5, False)
    (alert,) = alerts(p, "side_effect_reduction")
    assert alert.day == d(trigger)
    text = alert.message.render("en")
    assert "5 days" in text and "2 mg" in text and "4.5 mg" in text
    assert week[2].reason.render("en").startswith("Reduction day 3 of 7 after 5 days")
    (episode,) = p.episodes
    assert (episode.start, episode.end, episode.duration) == (d(t0 + 10), d(trigger), 5)
    assert episode.fired and episode.fired_on == d(trigger)


def test_reduction_of_one_mg_needs_liquid() -> None:
    s = settings("fertility")  # 1 mg for 14 days
    p = plan(s, Diary(effects=effects(range(0, 5))), until=40)
    for n in range(5, 12):
        assert (p.days[n].dose_mg, p.days[n].needs_liquid, p.days[n].phase) == (
            0.5, True, "reduction")
    assert p.days[12].dose_mg == 1.0 and not p.days[12].needs_liquid
    assert [a.day for a in alerts(p, "needs_liquid")] == [d(5)]


def test_liquid_reduction_is_exactly_half() -> None:
    s = settings("fertility", formulation="liquid", concentration_mg_ml=2.0)
    p = plan(s, Diary(effects=effects(range(0, 5))), until=20)
    assert (p.days[5].dose_mg, p.days[5].needs_liquid, p.days[5].volume_ml) == (0.5, False, 0.3)
    assert not alerts(p, "needs_liquid")


def test_four_days_are_tolerated_five_are_not() -> None:
    s = settings()
    assert not plan(s, Diary(effects=effects(range(20, 24))), until=60).reductions
    assert [r.trigger_day for r in plan(
        s, Diary(effects=effects(range(20, 25))), until=60).reductions] == [d(24)]


def test_tolerance_three() -> None:
    s = settings(tolerance_days=3)
    assert not plan(s, Diary(effects=effects(range(20, 23))), until=60).reductions
    (red,) = plan(s, Diary(effects=effects(range(20, 24))), until=60).reductions
    assert red.trigger_day == d(23)


def test_one_unknown_day_is_bridged() -> None:
    s = settings()
    p = plan(s, Diary(effects=effects([20, 21, 23, 24])), until=60)  # day 22 unknown
    (red,) = p.reductions
    assert red.trigger_day == d(24)
    (episode,) = p.episodes
    assert episode.duration == 5


def test_a_clear_day_ends_the_episode() -> None:
    s = settings()
    diary = Diary(effects=effects([20, 21, 23, 24]) + (EffectEntry(d(22), "headache", 0),))
    assert not plan(s, diary, until=60).reductions
    diary = Diary(effects=effects([20, 21, 23, 24]), clear_days=frozenset({d(22)}))
    p = plan(s, diary, until=60)
    assert not p.reductions and [e.duration for e in p.episodes] == [2, 2]


def test_two_unknown_days_end_the_episode() -> None:
    s = settings()
    p = plan(s, Diary(effects=effects([20, 21, 24, 25, 26])), until=60)
    assert not p.reductions
    assert [(e.start, e.duration) for e in p.episodes] == [(d(20), 2), (d(24), 3)]


def test_different_effects_form_one_episode() -> None:
    s = settings()
    diary = Diary(effects=effects([20, 21], "nausea") + effects([22, 23, 24], "vivid dreams", 3))
    p = plan(s, diary, until=60)
    (episode,) = p.episodes
    assert episode.effects == ("nausea", "vivid dreams") and episode.worst_severity == 3
    assert [r.trigger_day for r in p.reductions] == [d(24)]


def test_min_severity_from_settings() -> None:
    from dataclasses import replace

    s = replace(settings(), min_severity=2)
    mild = Diary(effects=effects(range(20, 26), severity=1))
    assert not plan(s, mild, until=60).reductions
    assert plan(settings(), mild, until=60).reductions


def test_titration_clock_restarts_on_t_plus_8() -> None:
    s = settings()  # autoimmune: step 1 due day 14
    p = plan(s, Diary(effects=effects(range(0, 5))), until=120)
    trigger = 4
    assert doses(p, 5, 11) == [0.375] * 7 and p.days[5].needs_liquid
    back = trigger + 8
    assert p.days[back].dose_mg == 0.75
    assert step_up_days(p)[0] == back + s.interval_days  # one full interval after T+8
    assert step_up_days(p)[1] == back + 2 * s.interval_days


def test_no_stacking_and_persisting_side_effects() -> None:
    s, t0 = at_target()
    seff = list(range(t0 + 10, t0 + 15)) + [t0 + 21]  # T = t0+14, T+7 = t0+21
    p = plan(s, Diary(effects=effects(seff)), until=t0 + 60)
    (alert,) = alerts(p, "persists_despite_reduction")
    assert alert.day == d(t0 + 21)
    assert "4.5 mg" in alert.message.render("en")
    assert len(p.reductions) == 1


def test_nothing_fires_during_the_week_and_counting_restarts() -> None:
    s, t0 = at_target()
    # Side effects every day for 30 days from t0+10: T1 = t0+14; the week is t0+15…t0+21;
    # counting starts afresh at t0+22, so the next firing is t0+26 (5 counted days).
    p = plan(s, Diary(effects=effects(range(t0 + 10, t0 + 40))), until=t0 + 80)
    triggers = [r.trigger_day for r in p.reductions]
    assert triggers[:2] == [d(t0 + 14), d(t0 + 26)]
    for a, b in zip(p.reductions, p.reductions[1:], strict=False):
        assert b.trigger_day > a.end


def test_second_firing_at_same_dose_plateaus_at_earlier_step() -> None:
    s = settings("cancer")  # 1.5 (days 0-6), 3 (7-13), 4.5 (14-)
    # Fail at 3: T1 = 11, week 12-18 at 1.5, back to 3 on 19; fail again T2 = 23.
    diary = Diary(effects=effects(list(range(7, 12)) + list(range(19, 24))))
    p = plan(s, diary, until=120)
    assert [(r.trigger_day, r.failed_mg, r.plateau) for r in p.reductions] == [
        (d(11), 3.0, False), (d(23), 3.0, True)]
    assert doses(p, 19, 23) == [3.0] * 5
    assert {x.phase for x in p.days[24:31]} == {"reduction"}
    after = p.days[31:]
    assert {(x.dose_mg, x.phase) for x in after} == {(1.5, "plateau")}
    (alert,) = alerts(p, "plateau")
    assert alert.day == d(23)
    assert "1.5 mg" in alert.message.render("en") and "3 mg" in alert.message.render("en")
    assert p.days[31].reason.render("en").startswith("Highest tolerated dose 1.5 mg")


def test_plateau_without_lower_step_is_the_reduced_dose() -> None:
    s = settings()  # start 0.75
    p = plan(s, Diary(effects=effects(range(0, 17))), until=80)
    assert [r.trigger_day for r in p.reductions] == [d(4), d(16)]
    assert p.reductions[1].plateau and p.reductions[1].back_to_mg == 0.375
    assert {(x.dose_mg, x.phase, x.needs_liquid) for x in p.days[24:]} == {
        (0.375, "plateau", True)}


def test_same_deliverable_dose_on_two_steps_counts_as_same_dose() -> None:
    # autoimmune capsules: steps 3 and 4 (nominal 2.25 and 2.75) both deliver 2 mg.
    s = settings()
    base = plan(s, until=200)
    step3 = next(i for i, x in enumerate(base.days) if x.step == 3)
    seff = list(range(step3 + 2, step3 + 7))  # T1 = step3+6 at 2 mg
    back = step3 + 6 + 8
    step4 = back + s.interval_days  # clock restarted at T+8
    seff += list(range(step4 + 2, step4 + 7))  # T2 at 2 mg again (nominal 2.75)
    p = plan(s, Diary(effects=effects(seff)), until=step4 + 60)
    assert p.days[step4].nominal_mg == 2.75 and p.days[step4].dose_mg == 2.0
    assert [r.plateau for r in p.reductions] == [False, True]
    assert p.days[-1].phase == "plateau" and p.days[-1].dose_mg == 1.5


def test_step_up_deferred_while_previous_day_has_side_effects() -> None:
    s = settings()
    p = plan(s, Diary(effects=effects([12, 13, 14])), until=80)  # step due on day 14
    assert not p.reductions
    ups = step_up_days(p)
    assert ups[0] == 16  # day 15 follows a side-effect day; day 16 does not
    assert ups[1] == 16 + s.interval_days
    assert "waits" in p.days[15].reason.render("en")


def test_deferral_after_a_clear_day_is_immediate() -> None:
    s = settings()
    p = plan(s, Diary(effects=effects([13])), until=40)
    assert step_up_days(p)[0] == 15
    p = plan(s, Diary(effects=effects([12])), until=40)
    assert step_up_days(p)[0] == 14


def test_rule_never_fires_on_zero_mg_days() -> None:
    s = settings()
    diary = Diary(effects=effects(range(0, 30)),
                  medications=(Medication("Tramadol", d(2), None),))
    p = plan(s, diary, until=60)
    assert not p.reductions
    assert all(x.dose_mg == 0 for x in p.days[2:])


def test_side_effects_during_a_pause_do_not_count() -> None:
    s = settings("cancer")
    from tracker.clinical import ChemoSession

    # Pause days 8-10 (chemo on 10); side effects 6-13: counting restarts on day 11.
    diary = Diary(effects=effects(range(6, 14)), chemo=(ChemoSession(d(10), d(10)),))
    p = plan(s, diary, until=40)
    assert not p.reductions
    diary = Diary(effects=effects(range(6, 16)), chemo=(ChemoSession(d(10), d(10)),))
    assert [r.trigger_day for r in plan(s, diary, until=40).reductions] == [d(15)]


def test_side_effects_after_until_are_ignored() -> None:
    s = settings()
    p = plan(s, Diary(effects=effects(range(20, 30))), until=22)
    assert not p.reductions and p.days[-1].day == d(22)
    assert p.episodes[0].end == d(22)


def test_entries_before_start_do_not_count() -> None:
    s = settings()
    early = tuple(EffectEntry(d(0) - timedelta(days=n), "nausea", 3) for n in range(1, 10))
    p = plan(s, Diary(effects=early + effects([0, 1])), until=30)
    assert not p.reductions


def test_reasons_explain_in_both_languages() -> None:
    s = settings("fertility")
    p = plan(s, Diary(effects=effects(range(0, 5))), until=40)
    reduction = p.days[6]
    assert reduction.reason.render("en") == (
        "Reduction day 2 of 7 after 5 days of side effects: half of 1 mg "
        "(below the smallest capsule: ask the pharmacy for a liquid)")
    assert reduction.reason.render("da").startswith(
        "Reduktion dag 2 af 7 efter 5 dage med bivirkninger: halvdelen af 1 mg")
    assert p.days[12].reason.render("en") == "Back to 1 mg after the reduction week"
    (alert,) = alerts(p, "side_effect_reduction")
    assert "0,5 mg" in alert.message.render("da") and "1 mg" in alert.message.render("da")
