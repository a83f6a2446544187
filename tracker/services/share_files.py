"""The patient's two files for the clinic, written side by side as a pair (the app's "Share
with my clinic", SPEC §11).

One folder, two files named by the day: ``ldn-YYYY-MM-DD.json``, the FHIR bundle the clinic's
tracker takes in (:func:`tracker.services.sharing.export_bundle`), and ``ldn-YYYY-MM-DD.html``,
the report a person reads (:func:`tracker.services.review.write_report`), both owner-only. They
are written under hidden names first and renamed at the end, so a failure half-way leaves
neither: never a bundle without its report, and never a file the patient already had replaced
by half of a new pair.

Light at import time (the patient's Today screen offers it): the services that write are
imported by :func:`write_share`, which runs in a worker thread.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.i18n import N_
from tracker.validation import fail

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic

FOLDER_FIELD = "folder"


@dataclass(frozen=True)
class SharedFiles:
    """Where the pair is (or will be) written."""

    bundle: Path
    report: Path

    @property
    def folder(self) -> Path:
        return self.bundle.parent

    def existing(self) -> list[Path]:
        return [path for path in (self.bundle, self.report) if path.exists()]


def default_folder() -> Path:
    """The user's Documents folder where there is one, else the home folder."""
    from platformdirs import user_documents_dir

    try:
        documents = Path(user_documents_dir())
    except Exception:  # noqa: BLE001 - no documents folder to be found: the home folder
        return Path.home()
    return documents if documents.is_dir() else Path.home()


def share_files(folder: Path, day: date) -> SharedFiles:
    stem = f"ldn-{day.isoformat()}"
    return SharedFiles(folder / f"{stem}.json", folder / f"{stem}.html")


def check_folder(text: str) -> Path:
    """The folder typed, if the pair can be written there; a ``ValidationError`` naming it
    otherwise. A folder that does not exist is refused rather than made: a slip of the
    keyboard should not leave the patient's diary in a folder nobody looks in."""
    typed = text.strip()
    if not typed:
        raise fail(FOLDER_FIELD, N_("Please give a folder to save the files in."))
    folder = Path(typed).expanduser()
    if not folder.exists():
        raise fail(FOLDER_FIELD, N_("There is no folder {path}."), path=str(folder))
    if not folder.is_dir():
        raise fail(FOLDER_FIELD, N_("{path} is a file, not a folder."), path=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise fail(FOLDER_FIELD, N_("You may not save files in {path}."), path=str(folder))
    return folder


def write_share(clinic: Clinic, patient_id: int, files: SharedFiles) -> SharedFiles:
    """Write the bundle and the report (replacing files of the same names), both or neither."""
    from tracker.services.review import write_report
    from tracker.services.sharing import export_bundle

    check_folder(str(files.folder))
    staged = [files.folder / f".{path.name}.{os.getpid()}.partial"
              for path in (files.bundle, files.report)]
    try:
        export_bundle(clinic, patient_id, staged[0])
        write_report(clinic, patient_id, staged[1])
        os.replace(staged[0], files.bundle)
        os.replace(staged[1], files.report)
    except BaseException:
        for path in staged:
            with suppress(OSError):
                path.unlink()
        raise
    return files
