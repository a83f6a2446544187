"""Compact form rows for the medications screen: a label, a field, and its message beside it.

The setup screen's :class:`~tracker.widgets.form_field.FormField` leaves a message 20 columns
at 80 columns wide; these rows give it the rest of the line, so the opioid warning fits 80x24.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from tracker.widgets.field_message import FieldMessage


class MedicationField(Horizontal):
    """``label  [input]  message``; the message (an error, or a warning) wraps beside it."""

    DEFAULT_CSS = """
    MedicationField {
        height: auto;
    }
    MedicationField > Label {
        width: 16;
        padding: 0 1 0 0;
        text-align: right;
    }
    MedicationField > Input {
        width: 22;
    }
    MedicationField > Vertical {
        width: 1fr;
        height: auto;
        padding: 0 0 0 1;
    }
    MedicationField FieldMessage.warning {
        color: $warning;
        text-style: bold;
    }
    MedicationField.invalid > Input {
        background: $error 25%;
    }
    """

    def __init__(self, label: str, field: Input, *, key: str, hint: str = "") -> None:
        super().__init__(id=f"field-{key}")
        self.label = label
        self.field = field
        self.key = key
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        yield self.field
        with Vertical():
            yield FieldMessage(id=f"{self.key}-error")
            yield FieldMessage(kind="warning", id=f"{self.key}-warning")
            yield FieldMessage(self.hint, kind="hint", id=f"{self.key}-hint")

    def set_error(self, text: str) -> None:
        self.query_one(f"#{self.key}-error", FieldMessage).show(text)
        self.set_class(bool(text), "invalid")
        self._hint_unless_told()

    def set_warning(self, text: str) -> None:
        self.query_one(f"#{self.key}-warning", FieldMessage).show(("⚠ " + text) if text else "")
        self._hint_unless_told()

    def _hint_unless_told(self) -> None:
        """The hint only while nothing else is said beside the field (two lines at most)."""
        told = any(self.query_one(f"#{self.key}-{kind}", FieldMessage).text
                   for kind in ("error", "warning"))
        self.query_one(f"#{self.key}-hint", FieldMessage).display = not told and bool(self.hint)

    def message(self) -> str:
        """What is said beside the field (tests, screen readers)."""
        return " ".join(self.query_one(f"#{self.key}-{kind}", FieldMessage).text
                        for kind in ("error", "warning") if
                        self.query_one(f"#{self.key}-{kind}", FieldMessage).text)
