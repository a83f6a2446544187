"""Numbers as people type them (SPEC §9): ASCII digits, ``.`` or ``,`` as the decimal mark,
anything else refused with a ValidationError naming the field, never another exception.

Python's ``\\d``, ``int()`` and ``float()`` take the digits of every script (``int("٣") == 3``,
``float("４") == 4.0``): the cases below were a dose, a severity and a patient id before.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.validation import (
    MAX_DIGITS,
    ValidationError,
    parse_date,
    parse_int,
    parse_number,
    parse_time,
    patient_id,
)

ASCII_NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)", re.ASCII)

OTHER_SCRIPTS = ["٤٫٥", "٤.٥", "٣", "۳", "४", "৩", "４", "１.５", "𝟑", "³", "½", "Ⅳ"]
NOT_NUMBERS = ["1e309", "1e3", "inf", "-inf", "nan", "Infinity", "0x10", "1_000", "0 5",
               "4,5,3", "4.5.", ".", ",", "", "  ", "+", "--1", "4 mg", "\u00a04\u00a05"]


@pytest.mark.parametrize("text", OTHER_SCRIPTS + NOT_NUMBERS)
def test_what_is_no_ascii_number_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_number(text, "--mg")
    assert refused.value.field == "--mg"
    assert refused.value.render().startswith("--mg must be a number above 0 and at most 25 mg")


@pytest.mark.parametrize("text", ["1" * 27, "123456789012345678901234567", "0." + "1" * 15,
                                  "1" * (MAX_DIGITS + 1), "9" * 5000])
def test_more_digits_than_any_measurement_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="must be a number"):
        parse_number(text, "--weight-kg")  # before: InvalidOperation when the message rendered


@pytest.mark.parametrize(("field", "allowed"), [
    ("--mg", "above 0 and at most 25 mg"), ("mg", "above 0 and at most 25 mg"),
    ("--weight-kg", "above 0 and at most 400 kg"), ("weight_kg", "above 0 and at most 400 kg"),
    ("--concentration", "above 0 and at most 25 mg/ml"),
    ("concentration_mg_ml", "above 0 and at most 25 mg/ml"),
    ("--target-mg", "above 0 and at most 25 mg"), ("--step-mg", "of 0.5 or 1 mg"),
])
def test_the_refusal_names_the_fields_range(field: str, allowed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_number("٣", field)
    assert f"{field} must be a number {allowed}" in refused.value.render()


def test_a_field_without_a_known_range_keeps_the_plain_message() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_number("x", "Weight")  # the app's form passes its label
    assert refused.value.render() == "Weight must be a number, e.g. 4.5 or 4,5 (got x)."


@pytest.mark.parametrize(("text", "value"), [
    ("4,5", 4.5), ("4.5", 4.5), (" 0,75 ", 0.75), ("+1", 1.0), ("-2", -2.0), ("5.", 5.0),
    (",5", 0.5), ("007", 7.0), ("1" * MAX_DIGITS, float("1" * MAX_DIGITS)),
])
def test_ascii_numbers_are_taken(text: str, value: float) -> None:
    assert parse_number(text, "--mg") == value


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300, 10.0 ** MAX_DIGITS])
def test_numbers_handed_over_as_floats_are_held_to_the_same_rule(value: float) -> None:
    with pytest.raises(ValidationError):
        parse_number(value, "mg")


def returns_a_finite_ascii_number_or_refuses(text: str) -> None:
    try:
        value = parse_number(text, "--mg")
    except ValidationError as refused:
        assert refused.field == "--mg"
        return
    assert math.isfinite(value)
    cleaned = text.strip()
    assert ASCII_NUMBER.fullmatch(cleaned), text
    assert cleaned.count(".") + cleaned.count(",") <= 1
    assert sum(c.isdigit() for c in cleaned) <= MAX_DIGITS


@given(st.text())
def test_parse_number_returns_a_finite_ascii_number_or_refuses(text: str) -> None:
    returns_a_finite_ascii_number_or_refuses(text)


@given(st.text(alphabet=st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９.,+- eE_"),
               max_size=40))
def test_parse_number_on_digit_like_text(text: str) -> None:
    returns_a_finite_ascii_number_or_refuses(text)


@given(st.text())
def test_parse_int_returns_an_ascii_whole_number_in_range_or_refuses(text: str) -> None:
    try:
        value = parse_int(text, "--severity", 0, 4)
    except ValidationError as refused:
        assert refused.field == "--severity"
        assert "from 0 to 4" in refused.render()
        return
    assert 0 <= value <= 4
    assert re.fullmatch(r"[+-]?[0-9]+", text.strip(), re.ASCII)


@pytest.mark.parametrize("text", ["٣", "４", "३", "1" * 27, "9" * 5000, "3.0", "1e0", " 3 4 "])
def test_whole_numbers_in_other_scripts_or_too_long_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_int(text, "--value", 0, 10)  # "9" * 5000: int() itself would raise ValueError
    assert refused.value.render().startswith("--value must be a whole number from 0 to 10")


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), (" 42 ", 42), ("007", 7), ("9" * 18, int("9" * 18)),
    ("٣", None), ("４", None), ("9" * 19, None), ("+1", None), ("1.0", None), ("", None),
    ("Anna", None),
])
def test_patient_ids_are_ascii_digits_that_fit_the_database(text: str,
                                                            expected: int | None) -> None:
    assert patient_id(text) == expected


@pytest.mark.parametrize("text", ["٢٠٢٦-٠١-٠١", "２０２６-０１-０１", "2026-٠١-01"])
def test_dates_are_written_in_ascii_digits(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_date(text, "--date")


@pytest.mark.parametrize("text", ["٠٩:٣٠", "０９:３０", "9:3٠"])
def test_times_are_written_in_ascii_digits(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_time(text, "--time")  # before: "٠٩:٣٠" was 09:30
