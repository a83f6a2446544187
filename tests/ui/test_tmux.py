"""The real program in a real terminal: scripts/tmux_checkin.sh types a check-in at 100x30 and
reads it back; then, at 80x24, changes a score, quits, reads the unsaved-changes question from
the screen, stays, and saves from the question with a reason that reaches the audit trail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts/tmux_checkin.sh"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_check_in(tmp_path: Path) -> None:
    binary = Path(sys.executable).parent / "ldn-tracker"
    if not binary.exists():
        pytest.skip("ldn-tracker is not installed in this environment")
    env = {**os.environ, "LDN_TRACKER_BIN": str(binary), "LDN_TRACKER_PYTHON": sys.executable,
           "TMPDIR": str(tmp_path)}
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "tmux_checkin: ok" in result.stdout
