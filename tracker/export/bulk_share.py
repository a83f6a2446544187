"""One share of a clinic's patients, as ``export --all`` builds their files
(:mod:`tracker.export.bulk`).

A :class:`Share` is what every file's builder reads and writes: the patients and the cell
format, each patient's part of each file (filled in by :mod:`tracker.export.bulk_diary` and
:mod:`tracker.export.bulk_plans`), and the conversions they all make from a table's columns
(patients to their place in the share, days to ordinals and back, each distinct day formatted
once), kept here so that every file shares them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np

from tracker.export.bulk_codes import Runs
from tracker.export.columns import EXPORT_FILES
from tracker.export.csv_files import Cells
from tracker.storage.diary_rows import day_value
from tracker.storage.scans import ClinicReader

Chunks = dict[int, list[bytes]]  # patient id -> its part of each file (EXPORT_FILES order)


def chunk(prefix: str, lines: list[str]) -> bytes:
    """A patient's lines, each ``prefix`` + the line's text, encoded (UTF-8: the dialect's
    byte-order mark, if any, goes before the header)."""
    return (prefix + prefix.join(lines)).encode("utf-8") if lines else b""


class Share:
    """The patients ``ids`` (in the order their parts are asked for), read with ``reader``,
    and their parts of the files (``out[i][k]``: patient ``ids[i]``, file ``EXPORT_FILES[k]``)."""

    def __init__(self, reader: ClinicReader, ids: list[int], cells: Cells, today: date) -> None:
        self.reader = reader
        self.ids = ids
        self.cells = cells
        self.cell = cells.cell
        self.today = today
        self.sep = cells.separator
        self.nl = cells.newline
        self.patients = {p.id: p for p in reader.patients()}
        self.medications = reader.medications()
        self.prefixes = [f"{pid}{self.sep}{self.cell(self.patients[pid].name)}{self.sep}"
                         for pid in ids]
        self.out: list[list[bytes]] = [[b""] * len(EXPORT_FILES) for _ in ids]
        rank = {pid: i for i, pid in enumerate(ids)}
        self._ids_sorted = np.array(sorted(rank), dtype=np.int64)
        self._rank_sorted = np.array([rank[p] for p in sorted(rank)], dtype=np.int64)
        self._ordinals: dict[Any, int] = {}
        self._dates: dict[int, date] = {}
        self._iso: dict[int, str] = {}

    def chunks(self) -> Chunks:
        return dict(zip(self.ids, self.out, strict=True))

    def fill(self, file: str, runs: Runs, lines: list[str]) -> None:
        """Every patient's part of ``file``: their run of ``lines``."""
        k = EXPORT_FILES.index(file)
        for i, prefix in enumerate(self.prefixes):
            self.out[i][k] = chunk(prefix, lines[runs(i)])

    def scan(self, table: str, *converters: Callable[[Sequence[Any]], np.ndarray]
             ) -> list[np.ndarray]:
        """A diary table's columns, each converted chunk by chunk (the raw values of a whole
        table never sit in memory at once)."""
        parts: list[list[np.ndarray]] = [[] for _ in converters]
        for columns in self.reader.columns(table):
            for part, convert, column in zip(parts, converters, columns, strict=True):
                part.append(convert(column))
        return [np.concatenate(part) if part else np.zeros(0, dtype=np.int64)
                for part in parts]

    def patients_of(self, column: Sequence[Any]) -> np.ndarray:
        """Each row's patient as its number in ``ids`` (-1: not asked for)."""
        pids = np.asarray(column, dtype=np.int64)
        if not len(self._ids_sorted):
            return np.full(len(pids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids_sorted, pids), len(self._ids_sorted) - 1)
        return np.where(self._ids_sorted[at] == pids, self._rank_sorted[at], -1)

    def days_of(self, column: Sequence[Any]) -> np.ndarray:
        """Each row's day as an ordinal (ISO text or a date, converted once per value)."""
        known = self._ordinals
        for value in set(column) - known.keys():
            day = day_value(value)
            known[value] = ordinal = day.toordinal()
            self._dates[ordinal] = day
        return np.fromiter(map(known.__getitem__, column), dtype=np.int64, count=len(column))

    def iso(self, ordinal: int) -> str:
        text = self._iso.get(ordinal)
        if text is None:
            text = self._iso[ordinal] = self.cell(self.as_date(ordinal))
        return text

    def as_date(self, ordinal: int) -> date:
        day = self._dates.get(ordinal)
        if day is None:
            day = self._dates[ordinal] = date.fromordinal(ordinal)
        return day

    def sorted_rows(self, patient: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, Runs]:
        """The order of the rows asked for, by patient then ``keys``; the patients' runs."""
        index = np.flatnonzero(patient >= 0)
        order = index[np.lexsort(tuple(k[index] for k in reversed(keys)) + (patient[index],))]
        return order, Runs.of(patient[order], len(self.ids))
