"""Textual's footer, redrawn only when the keys it shows change.

Textual's footer recomposes (a widget per key, each styled anew) on every bindings update, and
a screen sends many that change nothing visible: mounting, each focus move inside a form, a
translated label set again. On the Today screen that was a tenth of the cold start
(docs/performance.md). This footer compares what it would show with what it shows.

It also fits the screen's width (80 columns, 100 in Danish): Textual's footer is one line and
cuts what does not fit ("… w P"). This one leaves out whole keys instead: the app's own (help,
language, quit) always stay, then those a screen names in ``FOOTER_FIRST``, then the others as
long as they fit, the command palette's last. A key left out is in the help (``?``) and works
as before.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter

# Private, and no public way round it: Textual 8.2 exports only ``Footer`` (``textual.widgets``
# lists no ``FooterKey``), yet a key's widget has to be told from the footer's other children
# (its group boxes and labels) to be given its class before mounting. If Textual moves or
# renames it, tests/unit/test_architecture.py says so.
from textual.widgets._footer import FooterKey


def key_width(key: FooterKey, compact: bool) -> int:
    """The columns ``key`` takes in the footer (Textual's FooterKey CSS: in a compact footer
    "k Description" and a margin of 1; else a padded key and the description's padding)."""
    text = cell_len(key.key_display) + cell_len(key.description)
    if key.has_class("-command-palette"):
        return text + 3  # the space, its border, its padding (drawn compact in either footer)
    return text + 2 if compact else text + 3


class Footer(TextualFooter):
    _shown: Hashable = None
    """What the last composition with keys showed (None before the first)."""
    _told: bool = False
    """Told of the screen's bindings once, as Textual's footer must be before it shows keys."""
    _drawn: Hashable = None
    """What the last composition with keys drew: the keys and the footer's own settings."""

    @staticmethod
    def _keys(screen: Screen[object]) -> Hashable:
        """What the footer shows of ``screen``'s bindings."""
        app = screen.app
        return app.size.width, tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.show, binding.group, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values())

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._shown is not None and self.is_attached and screen is self.screen \
                and self._keys(screen) == self._shown:
            return
        self._told = True
        super().bindings_changed(screen)

    def _view(self) -> Hashable:
        return (self._keys(self.screen), self.compact, self.show_command_palette,
                self.combine_groups)

    async def recompose(self) -> None:
        """Textual's footer schedules a recomposition for every bindings update it is told of;
        those told before the first one ran each recomposed with the same keys (three times in
        the clinic screen's opening, ~15 ms each). A recomposition that would draw what is
        drawn is left out."""
        if self._told and self._drawn is not None and self.is_attached \
                and self._view() == self._drawn:
            return
        await super().recompose()

    def on_resize(self, event: events.Resize) -> None:
        if self._told and self.is_attached and self._keys(self.screen) != self._shown:
            self.call_after_refresh(self.recompose)

    def _fitting(self, widgets: list[Widget]) -> list[Widget]:
        """``widgets`` less the keys that would not fit the screen's width: taken in the order
        app's keys, the screen's ``FOOTER_FIRST`` actions, the rest as shown, the palette's
        last, each kept if it still fits."""
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        if len(keys) < len(widgets):  # groups and labels: left to Textual as they are
            return widgets
        app_actions = {a.binding.action for a in self.screen.active_bindings.values()
                       if a.node is self.app}
        first: tuple[str, ...] = getattr(self.screen, "FOOTER_FIRST", ())

        def rank(key: FooterKey) -> int:
            if key.has_class("-command-palette"):
                return 3
            return 0 if key.action in app_actions else 1 if key.action in first else 2

        room = self.app.size.width
        kept: set[int] = set()
        for key in sorted(keys, key=rank):  # stable: as shown within a rank
            width = key_width(key, self.compact)
            if width <= room:
                kept.add(id(key))
                room -= width
        return [w for w in widgets if id(w) in kept]

    def compose(self) -> ComposeResult:
        if self._told:
            self._shown = self._keys(self.screen)
            self._drawn = self._view()
        for widget in self._fitting(list(super().compose())):
            # A compact footer's keys get their "-compact" class from a watcher once mounted,
            # each restyling itself; given before mounting, the watcher finds nothing to do.
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget
