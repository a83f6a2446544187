"""SPEC §6: chemotherapy pauses and opioid holds."""

from __future__ import annotations

import pytest
from _clinical_helpers import alerts, d, doses, plan, settings, step_up_days

from tracker.clinical import ChemoSession, Diary, Medication, is_opioid


@pytest.mark.parametrize("name", [
    "morphine", "Morfin", "MORFIN SAD", "Morfinsulfat", "codeine", "Kodein", "Paracetamol/Kodein",
    "Panodil Codein", "loperamide", "Loperamid Stada", "Tramadol", "Tramadol Actavis 50 mg",
    "tramadolhydrochlorid", "oxycodone", "Oxycodon Orifarm", "fentanyl", "Fentanyl plaster",
    "buprenorphine", "Buprenorphin", "methadone", "Metadon", "Metadon DAK", "tapentadol",
    "ketobemidone", "Ketobemidon", "pethidine", "Petidin", "hydromorphone", "Hydromorfon",
    "dihydrocodeine", "Dihydrokodein", "ethylmorphine", "Ethylmorfin",
    "Kodimagnyl", "kodimagnyl 500 mg/9,6 mg", "Pinex Forte", "PINEX FORTE", "Contalgin",
    "Contalgin Uno", "OxyNorm", "OxyContin", "Tradolan", "Imodium", "Imodium Akut", "Norspan",
    "Durogesic", "Palexia", "Palexia Depot", "Ketogan", "Targin", "Dolcontin", "Temgesic",
    "Abstral", "Instanyl", "Matrifen", "Nobligan", "Suboxone",
])
def test_opioids_are_recognised(name: str) -> None:
    assert is_opioid(name)


@pytest.mark.parametrize("name", [
    "Pinex", "Panodil", "Paracetamol", "Ibuprofen", "Ipren", "Naltrexon", "LDN", "Levothyroxin",
    "Eltroxin", "Metformin", "Gabapentin", "Pregabalin", "Lyrica", "Amitriptylin", "Sertralin",
    "Prednisolon", "Methotrexat", "Codex", "Morfeus", "", "   ",
])
def test_non_opioids_are_not(name: str) -> None:
    assert not is_opioid(name)


def test_chemo_pause_two_days_before_through_the_last_day() -> None:
    s = settings("cancer")  # 1.5 days 0-6, 3 from day 7, 4.5 from day 14
    p = plan(s, Diary(chemo=(ChemoSession(d(20), d(21)),)), until=40)
    for n in range(18, 22):
        assert (p.days[n].dose_mg, p.days[n].nominal_mg, p.days[n].phase) == (0.0, 0.0, "pause")
    assert p.days[17].phase != "pause" and p.days[22].phase != "pause"
    assert p.days[22].dose_mg == p.days[17].dose_mg  # restarts at the dose it paused at
    assert "Restart" in p.days[22].reason.render("en")
    assert p.days[18].reason.render("en").startswith("Chemotherapy pause")


def test_pause_freezes_the_titration_clock() -> None:
    s = settings("cancer")
    p = plan(s, Diary(chemo=(ChemoSession(d(5), d(5)),)), until=40)  # pause days 3-5
    assert doses(p, 0, 2) == [1.5] * 3 and doses(p, 3, 5) == [0.0] * 3
    # counted start days: 0, 1, 2, 6, 7, 8, 9 → step 1 on day 10, step 2 seven days later
    assert step_up_days(p)[:2] == [10, 17]


def test_step_due_during_pause_waits_for_the_restart_day() -> None:
    s = settings("cancer")
    p = plan(s, Diary(chemo=(ChemoSession(d(9), d(9)),)), until=30)  # pause days 7-9
    assert p.days[10].dose_mg == 1.5  # restart at the paused dose
    assert step_up_days(p)[0] == 11


def test_overlapping_sessions_merge() -> None:
    s = settings("cancer")
    sessions = (ChemoSession(d(20), d(20)), ChemoSession(d(22), d(23)))
    p = plan(s, Diary(chemo=sessions), until=40)
    assert [x.phase == "pause" for x in p.days[17:25]] == [False] + [True] * 6 + [False]


def test_chemo_in_a_reduction_week_wins() -> None:
    from _clinical_helpers import effects

    s = settings("cancer")
    diary = Diary(effects=effects(range(15, 20)), chemo=(ChemoSession(d(24), d(24)),))
    p = plan(s, diary, until=40)
    (red,) = p.reductions
    assert red.trigger_day == d(19)
    assert [x.phase for x in p.days[20:28]] == ["reduction"] * 2 + ["pause"] * 3 + [
        "reduction"] * 2 + ["target"]


def test_opioid_hold_with_seven_free_days() -> None:
    s = settings()
    p = plan(s, Diary(medications=(Medication("Tramadol Actavis 50 mg", d(30), d(40)),)),
             until=80)
    for n in range(30, 48):  # 30 … 40 + 7
        assert (p.days[n].dose_mg, p.days[n].phase) == (0.0, "hold")
    assert p.days[29].phase != "hold" and p.days[48].phase != "hold"
    assert p.days[48].dose_mg == p.days[29].dose_mg
    assert p.days[35].reason.render("en") == (
        "Opioid hold: LDN must not be combined with Tramadol Actavis 50 mg")
    (alert,) = alerts(p, "opioid_contraindication")
    assert alert.day == d(30)
    text = alert.message.render("en")
    assert "Tramadol Actavis 50 mg" in text and "opioid" in text


def test_hold_freezes_clock_like_a_pause() -> None:
    s = settings()  # step 1 due on day 14
    p = plan(s, Diary(medications=(Medication("Kodimagnyl", d(5), d(5)),)), until=80)
    # hold days 5-12 (8 days): the step moves 8 days later
    assert step_up_days(p)[0] == 14 + 8


def test_opioid_since_always_and_still_taken() -> None:
    s = settings()
    p = plan(s, Diary(medications=(Medication("OxyContin"),)), until=30)
    assert {x.phase for x in p.days} == {"hold"}
    (alert,) = alerts(p, "opioid_contraindication")
    assert alert.day == d(0)


def test_opioid_that_ended_long_before_start() -> None:
    s = settings()
    p = plan(s, Diary(medications=(Medication("Morfin", d(-30), d(-10)),)), until=30)
    assert "hold" not in {x.phase for x in p.days}
    assert not alerts(p, "opioid_contraindication")
    p = plan(s, Diary(medications=(Medication("Morfin", d(-30), d(-3)),)), until=30)
    assert [x.phase == "hold" for x in p.days[:6]] == [True] * 5 + [False]
    assert [a.day for a in alerts(p, "opioid_contraindication")] == [d(0)]


def test_non_opioid_medication_changes_nothing() -> None:
    s = settings()
    base = plan(s, until=60)
    p = plan(s, Diary(medications=(Medication("Levothyroxin", d(3), d(9)),)), until=60)
    assert p.days == base.days


def test_one_alert_per_opioid() -> None:
    s = settings()
    meds = (Medication("Imodium", d(10), d(11)), Medication("Pinex Forte", d(11), d(12)),
            Medication("Panodil", d(1), None))
    p = plan(s, Diary(medications=meds), until=60)
    assert [a.day for a in alerts(p, "opioid_contraindication")] == [d(10), d(11)]
    assert "Imodium, Pinex Forte" in p.days[11].reason.render("en")
    assert [x.phase == "hold" for x in p.days[9:21]] == [False] + [True] * 10 + [False]


def test_pediatric_gets_pauses_and_holds_too() -> None:
    s = settings("pediatric", weight_kg=20)
    p = plan(s, Diary(medications=(Medication("Kodein", d(3), d(3)),)), until=40)
    assert {x.phase for x in p.days[3:11]} == {"hold"}
