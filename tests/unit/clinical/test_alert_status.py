"""Alerts over time (SPEC §13, tracker/clinical/alert_status.py): examples per code, and
properties over random settings, diaries and days (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

from _clinical_helpers import D0, d, effects, plan, settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from test_clinical_properties import HORIZON, diary, patient

from tracker.clinical import Diary, DoseEntry, Medication, compute_plan
from tracker.clinical.alert_status import (
    ALERT_STATUSES,
    DISMISSED,
    OPEN,
    RESOLVED,
    UPCOMING,
    AlertState,
    alert_states,
    open_alerts,
)

EXAMPLES = hsettings(max_examples=120, deadline=None)


def states_on(s, dia: Diary, today: int, dismissed=frozenset(), until: int = 200
              ) -> list[AlertState]:
    p = plan(s, dia, until=until, today=today)
    return list(alert_states(p, dia, d(today), dismissed))


def status_of(states: list[AlertState], code: str) -> list[str]:
    return [x.status for x in states if x.code == code]


def test_an_opioid_hold_is_open_for_its_seven_days_and_resolved_after() -> None:
    s = settings()
    dia = Diary(medications=(Medication("Tramadol", d(10), d(12)),))
    # The hold runs from day 10 through day 19 (7 days after the last dose on day 12).
    assert status_of(states_on(s, dia, 9), "opioid_contraindication") == [UPCOMING]
    assert status_of(states_on(s, dia, 10), "opioid_contraindication") == [OPEN]
    assert status_of(states_on(s, dia, 19), "opioid_contraindication") == [OPEN]
    after = states_on(s, dia, 20)
    assert status_of(after, "opioid_contraindication") == [RESOLVED]
    assert [x.resolved_on for x in after if x.code == "opioid_contraindication"] == [d(20)]


def test_an_opioid_without_an_end_date_stays_open() -> None:
    dia = Diary(medications=(Medication("Kodimagnyl", d(5)),))
    assert status_of(states_on(settings(), dia, 150), "opioid_contraindication") == [OPEN]


def test_missed_doses_are_resolved_by_a_dose_taken_after_them() -> None:
    s = settings()
    taken = tuple(DoseEntry(d(n), True, 0.75) for n in range(0, 10))
    dia = Diary(doses=taken)  # days 10, 11, 12 not logged: the alert on day 12
    assert status_of(states_on(s, dia, 15), "missed_doses") == [OPEN]
    back = Diary(doses=(*taken, DoseEntry(d(13), False), DoseEntry(d(14), True, 0.75)))
    assert status_of(states_on(s, back, 13), "missed_doses") == [OPEN]  # skipped: still missed
    assert status_of(states_on(s, back, 14), "missed_doses") == [RESOLVED]


def test_a_reduction_alert_is_open_through_its_week() -> None:
    s = settings()
    dia = Diary(effects=effects(range(20, 25)))  # fires on day 24: reduced on days 25-31
    assert status_of(states_on(s, dia, 24), "side_effect_reduction") == [OPEN]
    assert status_of(states_on(s, dia, 31), "side_effect_reduction") == [OPEN]
    assert status_of(states_on(s, dia, 32), "side_effect_reduction") == [RESOLVED]


def test_reviewable_events_stay_open_until_dismissed() -> None:
    s = settings(transplant=True, informed_on=None)
    on_80 = states_on(s, Diary(), 80)
    assert status_of(on_80, "transplant_caution") == [OPEN]
    assert status_of(on_80, "information_pending") == [OPEN]
    gone = states_on(s, Diary(), 80, dismissed={("transplant_caution", D0)})
    assert status_of(gone, "transplant_caution") == [DISMISSED]


def test_thyroid_reminders_are_upcoming_until_due() -> None:
    s = settings("autoimmune_thyroid")
    states = states_on(s, Diary(), 30, until=120)
    reminders = [x for x in states if x.code == "thyroid_blood_test"]
    assert reminders and reminders[0].day == d(42)
    assert {x.status for x in reminders} == {UPCOMING}
    assert status_of(states_on(s, Diary(), 42, until=120), "thyroid_blood_test")[0] == OPEN
    assert open_alerts(states) == [x.alert for x in states if x.status == OPEN]


def test_a_dismissal_wins_over_every_status() -> None:
    s = settings("autoimmune_thyroid", transplant=True)
    p = plan(s, Diary(), until=120, today=30)
    every = {(a.code, a.day) for a in p.alerts}
    assert {x.status for x in alert_states(p, Diary(), d(30), every)} == {DISMISSED}


# -- properties --------------------------------------------------------------------------------

@EXAMPLES
@given(patient(), diary(), st.integers(0, HORIZON), st.data())
def test_every_alert_has_exactly_one_status(s, dia, today_n, data) -> None:  # type: ignore[no-untyped-def]
    p = compute_plan(s, dia, D0 + timedelta(days=HORIZON), today=d(today_n))
    chosen = data.draw(st.sets(st.sampled_from([(a.code, a.day) for a in p.alerts]))
                       if p.alerts else st.just(set()))
    states = alert_states(p, dia, d(today_n), chosen)
    assert [x.alert for x in states] == list(p.alerts)
    for x in states:
        assert x.status in ALERT_STATUSES
        if (x.code, x.day) in chosen:
            assert x.status == DISMISSED  # dismissed wins over open, resolved, upcoming
        elif x.day > d(today_n):
            assert x.status == UPCOMING
        else:
            assert x.status in (OPEN, RESOLVED)
            assert (x.status == RESOLVED) == (x.resolved_on is not None
                                              and x.resolved_on <= d(today_n))
        if x.resolved_on is not None:
            assert x.resolved_on > x.day


@EXAMPLES
@given(patient(), diary(), st.integers(0, HORIZON), st.integers(1, 60))
def test_moving_today_forward_never_reopens_a_resolved_alert(s, dia, today_n, later) -> None:  # type: ignore[no-untyped-def]
    until = D0 + timedelta(days=HORIZON + 60)
    first = compute_plan(s, dia, until, today=d(today_n))
    second = compute_plan(s, dia, until, today=d(today_n + later))
    before = {(x.code, x.day): x.status for x in alert_states(first, dia, d(today_n))}
    after = {(x.code, x.day): x.status for x in alert_states(second, dia, d(today_n + later))}
    for key, status in before.items():
        if status == RESOLVED:
            assert after.get(key) == RESOLVED, key
        if status == OPEN and key in after:
            assert after[key] in (OPEN, RESOLVED), key  # never upcoming again


@EXAMPLES
@given(patient(), diary(), st.integers(0, HORIZON))
def test_statuses_do_not_depend_on_how_far_the_plan_reaches(s, dia, today_n) -> None:  # type: ignore[no-untyped-def]
    today = d(today_n)
    short = compute_plan(s, dia, today + timedelta(days=28), today=today)
    long = compute_plan(s, dia, today + timedelta(days=120), today=today)
    cut = {(x.code, x.day): x.status for x in alert_states(long, dia, today)
           if x.day <= today + timedelta(days=28)}
    assert {(x.code, x.day): x.status for x in alert_states(short, dia, today)} == cut


def test_statuses_are_named_as_in_the_spec() -> None:
    assert set(ALERT_STATUSES) == {"open", "resolved", "dismissed", "upcoming"}
