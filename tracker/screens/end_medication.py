"""The day one stopped taking a medication (or a last day changed): ``Clinic.end_medication``.

The last day defaults to today (or the last day already set); it may not be before the first
day, nor more than four weeks after today (a stop planned soon). A reason is optional: a
patient ending their own medication owes no one an explanation, but one given goes into the
audit trail with the change (docs/ui.md, "Medications").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message as Event
from textual.widgets import Button, Input, Label, Static

from tracker.i18n import N_, Message, _
from tracker.screens.base import TrackerModal, tell_plan_changed
from tracker.services.medications import MedicationRow, latest_day, parse_last_day
from tracker.validation import ValidationError, today
from tracker.widgets.medication_form import MedicationField

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic

FIELD_LABELS = {"to": N_("Last day"), "reason": N_("Why")}
OPIOID_RESTART = N_("{name} is an opioid: LDN restarts after 7 opioid-free days; the list shows "
                    "the day once saved.")


class EndMedicationDialog(TrackerModal):
    """Dismisses with ``True`` when the last day was saved."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save")),
    ]

    @dataclass
    class Saved(Event):
        pass

    @dataclass
    class Failed(Event):
        error: ValidationError

    def __init__(self, clinic: Clinic, patient_id: int, row: MedicationRow) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.row = row
        self.default = (row.end or today()).isoformat()
        self.after_save: Callable[[], None] | None = None  # once saved (quitting: Save)

    def compose(self) -> ComposeResult:
        row = self.row
        low = row.start.isoformat() if row.start else None  # as the field is typed
        high = latest_day(today()).isoformat()
        title = _("When did you stop taking {name}?") if row.end is None else \
            _("Change the last day of {name}")
        with Vertical(classes="dialog", id="end-medication"):
            yield Label(title.format(name=row.name), classes="dialog-title")
            yield MedicationField(_("Last day"), Input(self.default, id="end-to", compact=True,
                                                       placeholder="YYYY-MM-DD"), key="to",
                                  hint=(_("From {low} to {high}").format(low=low, high=high)
                                        if low else _("At the latest {high}").format(
                                            high=high)))
            yield MedicationField(_("Why"), Input(id="end-reason", compact=True,
                                                  max_length=1000), key="reason",
                                  hint=_("Optional; kept with the change"))
            if row.opioid:
                yield Static(_(OPIOID_RESTART).format(name=row.name), id="end-opioid")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#end-to", Input).focus()

    def _last_day(self) -> date:
        return parse_last_day(self.query_one("#end-to", Input).value, "to", self.row.start,
                              today())

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.after_save = None
        self.query_one("#field-to", MedicationField).set_error("")
        try:
            end = self._last_day()
        except ValidationError as error:
            self.show_error(error)
            return
        reason = " ".join(self.query_one("#end-reason", Input).value.split()) or None
        self.save(end, reason)

    @work(thread=True, exit_on_error=False, exclusive=True, description="save")
    def save(self, end: date, reason: str | None) -> None:
        try:
            self.clinic.end_medication(self.row.id, end, reason)
        except ValidationError as error:
            self.post_message(self.Failed(error))
            return
        self.post_message(self.Saved())

    def on_end_medication_dialog_saved(self) -> None:
        self.notify(_("Saved."), timeout=2)
        after, self.after_save = self.after_save, None
        self.dismiss(True)
        if after is not None:
            after()
        tell_plan_changed(self, self.patient_id)

    def on_end_medication_dialog_failed(self, message: Failed) -> None:
        self.after_save = None
        self.show_error(message.error)

    def show_error(self, error: ValidationError) -> None:
        key = error.field if error.field in FIELD_LABELS else "to"
        self.query_one(f"#field-{key}", MedicationField).set_error(Message(
            error.message.template, {**error.message.params, "field": _(FIELD_LABELS[key])})
            .render())

    def has_unsaved(self) -> bool:
        return self.query_one("#end-to", Input).value.strip() != self.default or \
            bool(self.query_one("#end-reason", Input).value.strip())

    def save_then(self, after: Callable[[], None]) -> None:
        self.action_save()
        self.after_save = after

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Escape (in a field too) or Cancel: with unsaved changes, ask first."""
        from tracker.screens.dialogs import close_or_ask

        close_or_ask(self, self.has_unsaved(), self.action_save)
