"""Fixtures for the patient app's tests: a real SQLite file, a pinned date, English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tracker import i18n
from tracker.services.clinic import Clinic
from tracker.storage.database import Database

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def app_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The user's files, locale and clock never leak in; dates are stable for snapshots."""
    monkeypatch.setenv("LDN_TRACKER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LDN_TRACKER_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("LDN_TRACKER_LANG", "en")
    i18n.set_language("en")
    yield tmp_path
    i18n.set_language("en")


@pytest.fixture
def ui_clinic(tmp_path: Path) -> Iterator[Clinic]:
    db = Database(str(tmp_path / "diary.db"))
    yield Clinic(db, actor="patient")
    db.dispose()


@pytest.fixture
def patient_id(ui_clinic: Clinic) -> int:
    """A patient on the autoimmune protocol, in the titration's first weeks, informed."""
    return ui_clinic.add_patient(name="Test Patient", condition="ms", start=date(2026, 2, 20),
                                 informed_on=date(2026, 2, 20))


@pytest.fixture
def demo_clinic(ui_clinic: Clinic) -> Clinic:
    from tracker.services.demo import build_demo

    build_demo(ui_clinic, TODAY)
    return ui_clinic


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their messages be handled (never sleep)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
