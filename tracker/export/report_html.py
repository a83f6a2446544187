"""The HTML building blocks of the patient report (:mod:`tracker.export.report`): its dates, a
titled section, a table of already-escaped cells.

Shared by page one (:mod:`tracker.export.report`) and the pages after it
(:mod:`tracker.export.report_details`), so every section and table of the report is drawn by the
same two functions and every date carries its year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from tracker.export.report_charts import empty_note, esc
from tracker.i18n import _, format_date


def date_text(iso: str | None) -> str:
    """A date of the report, with its year always (SPEC §13); ``–`` for none."""
    return "–" if iso is None else format_date(date.fromisoformat(iso), year=True)


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def data_table(
    headings: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()
) -> str:
    """A table of already-escaped cells; ``numeric`` columns align right."""
    right = set(numeric)
    rows = list(rows)
    if not rows:
        return empty_note(_("None."))

    def cls(i: int) -> str:
        return ' class="num"' if i in right else ""

    head = "".join(f'<th scope="col"{cls(i)}>{esc(h)}</th>' for i, h in enumerate(headings))
    body = "\n".join(
        "<tr>" + "".join(f"<td{cls(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
