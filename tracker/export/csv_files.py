"""CSV files for the journal or a spreadsheet (SPEC §9 ``export``).

Two dialects: ``standard`` (comma, decimal point, UTF-8) and ``excel-da`` (semicolon, decimal
comma, UTF-8 with a byte-order mark so Danish Excel reads æøå). Every cell is formatted here, not
by ``DataFrame.to_csv``, because the diary holds user text that a spreadsheet would otherwise run
as a formula: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
leading ``'``. Numbers are never touched, so ``-0.5`` stays a number.

The files hold health data: each is written owner-only (0600) through a temporary file and
renamed into place, so a failed export leaves no half-written file; directories the export
creates are 0700.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from tracker.export.cells import format_number, neutralise

Dialect = Literal["standard", "excel-da"]
DIALECTS: tuple[Dialect, ...] = ("standard", "excel-da")
FILE_MODE = 0o600
DIR_MODE = 0o700


def _settings(dialect: str) -> tuple[str, str, str, str]:
    """``(separator, decimal mark, encoding, line ending)`` of a dialect.

    Both end lines with CRLF (RFC 4180): the csv module quotes a field holding any character of
    the line ending, so a stray carriage return in a note is quoted and cannot start a new row.
    """
    if dialect == "standard":
        return ",", ".", "utf-8", "\r\n"
    if dialect == "excel-da":
        return ";", ",", "utf-8-sig", "\r\n"
    raise ValueError(f"unknown CSV dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")


def format_cell(value: Any, decimal_mark: str = ".") -> str:
    """One cell as text: ISO dates, ``true``/``false``, plain numbers, neutralised text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return format_number(float(value), decimal_mark)
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return neutralise("; ".join(str(v) for v in value))
    return neutralise(str(value))


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700; existing directories are left alone."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(directory, DIR_MODE)  # whatever the umask
    if not path.is_dir():
        raise NotADirectoryError(str(path))


def write_private(path: Path, data: bytes | Iterable[bytes | memoryview]) -> None:
    """Write ``data`` (bytes, or pieces of it in order) to ``path`` as an owner-only (0600)
    file, atomically."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp's default, stated
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Cells:
    """Cells of one dialect as :class:`csv.writer` writes them inside a row: formatted by
    :func:`format_cell` (the formula guard on text), then quoted where the dialect needs it.

    Each distinct value is formatted once, by the csv module itself (so the quoting is the
    module's by construction), and remembered: the bulk export writes millions of cells from a
    few thousand distinct dates, numbers and names. Joined with :attr:`separator` and ended
    with :attr:`newline`, they make the lines :func:`csv_text` writes.
    """

    def __init__(self, dialect: str = "standard") -> None:
        self.separator, self.decimal_mark, self.encoding, self.newline = _settings(dialect)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=self.separator,
                                  lineterminator=self.newline)
        self._tail = len(self.separator) + len(self.newline)
        self._cells: dict[tuple[type, Any], str] = {}

    def quoted(self, text: str) -> str:
        """``text`` as one field of a row (quoted when it holds the separator, a quote or a
        line break); no formula guard."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow((text, ""))  # not alone in its row: "" alone would be quoted
        return self._buffer.getvalue()[:-self._tail]

    def cell(self, value: Any) -> str:
        """``format_cell(value)`` as a field of a row."""
        key = (value.__class__, value)
        try:
            return self._cells[key]
        except KeyError:
            pass
        except TypeError:  # unhashable (a list): not remembered
            return self.quoted(format_cell(value, self.decimal_mark))
        text = self.quoted(format_cell(value, self.decimal_mark))
        if value == value:  # NaN is no key
            self._cells[key] = text
        return text

    def header(self, columns: Sequence[str]) -> str:
        """The header line of a table with ``columns``, as :func:`csv_text` writes it."""
        return self.separator.join(self.cell(str(c)) for c in columns) + self.newline
