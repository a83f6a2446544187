"""The wheel carries its migrations: build it, install it (not editable) and create a database.

Nothing is downloaded: the wheel is built without build isolation (hatchling is in the dev
venv) and installed with ``--no-deps --no-index`` into a target directory put first on
``PYTHONPATH``, so the installed copy, not the repository, is imported; its dependencies come
from the running venv.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.mark.slow
def test_installed_wheel_creates_a_database(tmp_path: Path, h) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "--wheel-dir", str(dist), str(h.root)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    wheels = list(dist.glob("ldn_tracker-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    assert "tracker/migrations/env.py" in names
    assert any(n.startswith("tracker/migrations/versions/0001_") for n in names)

    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheels[0])],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert install.returncode == 0, install.stderr
    script = target / "bin" / "ldn-tracker"
    assert script.exists()

    env = {k: v for k, v in os.environ.items() if k not in ("LDN_TRACKER_DB", "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)
    work = tmp_path / "elsewhere"  # not the repository: nothing to fall back on
    work.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "import tracker, tracker.storage.database as d; "
         "print(tracker.__file__); print(d.migrations_dir())"],
        capture_output=True, text=True, env=env, cwd=work, timeout=60)
    assert where.returncode == 0, where.stderr
    module, migrations = where.stdout.split()
    assert Path(module).is_relative_to(target), "the installed copy must be the one imported"
    assert Path(migrations) == target / "tracker" / "migrations"

    new_db = work / "NEW.db"
    added = subprocess.run(
        [str(script), "--db", str(new_db), "patient", "add", "--name", "Anna",
         "--condition", "fibromyalgia", "--start", "2026-01-01"],
        capture_output=True, text=True, env=env, cwd=work, timeout=120)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "1"
    listed = subprocess.run([str(script), "--db", str(new_db), "verify"], capture_output=True,
                            text=True, env=env, cwd=work, timeout=120)
    assert listed.returncode == 0, listed.stderr
