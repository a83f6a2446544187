"""A line of text beside a field (an error, a hint) that takes no space while it is empty."""

from __future__ import annotations

from textual.widgets import Static


class FieldMessage(Static):
    DEFAULT_CSS = """
    FieldMessage {
        height: auto;
        display: none;
    }
    FieldMessage.-shown { display: block; }
    FieldMessage.error { color: $error; }
    FieldMessage.hint { color: $text-muted; }
    """

    def __init__(self, text: str = "", *, kind: str = "error", id: str | None = None) -> None:
        super().__init__(text, id=id, classes=kind)
        self.text = text
        self.set_class(bool(text), "-shown")

    def show(self, text: str) -> None:
        self.text = text
        self.update(("⚠ " + text) if text and self.has_class("error") else text)
        self.set_class(bool(text), "-shown")
