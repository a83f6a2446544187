"""``?``: the keys of the screen underneath, in the user's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from tracker.i18n import N_, _
from tracker.screens.base import TrackerModal

# Keys that live on widgets and so are not all listed by the footer.
EXTRA_KEYS = (
    ("↑ ↓", N_("Move between side effects or symptoms")),
    ("0–4", N_("Severity of the side effect in focus (0 none … 4 very severe)")),
    ("0–9, 1 0", N_("Score of the symptom in focus (1 then 0 gives 10)")),
    ("← →", N_("Lower or raise the value in focus")),
    ("tab", N_("Next part of the form")),
    ("escape", N_("Leave a text field, close a dialog or go back")),
    ("ctrl+p", N_("Command palette: every action by name")),
)


class HelpScreen(TrackerModal):
    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"))]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label(_("Keys"), classes="dialog-title")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static(_("Press escape to close."))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("What it does"))
        seen: set[str] = set()
        for _key, active in self.under.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            key = binding.key_display or self.app.get_key_display(binding)
            table.add_row(key, binding.description)
        for key, text in EXTRA_KEYS:
            table.add_row(key, _(text))

    def action_close(self) -> None:
        self.dismiss(None)
