"""``?``: the keys of the screen underneath, in the user's language."""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
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


# Textual's own keys (scrolling, focus, the palette's): English only, and told in words by
# EXTRA_KEYS; the help lists the app's keys.
TEXTUAL_ACTIONS = frozenset({"command_palette", "app.command_palette"})
DIALOG_WIDTH = 90  # app.tcss .help-dialog: 90 columns, at most 95% of the screen
DIALOG_FRAME = 2 + 4 + 2 + 2 + 2  # border, padding, the table's scrollbar, cell padding ×2


def textual_binding(node: DOMNode, binding: Binding) -> bool:
    """Whether ``binding`` of ``node`` is Textual's own: the nearest class in the node's MRO
    whose ``BINDINGS`` has the key with that action is one of Textual's (or the binding is the
    command palette's, which ``App.__init__`` adds)."""
    if binding.action in TEXTUAL_ACTIONS:
        return True
    for cls in type(node).__mro__:
        for own in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())):
            if own.key == binding.key and own.action == binding.action:
                return cls.__module__.split(".")[0] == "textual"
    return False


def wrapped(text: str, width: int) -> Text:
    return Text("\n".join(textwrap.wrap(text, max(width, 12)) or [""]))


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
        rows: list[tuple[str, str]] = []
        for _key, active in self.under.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.description in seen \
                    or textual_binding(active.node, binding):
                continue
            seen.add(binding.description)
            rows.append((binding.key_display or self.app.get_key_display(binding),
                         binding.description))
        rows += [(key, _(text)) for key, text in EXTRA_KEYS]
        # Rows wrap to the dialog's width rather than being cut (80 columns).
        keys_width = max(cell_len(key) for key, _text in rows)
        width = min(DIALOG_WIDTH, self.app.size.width * 95 // 100) - DIALOG_FRAME - keys_width
        for key, text in rows:
            cell = wrapped(text, width)
            table.add_row(key, cell, height=len(cell.plain.splitlines()))

    def action_close(self) -> None:
        self.dismiss(None)
