"""A DataTable whose columns all have a width of their own: the clinic's 2,000 rows.

Textual's ``DataTable`` measures every cell of every new row (``_update_dimensions``, on the
first idle after rows are added) to widen auto-width columns; a clinic of 2,000 patients is
32,000 measurements, about half of the clinic screen's opening. A column with a width of its
own never reads that measure (``Column.get_render_width`` returns its width), so when every
column has one and no new row has a label or an automatic height, nothing depends on it: the
rows are left out of the measuring, and the table's size is computed as before.
``tests/unit/test_architecture.py`` holds the rendering to Textual's own table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class FixedColumnsTable(DataTable[Any]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        rows = list(new_rows)
        columns = self.columns.values()
        if columns and not any(column.auto_width for column in columns):
            known = self.rows
            if not any(key in known and (known[key].label is not None or known[key].auto_height)
                       for key in rows):
                rows = []
        super()._update_dimensions(rows)
