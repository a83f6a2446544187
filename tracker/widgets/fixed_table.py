"""A DataTable whose columns all have a width of their own: the clinic's 2,000 rows.

Textual's ``DataTable`` measures every cell of every new row (``_update_dimensions``, on the
first idle after rows are added) to widen auto-width columns; a clinic of 2,000 patients is
32,000 measurements, about half of the clinic screen's opening. A column with a width of its
own never reads that measure (``Column.get_render_width`` returns its width), so when every
column has one and no new row has a label or an automatic height, nothing depends on it: the
rows are left out of the measuring, and the table's size is computed as before.

Textual's ``ordered_columns`` builds the list of columns anew on every read, from a lookup per
column; ``add_row`` reads it twice, so 2,000 rows of 16 columns were 64,000 lookups (~30 ms of
the clinic screen's opening). Here it is kept until the columns change, which only
``add_column``, ``remove_column`` and ``clear(columns=True)`` do.
``tests/unit/test_architecture.py`` holds the rendering and the column order to Textual's own
table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import Column, ColumnKey, RowKey


class FixedColumnsTable(DataTable[Any]):
    _columns_in_order: list[Column] | None = None

    @property
    def ordered_columns(self) -> list[Column]:
        columns = self._columns_in_order
        if columns is None:
            textuals = DataTable.ordered_columns.fget  # type: ignore[attr-defined]
            columns = self._columns_in_order = textuals(self)
        return columns

    def add_column(self, *args: Any, **kwargs: Any) -> ColumnKey:
        self._columns_in_order = None
        try:
            return super().add_column(*args, **kwargs)
        finally:
            self._columns_in_order = None

    def remove_column(self, column_key: ColumnKey | str) -> None:
        self._columns_in_order = None
        try:
            super().remove_column(column_key)
        finally:
            self._columns_in_order = None

    def clear(self, columns: bool = False) -> FixedColumnsTable:
        self._columns_in_order = None
        try:
            return super().clear(columns)
        finally:
            self._columns_in_order = None

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        rows = list(new_rows)
        columns = self.columns.values()
        if columns and not any(column.auto_width for column in columns):
            known = self.rows
            if not any(key in known and (known[key].label is not None or known[key].auto_height)
                       for key in rows):
                rows = []
        super()._update_dimensions(rows)
