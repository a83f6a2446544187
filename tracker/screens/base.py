"""What every patient-app screen shares: translated bindings and a redraw on language switch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import ModalScreen, Screen

from tracker.widgets.translated import translate_bindings

if TYPE_CHECKING:
    from tracker.app import TrackerApp


class TrackerScreen(Screen[Any]):
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
    def on_mount(self) -> None:
        translate_bindings(self)
        self.refresh_bindings()
