"""The evening reminder (SPEC §12): tonight's line, and the desktop notification that shows it.

:func:`tonight` reads the plan and the diary once and says nothing when today's dose is logged
(taken or skipped); otherwise it is :func:`tracker.clinical.instructions.tonight_reminder`, the
dose in the words the Today card uses. :func:`notify` shows the line on the desktop where a
desktop session is there, and never raises: a reminder that cannot be shown is still printed.

The notification goes through the first of these that works: the ``desktop-notifier`` library
(the ``notify`` extra: ``pip install 'ldn-tracker[notify]'``), ``notify-send`` (libnotify) when
it is on the PATH, and on macOS ``osascript``. Without any of them the line is only printed.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from tracker.clinical.horizons import OUTLOOK_DAYS
from tracker.clinical.instructions import tonight_reminder
from tracker.clinical.progress import dose_status
from tracker.i18n import Message

APP_NAME = "LDN Tracker"
# Set to a display or a session bus by a desktop session; unset in cron, ssh and CI.
SESSION_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
NOTIFY_TIMEOUT_S = 10


def tonight(reader: Any, patient_id: int, day: date) -> Message | None:
    """The reminder's line for ``day``, or None when that day's dose is already logged.

    ``reader`` is the :class:`~tracker.services.clinic.Clinic` (any
    :class:`~tracker.storage.records.DayReader`). The plan is computed as far as the Today card
    computes it, so the two tell the same dose.
    """
    # Today's own read (Records.day_plan): the same plan, and the doses without the scores.
    plan, diary, _symptoms = reader.day_plan(patient_id, until=day + timedelta(days=OUTLOOK_DAYS),
                                             on=day)
    if any(entry.day == day for entry in diary.doses):
        return None
    return tonight_reminder(dose_status(plan, day).today, reader.patient(patient_id))


def desktop_session(environ: Mapping[str, str] | None = None,
                    platform: str | None = None) -> bool:
    """Whether a notification has somewhere to appear: macOS, or a display or session bus."""
    env = os.environ if environ is None else environ
    if (platform or sys.platform) == "darwin":
        return True
    return any(env.get(name, "").strip() for name in SESSION_VARIABLES)


def notify(title: str, body: str) -> bool:
    """Show ``body`` as a desktop notification; whether one of the ways worked. Never raises."""
    for way in (_with_library, _with_notify_send, _with_osascript):
        try:
            if way(title, body):
                return True
        except Exception:  # noqa: BLE001 - a failed notification is no failed reminder
            continue
    return False


class _Failures(logging.Handler):
    """Counts what ``desktop-notifier`` logs as a warning: it reports a failed notification
    (no session bus, no app bundle on macOS) that way, never by raising."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _with_library(title: str, body: str) -> bool:
    try:
        from desktop_notifier import DesktopNotifierSync
    except ImportError:
        return False
    logger = logging.getLogger("desktop_notifier")
    failures = _Failures()
    propagate = logger.propagate
    logger.addHandler(failures)
    logger.propagate = False  # its warnings carry a traceback: never on the user's terminal
    try:
        DesktopNotifierSync(app_name=APP_NAME).send(title=title, message=body)
    finally:
        logger.removeHandler(failures)
        logger.propagate = propagate
    return failures.count == 0


def _with_notify_send(title: str, body: str) -> bool:
    program = shutil.which("notify-send")
    if program is None:
        return False
    done = subprocess.run([program, "--app-name", APP_NAME, title, body],
                          capture_output=True, timeout=NOTIFY_TIMEOUT_S, check=False)
    return done.returncode == 0


def _with_osascript(title: str, body: str) -> bool:
    program = shutil.which("osascript") if sys.platform == "darwin" else None
    if program is None:
        return False
    # The texts are arguments of the script, never part of it: nothing in them is run.
    script = ["on run argv", "display notification (item 1 of argv) with title (item 2 of argv)",
              "end run"]
    argv = [program]
    for line in script:
        argv += ["-e", line]
    done = subprocess.run([*argv, body, title], capture_output=True,
                          timeout=NOTIFY_TIMEOUT_S, check=False)
    return done.returncode == 0
