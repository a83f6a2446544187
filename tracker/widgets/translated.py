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


def translate_bindings(node: DOMNode) -> None:
    source = type(node)._merged_bindings
    if source is None:
        return
    keys: dict[str, list[Binding]] = {}
    for key, bindings in source.key_to_bindings.items():
        keys[key] = [replace(b, description=_(b.description) if b.description else "",
                             tooltip=_(b.tooltip) if b.tooltip else "") for b in bindings]
    runtime = getattr(node, "_untranslated_runtime_bindings", None)
    if runtime is None:  # bindings added at run time (the command palette), as first seen
        runtime = {k: bs for k, bs in node._bindings.key_to_bindings.items() if k not in keys}
        setattr(node, "_untranslated_runtime_bindings", runtime)  # noqa: B010
    for key, bindings in runtime.items():
        keys.setdefault(key, [replace(b, description=_(b.description) if b.description else "",
                                      tooltip=_(b.tooltip) if b.tooltip else "")
                              for b in bindings])
    node._bindings = BindingsMap.from_keys(keys)
