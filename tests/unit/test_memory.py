"""tracker/memory.py: the modules a process loads are left out of the cyclic collector
(docs/performance.md "Start-up": one full collection was ~30 ms of a `dose` command)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from tracker.memory import collection_paused, loading_modules


def test_no_collection_while_loading_and_what_loaded_is_frozen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ldn_memory_probe.py").write_text("KEPT = [[object()] for _ in range(1000)]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert gc.isenabled()
    before = gc.get_freeze_count()
    try:
        with loading_modules():
            assert not gc.isenabled()
            import ldn_memory_probe  # noqa: F401
    finally:
        sys.modules.pop("ldn_memory_probe", None)
    assert gc.isenabled() and gc.get_freeze_count() >= before + 1000


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_block_that_loads_nothing_freezes_nothing_so_earlier_garbage_is_collected() -> None:
    """A second database opened in one process (the test suite, a clinician's second file)
    loads no new module: the first one's garbage, such as an engine in a reference cycle
    holding pooled connections, must stay collectable."""
    gc.collect()
    gc.disable()  # no automatic collection between the steps
    try:
        garbage = weakref.ref(_make_garbage_cycle())
        with loading_modules():
            pass
        assert garbage() is not None  # a cycle: only the collector frees it
        gc.collect()
        assert garbage() is None
    finally:
        gc.enable()


def _make_garbage_cycle() -> _Cycle:
    return _Cycle()


def test_an_import_that_fails_leaves_the_collector_as_it_was() -> None:
    with pytest.raises(ImportError), loading_modules():
        import tracker.no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert gc.isenabled()
    gc.disable()
    try:
        with loading_modules():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_a_dose_command_runs_without_a_full_collection(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    subprocess.run([sys.executable, "-m", "tracker", "--db", db, "patient", "add", "--name", "A",
                    "--condition", "fibromyalgia", "--start", "2026-01-01"], check=True,
                   capture_output=True)
    code = (
        "import gc, sys, atexit\n"
        "full = []\n"
        "gc.callbacks.append(lambda phase, info: full.append(1)\n"
        "                    if phase == 'start' and info['generation'] == 2 else None)\n"
        "atexit.register(lambda: print('full collections:', len(full)))\n"
        "sys.argv = ['ldn-tracker', '--db', sys.argv[1], 'dose', '--patient', '1',\n"
        "            '--date', '2026-01-05', '--mg', '1.5']\n"
        "import tracker.__main__ as entry\n"
        "entry.main()\n")
    done = subprocess.run([sys.executable, "-c", code, db],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "full collections: 0" in done.stdout, done.stdout


def test_no_collection_runs_while_a_table_is_filled_and_it_runs_again_afterwards() -> None:
    """The clinic screen fills 2,000 rows of ~16 cells under ``collection_paused``: the
    collector's runs over objects the table keeps were ~20–30 ms of its opening."""
    runs: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with collection_paused():
            runs.clear()  # any run before the block had turned the collector off
            kept = [[object()] for _ in range(50_000)]  # far past the youngest threshold
            inside = list(runs)
        assert inside == [] and len(kept) == 50_000
        assert gc.isenabled()
        runs.clear()
        _ = [[object()] for _ in range(50_000)]
        assert runs, "the collector runs again after the block"
    finally:
        gc.callbacks.remove(count)


def test_a_block_that_fails_still_turns_the_collector_back_on() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
