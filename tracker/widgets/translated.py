"""Key-binding descriptions in the user's language.

Textual keeps a widget's bindings as written in the class (English source text marked with
``N_``); :func:`translate_bindings` gives one node a translated copy, so the footer, the help
screen and the command palette speak the language chosen, and can be re-run after a switch.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from tracker.i18n import _

# Textual has no public way to change a binding's description once its class is defined: the
# footer, the help panel and the palette read each node's ``DOMNode._bindings`` (through
# ``Screen.active_bindings``), made from the class's ``BINDINGS`` when the node is created;
# ``App.bind`` only adds bindings, to the app alone, and keymaps change keys, not descriptions.
# So the node's private map is read once, as first seen (English: the class's bindings and any
# added since, such as the command palette's), and replaced. If Textual renames it or stops
# reading it, tests/unit/test_architecture.py says so.
_ENGLISH = "_untranslated_bindings"


def translate_bindings(node: DOMNode) -> None:
    english: dict[str, list[Binding]] | None = getattr(node, _ENGLISH, None)
    if english is None:
        english = dict(node._bindings.key_to_bindings)
        setattr(node, _ENGLISH, english)
    node._bindings = BindingsMap.from_keys({
        key: [replace(b, description=_(b.description) if b.description else "",
                      tooltip=_(b.tooltip) if b.tooltip else "") for b in bindings]
        for key, bindings in english.items()})
