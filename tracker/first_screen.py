"""Which patient the app opens, and that patient's Today read before the app starts.

Cold start (docs/performance.md): on an existing, up-to-date SQLite file :func:`create_app
<tracker.app.create_app>` reads the first screen's data directly (:mod:`tracker.storage.snapshot`,
no SQLAlchemy import) before the event loop starts, so Today is drawn whole in the first frame
while the Clinic opens behind it. The day's read model is imported only when it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.clinical.records import PatientInfo
from tracker.storage.snapshot import DirectReads
from tracker.validation import today

if TYPE_CHECKING:
    from tracker.services.day import DayView


@dataclass(frozen=True)
class FirstScreen:
    """The first screen's data, read before the app starts (cold start)."""

    patients: list[PatientInfo]
    view: DayView | None


def choose_patient(patients: list[PatientInfo], remembered: int | None) -> int | None:
    ids = [p.id for p in patients]
    if not ids:
        return None
    return remembered if remembered in ids else ids[0]


def read_first_screen(direct: DirectReads, remembered: int | None) -> FirstScreen | None:
    """Today's screen for the patient the app will open, read directly; ``None`` if that
    fails (the screen then loads in its worker, where a problem is told in the app)."""
    from tracker.services.day import load_day

    try:
        with direct.records() as records:
            patients = records.list_patients()
            chosen = choose_patient(patients, remembered)
            view = None if chosen is None else load_day(records, chosen, today())
    except Exception:  # noqa: BLE001 - any doubt: the worker reads it again and tells why
        return None
    return FirstScreen(patients, view)
