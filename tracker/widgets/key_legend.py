"""A legend of whole entries: a line breaks between two entries, never inside one, so
"Highest tolerated dose" or "•2 worst side effect" is never cut mid-phrase."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

GAP = "   "


def fit_entries(entries: Sequence[Text], width: int, gap: str = GAP) -> list[Text]:
    """The entries laid out in lines of at most ``width`` cells, each entry kept whole (one
    wider than a line gets a line of its own); an entry of just a newline starts a new line."""
    lines: list[Text] = []
    line = Text()
    for entry in entries:
        if entry.plain == "\n":  # a line break asked for
            if line.cell_len:
                lines.append(line)
            line = Text()
            continue
        if line.cell_len and line.cell_len + len(gap) + entry.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(gap)
        line.append_text(entry)
    if line.cell_len:
        lines.append(line)
    return lines


class KeyLegend(Widget):
    DEFAULT_CSS = """
    KeyLegend {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, entries: Sequence[Text] = (), *, gap: str = GAP, id: str | None = None,  # noqa: A002
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries = list(entries)
        self.gap = gap

    def set_entries(self, entries: Sequence[Text]) -> None:
        self.entries = list(entries)
        self.refresh(layout=True)

    def lines(self, width: int | None = None) -> list[Text]:
        return fit_entries(self.entries, width or self.content_region.width or 80, self.gap)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for i, line in enumerate(self.lines()):
            if i:
                text.append("\n")
            text.append_text(line)
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.lines(width))) if self.entries else 0
