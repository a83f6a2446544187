"""Which patients' cohort rows are stale (the clinic screen's first read, plain SQL since
issue 15), on SQLite and PostgreSQL: a missing row always, a row of another day unless only the
missing ones are asked for, and never a current row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from tests.integration.conftest import add_patient
from tracker.services.clinic import Clinic

TODAY = date(2026, 3, 1)


def test_missing_and_earlier_rows_are_stale_and_current_ones_are_not(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    a, b, c = (add_patient(clinic, name) for name in ("Anna", "Bo", "Carl"))
    clinic.refresh_status([a, b, c])
    assert clinic.stale_status() == [] and clinic.stale_status(missing_only=True) == []

    monkeypatch.setenv("LDN_TRACKER_TODAY", (TODAY + timedelta(days=1)).isoformat())
    assert clinic.stale_status() == [a, b, c]  # computed yesterday
    assert clinic.stale_status(missing_only=True) == []

    with clinic.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM patient_status WHERE patient_id = :pid"), {"pid": c})
    assert clinic.stale_status(missing_only=True) == [c]
    assert clinic.stale_status() == [a, b, c]

    clinic.refresh_status([b, c])
    assert clinic.stale_status() == [a]
    assert clinic.stale_status(missing_only=True) == []
