"""The cohort status reads only the scores the rules need (issue 15), on SQLite and PostgreSQL:
a few weeks around each dose increase and the last day with a score, never the whole diary's
scores, and its row is what the whole diary gives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.integration.conftest import add_patient
from tracker.clinical import compute_plan
from tracker.clinical.flags import status_values
from tracker.clinical.horizons import OUTLOOK_DAYS
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage import records as records_module

TODAY = date(2026, 3, 1)
STATUS_FIELDS = ("phase", "dose_mg", "next_step_date", "adherence_30d", "last_entry",
                 "open_alerts", "flags", "next_upcoming")


def first_increase(clinic: Clinic, pid: int) -> date:
    days = clinic.plan(pid).days
    return next(b.day for a, b in zip(days, days[1:], strict=False) if 0 < a.dose_mg < b.dose_mg)


def patient_with_a_rise(clinic: Clinic) -> tuple[int, date]:
    """A patient whose fatigue and pain are 4 points up once the dose first rose (on the day
    returned): enough for dose_maybe_too_high."""
    pid = add_patient(clinic)
    up = first_increase(clinic, pid)
    for n in range(-7, 7):
        low = n < 0
        clinic.check_in(pid, CheckIn(day=up + timedelta(days=n), scores={
            "fatigue": 2 if low else 6, "pain": 3 if low else 7}))
    return pid, up


def test_the_status_row_reads_the_scores_around_an_increase_and_the_last_score_day(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    pid, up = patient_with_a_rise(clinic)
    last = TODAY - timedelta(days=2)  # the last entry of all: a score far from any increase
    clinic.check_in(pid, CheckIn(day=last, scores={"low_mood": 4}))

    [(_info, row)] = clinic.cohort_status(refresh_stale=False)
    assert "dose_maybe_too_high" in row.open_alerts.split(",")
    assert row.last_entry == last

    # The same row as the whole diary, scores and all, gives.
    plan, diary = clinic.plan_and_diary(pid, until=TODAY + timedelta(days=OUTLOOK_DAYS))
    assert len(diary.scores) == 14 * 2 + 1
    whole = status_values(plan, diary, TODAY, set())
    assert {k: getattr(row, k) for k in STATUS_FIELDS} == {k: whole[k] for k in STATUS_FIELDS}


def test_score_windows_read_in_several_statements_are_the_diarys_scores_in_them(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    pid = add_patient(clinic)
    start = date(2026, 1, 1)
    for n in range(0, 40, 3):
        clinic.check_in(pid, CheckIn(day=start + timedelta(days=n),
                                     scores={"pain": n % 11, "fatigue": (n + 3) % 11}))
    windows = [(start + timedelta(days=a), start + timedelta(days=b))
               for a, b in ((0, 4), (6, 7), (12, 20), (30, 31), (33, 60))]
    _settings, diary = clinic.inputs(pid)
    expected = [s for s in diary.scores if any(a <= s.day < b for a, b in windows)]
    assert len(expected) > 4
    with clinic.db.engine.connect() as conn:
        records = records_module.Records(conn.connection.driver_connection)
        assert records.scores_in(pid)(windows) == expected
        monkeypatch.setattr(records_module, "WINDOWS_A_READ", 2)  # three statements
        assert records.scores_in(pid)(windows) == expected
        assert records.scores_in(pid)([]) == []
        assert records.last_score_day(pid) == start + timedelta(days=39)


def test_the_plan_with_its_scores_read_by_window_is_the_plan_from_the_whole_diary(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    pid = add_patient(clinic, condition="Hashimoto")  # a step every two weeks
    for n in range(0, 59):
        day = date(2026, 1, 1) + timedelta(days=n)
        clinic.check_in(pid, CheckIn(day=day, scores={"fatigue": n * 7 % 11, "pain": n * 5 % 11,
                                                      "sleep_problems": n % 3}))
    settings, diary = clinic.inputs(pid)
    with clinic.db.engine.connect() as conn:
        records = records_module.Records(conn.connection.driver_connection)
        by_window = compute_plan(settings, records.diary(pid, scores=False), TODAY,
                                 scores_in=records.scores_in(pid))
    whole = compute_plan(settings, diary, TODAY)
    assert "dose_maybe_too_high" in {a.code for a in whole.alerts}
    assert by_window == whole


def test_a_day_s_screen_reads_what_the_whole_diary_gives(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    """Today, History and the day editor read the diary without its scores
    (``Records.day_plan``): the plan, the alerts shown, the card's story and the patient's own
    symptoms (in the order first scored) must be what the whole diary gives."""
    from tracker.clinical.patient_words import dose_story
    from tracker.clinical.vocabulary import SYMPTOMS
    from tracker.services.day import day_alerts, load_day

    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    pid, up = patient_with_a_rise(clinic)
    # Own symptoms: scored first on different days, and not in name order.
    clinic.check_in(pid, CheckIn(day=up + timedelta(days=2), scores={"Zebra itch": 3}))
    clinic.check_in(pid, CheckIn(day=up + timedelta(days=4), scores={
        "Aching feet": 2, "Zebra itch": 1}))
    clinic.check_in(pid, CheckIn(day=up - timedelta(days=3), scores={"Tinnitus": 5}))
    known = {t.key for t in SYMPTOMS}

    for day in (up - timedelta(days=1), up + timedelta(days=5), TODAY):
        view = load_day(clinic, pid, day)
        plan, diary = clinic.plan_and_diary(pid, until=view.plan.days[-1].day, on=TODAY)
        assert view.plan == plan
        planned = plan.on(day)
        assert view.planned == planned
        assert view.alerts == day_alerts(plan, diary, clinic.alerts(pid, plan), day, planned)
        assert view.story == dose_story(plan, planned, view.patient)
        assert view.own_symptoms == list(dict.fromkeys(
            s.symptom for s in diary.scores if s.symptom not in known))
    assert view.own_symptoms == ["Tinnitus", "Zebra itch", "Aching feet"]
    assert any(a.code == "dose_maybe_too_high" for a in view.plan.alerts)
