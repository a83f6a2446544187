"""Open a past day to complete or correct it; a correction asks why, for the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Label

from tracker.clinical.instructions import dose_instruction
from tracker.clinical.records import CheckIn
from tracker.i18n import N_, _, format_date
from tracker.screens.base import TrackerModal
from tracker.screens.check_in import show_problem, submit_check_in
from tracker.services.clinic import Clinic
from tracker.services.day import ChangedElsewhere, DayView, load_day
from tracker.validation import ValidationError
from tracker.widgets.check_in_form import CheckInForm
from tracker.widgets.rating_list import RatingList


class DayEditor(TrackerModal):
    """Dismisses with ``True`` when something was saved."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    DEFAULT_CSS = """
    DayEditor #day-form { height: 1fr; }
    """  # the short layout (under 30 rows) is in app.tcss, beside .day-editor

    BINDINGS = [
        Binding("ctrl+s,s", "save", N_("Save")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    @dataclass
    class Saved(Message):
        pass

    @dataclass
    class Failed(Message):
        error: ValidationError

    @dataclass
    class Reloaded(Message):
        view: DayView
        refused: str

    def __init__(self, clinic: Clinic, patient_id: int, view: DayView) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.view = view
        self.after_save: Callable[[], None] | None = None  # once saved (quitting: Save)

    def compose(self) -> ComposeResult:
        view = self.view
        # The day and its planned dose above, Save and Cancel below, always in sight; the form
        # between them scrolls when the terminal is small (80x24).
        with Vertical(classes="dialog day-editor"):
            yield Label(_("{day}: planned {dose}").format(
                day=format_date(view.day),
                dose=_format_planned(view)), classes="dialog-title")
            with VerticalScroll(id="day-form"):
                yield CheckInForm(view.day, view.saved,
                                  view.planned.dose_mg if view.planned else 0,
                                  view.patient.condition, view.own_effects, view.own_symptoms,
                                  edit_mg=True, id="form")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#effects", RatingList).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.after_save = None
        saved = self.view.saved  # what the form was opened on: a save refuses if it changed
        submit_check_in(self, saved, self.view.patient, _("You are correcting {day}. Why?").format(
            day=format_date(self.view.day)), lambda entry: self.save(entry, saved))

    def has_unsaved(self) -> bool:
        return self.query_one(CheckInForm).has_changes()

    def save_then(self, after: Callable[[], None]) -> None:
        self.action_save()
        self.after_save = after

    @work(thread=True, exit_on_error=False, exclusive=True, description="save")
    def save(self, entry: CheckIn, expected: CheckIn) -> None:
        try:
            self.clinic.check_in(self.patient_id, entry, expected=expected)
        except ChangedElsewhere as error:
            # Nothing was written: show what the day holds now, and say why.
            self.post_message(self.Reloaded(load_day(self.clinic, self.patient_id, entry.day),
                                            error.render()))
            return
        except ValidationError as error:
            self.post_message(self.Failed(error))
            return
        self.post_message(self.Saved())

    def on_day_editor_saved(self) -> None:
        self.notify(_("Saved."), timeout=2)
        self.tracker.day_saved(self.patient_id, self.view.day)
        after, self.after_save = self.after_save, None
        self.dismiss(True)
        if after is not None:
            after()

    def on_day_editor_failed(self, message: Failed) -> None:
        self.after_save = None
        show_problem(self.query_one(CheckInForm), message.error)

    async def on_day_editor_reloaded(self, message: Reloaded) -> None:
        self.after_save = None
        self.view = message.view
        await self.recompose()
        self.query_one("#effects", RatingList).focus()
        self.query_one(CheckInForm).show_error("dose", message.refused)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Escape (in a field too) or Cancel: with unsaved changes, ask first."""
        from tracker.screens.dialogs import close_or_ask

        close_or_ask(self, self.has_unsaved(), self.action_save)


def _format_planned(view: DayView) -> str:
    if view.planned is None:
        return _("nothing (before the start)")
    return dose_instruction(view.planned, view.patient).render()
