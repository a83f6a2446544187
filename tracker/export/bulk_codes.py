"""Columns as integer codes, for ``export --all`` (:mod:`tracker.export.bulk`).

A clinic's diary is millions of rows but few distinct values: a few thousand days, a dozen
symptoms and side effects, a handful of doses and severities. Numbering each column's values
lets numpy sort and group the rows, and lets each distinct value, and each distinct combination
of them (a day, a symptom and a score), be formatted once and picked by its code for every row
that has it. Here are those codes and the runs of rows that belong to each patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


class Coder:
    """Integer codes for the values of a column, the same code for the same value in every
    chunk it is called on; None is -1. For columns of few distinct values (names, times)."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {None: -1}
        self.values: list[Any] = []

    def __call__(self, column: Sequence[Any]) -> np.ndarray:
        index = self.index
        for value in set(column) - index.keys():
            index[value] = len(self.values)
            self.values.append(value)
        return np.fromiter(map(index.__getitem__, column), dtype=np.int64, count=len(column))


def ints(column: Sequence[Any]) -> np.ndarray:
    return np.asarray(column, dtype=np.int64)


def floats(column: Sequence[Any]) -> np.ndarray:
    return np.array(column, dtype=np.float64)  # None: NaN


def flags(column: Sequence[Any]) -> np.ndarray:
    return np.asarray(column, dtype=bool)  # 0/1 from SQLite, booleans from a server


def ranked(codes: np.ndarray, values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """The codes renumbered in the values' sort order (text: Python's, by code point)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values) + 1, dtype=np.int64)
    rank[order] = np.arange(len(values))
    rank[-1] = -1  # None stays -1
    return rank[codes], [values[i] for i in order]


def int_codes(values: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Codes of integers, ``value - smallest``, and the values they stand for."""
    if not len(values):
        return values, []
    low, high = int(values.min()), int(values.max())
    return values - low, list(range(low, high + 1))


def combine(*parts: tuple[np.ndarray, int]) -> tuple[np.ndarray, list[list[int]]]:
    """One code per row for several code columns (each ``(codes, how many)``, codes from
    -1), and for each distinct combination the codes it stands for."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, size in parts:
        key = key * (size + 1) + (codes + 1)
    combined, uniques = pd.factorize(key)
    members = np.empty((len(uniques), len(parts)), dtype=np.int64)
    rest = np.asarray(uniques, dtype=np.int64)
    for i in range(len(parts) - 1, -1, -1):
        size = parts[i][1] + 1
        members[:, i] = rest % size - 1
        rest = rest // size
    return combined.astype(np.int64), members.tolist()


def take(values: list[Any], codes: np.ndarray) -> list[Any]:
    """``values[code]`` for each code."""
    if not len(codes):
        return []
    picked: list[Any] = np.asarray(values, dtype=object)[codes].tolist()
    return picked


def day_span(days: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Day ordinals as codes from the first day: ``(codes, how many, first)``."""
    if not len(days):
        return days, 0, 0
    first = int(days.min())
    return days - first, int(days.max()) - first + 1, first


@dataclass
class Runs:
    """Where each patient's rows of a table sorted by patient begin and end."""

    bounds: list[int]

    @classmethod
    def of(cls, sorted_patients: np.ndarray, patients: int) -> Runs:
        return cls(np.searchsorted(sorted_patients, np.arange(patients + 1)).tolist())

    def __call__(self, i: int) -> slice:
        return slice(self.bounds[i], self.bounds[i + 1])
