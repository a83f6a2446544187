"""A month of diary days: taken or missed, side effects, and the plan's phase as colour."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tracker.i18n import MONTHS, N_, _
from tracker.widgets.translated import translate_bindings

WEEKDAYS = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))
PHASE_COLOURS = {
    "start": "#1f4e79", "titration": "#2e6b3a", "target": "#1e5631",
    "reduction": "#8a5a00", "plateau": "#6b5b00", "pause": "#4a4a4a", "hold": "#7a1f1f",
}
CELL = 9


@dataclass(frozen=True)
class DayMark:
    taken: bool | None  # None: no dose logged
    worst_effect: int | None  # None: no side-effect report; 0: clear
    phase: str | None
    planned_mg: float


class MonthCalendar(Widget, can_focus=True):
    DEFAULT_CSS = """
    MonthCalendar {
        width: auto;
        height: auto;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("left", "move(-1)", N_("Previous day"), show=False),
        Binding("right", "move(1)", N_("Next day"), show=False),
        Binding("up", "move(-7)", N_("Week before"), show=False),
        Binding("down", "move(7)", N_("Week after"), show=False),
        Binding("pageup,comma", "month(-1)", N_("Month before")),
        Binding("pagedown,full_stop", "month(1)", N_("Month after")),
        Binding("enter", "open", N_("Open day")),
    ]

    cursor: reactive[date] = reactive(date(2000, 1, 1))
    """The day in focus."""

    @dataclass
    class Highlighted(Message):
        calendar: MonthCalendar
        day: date

    @dataclass
    class Opened(Message):
        calendar: MonthCalendar
        day: date

    def __init__(self, cursor: date, last_day: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.marks: dict[date, DayMark] = {}
        self.first_day = cursor
        self.last_day = last_day
        self.set_reactive(MonthCalendar.cursor, cursor)

    def on_mount(self) -> None:
        translate_bindings(self)

    def set_marks(self, marks: dict[date, DayMark], first_day: date) -> None:
        self.marks = marks
        self.first_day = first_day
        self.refresh(layout=True)

    def watch_cursor(self, day: date) -> None:
        self.refresh(layout=True)
        self.post_message(self.Highlighted(self, day))

    def action_move(self, days: int) -> None:
        self.cursor = self._clamp(self.cursor + timedelta(days=days))

    def action_month(self, months: int) -> None:
        month = self.cursor.month - 1 + months
        year = self.cursor.year + month // 12
        month = month % 12 + 1
        day = min(self.cursor.day, calendar.monthrange(year, month)[1])
        self.cursor = self._clamp(date(year, month, day))

    def _clamp(self, day: date) -> date:
        return max(min(day, self.last_day), min(self.first_day, self.last_day))

    def action_open(self) -> None:
        self.post_message(self.Opened(self, self.cursor))

    def _cell(self, day: date) -> tuple[str, str]:
        mark = self.marks.get(day)
        dose = " "
        effect = "  "
        if mark is not None:
            dose = "✓" if mark.taken else "✗" if mark.taken is False else "·"
            if mark.worst_effect:
                effect = f"•{mark.worst_effect}"
            elif mark.worst_effect == 0:
                effect = "○ "
        text = f"{day.day:>2} {dose} {effect}".ljust(CELL - 1)
        style = ""
        if mark is not None and mark.phase:
            style = f"on {PHASE_COLOURS.get(mark.phase, 'default')}"
        if day > self.last_day or day < self.first_day:
            style = "dim"
        if day == self.cursor:
            style = "bold reverse" if self.has_focus else "bold underline"
        return text, style

    def render(self) -> Text:
        year, month = self.cursor.year, self.cursor.month
        text = Text(no_wrap=True)
        text.append(f"{_(MONTHS[month - 1])} {year}\n", style="bold")
        for name in WEEKDAYS:
            text.append(f" {_(name)}".ljust(CELL), style="italic")
        for week in calendar.Calendar().monthdatescalendar(year, month):
            text.append("\n")
            for day in week:
                if day.month != month:
                    text.append(" " * CELL)
                    continue
                cell, style = self._cell(day)
                text.append(cell, style=style)
                text.append(" ")
        return text

    def get_content_width(self, container, viewport) -> int:
        return CELL * 7

    def get_content_height(self, container, viewport, width: int) -> int:
        return 2 + len(calendar.Calendar().monthdatescalendar(self.cursor.year,
                                                              self.cursor.month))
