"""The diary ``export --all`` computes each plan from (built from column scans, one value per
distinct row, tracker/export/bulk_diary.py) is, field for field, the one the per-patient read
gives (``Records.diary``, what every screen and ``export --patient``'s reference use): every
patient, every kind of row, on SQLite and PostgreSQL, and on a clinic as the benchmark makes them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.clinical import is_opioid
from tracker.clinical.alerts import scores_in_diary
from tracker.clinical.model import Diary
from tracker.export.bulk_diary import diary_files
from tracker.export.bulk_share import Share
from tracker.export.csv_files import Cells
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage import scans
from tracker.storage.database import Database
from tracker.storage.scans import ClinicReader

from .conftest import ROOT, add_patient
from .test_export_bulk import TODAY, populate


def bulk_diaries(clinic: Clinic, ids: list[int], today: date) -> dict[int, Diary]:
    """Each patient's diary as the bulk export builds it for the rules engine."""
    with clinic.db.read() as session:
        connection = session.connection().connection.driver_connection
        assert connection is not None
        share = Share(ClinicReader(connection.cursor(), ids), ids, Cells("standard"), today)
        diaries, _doses, _scores = diary_files(share)
    return {pid: diaries.of(i, pid) for i, pid in enumerate(ids)}


def assert_same_score_windows(clinic: Clinic, ids: list[int], today: date) -> None:
    """The export hands the rules its own reader of the scores around the dose increases
    (``Values.in_windows``, bisecting the share's day column): it must give what the rules'
    own reader gives from the patient's diary, for windows before, across, between and after
    the scores, and for none."""
    with clinic.db.read() as session:
        connection = session.connection().connection.driver_connection
        assert connection is not None
        share = Share(ClinicReader(connection.cursor(), ids), ids, Cells("standard"), today)
        diaries, _doses, _scores = diary_files(share)
    asked = 0
    for i, pid in enumerate(ids):
        diary = diaries.of(i, pid)
        days = sorted({s.day for s in diary.scores}) or [today]
        first, last = days[0], days[-1]
        one = timedelta(days=1)
        for windows in ([], [(first - 30 * one, first)], [(first - one, last + one)],
                        [(first, first + one), (first + 3 * one, last)],
                        [(first + 2 * one, first + 9 * one), (last, last + 5 * one)],
                        [(last + one, last + 40 * one)]):
            assert list(diaries.scores.in_windows(i)(windows)) == \
                list(scores_in_diary(diary)(windows)), (pid, windows)
            asked += 1
    assert asked and any(diaries.scores.of(i) for i in range(len(ids)))


def assert_same_diaries(clinic: Clinic, ids: list[int], today: date) -> list[Diary]:
    ours = bulk_diaries(clinic, ids, today)
    assert list(ours) == list(dict.fromkeys(ids))
    theirs = {pid: clinic.inputs(pid)[1] for pid in ids}
    for pid in ids:
        for field in fields(Diary):
            assert getattr(ours[pid], field.name) == getattr(theirs[pid], field.name), \
                (pid, field.name)
        assert ours[pid] == theirs[pid]
    return list(theirs.values())


def assert_every_kind_of_row(diaries: Iterable[Diary]) -> None:
    """The comparison is not vacuous: each kind of value is there, and a day with several side
    effects and scores (their order within the day is compared too)."""
    diaries = list(diaries)
    doses = [d for diary in diaries for d in diary.doses]
    effects = [e for diary in diaries for e in diary.effects]
    medications = [m for diary in diaries for m in diary.medications]
    assert any(d.taken for d in doses) and any(not d.taken for d in doses)
    assert any(d.mg is None for d in doses) and any(d.mg is not None for d in doses)
    assert effects and any(diary.clear_days for diary in diaries)
    assert any(len({e.name for e in diary.effects if e.day == day}) > 1
               for diary in diaries for day in {e.day for e in diary.effects})
    assert any(len({s.symptom for s in diary.scores if s.day == day}) > 1
               for diary in diaries for day in {s.day for s in diary.scores})
    assert any(m.start is None for m in medications) and any(m.end for m in medications)
    assert any(is_opioid(m.name) for m in medications)
    assert any(diary.chemo for diary in diaries)
    assert any(diary == Diary() for diary in diaries)  # a patient with nothing logged


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())


def test_the_bulk_diaries_are_the_per_patient_diaries(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = populate(clinic)
    anna, bo, _quiet, cleo, dan = ids
    start = date(2026, 1, 1)
    clinic.check_in(bo, CheckIn(day=start + timedelta(days=41), taken=False,
                                effects={"nausea": 0, "Headache, own words": 2, "dizziness": 1},
                                scores={"Zest": 4, "pain": 2}))
    clinic.add_chemo(cleo, start + timedelta(days=20), start + timedelta(days=22))
    clinic.add_chemo(cleo, start + timedelta(days=2))
    first = clinic.add_medication(dan, "Morfin", start + timedelta(days=11))
    clinic.add_medication(dan, "Metformin", end=start + timedelta(days=30))
    # changed after a later one was added: the diaries keep medications in id order
    clinic.end_medication(first, start + timedelta(days=14), "course done")
    diaries = assert_same_diaries(clinic, ids, TODAY)
    assert_every_kind_of_row(diaries)
    assert_same_score_windows(clinic, ids, TODAY)
    assert [m.name for m in clinic.inputs(dan)[1].medications] == ["Morfin", "Metformin"]
    assert_same_diaries(clinic, ids[::-1], TODAY)
    monkeypatch.setattr(scans, "IN_LIST_LIMIT", 1)  # whole tables read, others' rows dropped
    assert_same_diaries(clinic, [cleo, anna], TODAY)


def test_a_generated_clinic_has_the_same_diaries_in_bulk_and_patient_by_patient(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    today = date(2027, 3, 10)
    db_path = tmp_path / "clinic.db"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--patients", "30",
                    "--days", "150", "--seed", "11", "--today", today.isoformat(),
                    "--out", str(db_path)], check=True, capture_output=True, cwd=ROOT)
    monkeypatch.setenv("LDN_TRACKER_TODAY", today.isoformat())
    db = Database(str(db_path))
    try:
        clinic = Clinic(db, actor="clinician:test")
        ids = [p.id for p in clinic.list_patients()]
        empty = add_patient(clinic, "Nobody yet", start=today)
        diaries = assert_same_diaries(clinic, [*ids, empty], today)
        assert_every_kind_of_row(diaries)
        assert_same_score_windows(clinic, [*ids, empty], today)
    finally:
        db.dispose()
