from __future__ import annotations

import pytest

from tracker.clinical import CAPSULE_STRENGTHS_MG, deliverable_dose, volume_ml


@pytest.mark.parametrize(
    ("nominal", "expected"),
    [
        (1.25, 1.0), (1.75, 1.5), (2.25, 2.0), (2.75, 2.0), (3.25, 3.0), (4.25, 3.0),
        (4.5, 4.5), (0.75, 0.75), (12.0, 12.0), (20.0, 12.0), (5.99, 4.5), (6.0, 6.0),
    ],
)
def test_capsule_is_largest_strength_at_or_below(nominal: float, expected: float) -> None:
    assert deliverable_dose(nominal, "capsule") == (expected, False)


def test_every_strength_maps_to_itself() -> None:
    for strength in CAPSULE_STRENGTHS_MG:
        assert deliverable_dose(strength, "capsule") == (strength, False)


def test_floating_point_noise_never_drops_a_strength() -> None:
    assert deliverable_dose(0.1 + 0.65, "capsule") == (0.75, False)  # 0.75000000000001
    assert deliverable_dose(0.7499999999, "capsule") == (0.75, False)
    assert deliverable_dose(3 * 0.5, "capsule") == (1.5, False)
    assert deliverable_dose(0.2 + 0.5 * 5 + 0.3 - 1e-12, "capsule") == (3.0, False)


@pytest.mark.parametrize("nominal", [0.1, 0.2, 0.375, 0.5, 0.7])
def test_below_smallest_capsule_needs_liquid(nominal: float) -> None:
    assert deliverable_dose(nominal, "capsule") == (nominal, True)


@pytest.mark.parametrize("nominal", [0.1, 0.375, 1.25, 4.5, 7.3])
def test_liquid_delivers_the_nominal(nominal: float) -> None:
    assert deliverable_dose(nominal, "liquid") == (nominal, False)


def test_zero_is_zero() -> None:
    assert deliverable_dose(0, "capsule") == (0.0, False)
    assert deliverable_dose(0, "liquid") == (0.0, False)


def test_unknown_formulation_is_refused() -> None:
    with pytest.raises(ValueError):
        deliverable_dose(1, "tablet")


def test_volume_to_a_tenth_of_a_ml() -> None:
    assert volume_ml(4.5, 1.0) == 4.5
    assert volume_ml(1.05, 1.0) == 1.1  # half up
    assert volume_ml(0.75, 0.5) == 1.5
    assert volume_ml(1.0, 3.0) == 0.3
    assert volume_ml(1.0, None) is None
