"""The dose as the patient takes it: capsules, liquids, too small for a capsule, none."""

from __future__ import annotations

from datetime import date

from tracker import i18n
from tracker.clinical.instructions import dose_instruction as instruction
from tracker.clinical.model import PlannedDay
from tracker.i18n import Message
from tracker.services.clinic import PatientInfo

DAY = date(2026, 3, 10)


def patient(formulation: str = "capsule", concentration: float | None = None) -> PatientInfo:
    return PatientInfo(id=1, name="P", condition="ms", protocol="autoimmune", start_date=DAY,
                       formulation=formulation, concentration_mg_ml=concentration,
                       weight_kg=None, target_mg=4.5, max_mg=12, step_mg=0.5, interval_days=21,
                       tolerance_days=4, transplant=False, informed_on=DAY)


def planned(mg: float, **extra: object) -> PlannedDay:
    return PlannedDay(DAY, mg, mg, "titration", Message("x"), **extra)  # type: ignore[arg-type]


def dose_instruction(planned: PlannedDay, patient: PatientInfo) -> str:
    return instruction(planned, patient).render()


def test_capsule() -> None:
    assert dose_instruction(planned(1.5), patient()) == "1 capsule of 1.5 mg"
    assert dose_instruction(planned(0.75), patient()) == "1 capsule of 0.75 mg"


def test_liquid() -> None:
    text = dose_instruction(planned(1.25, volume_ml=1.3), patient("liquid", 1.0))
    assert text == "1.3 ml of the 1 mg/ml liquid (1.25 mg)"


def test_needs_liquid_and_none() -> None:
    assert "ask the pharmacy for a liquid" in dose_instruction(
        planned(0.5, needs_liquid=True), patient())
    assert dose_instruction(planned(0), patient()) == "No LDN today"


def test_danish_decimal_comma() -> None:
    i18n.set_language("da")
    assert dose_instruction(planned(1.5), patient()) == "1 kapsel à 1,5 mg"
    text = dose_instruction(planned(1.25, volume_ml=1.3), patient("liquid", 2.5))
    assert text == "1,3 ml af miksturen på 2,5 mg/ml (1,25 mg)"
