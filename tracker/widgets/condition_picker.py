"""Pick the condition by typing part of its Danish or English name, or a synonym.

The search is forgiving (:func:`tracker.clinical.condition_search.match_conditions`): any case
or accent, any word's beginning, Danish or English, "sklerose" or "crohn"; a condition found by
a synonym is listed under that synonym, with its own name beside it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tracker.clinical.condition_search import Match, match_conditions
from tracker.clinical.protocols import Condition, find_condition
from tracker.i18n import _, get_language


def picker_label(condition: Condition) -> str:
    """The condition as the picker lists it: in this language, with the other language's name
    beside it when it differs, so either name finds it (elsewhere the name is
    :func:`tracker.clinical.labels.condition_label`'s)."""
    if get_language() == "da":
        return condition.da if condition.da == condition.en else \
            f"{condition.da} ({condition.en})"
    return condition.en if condition.da == condition.en else f"{condition.en} ({condition.da})"


def option_label(match: Match) -> str:
    """A search result: found by its name, as :func:`picker_label`; found by a synonym
    ("crohn"), the synonym with the condition's name in this language beside it."""
    if match.synonym is None:
        return picker_label(match.condition)
    name = match.condition.da if get_language() == "da" else match.condition.en
    return f"{match.synonym} ({name})"


class ConditionPicker(Vertical):
    DEFAULT_CSS = """
    ConditionPicker {
        height: auto;
    }
    ConditionPicker > OptionList {
        height: 6;
        border: none;
        padding: 0;
    }
    """

    @dataclass
    class Picked(Message):
        picker: ConditionPicker
        condition: Condition | None
        text: str

        @property
        def control(self) -> ConditionPicker:
            return self.picker

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.condition: Condition | None = None

    def compose(self) -> ComposeResult:
        yield Input(id="condition", compact=True,
                    placeholder=_("Search, e.g. sklerose or crohn"))
        yield OptionList(id="condition-options")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(option_label(m), id=m.condition.key)
                             for m in match_conditions(text, get_language())])
        if options.option_count:
            options.highlighted = 0

    @property
    def text(self) -> str:
        return self.query_one("#condition", Input).value

    @on(Input.Changed, "#condition")
    def search(self, event: Input.Changed) -> None:
        event.stop()
        if self.condition is not None and event.value == picker_label(self.condition):
            return
        self._fill(event.value)
        self.condition = find_condition(event.value)
        self.post_message(self.Picked(self, self.condition, event.value))

    def on_key(self, event: Key) -> None:
        if self.app.focused is not self.query_one("#condition", Input):
            return
        options = self.query_one(OptionList)
        if event.key == "down":
            options.action_cursor_down()
            event.stop()
        elif event.key == "up":
            options.action_cursor_up()
            event.stop()

    @on(Input.Submitted, "#condition")
    def submit(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            event.stop()
            self._choose(options.get_option_at_index(options.highlighted).id or "")
            self.screen.focus_next()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id or "")

    def _choose(self, key: str) -> None:
        condition = find_condition(key)
        if condition is None:
            return
        self.condition = condition
        self.query_one("#condition", Input).value = picker_label(condition)
        self.post_message(self.Picked(self, condition, condition.en))
