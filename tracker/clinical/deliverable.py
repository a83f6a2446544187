"""Nominal doses turned into doses a patient can actually take (SPEC §2).

A liquid delivers any dose; capsules come in the compounded strengths of
:data:`~tracker.clinical.model.CAPSULE_STRENGTHS_MG`. Every comparison is made on doses rounded
to a millionth of a milligram, so binary floating point (0.7499999…) never picks the wrong
capsule.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tracker.clinical.model import CAPSULE_STRENGTHS_MG

_PLACES = 6


def clean_mg(value: float) -> float:
    """A dose rounded to 1e-6 mg (and never ``-0.0``): the form every dose is compared in."""
    return round(float(value), _PLACES) + 0.0


def deliverable_dose(nominal_mg: float, formulation: str) -> tuple[float, bool]:
    """``(deliverable, needs_liquid)`` for a nominal dose.

    Liquid: the nominal itself. Capsules: the largest strength at or below the nominal; when
    the nominal is below the smallest capsule (0.75 mg) the nominal itself, flagged
    ``needs_liquid`` so the patient asks the pharmacy for a liquid. Zero stays zero.
    """
    if formulation not in ("capsule", "liquid"):
        raise ValueError(f"unknown formulation {formulation!r}; expected capsule or liquid")
    nominal = clean_mg(nominal_mg)
    if nominal <= 0:
        return 0.0, False
    if formulation == "liquid":
        return nominal, False
    best: float | None = None
    for strength in CAPSULE_STRENGTHS_MG:
        if strength <= nominal:
            best = float(strength)
        else:
            break
    if best is None:
        return nominal, True
    return best, False


def volume_ml(dose_mg: float, concentration_mg_ml: float | None) -> float | None:
    """The liquid volume for a dose, to 0.1 ml (rounded half up); ``None`` without a liquid."""
    if concentration_mg_ml is None or concentration_mg_ml <= 0:
        return None
    ratio = Decimal(repr(clean_mg(dose_mg))) / Decimal(repr(float(concentration_mg_ml)))
    return float(ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) + 0.0
