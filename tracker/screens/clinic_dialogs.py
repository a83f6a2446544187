"""The clinician's small questions: why an alert is dismissed, and where files go.

Dialogs are ``ModalScreen[T]`` that answer through ``dismiss()``: ``None`` when the clinician
cancels (Escape or the Cancel button), so the screen that asked does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from tracker.i18n import N_, _
from tracker.screens.base import TrackerModal

DIALOG_CSS = """
{name} {{
    align: center middle;
    background: $background 60%;
}}
{name} > Vertical {{
    width: 76;
    height: auto;
    max-height: 90%;
    padding: 1 2;
    border: thick $primary;
    background: $surface;
}}
{name} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} .dialog-error {{ color: $error; height: auto; }}
{name} .dialog-buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{name} .dialog-buttons Button {{ margin-left: 2; }}
{name} RadioSet {{ width: 100%; margin-top: 1; }}
"""


class DismissAlertDialog(TrackerModal):
    """Ask why an alert is dismissed; answers the reason, or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="DismissAlertDialog")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, alert_text: str) -> None:
        super().__init__()
        self.alert_text = alert_text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Dismiss this alert"), classes="dialog-title")
            yield Static(self.alert_text, id="alert-text")
            yield Label(_("Reason (kept in the audit trail):"))
            yield Input(placeholder=_("why the alert no longer needs action"), id="reason")
            yield Static("", classes="dialog-error", id="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Dismiss alert"), variant="primary", id="ok")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        reason = " ".join(self.query_one("#reason", Input).value.split())
        if not reason:
            self.query_one("#error", Static).update(_("Give a reason: it goes into the audit "
                                                      "trail."))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class FileChoice:
    """Where to write, and (for CSV files) which dialect."""

    path: Path
    dialect: str = "standard"


class FileDialog(TrackerModal):
    """Ask for a directory (CSV export, with its dialect) or a file (the HTML report)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FileDialog")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, prompt: str, default: Path, with_dialect: bool = True,
                 ok_label: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.default = default
        self.with_dialect = with_dialect
        self.ok_label = ok_label or _("Write")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.prompt)
            yield Input(str(self.default), id="path")
            if self.with_dialect:
                with RadioSet(id="dialect"):
                    yield RadioButton(_("Standard CSV (comma, decimal point)"), value=True,
                                      id="standard")
                    yield RadioButton(_("Danish Excel (semicolon, decimal comma)"),
                                      id="excel-da")
            yield Static("", classes="dialog-error", id="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(self.ok_label, variant="primary", id="ok")

    def dialect(self) -> str:
        if not self.with_dialect:
            return "standard"
        pressed = self.query_one("#dialect", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "standard"

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one("#error", Static).update(_("Give a path."))
            return
        self.dismiss(FileChoice(Path(text).expanduser(), self.dialect()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
