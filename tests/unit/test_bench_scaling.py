"""The scaling figure's verdict (bench/scaling.py): how a figure grows against its data.

Pure logic: growth factors in, a word out. The measuring itself is `make bench`'s.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

PATH = Path(__file__).resolve().parents[2] / "bench" / "scaling.py"
_spec = importlib.util.spec_from_file_location("bench_scaling", PATH)
assert _spec is not None and _spec.loader is not None
scaling = importlib.util.module_from_spec(_spec)
sys.modules["bench_scaling"] = scaling
_spec.loader.exec_module(scaling)

data_growth = st.floats(min_value=2.0, max_value=100.0)  # how many times more data
base = st.floats(min_value=1e-4, max_value=1e4)  # the figure on the smaller clinic
jitter = st.floats(min_value=0.9, max_value=1.1)  # noise on each measurement
ORDER = ["falls", "flat", "sub-linear", "linear", "super-linear"]


def judged(f, g: float, small: float, noise_small: float, noise_big: float) -> str:
    """The verdict on a figure f(n) measured at n = 1 and n = g, each with its own noise."""
    factor = scaling.growth(f(1.0, small) * noise_small, f(g, small) * noise_big)
    return scaling.verdict(factor, g)


@given(data_growth, base, jitter, jitter)
def test_linear_data_is_linear(g: float, a: float, j1: float, j2: float) -> None:
    assert judged(lambda n, a: a * n, g, a, j1, j2) == "linear"


@given(data_growth, base, jitter, jitter)
def test_constant_data_is_flat(g: float, a: float, j1: float, j2: float) -> None:
    assert judged(lambda n, a: a, g, a, j1, j2) == "flat"


@given(data_growth, base, jitter, jitter)
def test_quadratic_data_is_super_linear(g: float, a: float, j1: float, j2: float) -> None:
    assert judged(lambda n, a: a * n * n, g, a, j1, j2) == "super-linear"


@given(st.floats(min_value=4.0, max_value=100.0), base, jitter, jitter)
def test_square_root_is_sub_linear(g: float, a: float, j1: float, j2: float) -> None:
    # sqrt(g) is above flat's 1.25 and below linear's 0.75 g for every g >= 4, noise included
    assert judged(lambda n, a: a * math.sqrt(n), g, a, j1, j2) == "sub-linear"


@given(data_growth, base, jitter, jitter)
def test_a_figure_that_gets_faster_falls(g: float, a: float, j1: float, j2: float) -> None:
    assert judged(lambda n, a: a / n, g, a, j1, j2) == "falls"


@given(data_growth, st.floats(min_value=0.01, max_value=1000.0),
       st.floats(min_value=0.01, max_value=1000.0))
def test_more_growth_never_gives_a_lower_verdict(g: float, f1: float, f2: float) -> None:
    low, high = sorted((f1, f2))
    assert ORDER.index(scaling.verdict(low, g)) <= ORDER.index(scaling.verdict(high, g))


@pytest.mark.parametrize(("factor", "expected"), [
    (0.74, "falls"), (0.75, "flat"), (1.25, "flat"), (1.26, "sub-linear"),
    (2.99, "sub-linear"), (3.0, "linear"), (5.0, "linear"), (5.01, "super-linear"),
])
def test_the_borders_per_4x_patients(factor: float, expected: str) -> None:
    assert scaling.verdict(factor, 4.0) == expected


@pytest.mark.parametrize("factor", [float("nan"), float("inf"), 0.0, -1.0])
def test_a_figure_not_measured_has_no_verdict(factor: float) -> None:
    assert scaling.verdict(factor, 3.0) == "–"


def test_data_that_hardly_grows_cannot_be_judged() -> None:
    with pytest.raises(ValueError):
        scaling.verdict(1.2, 1.5)  # flat (<= 1.25) and linear (>= 1.125) would overlap


@given(st.lists(st.floats(min_value=0.01, max_value=100.0), min_size=1, max_size=4))
def test_mean_growth_lies_between_the_factors(factors: list[float]) -> None:
    mean = scaling.mean_growth(factors)
    assert min(factors) * (1 - 1e-9) <= mean <= max(factors) * (1 + 1e-9)


def test_growth_of_a_missing_value_is_nan_and_so_is_its_mean() -> None:
    assert math.isnan(scaling.growth(float("nan"), 2.0))
    assert math.isnan(scaling.growth(1.0, float("inf")))  # a screen that timed out
    assert math.isnan(scaling.mean_growth([4.0, scaling.growth(0.0, 1.0)]))
    assert math.isnan(scaling.mean_growth([]))


def test_the_table_compares_only_clinics_that_differ_in_one_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PATH.parent))  # the table's cells are run.py's fmt()
    cohort, dose = "cohort view, rows current", "`dose`, whole process"
    clinics = [scaling.Clinic(p, d, Path("x.db"), values={
        cohort: (0.002 * p, "s"),  # linear in patients, flat in days
        dose: (0.6 + 0.001 * (p % 7), "s"),  # flat in both
    }) for d in (365, 1095) for p in (500, 2000)]
    assert scaling.growths(clinics, cohort) == (pytest.approx(4.0), pytest.approx(1.0))
    assert scaling.summary(clinics) == "per 4× patients: 1 linear, 1 flat; per 3× days: 2 flat"
    table = "\n".join(scaling.scaling_table(clinics, quick=False))
    assert "| 500 × 1 y | 2,000 × 1 y | 500 × 3 y | 2,000 × 3 y |" in table
    assert f"| {cohort} | median of 5 | 1.00 s | 4.00 s | 1.00 s | 4.00 s | 4.00× linear " \
           "| 1.00× flat |" in table
    clinics[3].values = {}  # 2,000 x 3 years missing: each growth from the one pair left
    assert scaling.growths(clinics, cohort) == (pytest.approx(4.0), pytest.approx(1.0))
    clinics[0].values = {}  # 500 x 1 year too: no pair left for either
    assert all(math.isnan(g) for g in scaling.growths(clinics, cohort))
