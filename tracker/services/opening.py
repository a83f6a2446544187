"""The Clinic opened in the background, so the first screen need not wait for SQLAlchemy.

:class:`ClinicOpening` stands in for a :class:`~tracker.services.clinic.Clinic`: the first attribute
used waits for the open to finish (in a worker thread, never the UI's) and then passes through.
:meth:`ClinicOpening.start` begins the open early, in a thread of its own, once the first screen
is drawn; a worker that needs the Clinic before then opens it itself.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from tracker.memory import loading_modules

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic


class ClinicOpening:
    def __init__(self, target: str, actor: str = "patient") -> None:
        self.target = target
        self.actor = actor
        self._lock = threading.Lock()
        self._future: Future[Clinic] | None = None

    @property
    def started(self) -> bool:
        return self._future is not None

    @property
    def ready(self) -> bool:
        future = self._future
        return future is not None and future.done() and future.exception() is None

    def start(self) -> None:
        """Open in a background thread (nothing happens if the open has begun)."""
        future = self._claim()
        if future is not None:
            threading.Thread(target=self._open, args=(future,), name="ldn-tracker-open",
                             daemon=True).start()

    def get(self) -> Clinic:
        """The open Clinic, opening it here if nobody has begun to."""
        future = self._claim()
        if future is not None:
            self._open(future)
        assert self._future is not None
        return self._future.result()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)

    def _claim(self) -> Future[Clinic] | None:
        with self._lock:
            if self._future is not None:
                return None
            self._future = Future()
            return self._future

    def _open(self, future: Future[Clinic]) -> None:
        try:
            # SQLAlchemy, the models and the engine live as long as the app (tracker/memory.py)
            with loading_modules():
                from tracker.services.clinic import Clinic
                from tracker.storage.database import Database

                clinic = Clinic(Database(self.target), actor=self.actor)
            future.set_result(clinic)
        except BaseException as exc:  # handed to whoever uses the Clinic, as the open's error
            future.set_exception(exc)
