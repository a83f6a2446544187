"""The cold-start baseline: a minimal Textual app, and the harness that starts both apps alike.

    .venv/bin/python bench/minimal_app.py                    # the minimal app
    .venv/bin/python bench/minimal_app.py --tracker DB       # ldn-tracker's app on DB

Either way the process starts the app headless (``App.run_test``) and waits until its first
screen is mounted — for ldn-tracker, until the Today screen is the current screen — and its
workers have finished and their messages are handled (the data is on screen); then it prints the
screen's name and exits. ``bench/run.py`` times the whole process, so the baseline pays for
Python, Textual and the harness exactly as ldn-tracker does.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

TODAY_SCREEN_NAMES = ("TodayScreen", "Today")
WAIT_SECONDS = 30.0


def minimal_app() -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class MinimalApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Hello")
            yield Footer()

    return MinimalApp()


def tracker_app(db: str) -> Any:
    """ldn-tracker's app as its entry makes it (``tracker/__main__.py``, then
    ``tracker.cli.main``): the command line parsed and its role checked, the modules loaded
    with the cyclic collector paused (``tracker.memory.loading_modules``); only ``App.run()``
    is replaced by the headless start."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tracker.memory import loading_modules

    with loading_modules():
        from tracker.cli.access import authorize
        from tracker.cli.parser import parse_command_line
    args = parse_command_line(["--db", db])
    with loading_modules():
        from tracker.app import create_app

    return create_app(db, role=authorize(args))


def _ready(app: Any, want_today: bool) -> bool:
    if not want_today:
        return True
    return any(type(s).__name__ in TODAY_SCREEN_NAMES for s in app.screen_stack[-1:])


async def start(app: Any, want_today: bool) -> str:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        deadline = time.monotonic() + WAIT_SECONDS
        while not _ready(app, want_today) and time.monotonic() < deadline:
            await pilot.pause(0.01)
        # Usable: the screen's data loaded (its workers done and their messages handled).
        await app.workers.wait_for_complete()
        await pilot.pause()
        name = type(app.screen).__name__
        app.exit()
    return name


def main(argv: list[str]) -> int:
    if argv[:1] == ["--tracker"]:
        app = tracker_app(argv[1])
        # Until the patient app has a Today screen, the app's first screen counts.
        want_today = any(_has_today_screen())
    else:
        app, want_today = minimal_app(), False
    print(asyncio.run(start(app, want_today)))
    return 0


def _has_today_screen() -> list[bool]:
    import importlib.util

    return [importlib.util.find_spec("tracker.screens.today") is not None]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
