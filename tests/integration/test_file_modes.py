"""Health data stays private: every file the app creates is readable by its owner only.

The database, its -wal and -shm, backups, exports and reports are made under ``umask 0`` (the
most permissive), in a child process, and must come out 0600; directories the app creates 0700.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WORKER = Path(__file__).with_name("file_modes_worker.py")


def test_everything_is_owner_only_under_a_permissive_umask(tmp_path: Path, h) -> None:
    done = subprocess.run([sys.executable, str(WORKER), str(tmp_path)], capture_output=True,
                          text=True, env=h.child_env(), cwd=h.root, timeout=120)
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.strip().splitlines()[-1])
    files = {k: v for k, v in modes.items() if not k.startswith("dir:")}
    dirs = {k: v for k, v in modes.items() if k.startswith("dir:")}
    for name in ("db", "db-wal", "db-shm", "backup", "pre-upgrade backup", "report", "cli db"):
        assert files.get(name) == "0o600", (name, modes)
    exports = [k for k in files if k.startswith("export:")]
    assert len(exports) >= 6, modes  # doses, side effects, scores, plan, alerts, summary
    assert all(files[k] == "0o600" for k in exports), modes
    assert dirs and all(v == "0o700" for v in dirs.values()), modes


def test_an_existing_world_readable_database_is_left_alone_but_opens(tmp_path: Path) -> None:
    """The app tightens nothing it did not create, but a file it creates is never loose."""
    import os
    import stat

    from tracker.storage.database import Database

    path = tmp_path / "created-elsewhere.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    db = Database(str(path))
    db.dispose()
    # SPEC §9: a file the app did not create keeps its mode (its owner chose it).
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert db.read_only is False  # and it is written as any database
