"""The cohort's stale rows recomputed in a process of their own (services/status_refresh.py):
it writes what the in-app refresh wrote, and leaving the clinic screen stops it at once."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.models import PatientStatus
from tracker.services import status_refresh
from tracker.services.clinic import CheckIn, Clinic
from tracker.services.status_refresh import BackgroundRefresh
from tracker.storage.database import Database

DAY = date(2026, 3, 10)


def _clinic(path: Path) -> tuple[Database, Clinic, list[int]]:
    db = Database(str(path))
    clinic = Clinic(db, actor="clinician:test")
    ids = [clinic.add_patient(name=f"P{n}", condition="ms", start=DAY - timedelta(days=30),
                              informed_on=DAY) for n in range(3)]
    for pid in ids:
        clinic.check_in(pid, CheckIn(day=DAY - timedelta(days=1), taken=True, mg=0.75))
    return db, clinic, ids


def test_the_stale_rows_are_recomputed_in_another_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", DAY.isoformat())
    db, clinic, ids = _clinic(tmp_path / "clinic.db")
    monkeypatch.setenv("LDN_TRACKER_TODAY", (DAY + timedelta(days=1)).isoformat())
    assert sorted(clinic.stale_status()) == ids
    assert BackgroundRefresh().run(clinic, clinic.stale_status())
    assert clinic.stale_status() == []
    with db.read() as session:
        assert {s.computed_for for s in session.query(PatientStatus)} == {
            DAY + timedelta(days=1)}
    db.dispose()


def test_stopping_ends_the_process_at_once_and_no_other_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", DAY.isoformat())
    db, clinic, ids = _clinic(tmp_path / "clinic.db")
    monkeypatch.setattr(status_refresh, "MODULE", "tests.integration.refresh_sleeper")
    refresh = BackgroundRefresh()
    result: list[bool] = []
    worker = threading.Thread(target=lambda: result.append(refresh.run(clinic, ids)))
    worker.start()
    time.sleep(1.0)  # the child is reading its task, then sleeping a minute
    started = time.monotonic()
    refresh.stop()
    worker.join(timeout=10)
    assert not worker.is_alive() and time.monotonic() - started < 6
    assert result == [False]  # stopped, not done
    assert refresh.run(clinic, ids) is False  # a stopped refresh starts nothing more
    db.dispose()


async def test_worker_processes_start_inside_the_running_app(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clinic's Export all builds a big clinic's files in spawned processes; inside a
    running Textual app that failed ("bad value(s) in fds_to_keep": the app's own stderr)."""
    from textual.app import App

    from tracker.services.review import export_patients

    monkeypatch.setenv("LDN_TRACKER_TODAY", DAY.isoformat())
    db, clinic, ids = _clinic(tmp_path / "clinic.db")
    app: App[None] = App()
    async with app.run_test():
        written = export_patients(clinic, ids, tmp_path / "out", workers=2)
    assert sorted(p.name for p in written) == sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "P2" in (tmp_path / "out" / "doses.csv").read_text()
    db.dispose()
