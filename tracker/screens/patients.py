"""Several patients in one database (a family, a small clinic): pick one, or add a new one."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tracker.i18n import N_, _, format_date
from tracker.screens.base import TrackerModal
from tracker.services.clinic import Clinic, PatientInfo

NEW_PATIENT = 0


class PatientSwitcher(TrackerModal):
    """Dismisses with a patient id, :data:`NEW_PATIENT` for a new one, or ``None``."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    @dataclass
    class Loaded(Message):
        patients: list[PatientInfo]

    def __init__(self, clinic: Clinic, current: int | None) -> None:
        super().__init__()
        self.clinic = clinic
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Whose diary?"), classes="dialog-title")
            yield OptionList(id="patients")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self.clinic.list_patients()))

    def on_patient_switcher_loaded(self, message: Loaded) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for p in message.patients:
            mark = "● " if p.id == self.current else "  "
            options.add_option(Option(
                _("{mark}{name} (since {start})").format(
                    mark=mark, name=p.name, start=format_date(p.start_date)), id=str(p.id)))
        options.add_option(Option("+ " + _("New patient…"), id=str(NEW_PATIENT)))
        ids = [p.id for p in message.patients]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or NEW_PATIENT))

    def action_cancel(self) -> None:
        self.dismiss(None)
