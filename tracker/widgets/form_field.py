"""A labelled form control with its validation message beside it, never a crash."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label

from tracker.widgets.field_message import FieldMessage


class FormField(Horizontal):
    DEFAULT_CSS = """
    FormField {
        height: auto;
        margin-bottom: 1;
    }
    FormField > .form-field--label {
        width: 24;
        padding: 0 1 0 0;
        text-align: right;
    }
    FormField > .form-field--control {
        width: 36;
        height: auto;
    }
    FormField > .form-field--side {
        width: 1fr;
        height: auto;
        padding: 0 0 0 2;
    }
    FormField.invalid > .form-field--control Input {
        background: $error 25%;
    }
    """

    def __init__(self, label: str, *controls: Widget, key: str, hint: str = "") -> None:
        super().__init__(id=f"field-{key}")
        self.label = label
        self.controls = controls
        self.key = key
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="form-field--label")
        with Vertical(classes="form-field--control"):
            yield from self.controls
        with Vertical(classes="form-field--side"):
            yield FieldMessage(id=f"{self.key}-error")
            yield FieldMessage(self.hint, kind="hint", id=f"{self.key}-hint")

    def set_error(self, text: str) -> None:
        self.query_one(f"#{self.key}-error", FieldMessage).show(text)
        self.set_class(bool(text), "invalid")

    def set_hint(self, text: str) -> None:
        self.query_one(f"#{self.key}-hint", FieldMessage).show(text)
