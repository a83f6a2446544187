"""The cohort's stored rows read with plain SQL (tracker/storage/cohort.py) are the rows the ORM
read gave (``select(Patient, PatientStatus)``): same patients, same order, same values, on
SQLite and on a server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from tracker.models import Patient, PatientStatus
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.cohort import STATUS_COLUMNS, StoredStatus, cohort_rows
from tracker.storage.records import info_of

from .conftest import add_patient

TODAY = date(2026, 3, 1)
START = date(2026, 1, 1)


def _orm_rows(clinic: Clinic) -> list[tuple[object, PatientStatus]]:
    with clinic.db.read() as session:
        rows = session.execute(select(Patient, PatientStatus).join(PatientStatus)
                               .order_by(Patient.id)).all()
        return [(info_of(p), s) for p, s in rows]


def _populate(clinic: Clinic) -> list[int]:
    ids = [
        add_patient(clinic, "Anna [b]", start=START),
        add_patient(clinic, "Bo Ærø", start=START + timedelta(days=3), formulation="liquid",
                    concentration_mg_ml=1.0, weight_kg=61.5),
        add_patient(clinic, "Quiet", start=START + timedelta(days=30)),  # no diary at all
        add_patient(clinic, "Cleo", start=START, condition="crohns", transplant=True,
                    informed_on=START),
        add_patient(clinic, "Dan", start=START + timedelta(days=70)),  # starts after today
    ]
    for n in range(55):
        day = START + timedelta(days=n)
        clinic.check_in(ids[0], CheckIn(  # missed doses, side effects: flags and alerts
            day=day, taken=n % 6 != 2 and n < 50, mg=None if n % 6 == 2 or n >= 50 else 0.75,
            effects={"headache": 3} if 20 <= n <= 30 else {}, scores={"pain": n % 11}))
        if n % 2:
            clinic.check_in(ids[1], CheckIn(day=day, taken=True, mg=0.5))
        clinic.check_in(ids[3], CheckIn(day=day, taken=n < 40, mg=1.0 if n < 40 else None))
    return ids


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())


def test_the_plain_read_gives_the_orm_reads_rows(clinic: Clinic,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _populate(clinic)
    clinic.check_in(ids[1], CheckIn(day=TODAY - timedelta(days=1), taken=True, mg=0.5))
    with clinic.db.write() as session:  # a patient without a row is not in the list
        session.execute(delete(PatientStatus).where(PatientStatus.patient_id == ids[2]))
    monkeypatch.setenv("LDN_TRACKER_TODAY", (TODAY + timedelta(days=1)).isoformat())
    clinic.refresh_status([ids[0]])  # one row of the new day, the others stale

    with clinic.db.read() as session:
        plain = cohort_rows(clinic.records(session))
    assert clinic.cohort_status(refresh_stale=False) == plain  # the service reads them so
    orm = _orm_rows(clinic)
    assert [info.id for info, _s in plain][:3] == [ids[0], ids[1], ids[3]]
    assert [info for info, _s in plain] == [info for info, _s in orm]
    for (_i, stored), (_j, row) in zip(plain, orm, strict=True):
        assert isinstance(stored, StoredStatus)
        assert stored == tuple(getattr(row, c) for c in STATUS_COLUMNS)
        assert [type(v) for v in stored] == [type(getattr(row, c)) for c in STATUS_COLUMNS]
    # The rows say what the screen shows: flags, alerts, stale days.
    assert {s.computed_for for _i, s in plain} == {TODAY, TODAY + timedelta(days=1)}
    assert any(s.flags for _i, s in plain) and any(s.open_alerts for _i, s in plain)
    assert any(s.next_upcoming is None for _i, s in plain)
    assert any(s.adherence_30d is not None for _i, s in plain)
