"""The plan in the patient's words (Today), built from the plan's values, not its reasons."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.clinical import alerts as A
from tracker.clinical.model import Alert, Plan, PlannedDay
from tracker.clinical.patient_words import dose_story, next_dose_change, patient_alert
from tracker.clinical.records import PatientInfo
from tracker.i18n import Message

START = date(2026, 1, 1)
PATIENT = PatientInfo(id=1, name="P", condition="ms", protocol="autoimmune", start_date=START,
                      formulation="capsule", concentration_mg_ml=None, weight_kg=None,
                      target_mg=4.5, max_mg=12, step_mg=0.5, interval_days=21,
                      tolerance_days=4, transplant=False, informed_on=START)
CLINICIAN = Message("Titration step {step}: {dose_mg} (nominal {nominal_mg}), day 2 of 21",
                    {"step": 3, "dose_mg": 2.0, "nominal_mg": 2.25})


def _plan(days: list[tuple[float, str]], **fields: object) -> Plan:
    return Plan(days=tuple(
        PlannedDay(START + timedelta(days=i), mg, mg, phase, CLINICIAN,  # type: ignore[arg-type]
                   needs_liquid=0 < mg < 0.75, step=3)
        for i, (mg, phase) in enumerate(days)), last_step=6, target_mg=4.5,
        **fields)  # type: ignore[arg-type]


def test_two_steps_at_the_same_capsule_are_one_dose_to_the_patient() -> None:
    plan = _plan([(2.0, "titration")] * 5 + [(3.0, "titration")])
    story = dose_story(plan, plan.days[0], PATIENT)
    assert story.tonight.render() == "1 capsule of 2 mg"
    assert story.why is not None and \
        story.why.render() == "Raising slowly: step 3 of 6 towards 4.5 mg"
    assert story.next is not None and story.next.render() == \
        "Same dose until 5 January 2026; from 6 January 2026: 1 capsule of 3 mg"
    assert story.ask is None
    assert next_dose_change(plan, START) == plan.days[5]
    assert "nominal" in plan.days[0].reason.render()  # the clinician's "why" is unchanged


def test_a_reduction_week_asks_the_pharmacy_once_for_the_smaller_capsule() -> None:
    plan = _plan([(1.0, "reduction")] * 7 + [(2.0, "titration")])
    story = dose_story(plan, plan.days[0], PATIENT)
    assert story.tonight.render() == "1 capsule of 1 mg"
    assert story.ask is not None and story.ask.render() == \
        "This week needs 1 mg capsules: ask the pharmacy if you have none."
    assert story.why is not None and story.why.render() == \
        "Half the dose for a week, because side effects lasted too long"
    assert story.next is not None and story.next.render() == \
        "Same dose until 7 January 2026; from 8 January 2026: 1 capsule of 2 mg"
    told = [m.render() for m in (story.tonight, story.why, story.next) if m is not None]
    assert not any("pharmacy" in text for text in told)


def test_below_the_smallest_capsule_is_named_and_explained_once() -> None:
    plan = _plan([(0.5, "reduction")] * 2)
    story = dose_story(plan, plan.days[0], PATIENT)
    assert story.tonight.render() == "0.5 mg (as a liquid)"
    assert story.ask is not None and "ask the pharmacy for LDN as a liquid" in story.ask.render()


def test_alerts_in_the_patients_words() -> None:
    pending = A.information_pending(START, child=False)
    assert patient_alert(pending).render() == "Please read the information about LDN: press i."
    liquid = Alert(START, A.NEEDS_LIQUID, Message("x", {"day": START, "dose_mg": 0.5}))
    assert "ask the pharmacy" in patient_alert(liquid).render()
    unknown = Alert(START, "something_new", Message("As the clinician reads it"))
    assert patient_alert(unknown).render() == "As the clinician reads it"


def test_the_first_evening_after_an_opioid_hold_says_ldn_starts_again() -> None:
    """Through the real engine: Tramadol 10–12 January, a hold through the 7th day after it,
    then LDN again at the held dose, and Today's why says so on that evening only."""
    from tracker.clinical import Diary, Medication, compute_plan
    from tracker.clinical.protocols import build_settings

    settings = build_settings("autoimmune", START, informed_on=START)
    diary = Diary(medications=(Medication("Tramadol", date(2026, 1, 10), date(2026, 1, 12)),))
    plan = compute_plan(settings, diary, date(2026, 2, 28))
    back = next(p for p in plan.days if p.day > date(2026, 1, 12) and p.phase != "hold")
    assert back.day == date(2026, 1, 20)
    why = dose_story(plan, back, PATIENT).why
    assert why is not None and why.render() == \
        "LDN again from tonight, after the opioid pause: the dose you paused at"
    later = dose_story(plan, plan.on(back.day + timedelta(days=1)), PATIENT).why  # type: ignore[arg-type]
    assert later is not None and "again" not in later.render()
    assert "again" in why.render("da") or "igen" in why.render("da")
