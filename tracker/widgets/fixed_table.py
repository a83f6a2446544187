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

Drawing a cell, Textual runs it through Rich (``Styled`` around ``Padding`` around the text,
~30 µs a cell) once for each row, column, style and cursor position; the clinic's first frame
drew ~600 cells that way, 55–85 ms. Most of them repeat a text of a few others at the same
width (phases, flags, doses). ``_render_cell`` lays out each distinct text at a width once,
then applies each cell's styles to those segments (``Segment.apply_style``, what ``Styled``
does): the same segments, styles and meta as Textual's.

``tests/unit/test_architecture.py`` holds the rendering (every segment and its style), the
column order and the rows added at once to Textual's own table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import Column, ColumnKey, DuplicateKey, Row, RowKey

TEXTS_LAID_OUT = 8192
"""Distinct (text, width) pairs kept laid out: a clinic screen shows a few hundred."""


class FixedColumnsTable(DataTable[Any]):
    _columns_in_order: list[Column] | None = None
    _laid_out: LRUCache[tuple[Any, ...], list[list[Segment]]] | None = None

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

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """Textual's ``_render_cell`` for a one-line body cell holding a ``Text``; the header,
        row labels, taller rows and other renderables go to Textual's own."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_index < 0 or column_index < 0 or row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        # Textual's key for the cell, so that its cache is read and cleared as before.
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        cache = self._cell_render_cache
        if cache_key in cache:
            return cache[cache_key]
        cell = self._get_row_renderables(row_index).cells[column_index]
        if self.rows[row_key].height != 1 or not isinstance(cell, Text):
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        laid_out = self._laid_out
        if laid_out is None:
            laid_out = self._laid_out = LRUCache(TEXTS_LAID_OUT)
        text_key = (cell.plain, cell.style, tuple(cell.spans), cell.justify, cell.overflow,
                    cell.no_wrap, cell.end, cell.tab_size, width, self.cell_padding)
        lines = laid_out.get(text_key)
        if lines is None:
            # Textual's options for a row of height 1, without the styles (applied below).
            options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
            lines = self.app.console.render_lines(Padding(cell, (0, self.cell_padding)),
                                                  options)
            laid_out.set(text_key, lines)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        style = base_style + Style.from_meta({"row": row_index, "column": column_index}) \
            + component_style
        rendered = [list(Segment.apply_style(line, style, post_style)) for line in lines]
        cache[cache_key] = rendered
        return rendered
