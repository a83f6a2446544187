"""The patient's "Share with my clinic": one folder, two files (the FHIR bundle and the report).

The folder is checked as it is given (beside the field, nothing written); files of the same
names already there are replaced only after the patient says so (the button becomes "Replace");
the pair is written in a worker thread (:mod:`tracker.services.share_files`), both or neither,
and the dialog answers where they are, or ``None`` when the patient cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from tracker.i18n import N_, _
from tracker.screens.base import TrackerModal
from tracker.services.share_files import (
    SharedFiles,
    check_folder,
    default_folder,
    share_files,
)
from tracker.validation import ValidationError, problem_text, today
from tracker.widgets.field_message import FieldMessage

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic


class ShareDialog(TrackerModal):
    DEFAULT_CSS = """
    ShareDialog #share-files { margin-top: 1; height: auto; color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    @dataclass
    class Written(Message):
        files: SharedFiles

    @dataclass
    class Failed(Message):
        text: str

    def __init__(self, clinic: Clinic, patient_id: int, folder: Path | None = None) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.day = today()
        self.folder = folder if folder is not None else default_folder()
        self.replacing: SharedFiles | None = None  # the pair the patient agreed to write over
        self.writing = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog share-dialog"):
            yield Label(_("Share with your clinic"), classes="dialog-title")
            yield Static(_("Two files for your clinic: your diary as a FHIR file, which the "
                           "clinic's tracker takes in, and a report to read. Hand both to your "
                           "clinic."))
            yield Label(_("Folder to save them in:"))
            yield Input(str(self.folder), id="folder")
            yield FieldMessage(id="folder-error")
            yield Static(self.names_text(), id="share-files")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Share"), variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")

    def names_text(self) -> str:
        names = share_files(Path(), self.day)
        return _("Files: {bundle} (your diary) and {report} (the report)").format(
            bundle=names.bundle.name, report=names.report.name)

    def show_problem(self, text: str) -> None:
        self.query_one("#folder-error", FieldMessage).show(text)

    @on(Input.Changed, "#folder")
    def folder_changed(self) -> None:
        self.replacing = None
        self.show_problem("")
        self.query_one("#ok", Button).label = _("Share")

    @on(Input.Submitted, "#folder")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        if self.writing:
            return
        try:
            folder = check_folder(self.query_one("#folder", Input).value)
        except ValidationError as error:
            self.show_problem(error.render())
            self.query_one("#folder", Input).focus()
            return
        files = share_files(folder, self.day)
        there = files.existing()
        if there and self.replacing != files:
            self.replacing = files
            self.show_problem(_("Files of these names are in this folder already: {names}. "
                                "Press Replace to save over them, or choose another folder."
                                ).format(names=", ".join(p.name for p in there)))
            self.query_one("#ok", Button).label = _("Replace")
            return
        self.writing = True
        self.show_problem("")
        self.query_one("#ok", Button).disabled = True
        self.query_one("#share-files", Static).update(_("Saving…"))
        self.write(files)

    @work(thread=True, exit_on_error=False, exclusive=True, group="share", description="write")
    def write(self, files: SharedFiles) -> None:
        from tracker.services.share_files import write_share

        try:
            self.post_message(self.Written(write_share(self.clinic, self.patient_id, files)))
        except ValidationError as error:
            self.post_message(self.Failed(error.render()))
        except Exception as error:  # noqa: BLE001 - told beside the field, never a traceback
            self.post_message(self.Failed(problem_text(error)))

    @on(Written)
    def written(self, message: Written) -> None:
        self.dismiss(message.files)

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self.writing = False
        self.replacing = None
        self.query_one("#ok", Button).disabled = False
        self.query_one("#ok", Button).label = _("Share")
        self.query_one("#share-files", Static).update(self.names_text())
        self.show_problem(_("Nothing was saved: {problem}").format(problem=message.text))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.writing:  # the files are being written: they are told of in a moment
            self.dismiss(None)


def open_share(screen: Screen[object], clinic: Clinic, patient_id: int) -> None:
    """Open the dialog over ``screen``; where the files went is told there once written."""

    def done(files: SharedFiles | None) -> None:
        if files is not None:
            screen.notify(_("Saved for your clinic: {bundle} and {report}, in the folder "
                            "{folder}.").format(bundle=files.bundle.name,
                                                report=files.report.name,
                                                folder=files.folder),
                          title=_("Shared"), timeout=12)

    screen.app.push_screen(ShareDialog(clinic, patient_id), done)
