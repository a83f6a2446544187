"""The app as `ldn-tracker` starts it on an existing file: Today is read directly with the
standard library before SQLAlchemy is imported, and the write path opens behind it.

What a patient notices: the same Today screen as before, at once, and a check-in saved as
always, even when pressed before the background open has finished.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.ui.conftest import TODAY, settle
from tracker.app import TrackerApp, create_app
from tracker.services.clinic import CheckIn, Clinic
from tracker.services.opening import ClinicOpening
from tracker.storage.database import HEAD_REVISION, Database, DatabaseError
from tracker.storage.snapshot import DirectReads
from tracker.widgets.dose_card import DoseCard

ROOT = Path(__file__).resolve().parents[2]


def _file_with_patient(path: Path) -> int:
    db = Database(str(path))
    try:
        return Clinic(db).add_patient(name="Cold Start", condition="ms", start=date(2026, 2, 20),
                                      informed_on=date(2026, 2, 20))
    finally:
        db.dispose()


def _entries(path: Path, patient_id: int) -> CheckIn:
    db = Database(str(path))
    try:
        return Clinic(db).day_entries(patient_id, TODAY)
    finally:
        db.dispose()


async def test_today_is_drawn_from_the_file_and_a_check_in_is_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.app

    # The background open must not beat the first assertions on a loaded machine.
    monkeypatch.setattr(tracker.app, "WARM_UP_DELAY_S", 60.0)
    path = tmp_path / "diary.db"
    pid = _file_with_patient(path)
    app = create_app(str(path))
    assert isinstance(app.clinic, ClinicOpening) and app.first_screen is not None
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # Drawn whole from the direct read, the Clinic not yet opened.
        assert type(app.screen).__name__ == "TodayScreen"
        assert not app.clinic.ready
        card = str(app.screen.query_one(DoseCard).render())
        assert "1 capsule of 1 mg" in card, card
        # Saved at once: the save opens the Clinic itself.
        await pilot.press("t", "2", "tab", "down", "6", "s")
        await settle(pilot)
        assert app.clinic.ready
    entry = _entries(path, pid)
    assert entry.taken is True and entry.mg == 1
    assert entry.effects == {"vivid_dreams": 2}
    assert entry.scores == {"fatigue": 6}


async def test_the_write_path_opens_in_the_background_soon_after(tmp_path: Path,
                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tracker.app

    monkeypatch.setattr(tracker.app, "WARM_UP_DELAY_S", 0.01)
    path = tmp_path / "diary.db"
    _file_with_patient(path)
    app = create_app(str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.clinic, ClinicOpening)
        for _ in range(500):
            await pilot.pause(0.01)
            if app.clinic.ready:
                break
        assert app.clinic.ready, "the Clinic was never opened in the background"


def test_first_screen_needs_no_sqlalchemy(tmp_path: Path) -> None:
    """The import and the read behind the first frame leave SQLAlchemy, pandas and alembic
    unimported (a process of its own, so this test's imports do not count)."""
    path = tmp_path / "diary.db"
    _file_with_patient(path)
    code = ("import sys\n"
            "from tracker.app import create_app\n"
            f"app = create_app({str(path)!r})\n"
            "assert app.first_screen is not None and app.first_screen.view is not None\n"
            "print(sorted(m for m in ('sqlalchemy', 'pandas', 'alembic') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_only_an_up_to_date_file_is_read_directly(tmp_path: Path) -> None:
    """A new file, a server URL or an older schema go the full way (migration, backup)."""
    missing = tmp_path / "new.db"
    assert DirectReads.probe(str(missing)) is None
    assert not missing.exists(), "probing never creates the file"
    assert DirectReads.probe("postgresql+psycopg://u:p@127.0.0.1:1/x") is None
    (tmp_path / "junk.db").write_text("not a database")
    assert DirectReads.probe(str(tmp_path / "junk.db")) is None

    old = tmp_path / "old.db"
    _file_with_patient(old)
    db = Database(str(old))
    db.downgrade("0001_initial")
    db.dispose()
    assert DirectReads.probe(str(old)) is None
    app = create_app(str(old))
    assert not isinstance(app.clinic, ClinicOpening)
    assert app.clinic.db.current_revision() == HEAD_REVISION
    assert list(tmp_path.glob("old.db.pre-upgrade-*.bak")), "upgraded with its backup"
    app.clinic.db.dispose()


def test_a_failed_background_open_is_told_where_the_clinic_is_used(tmp_path: Path) -> None:
    opening = ClinicOpening(str(tmp_path))  # a directory, not a database file
    opening.start()
    with pytest.raises(DatabaseError, match="is a directory"):
        opening.get()
    assert opening.started and not opening.ready


async def test_the_remembered_patient_is_read_first(tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    _file_with_patient(path)
    db = Database(str(path))
    second = Clinic(db).add_patient(name="Second", condition="fibromyalgia",
                                    start=date(2026, 1, 5), informed_on=date(2026, 1, 5))
    db.dispose()
    app = create_app(str(path))
    app.preferences.last_patient[app.db_key] = second
    app.preferences.save()
    again: TrackerApp = create_app(str(path))
    assert again.first_screen is not None and again.first_screen.view is not None
    assert again.first_screen.view.patient.id == second
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.screen.sub_title == "Second"


async def test_a_row_the_direct_read_cannot_use_is_told_in_the_app(tmp_path: Path) -> None:
    """A damaged row (a date that is no date) stops neither the start nor the app: the
    screen's worker reads it again and says what went wrong, in plain words."""
    import sqlite3

    path = tmp_path / "diary.db"
    _file_with_patient(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE patient SET start_date = 'not a date'")
    app = create_app(str(path))
    assert isinstance(app.clinic, ClinicOpening) and app.first_screen is None
    async with app.run_test(size=(100, 30)) as pilot:
        told: list[str] = []
        for _ in range(200):
            await pilot.pause(0.01)
            told = [n.message for n in app._notifications]
            if told:
                break
        assert app.is_running
        assert any("did not work" in m and "not a date" in m for m in told), told
