"""The clinic's "Import a patient's file" (SPEC §11 ``import``, in the clinician's app).

Two steps, as the command line's ``--dry-run`` then ``import``: Preview reads the file
(:func:`tracker.services.fhir_import.read_bundle`) and runs the import as a dry run, which
writes nothing, and shows what it would add; only then may the file be imported. A file that
disagrees with the database is shown with its conflicts named, and the only way on is the
button that says what it does: replace the database's values with the file's, as audited
corrections (``replace=True``). What is imported is the file as previewed (read once), so the
preview is what was agreed to. Cancel (or Escape) writes nothing; the dialog answers the
:class:`~tracker.services.import_merge.ImportResult` of the import, or ``None``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from tracker.i18n import N_, _, ngettext
from tracker.screens.base import TrackerModal
from tracker.services.roles import CLINICIAN, Role
from tracker.validation import ValidationError, problem_text, today
from tracker.widgets.field_message import FieldMessage

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic
    from tracker.services.import_merge import ImportResult


def _refusal_text(error: Exception) -> str:
    """Why a file cannot be taken in, in plain words (a refusal's own message)."""
    from tracker.services.fhir_import import BundleRefused

    if isinstance(error, BundleRefused):
        return error.message.render()
    if isinstance(error, ValidationError):
        return error.render()
    return problem_text(error)


class ImportDialog(TrackerModal):
    DEFAULT_CSS = """
    ImportDialog #preview { margin-top: 1; height: auto; max-height: 14; }
    ImportDialog #conflicts { color: $warning; height: auto; }
    ImportDialog .-hidden { display: none; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    @dataclass
    class Previewed(Message):
        file: str
        incoming: Any  # tracker.services.fhir_import.Incoming
        result: ImportResult

    @dataclass
    class Imported(Message):
        result: ImportResult

    @dataclass
    class Refused(Message):
        text: str

    def __init__(self, clinic: Clinic, role: Role = CLINICIAN) -> None:
        super().__init__()
        self.clinic = clinic
        self.role = role
        self.preview: ImportDialog.Previewed | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog import-dialog"):
            yield Label(_("Import a patient's file"), classes="dialog-title")
            yield Label(_("The FHIR file the patient shared (.json):"))
            yield Input(id="path", placeholder=_("e.g. {example}").format(
                example=str(Path("~") / f"ldn-{today().isoformat()}.json")))
            yield FieldMessage(id="path-error")
            yield Static(_("Preview shows what the file would add; nothing is written until "
                           "you import it."), id="preview")
            yield Static("", id="conflicts", classes="-hidden")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Preview"), variant="primary", id="preview-button")
                yield Button(_("Import"), variant="success", id="import", disabled=True)
                yield Button(_("Replace with the file's values"), variant="error",
                             id="replace", classes="-hidden")
                yield Button(_("Cancel"), id="cancel")

    # -- the state shown --------------------------------------------------------------------

    def forget_preview(self) -> None:
        """Nothing previewed (a new path, a refusal): nothing may be imported."""
        self.preview = None
        self.query_one("#import", Button).disabled = True
        self.query_one("#import", Button).remove_class("-hidden")
        self.query_one("#replace", Button).add_class("-hidden")
        self.query_one("#conflicts", Static).add_class("-hidden")

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        self.busy = busy
        self.query_one("#preview-button", Button).disabled = busy
        self.query_one("#replace", Button).disabled = busy
        if busy:
            self.query_one("#import", Button).disabled = True
        if text is not None:
            self.query_one("#preview", Static).update(text)

    @on(Input.Changed, "#path")
    def path_changed(self) -> None:
        if self.busy:
            return
        self.forget_preview()
        self.query_one("#path-error", FieldMessage).show("")
        self.query_one("#preview", Static).update("")

    # -- preview: read the file, a dry run ----------------------------------------------------

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#preview-button")
    def ask_preview(self) -> None:
        if self.busy:
            return
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one("#path-error", FieldMessage).show(
                _("Please give the path of the patient's file."))
            return
        self.forget_preview()
        self.query_one("#path-error", FieldMessage).show("")
        self.set_busy(True, _("Reading the file…"))
        self.run_preview(str(Path(text).expanduser()))

    @work(thread=True, exit_on_error=False, exclusive=True,
          group="import", description="run_preview")
    def run_preview(self, file: str) -> None:
        from tracker.services.fhir_import import read_bundle
        from tracker.services.importing import import_bundle

        path = Path(file)
        try:
            if path.is_dir():
                self.post_message(self.Refused(_("{path} is a folder: give the patient's file "
                                                 "in it.").format(path=file)))
                return
            incoming = read_bundle(path, file)
            # A dry run with replace: every conflict is listed (and nothing written), where
            # without it the first would refuse the file whole.
            result = import_bundle(self.clinic, incoming, file, role=self.role, dry_run=True,
                                   replace=True)
        except Exception as error:  # noqa: BLE001 - told beside the field, never a traceback
            self.post_message(self.Refused(_refusal_text(error)))
            return
        self.post_message(self.Previewed(file, incoming, result))

    @on(Previewed)
    def previewed(self, message: Previewed) -> None:
        from tracker.services.fhir_import import describe
        from tracker.services.importing import summary_lines

        self.set_busy(False)
        self.preview = message
        result = message.result
        # The conflicts are told below, with what importing them means.
        shown = replace(result, corrected=Counter()) if result.conflicts else result
        lines = [line.render() for line in summary_lines(shown, dry_run=True)]
        if result.new_patient:
            lines.insert(0, _("A new patient for this clinic: {name}.").format(
                name=message.incoming.name or "–"))
        else:
            lines.insert(0, _("Patient {patient} of this clinic: the file adds to their "
                              "diary.").format(patient=result.patient_id))
        self.query_one("#preview", Static).update("\n".join(lines))
        conflicts = self.query_one("#conflicts", Static)
        if result.conflicts:
            count = len(result.conflicts)
            conflicts.update(ngettext(
                "The file disagrees with this database on {count} entry: {conflicts}.",
                "The file disagrees with this database on {count} entries: {conflicts}.",
                count).format(count=count, conflicts=describe(result.conflicts)) + " " + _(
                "It can only be imported by replacing this database's values with the "
                "file's (as corrections in the audit trail), or not at all."))
            conflicts.remove_class("-hidden")
            self.query_one("#import", Button).add_class("-hidden")
            self.query_one("#replace", Button).remove_class("-hidden")
        else:
            self.query_one("#import", Button).disabled = False
            self.query_one("#import", Button).focus()

    @on(Refused)
    def refused(self, message: Refused) -> None:
        self.set_busy(False, "")
        self.forget_preview()
        self.query_one("#path-error", FieldMessage).show(message.text)
        self.query_one("#path", Input).focus()

    # -- the import ----------------------------------------------------------------------------

    @on(Button.Pressed, "#import")
    def import_file(self) -> None:
        if self.preview is not None and not self.preview.result.conflicts and not self.busy:
            self.start_import(with_replace=False)

    @on(Button.Pressed, "#replace")
    def replace_values(self) -> None:
        if self.preview is not None and self.preview.result.conflicts and not self.busy:
            self.start_import(with_replace=True)

    def start_import(self, with_replace: bool) -> None:
        assert self.preview is not None
        self.set_busy(True, _("Importing…"))
        self.run_import(self.preview.file, self.preview.incoming, with_replace)

    @work(thread=True, exit_on_error=False, exclusive=True,
          group="import", description="run_import")
    def run_import(self, file: str, incoming: Any, with_replace: bool) -> None:
        from tracker.services.importing import import_bundle

        try:
            result = import_bundle(self.clinic, incoming, file, role=self.role,
                                   dry_run=False, replace=with_replace)
        except Exception as error:  # noqa: BLE001 - told beside the field; nothing written
            self.post_message(self.Refused(_refusal_text(error)))
            return
        self.post_message(self.Imported(result))

    @on(Imported)
    def imported(self, message: Imported) -> None:
        self.dismiss(message.result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy or self.preview is None:  # never while the import is being written
            self.dismiss(None)
