"""A keyboard-first list of things to rate: side effects 0–4, symptom scores 0–10.

Arrows move between rows and a digit sets the focused row, so an evening's check-in is a few
key presses. On a 0–10 scale "1" then "0" gives 10; left/right nudge; backspace clears.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tracker.i18n import N_, _
from tracker.widgets.translated import translate_bindings


@dataclass
class RatingRow:
    key: str
    label: str  # English source text for known terms, else the patient's own words
    value: int | None = None


class RatingList(Widget, can_focus=True):
    DEFAULT_CSS = """
    RatingList {
        height: auto;
        padding: 0 1;
    }
    RatingList > .rating-list--cursor {
        background: $accent 30%;
        text-style: bold;
    }
    RatingList:focus > .rating-list--cursor {
        background: $accent;
        color: $text;
    }
    RatingList > .rating-list--unset {
        color: $text-muted;
    }
    RatingList > .rating-list--high {
        color: $warning;
    }
    """
    COMPONENT_CLASSES = {
        "rating-list--cursor", "rating-list--unset", "rating-list--high",
    }
    BINDINGS = [
        Binding("up,k", "move(-1)", N_("Up"), show=False),
        Binding("down,j", "move(1)", N_("Down"), show=False),
        Binding("right,plus", "nudge(1)", N_("More"), show=False),
        Binding("left,minus", "nudge(-1)", N_("Less"), show=False),
        Binding("backspace,delete", "clear", N_("Clear"), show=False),
        *[Binding(str(d), f"digit({d})", N_("Rate"), show=False) for d in range(10)],
    ]

    cursor: reactive[int] = reactive(0)
    """The focused row."""

    @dataclass
    class Changed(Message):
        rating_list: RatingList
        key: str
        value: int | None

        @property
        def control(self) -> RatingList:
            return self.rating_list

    def __init__(self, rows: list[RatingRow], maximum: int,
                 value_labels: tuple[str, ...] = (), *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows = rows
        self.maximum = maximum
        self.value_labels = value_labels
        self._typed = ""

    def on_mount(self) -> None:
        translate_bindings(self)

    # -- reading and writing ---------------------------------------------------------------

    def values(self) -> dict[str, int]:
        return {row.key: row.value for row in self.rows if row.value is not None}

    def set_value(self, key: str, value: int | None) -> None:
        for row in self.rows:
            if row.key == key:
                row.value = value
        self.refresh(layout=True)

    def add_row(self, row: RatingRow) -> None:
        if any(r.key == row.key for r in self.rows):
            self.cursor = [r.key for r in self.rows].index(row.key)
            return
        self.rows.append(row)
        self.cursor = len(self.rows) - 1
        self.refresh(layout=True)

    @property
    def current(self) -> RatingRow | None:
        return self.rows[self.cursor] if self.rows else None

    # -- actions ---------------------------------------------------------------------------

    def watch_cursor(self) -> None:
        self._typed = ""
        self.refresh()

    def action_move(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def _set(self, value: int | None) -> None:
        row = self.current
        if row is None:
            return
        row.value = value
        self.refresh()
        self.post_message(self.Changed(self, row.key, value))

    def action_digit(self, digit: int) -> None:
        value = 10 if self._typed == "1" and digit == 0 and self.maximum >= 10 else digit
        self._typed = "" if value == 10 else str(digit)
        if value > self.maximum:
            self.app.bell()
            return
        self._set(value)

    def action_nudge(self, delta: int) -> None:
        row = self.current
        if row is None:
            return
        base = row.value if row.value is not None else (0 if delta > 0 else 1)
        self._set(max(0, min(self.maximum, base + delta)))

    def action_clear(self) -> None:
        self._set(None)

    # -- drawing ---------------------------------------------------------------------------

    def _scale(self, value: int | None, form: int) -> str:
        """A row's value in one of three widths: 0 dots and the value's name, 1 dots and
        the number, 2 the number out of the maximum (the label column takes what it needs first)."""
        dots = min(self.maximum, 10)
        if form == 2:
            return f"{'–' if value is None else value}/{self.maximum}"
        if value is None:
            return "·" * dots + ("  " + _("not rated") if form == 0 else "")
        filled = "●" * value + "○" * (self.maximum - value)
        if form == 1:
            return f"{filled} {value}"
        label = _(self.value_labels[value]) if self.value_labels else str(value)
        return f"{filled} {label}"

    def _scale_width(self, form: int) -> int:
        return max(len(self._scale(v, form)) for v in (None, *range(self.maximum + 1)))

    def layout_for(self, width: int) -> tuple[int, int]:
        """The label column's width and the scale's form at ``width`` columns: the longest
        label whole with the widest scale that fits beside it; when none does, the narrowest
        scale, and a label too long for its column wraps onto the next line."""
        room = max(10, width) - 3  # the cursor mark and two spaces
        longest = max((len(_(row.label)) for row in self.rows), default=0)
        for form in (0, 1, 2):
            if longest + self._scale_width(form) <= room:
                return longest, form
        return max(6, room - self._scale_width(2)), 2

    def _lines(self, width: int) -> list[tuple[int, str]]:
        """(row index, line) for every drawn line."""
        label_width, form = self.layout_for(width)
        lines = []
        for index, row in enumerate(self.rows):
            mark = "›" if index == self.cursor else " "
            parts = _wrap(_(row.label), label_width)
            scale = self._scale(row.value, form)
            lines.append((index, f"{mark} {parts[0]:<{label_width}} {scale}"))
            lines.extend((index, f"  {part}") for part in parts[1:])
        return lines

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, (index, line) in enumerate(self._lines(self.size.width)):
            if number:
                text.append("\n")
            row = self.rows[index]
            if index == self.cursor:
                style = self.get_component_rich_style("rating-list--cursor")
            elif row.value is None:
                style = self.get_component_rich_style("rating-list--unset")
            elif row.value >= max(2, self.maximum // 2 + 1):
                style = self.get_component_rich_style("rating-list--high")
            else:
                style = None
            text.append(line, style=style or "")
        if not self.rows:
            text.append(_("Nothing to rate."))
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self._lines(width)))


def _wrap(label: str, width: int) -> list[str]:
    """``label`` in lines of at most ``width`` characters, broken between words when it can."""
    lines: list[str] = []
    while len(label) > width:
        cut = label.rfind(" ", 0, width + 1)
        if cut <= 0:
            cut = width
        lines.append(label[:cut].rstrip())
        label = label[cut:].lstrip()
    return [*lines, label] if label or not lines else lines
