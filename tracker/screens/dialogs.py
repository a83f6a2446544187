"""Small modal questions: why a correction is made, a name to add, an information page, a
dose above the plan's maximum to confirm."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Markdown

from tracker.i18n import N_, _, format_mg
from tracker.screens.base import TrackerModal
from tracker.widgets.field_message import FieldMessage


class ReasonDialog(TrackerModal):
    """Asks why a saved day is being changed; the answer goes into the audit trail."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Input(id="reason", placeholder=_("e.g. I typed the wrong day"))
            yield FieldMessage(id="reason-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save correction"), variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", FieldMessage).show(
                _("Please say why, so the clinic can follow the change."))
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


SAVE, DISCARD = "save", "discard"


class UnsavedDialog(TrackerModal):
    """Changes not saved: Save (``"save"``), Discard (``"discard"``) or Stay (``None``)."""

    BINDINGS = [
        Binding("escape", "stay", N_("Stay")),
        Binding("s", "save", N_("Save")),
        Binding("d", "discard", N_("Discard")),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("You have changes that are not saved yet."), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Discard"), id="discard")
                yield Button(_("Stay"), id="stay")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(SAVE)

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(DISCARD)

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(None)



def close_or_ask(modal: TrackerModal, unsaved: bool, save: Callable[[], None]) -> None:
    """Escape or Cancel on a modal that edits something: close it (``False``) when nothing is
    unsaved, else ask Save / Discard / Stay (:class:`UnsavedDialog`)."""
    if not unsaved:
        modal.dismiss(False)
        return

    def chosen(choice: str | None) -> None:
        if choice == SAVE:
            save()
        elif choice == DISCARD:
            modal.dismiss(False)

    modal.app.push_screen(UnsavedDialog(), chosen)

class NameDialog(TrackerModal):
    """A name for the patient's own side effect or target symptom."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(id="name", max_length=100)
            yield FieldMessage(id="name-error")

    @on(Input.Submitted, "#name")
    def confirm(self) -> None:
        name = " ".join(self.query_one("#name", Input).value.split())
        if not name:
            self.query_one("#name-error", FieldMessage).show(_("Please type a name."))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


LATER = "later"


class InfoDialog(TrackerModal):
    """A page to read, with an acknowledgement button when one is asked for, and a "read it
    later" button when postponing is allowed.

    Dismissed with ``True`` (acknowledged), :data:`LATER` (postponed, only when ``postpone`` is
    given) or ``False`` (closed). The text has the focus when it opens, so the arrow keys and
    page up/down scroll it at once.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Close"))]

    def __init__(self, markdown: str, acknowledge: str | None = None,
                 postpone: str | None = None) -> None:
        super().__init__()
        self.markdown = markdown
        self.acknowledge = acknowledge
        self.postpone = postpone

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog info-dialog"):
            with VerticalScroll(id="info-text"):
                yield Markdown(self.markdown)
            with Horizontal(classes="dialog-buttons"):
                if self.acknowledge:
                    yield Button(self.acknowledge, variant="primary", id="ok")
                if self.postpone:
                    yield Button(self.postpone, id="later")
                yield Button(_("Close"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#info-text", VerticalScroll).focus()

    @on(Button.Pressed, "#ok")
    def confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#later")
    def later(self) -> None:
        self.dismiss(LATER)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmDoseDialog(TrackerModal):
    """A dose above the plan's maximum (the soft limit): confirm it (``True``) or change it."""

    BINDINGS = [Binding("escape", "change", N_("Change the dose"))]

    def __init__(self, mg: float, max_mg: float) -> None:
        super().__init__()
        self.mg = mg
        self.max_mg = max_mg

    def compose(self) -> ComposeResult:
        dose, maximum = format_mg(self.mg), format_mg(self.max_mg)
        with Vertical(classes="dialog", id="confirm-dose"):
            yield Label(_("Dose {dose} is above your plan's maximum of {max}.").format(
                dose=dose, max=maximum), classes="dialog-title")
            yield Label(_("Save it only if {dose} is really the dose taken.").format(
                dose=dose))
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Confirm {dose}").format(dose=dose), variant="warning",
                             id="confirm")
                yield Button(_("Change the dose"), variant="primary", id="change")

    def on_mount(self) -> None:
        self.query_one("#change", Button).focus()

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#change")
    def action_change(self) -> None:
        self.dismiss(False)
