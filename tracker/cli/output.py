"""Rows printed as CSV or JSON on stdout, for a journal, a spreadsheet or a script.

Without pandas, so a listing starts fast. CSV text cells are made inert for spreadsheets, numbers
are written without trailing zeros, booleans as ``true``/``false`` and dates as ISO dates; JSON
keeps the values' own types and writes non-ASCII letters (æ, ø, å) as they are.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from tracker.export.cells import format_number, neutralise


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> None:
    if fmt == "json":
        print_json([{c: _json_value(r.get(c)) for c in columns} for r in rows])
        return

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v := row.get(c), str) else _cell(v)
                         for c in columns])
    sys.stdout.write(buf.getvalue())
