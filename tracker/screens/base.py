"""What every patient-app screen shares: translated bindings and a redraw on language switch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tracker.i18n import _
from tracker.validation import problem_text
from tracker.widgets.translated import translate_bindings

if TYPE_CHECKING:
    from tracker.app import TrackerApp


def tell_failed_worker(node: DOMNode, event: Worker.StateChanged) -> None:
    """A database call that failed is told in plain words, and the app keeps running.

    Workers start with ``exit_on_error=False``: an unexpected error (a full disk, a server
    gone) must never end the app with a traceback. What the failed call was writing was rolled
    back, so what the screen shows is still what is saved.
    """
    if event.state == WorkerState.ERROR and event.worker.error is not None:
        node.app.notify(_("That did not work, and nothing was changed: {problem}").format(
            problem=problem_text(event.worker.error)), severity="error", timeout=10)


class TrackerScreen(Screen[Any]):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        tell_failed_worker(self, event)

    # Textual calls the handler of every class in the MRO: a subclass's own ``on_mount`` must
    # not call this one again (each call redraws the footer).
    def on_mount(self) -> None:
        translate_bindings(self)
        self.refresh_bindings()

    @property
    def tracker(self) -> TrackerApp:
        return cast("TrackerApp", self.app)

    async def relabel(self) -> None:
        """Redraw in the newly chosen language."""
        translate_bindings(self)
        await self.recompose()
        self.refresh_bindings()
        self.after_relabel()

    def after_relabel(self) -> None:
        """Screens that fill widgets from loaded data do it again here."""


class TrackerModal(ModalScreen[Any]):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        tell_failed_worker(self, event)

    def on_mount(self) -> None:
        translate_bindings(self)
        self.refresh_bindings()
