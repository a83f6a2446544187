"""Medications: the patient's own list, a medication added, the day one was stopped (SPEC §6).

An opioid puts LDN on hold: the screen says so while the name is typed (the setup screen's
check, :func:`tracker.clinical.events.opioid_match`), and after a save it shows what the plan
now does: on hold, or the day LDN restarts, read from the plan. Every write goes through
``Clinic.add_medication`` / ``Clinic.end_medication`` (audited), and every open screen is told
that the plan changed (:class:`~tracker.screens.base.PlanChanged`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message as Event
from textual.widgets import DataTable, Header, Input, Label, Static

from tracker.clinical.events import OPIOID_FREE_DAYS, opioid_match
from tracker.i18n import N_, Message, _, format_date
from tracker.screens.base import TrackerScreen, tell_plan_changed
from tracker.services.medications import (
    MedicationRow,
    MedicationsView,
    NewMedication,
    check_new,
    latest_day,
    load_medications,
)
from tracker.validation import ValidationError, today
from tracker.widgets.footer import Footer
from tracker.widgets.medication_form import MedicationField

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic

# The add form's fields as the patient sees them (messages name ``{field}``).
FIELD_LABELS = {"name": N_("Name"), "from": N_("First day"), "to": N_("Last day")}

OPIOID_WARNING = N_("{name} is an opioid: LDN will be paused (hold, 0 mg) while you take it "
                    "and until 7 days after its last day. Talk to your doctor.")


def opioid_warning(name: str) -> str:
    """What is said beside the name field while an opioid's name is typed ("" otherwise)."""
    return _(OPIOID_WARNING).format(name=name.strip()) if opioid_match(name) else ""


def ldn_cell(row: MedicationRow, view: MedicationsView) -> Text:
    """What the plan does about ``row``: nothing (not an opioid), on hold, or the restart."""
    if row.opioid is None:
        return Text("")
    if row.end is None:
        return Text(_("LDN on hold while taken"), style="bold red")
    if row.restart is None:
        return Text(_("LDN still on hold"), style="bold red")
    template = _("LDN restarts {day}") if row.restart > view.today else \
        _("LDN restarted {day}")
    return Text(template.format(day=format_date(row.restart)),
                style="bold red" if row.restart > view.today else "")


def restart_sentence(row: MedicationRow) -> str:
    """Said after a last day is set: the day LDN restarts, as the plan has it."""
    if row.restart is None:
        return _("LDN stays on hold: the plan still holds it after {day} (another opioid "
                 "without a last day, or a pause).").format(day=format_date(row.end or today()))
    return _("Last day of {name}: {day}. LDN restarts on {restart} ({days} opioid-free days "
             "first).").format(name=row.name, day=format_date(row.end or today()),
                               restart=format_date(row.restart), days=OPIOID_FREE_DAYS)


class MedicationsScreen(TrackerScreen):
    # The list has the focus: ``a`` goes to the add form, ``e`` ends the medication under the
    # cursor; in a field the letters are typed (and Enter or ctrl+s saves).
    FOOTER_FIRST = ("back", "new", "end", "save")  # what the footer keeps first (widgets.footer)
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("a", "new", N_("Add")),
        Binding("e", "end", N_("Stopped taking")),
        Binding("ctrl+s", "save", N_("Save")),
    ]

    @dataclass
    class Loaded(Event):
        view: MedicationsView

    @dataclass
    class Added(Event):
        medication_id: int

    @dataclass
    class Failed(Event):
        error: ValidationError

    def __init__(self, clinic: Clinic, patient_id: int) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.view: MedicationsView | None = None
        self.focus_placed = False  # the list's first reading decides where the focus starts
        self.after_save: Callable[[], None] | None = None  # once saved (quitting: Save)
        self.told: int | None = None  # the medication whose change the status line tells
        self.draft: tuple[str, str, str] | None = None  # kept across a language switch

    def compose(self) -> ComposeResult:
        name, first, last = self.draft or ("", today().isoformat(), "")
        self.draft = None
        high = latest_day(today()).isoformat()
        yield Header()
        with VerticalScroll(id="medications"):
            yield DataTable(id="med-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="med-status")
            yield Label(_("Add a medication"), classes="med-section")
            yield MedicationField(_("Name"), Input(name, id="med-name", compact=True,
                                                   max_length=200), key="name")
            yield MedicationField(_("First day"), Input(first, id="med-from", compact=True,
                                                        placeholder="YYYY-MM-DD"),
                                  key="from", hint=_("YYYY-MM-DD, at the latest {high}")
                                  .format(high=high))
            yield MedicationField(_("Last day"), Input(last, id="med-to", compact=True,
                                                       placeholder=_("still taking")),
                                  key="to", hint=_("Empty: still taking it"))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("Medications")
        # The name first, so nothing typed before the list is read hits a key; once the list
        # has a medication to end, it gets the focus (unless a name is being typed).
        self.query_one("#med-name", Input).focus()
        self.check_opioid(self.query_one("#med-name", Input).value)
        self.load()

    async def relabel(self) -> None:
        self.draft = self._values()
        await super().relabel()

    def after_relabel(self) -> None:
        self.on_mount()

    async def reread(self) -> None:
        self.load()

    # -- reading -----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="medications")
    def load(self) -> None:
        self.post_message(self.Loaded(load_medications(self.clinic, self.patient_id)))

    def on_medications_screen_loaded(self, message: Loaded) -> None:
        view = self.view = message.view
        table = self.query_one(DataTable)
        at = table.cursor_row
        table.clear(columns=True)
        table.add_columns(_("Medication"), _("From"), _("To"), _("LDN"))
        for row in view.rows:
            table.add_row(row.name,
                          format_date(row.start) if row.start else _("before the diary"),
                          format_date(row.end) if row.end else _("still taking"),
                          ldn_cell(row, view), key=str(row.id))
        if not view.rows:
            table.add_row(_("No medications yet."), "", "", "")
        elif not self.focus_placed:  # the first reading only: later ones never move it
            # Unless a name is being typed, or a day field was chosen. Not "the name has the
            # focus": on_mount's focus is scheduled (Widget.focus), so on a loaded machine the
            # list can be read while the screen's auto-focus still sits on the table or on
            # nothing, and the name's focus lands after this reading.
            name = self.query_one("#med-name", Input)
            days = (self.query_one("#med-from", Input), self.query_one("#med-to", Input))
            if not name.value and self.focused not in days:
                table.focus()
        self.focus_placed = True
        if view.rows:
            told = next((i for i, r in enumerate(view.rows) if r.id == self.told), None)
            table.move_cursor(row=told if told is not None else min(at, len(view.rows) - 1))
        status = self._status(view)
        self.query_one("#med-status", Static).update(status)
        self.query_one("#med-status", Static).display = bool(status)

    def _status(self, view: MedicationsView) -> Text:
        text = Text()
        planned = view.planned_today
        if planned is not None and planned.phase == "hold":
            text.append(_("Today: 0 mg. {why}.").format(
                why=planned.reason.render()), style="bold red")
        told = next((r for r in view.rows if r.id == self.told), None)
        if told is not None and told.opioid is not None and told.end is not None:
            if text:
                text.append("\n")
            text.append(restart_sentence(told), style="bold")
        return text

    def _row(self) -> MedicationRow | None:
        if self.view is None or not self.view.rows:
            return None
        index = self.query_one(DataTable).cursor_row
        return self.view.rows[index] if 0 <= index < len(self.view.rows) else None

    # -- the opioid check as one types -----------------------------------------------------

    @on(Input.Changed, "#med-name")
    def name_changed(self, event: Input.Changed) -> None:
        self.check_opioid(event.value)

    def check_opioid(self, name: str) -> None:
        self.query_one("#field-name", MedicationField).set_warning(opioid_warning(name))

    # -- adding ------------------------------------------------------------------------------

    def _values(self) -> tuple[str, str, str]:
        return tuple(self.query_one(f"#med-{key}", Input).value  # type: ignore[return-value]
                     for key in ("name", "from", "to"))

    def has_unsaved(self) -> bool:
        name, first, last = self._values()
        return bool(name.strip() or last.strip() or first.strip() != today().isoformat())

    def save_then(self, after: Callable[[], None]) -> None:
        self.action_save()
        self.after_save = after

    @on(Input.Submitted, "#med-name, #med-from, #med-to")
    def action_save(self) -> None:
        self.after_save = None
        self._clear_errors()
        try:
            new = check_new(*self._values(), today())
        except ValidationError as error:
            self.show_error(error)
            return
        self.add(new)

    @work(thread=True, exit_on_error=False, exclusive=True,
          group="medications-save", description="add")
    def add(self, new: NewMedication) -> None:
        try:
            med_id = self.clinic.add_medication(self.patient_id, new.name, new.start, new.end)
        except ValidationError as error:
            self.post_message(self.Failed(error))
            return
        self.post_message(self.Added(med_id))

    def on_medications_screen_added(self, message: Added) -> None:
        name = self.query_one("#med-name", Input).value.strip()
        self.notify(_("Saved: {name}.").format(name=name), timeout=3)
        for key, value in (("name", ""), ("from", today().isoformat()), ("to", "")):
            self.query_one(f"#med-{key}", Input).value = value
        self.told = message.medication_id
        self.query_one("#med-name", Input).focus()
        after, self.after_save = self.after_save, None
        if after is not None:
            after()  # back to Today, or on with quitting / switching patient
        tell_plan_changed(self, self.patient_id)

    def on_medications_screen_failed(self, message: Failed) -> None:
        self.after_save = None
        self.show_error(message.error)

    def _clear_errors(self) -> None:
        for field in self.query(MedicationField):
            field.set_error("")

    def show_error(self, error: ValidationError) -> None:
        """``error`` beside its field, naming the field as the form labels it."""
        key = error.field if error.field in FIELD_LABELS else "name"
        text = Message(error.message.template,
                       {**error.message.params, "field": _(FIELD_LABELS[key])}).render()
        self.query_one(f"#field-{key}", MedicationField).set_error(text)
        self.query_one(f"#med-{key}", Input).focus()

    def action_new(self) -> None:
        self.query_one("#med-name", Input).focus()

    # -- ending ------------------------------------------------------------------------------

    def action_end(self) -> None:
        row = self._row()
        if row is None:
            self.notify(_("No medication to end: add one first."), severity="warning")
            return
        from tracker.screens.end_medication import EndMedicationDialog

        # Set before the dialog saves: the list is read again as soon as it has.
        before, self.told = self.told, row.id

        def ended(saved: bool | None) -> None:
            if not saved:
                self.told = before

        self.app.push_screen(EndMedicationDialog(self.clinic, self.patient_id, row), ended)

    # -- leaving -----------------------------------------------------------------------------

    def action_back(self) -> None:
        """Escape: back where the patient came from; with unsaved changes, ask first."""
        if not self.has_unsaved():
            self._close()
            return
        from tracker.screens.dialogs import DISCARD, SAVE, UnsavedDialog

        def chosen(choice: str | None) -> None:
            if choice == SAVE:
                self.save_then(self._close)
            elif choice == DISCARD:
                self._close()

        self.app.push_screen(UnsavedDialog(), chosen)

    def _close(self) -> None:
        self.dismiss()

