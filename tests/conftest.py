"""Fixtures shared by every test: the user's own files and locale never leak in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker import i18n


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LDN_TRACKER_DB", str(home / "default.db"))
    monkeypatch.setenv("LDN_TRACKER_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("LDN_TRACKER_LANG", "en")
    monkeypatch.delenv("LDN_TRACKER_ROLE", raising=False)  # the patient, unless a test says
    # `remind --install` never reaches the user's own crontab or systemd: cron, through a
    # crontab command that does not exist, unless a test puts its fake in place.
    monkeypatch.setenv("LDN_TRACKER_REMIND_VIA", "cron")
    monkeypatch.setenv("LDN_TRACKER_CRONTAB", str(home / "no-crontab-here"))
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.db"


@pytest.fixture
def clinic(db_path: Path):  # type: ignore[no-untyped-def]
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    db = Database(str(db_path))
    yield Clinic(db, actor="test")
    db.dispose()
