"""What each way in loads, measured in a fresh interpreter.

The app and the `dose` command start fast because the heavy libraries stay out of their path:
SQLAlchemy and alembic behind the first frame, pandas out of all but the clinician's analysis,
Textual out of the headless commands (docs/performance.md). One stray module-level import
undoes that without failing anything else, so each entry point runs here in a process of its
own (this one has imported everything) and ``sys.modules`` is read afterwards. A failure names
the modules and the import chain that brought them in, read from ``python -X importtime``.

The create-the-app half of the first screen is `test_first_screen_needs_no_sqlalchemy` in
tests/ui/test_cold_start.py; here the first frame is drawn too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from tracker.services.clinic import Clinic
from tracker.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 10)
START = date(2026, 2, 20)
REPORT = "LOADED="

# What the code loaded of WATCHED by the end, or by the moment it names in LOADED_BY_THEN.
_EPILOGUE = f"""
import json, sys, tracker
loaded = globals().get("LOADED_BY_THEN", [m for m in WATCHED if m in sys.modules])
print({REPORT!r} + json.dumps({{"tracker": tracker.__file__, "loaded": sorted(loaded)}}))
"""


def _file_with_patient(path: Path) -> int:
    db = Database(str(path))
    try:
        return Clinic(db).add_patient(name="Import Hygiene", condition="ms", start=START,
                                      informed_on=START)
    finally:
        db.dispose()


def _importers(importtime: str, package: str) -> str:
    """The chain that first imported ``package``, innermost first, from ``-X importtime``.

    Python prints a module's line once it is imported, after those of the modules it imported,
    indented one step deeper; the importer of a line is the next line less indented.
    """
    rows = []
    for line in importtime.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            field = line.split("|")[2]
            name = field.strip()
            if name != "imported package":
                rows.append((len(field) - len(field.lstrip()), name))

    def top(name: str) -> str:
        return name.partition(".")[0]

    first = next((i for i, (_depth, name) in enumerate(rows) if top(name) == package), None)
    if first is None:
        return f"{package} (not in the -X importtime output)"
    depth, name = rows[first]
    chain = [name]
    for next_depth, importer in rows[first + 1:]:
        if next_depth < depth:
            depth = next_depth
            if top(importer) == top(chain[-1]) != "tracker":  # a library's own steps: its outermost
                chain[-1] = importer
            else:
                chain.append(importer)
    chain_text = " <- ".join(chain)
    if not any(m.startswith("tracker") for m in chain):
        chain_text += " (imported at run time, by a function)"
    return chain_text


def _fresh(code: str, watched: tuple[str, ...]) -> tuple[subprocess.CompletedProcess[str],
                                                       list[str], str]:
    """Run ``code`` in a new interpreter; what it loaded of ``watched``, and who imported it."""
    env = {**os.environ, "LDN_TRACKER_TODAY": TODAY.isoformat()}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"WATCHED = {watched!r}\n{code}{_EPILOGUE}"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False, timeout=120)
    reports = [line for line in done.stdout.splitlines() if line.startswith(REPORT)]
    errors = "\n".join(line for line in done.stderr.splitlines()
                       if not line.startswith("import time:"))
    assert done.returncode == 0 and reports, \
        f"the subprocess failed (status {done.returncode}):\n{errors}\n{done.stdout}"
    report = json.loads(reports[-1].removeprefix(REPORT))
    assert Path(report["tracker"]).resolve().is_relative_to(ROOT), \
        f"the subprocess imported another checkout's tracker: {report['tracker']}"
    loaded: list[str] = report["loaded"]
    who = "\n".join(f"  {_importers(done.stderr, m)}" for m in loaded)
    return done, loaded, who


def test_importing_the_app_loads_no_database_or_analysis_library() -> None:
    _done, loaded, who = _fresh("import tracker.app\n",
                                ("sqlalchemy", "alembic", "pandas", "numpy"))
    assert loaded == [], f"`import tracker.app` loaded {loaded}:\n{who}"


def test_the_first_frame_of_today_loads_no_database_or_analysis_library(
        tmp_path: Path) -> None:
    """Today read directly and drawn, the Clinic not yet opened (its background open is put
    off for the test): SQLAlchemy, alembic and pandas are still unimported."""
    path = tmp_path / "diary.db"
    _file_with_patient(path)
    code = f"""
import asyncio
import sys
import tracker.app
tracker.app.WARM_UP_DELAY_S = 3600.0
app = tracker.app.create_app({str(path)!r})
assert app.first_screen is not None and app.first_screen.view is not None, "no direct read"

async def first_frame() -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "TodayScreen", app.screen
        assert not app.clinic.ready, "the Clinic opened before the first frame"
        global LOADED_BY_THEN
        LOADED_BY_THEN = [m for m in WATCHED if m in sys.modules]

asyncio.run(first_frame())
"""
    _done, loaded, who = _fresh(code, ("sqlalchemy", "alembic", "pandas", "numpy"))
    assert loaded == [], f"drawing Today from the direct read loaded {loaded}:\n{who}"


def test_the_dose_command_loads_no_ui_analysis_or_migration_library(tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    pid = _file_with_patient(path)
    argv = ["--db", str(path), "dose", "--patient", str(pid), "--date", START.isoformat(),
            "--mg", "1"]
    code = f"""
from tracker.cli import main
status = main({argv!r})
assert status == 0, f"dose exited with status {{status}}"
"""
    _done, loaded, who = _fresh(code, ("textual", "rich", "pandas", "numpy", "alembic"))
    assert loaded == [], f"`ldn-tracker dose` loaded {loaded}:\n{who}"
    db = Database(str(path))
    try:
        entry = Clinic(db).day_entries(pid, START)
    finally:
        db.dispose()
    assert entry.taken is True and entry.mg == 1, entry


def test_the_plan_command_loads_no_ui_analysis_or_migration_library(tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    pid = _file_with_patient(path)
    argv = ["--db", str(path), "plan", "--patient", str(pid), "--to", "2026-02-22"]
    code = f"""
from tracker.cli import main
status = main({argv!r})
assert status == 0, f"plan exited with status {{status}}"
"""
    done, loaded, who = _fresh(code, ("textual", "rich", "pandas", "numpy", "alembic"))
    assert loaded == [], f"`ldn-tracker plan` loaded {loaded}:\n{who}"
    assert "2026-02-20" in done.stdout and "2026-02-22" in done.stdout, done.stdout
