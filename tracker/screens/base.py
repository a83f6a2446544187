"""What every patient-app screen shares: translated bindings and a redraw on language switch."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.dom import DOMNode
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tracker.i18n import _
from tracker.storage.records import DayReader

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic
from tracker.validation import problem_text
from tracker.widgets.translated import translate_bindings


class Navigator(Protocol):
    """What a screen asks of the app: where to read, and where to go next.

    The app implements it; screens never import one another, nor the app, so each screen can be
    read (and tested) on its own, and the way between them is the app's to change.
    """

    def reads(self) -> AbstractContextManager[DayReader]: ...

    def warm_up_soon(self) -> None: ...

    def show_history(self, patient_id: int, *, instead: bool = False) -> None: ...

    def show_plan(self, patient_id: int, *, instead: bool = False) -> None: ...

    def show_review(self, clinic: Clinic, patient_id: int,
                    closed: Callable[[object], None]) -> None:
        """The clinician's review of a patient, read and audited through ``clinic``."""

    def day_saved(self, patient_id: int, day: date) -> None:
        """A screen saved ``day``: every open screen is told (:class:`DaySaved`)."""

    def show_medications(self, patient_id: int) -> None: ...

    def plan_changed(self, patient_id: int) -> None:
        """A screen changed what the plan is computed from (a medication added or ended):
        every open screen is told (:class:`PlanChanged`)."""


@dataclass
class DaySaved(Message):
    """``day`` of ``patient_id`` was written: a screen showing it reads it again."""

    patient_id: int
    day: date


@dataclass
class PlanChanged(Message):
    """What ``patient_id``'s plan is computed from changed (a medication added or ended), so
    any day's dose may have changed: a screen showing the plan reads it again."""

    patient_id: int


class HoldsUnsaved(Protocol):
    """A screen whose form may hold what the patient typed and has not saved: the app asks
    (Save, Discard, Stay) before quitting or switching patient drops it."""

    def has_unsaved(self) -> bool: ...

    def save_then(self, after: Callable[[], None]) -> None:
        """Save as the screen's own Save does; call ``after`` only once it is saved."""


def tell_failed_worker(node: DOMNode, event: Worker.StateChanged) -> None:
    """A database call that failed is told in plain words, and the app keeps running.

    Workers start with ``exit_on_error=False``: an unexpected error (a full disk, a server
    gone) must never end the app with a traceback. What the failed call was writing was rolled
    back, so what the screen shows is still what is saved.
    """
    if event.state == WorkerState.ERROR and event.worker.error is not None:
        node.app.notify(_("That did not work, and nothing was changed: {problem}").format(
            problem=problem_text(event.worker.error)), severity="error", timeout=10)


def tell_plan_changed(node: DOMNode, patient_id: int) -> None:
    """Every open screen reads ``patient_id``'s plan again (:class:`PlanChanged`). Called after
    a save's follow-up (back to Today, on with quitting): a quit under way is not raced by
    rereads it would only drop."""
    if node.app.return_code is None:
        cast(Navigator, node.app).plan_changed(patient_id)


class TrackerScreen(Screen[Any]):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        tell_failed_worker(self, event)

    # Textual calls the handler of every class in the MRO: a subclass's own ``on_mount`` must
    # not call this one again (each call redraws the footer).
    def on_mount(self) -> None:
        translate_bindings(self)
        self.refresh_bindings()

    @property
    def tracker(self) -> Navigator:
        return cast(Navigator, self.app)

    async def relabel(self) -> None:
        """Redraw in the newly chosen language."""
        translate_bindings(self)
        await self.recompose()
        self.refresh_bindings()
        self.after_relabel()

    def after_relabel(self) -> None:
        """Screens that fill widgets from loaded data do it again here."""

    async def on_plan_changed(self, message: PlanChanged) -> None:
        if getattr(self, "patient_id", None) == message.patient_id:
            await self.reread()

    async def reread(self) -> None:
        """The plan changed: show it anew. By default the screen is redrawn as after a
        language switch (which keeps what a form holds unsaved, and reads the data again);
        a screen with a lighter way (read again, fill the same widgets) overrides this."""
        await self.relabel()


class TrackerModal(ModalScreen[Any]):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        tell_failed_worker(self, event)

    @property
    def tracker(self) -> Navigator:
        return cast(Navigator, self.app)

    def on_mount(self) -> None:
        translate_bindings(self)
        self.refresh_bindings()
