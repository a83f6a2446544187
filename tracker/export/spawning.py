"""Worker processes started from the app as from the command line.

``multiprocessing``'s ``spawn`` starts, once per process, a resource tracker that is handed
``sys.stderr``'s file descriptor; inside a running Textual app ``sys.stderr`` is the app's own
capture, without one, and every spawn failed ("bad value(s) in fds_to_keep": the clinic's
*Export all* of 500 patients or more). :func:`spawn_context` starts the tracker with the real
standard error first.
"""

from __future__ import annotations

import sys
import threading
from multiprocessing import get_context, resource_tracker
from multiprocessing.context import SpawnContext

_LOCK = threading.Lock()


def spawn_context() -> SpawnContext:
    """The ``spawn`` context, its resource tracker running."""
    with _LOCK:
        real = sys.__stderr__
        if real is not None and sys.stderr is not real:
            captured, sys.stderr = sys.stderr, real
            try:
                resource_tracker.ensure_running()
            finally:
                sys.stderr = captured
    return get_context("spawn")
