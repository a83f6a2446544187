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

``add_row`` also sets the cursor reactive to itself after each row, so that it stays on the
table: with its validation and watchers that was ~30 % of adding 2,000 rows. ``add_keyed_rows``
adds rows as ``add_row`` does and checks the cursor once, after the last.

``tests/unit/test_architecture.py`` holds the rendering, the column order and the rows added at
once to Textual's own table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import Column, ColumnKey, DuplicateKey, Row, RowKey


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

    def add_keyed_rows(self, rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
        """Add each ``(key, cells)`` at the bottom, as ``add_row(*cells, key=key)`` does (a
        height of 1, no label), then keep the cursor on the table and tell of the highlighted
        row as ``add_row`` does after a first row. A duplicate key or too many cells raise
        before that row is added, as ``add_row``'s do."""
        keys = [column.key for column in self.ordered_columns]
        locations, data, known, new = self._row_locations, self._data, self.rows, self._new_rows
        was_empty = self.row_count == 0
        added = 0
        try:
            for key, cells in rows:
                row_key = RowKey(key)
                if row_key in locations:
                    raise DuplicateKey(f"The row key {row_key!r} already exists.")
                if len(cells) > len(keys):
                    raise ValueError("More values provided than there are columns.")
                locations[row_key] = len(locations)
                data[row_key] = dict(zip_longest(keys, cells))
                known[row_key] = Row(row_key, 1, None, False)
                new.add(row_key)
                added += 1
        finally:
            if added:
                self._update_count += added
                self._require_update_dimensions = True
                self.cursor_coordinate = self.cursor_coordinate
                if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
                    self._highlight_cursor()
                self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        rows = list(new_rows)
        columns = self.columns.values()
        if columns and not any(column.auto_width for column in columns):
            known = self.rows
            if not any(key in known and (known[key].label is not None or known[key].auto_height)
                       for key in rows):
                rows = []
        super()._update_dimensions(rows)
