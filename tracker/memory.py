"""Long-lived objects kept out of Python's cyclic garbage collector.

The app makes most of its objects once, at start-up and when a screen is built: modules,
Textual's CSS and widgets, a plan's days. Python's collector runs its oldest generation now and
then while a screen allocates, and every such run walks every object the process has: ~30 ms at
the app's start (half of the cold start's distance to a minimal Textual app,
docs/performance.md), ~100–140 ms each time the clinic screen adds its 2,000 rows.
``gc.freeze()`` moves the objects alive now to a permanent generation that later collections
skip (CPython's tool for long-lived start-up objects). Reference counting still frees them; only
a reference cycle among them that becomes garbage later is kept, a bounded, one-time amount.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_frozen_for: set[str] = set()


def freeze_long_lived(moment: str) -> None:
    """Leave every object alive now out of later cyclic collections (cheap: no walk), once a
    process for each ``moment`` ("start", "clinic"): a process that builds many apps, as the
    test suite does, never freezes the garbage of the ones before."""
    if moment not in _frozen_for:
        _frozen_for.add(moment)
        gc.freeze()



@contextmanager
def loading_modules() -> Iterator[None]:
    """Modules imported in the block live as long as the process: no collection walks them
    while they load, and they are frozen afterwards. Imports make long-lived objects, hardly
    any garbage (a short command such as ``dose`` spent ~30 ms in one full collection).

    Nothing is frozen when the block loaded no module: a process that opens many databases
    (the test suite, a clinician's app opening a second file) would otherwise freeze the
    garbage of the earlier ones each time, and an engine kept out of the collector keeps its
    pooled connections open (PostgreSQL's connection slots ran out in CI)."""
    loaded_before = len(sys.modules)
    with collection_paused():
        try:
            yield
        finally:
            if len(sys.modules) > loaded_before:
                gc.freeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic collection inside the block: for a block that builds many objects that live
    on (a table's rows), whose collections would only walk them and find no garbage. Reference
    counting still frees what the block drops; the collector runs again after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
