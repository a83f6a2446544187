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
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    _shown: Hashable = None

    @staticmethod
    def _keys(screen: Screen[object]) -> Hashable:
        """What the footer shows of ``screen``'s bindings."""
        app = screen.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.show, binding.group, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values())

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen \
                and self._keys(screen) == self._shown:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        for widget in super().compose():
            # A compact footer's keys get their "-compact" class from a watcher once mounted,
            # each restyling itself; given before mounting, the watcher finds nothing to do.
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget
