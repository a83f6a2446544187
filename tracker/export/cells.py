"""Spreadsheet-safe cells, without pandas: the command line prints CSV with these too.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
``'`` so a spreadsheet shows it instead of running it; numbers are formatted, never touched.
"""

from __future__ import annotations

import math
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell made inert for spreadsheets: ``'`` before a formula trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def format_number(value: float, decimal_mark: str = ".") -> str:
    """The shortest text that reads back as the same float, without trailing zeros:
    ``1``, ``0.75``, ``-2.25`` (``0,75`` with a decimal comma); never an exponent.
    """
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", decimal_mark)
