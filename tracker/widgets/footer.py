"""Textual's footer, redrawn only when the keys it shows change.

Textual's footer recomposes (a widget per key, each styled anew) on every bindings update, and
a screen sends many that change nothing visible: mounting, each focus move inside a form, a
translated label set again. On the Today screen that was a tenth of the cold start
(docs/performance.md). This footer compares what it would show with what it shows.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

# Private, and no public way round it: Textual 8.2 exports only ``Footer`` (``textual.widgets``
# lists no ``FooterKey``), yet a key's widget has to be told from the footer's other children
# (its group boxes and labels) to be given its class before mounting. If Textual moves or
# renames it, tests/unit/test_architecture.py says so.
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    _shown: Hashable = None
    """What the last composition with keys showed (None before the first)."""
    _told: bool = False
    """Told of the screen's bindings once, as Textual's footer must be before it shows keys."""

    @staticmethod
    def _keys(screen: Screen[object]) -> Hashable:
        """What the footer shows of ``screen``'s bindings."""
        app = screen.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.show, binding.group, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values())

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._shown is not None and self.is_attached and screen is self.screen \
                and self._keys(screen) == self._shown:
            return
        self._told = True
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._told:
            self._shown = self._keys(self.screen)
        for widget in super().compose():
            # A compact footer's keys get their "-compact" class from a watcher once mounted,
            # each restyling itself; given before mounting, the watcher finds nothing to do.
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget
