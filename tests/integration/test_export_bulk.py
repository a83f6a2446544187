"""``export --all``'s bulk path writes byte for byte the files of the plain per-patient path
(``patient_frames`` concatenated, written by ``export_frames``): same columns, rows, order,
number and date formatting, formula guard, in both dialects, for all patients and for one."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.oracles.per_patient_export import export_frames, patient_frames
from tracker.export import bulk as bulk_export
from tracker.export.columns import EXPORT_FILES
from tracker.i18n import get_language, set_language
from tracker.services.clinic import CheckIn, Clinic
from tracker.services.review import export_patients
from tracker.storage import scans
from tracker.storage.database import Database

from .conftest import ROOT, add_patient

TODAY = date(2026, 2, 20)
PAYLOADS = ("=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")',
            'quote " and, comma; semi', "line\nbreak")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())


def populate(clinic: Clinic) -> list[int]:
    start = date(2026, 1, 1)
    anna = add_patient(clinic, "=Anna+1", start=start)
    bo = add_patient(clinic, "Bo Ærø", start=start + timedelta(days=3),
                     formulation="liquid", concentration_mg_ml=1.0)
    quiet = add_patient(clinic, "Quiet", start=start + timedelta(days=30))  # no diary at all
    cleo = add_patient(clinic, "-Cleo", start=start, condition="crohns")
    for n in range(40):
        d = start + timedelta(days=n)
        payload = PAYLOADS[n % len(PAYLOADS)]
        if n % 9 == 4:  # nothing that day but a note
            clinic.check_in(anna, CheckIn(day=d, note=payload))
            continue
        effects = {"headache": 2} if 5 <= n <= 10 else {}
        if n == 20:
            effects = {payload: 3, "nausea": 1}
        clinic.check_in(anna, CheckIn(
            day=d, taken=n % 7 != 3, mg=None if n % 7 == 3 else 0.75,
            time=None if n % 5 == 0 else f"{8 + n % 12:02d}:{n % 60:02d}",
            effects=effects, no_side_effects=not effects and n % 4 == 0,
            scores={"pain": (n * 3) % 11, "fatigue": (n * 7) % 11, payload: n % 11},
            note=payload if n % 6 == 0 else None))
        if n >= 3:
            clinic.check_in(bo, CheckIn(
                day=d, taken=n % 10 != 0, mg=None if n % 10 == 0 else 0.375,
                effects={"insomnia": 2} if 12 <= n <= 17 else {},
                no_side_effects=n % 3 == 0 and not 12 <= n <= 17,
                scores={"pain": n % 11}, note="-0.5 mg?" if n % 8 == 0 else None))
        if n % 2 == 0:
            clinic.check_in(cleo, CheckIn(day=d, taken=True, mg=1.5 if n > 20 else 0.5,
                                          scores={"diarrhoea": n % 11}))
    clinic.add_medication(cleo, "tramadol", start + timedelta(days=5))
    clinic.add_medication(anna, "@paracetamol")
    dan = add_patient(clinic, 'Dan "D", Ø; Jr', start=start + timedelta(days=10))
    for n in range(12):
        clinic.check_in(dan, CheckIn(day=start + timedelta(days=10 + n), taken=True, mg=0.75,
                                     scores={"pain": 9 - n // 2}))
    clinic.dismiss_alert(dan, "information_pending", start + timedelta(days=10), "told")
    return [anna, bo, quiet, cleo, dan]


def export_one_by_one(clinic: Clinic, ids: list[int], out_dir: Path,
                      dialect: str) -> list[Path]:
    """The plain way, the reference the bulk export is held to: every patient's own tables
    (as the single-patient review builds them), concatenated, written by ``export_frames``."""
    per_patient = [patient_frames(clinic, pid) for pid in ids]
    frames = {}
    for key in EXPORT_FILES:
        filled = [p[key] for p in per_patient if len(p[key])]
        frames[key] = pd.concat(filled, ignore_index=True) if len(filled) > 1 else \
            (filled or [per_patient[0][key]])[0]
    return export_frames(frames, out_dir, dialect)


def assert_same_files(bulk: list[Path], reference: list[Path], name: str) -> None:
    assert [p.name for p in bulk] == [p.name for p in reference] == \
        [f"{key}.csv" for key in EXPORT_FILES]
    for ours, theirs in zip(bulk, reference, strict=True):
        assert ours.read_bytes() == theirs.read_bytes(), (name, ours.name)
        assert ours.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("dialect", ["standard", "excel-da"])
def test_bulk_export_is_byte_identical_to_the_per_patient_export(
        clinic: Clinic, tmp_path: Path, dialect: str) -> None:
    ids = populate(clinic)
    for name, chosen, workers in (("all", ids, 1), ("one", ids[:1], 1), ("liquid", ids[1:2], 1),
                                  ("empty", ids[2:3], 1), ("reordered", ids[::-1], 1),
                                  ("twice", ids[:2] * 2, 1), ("workers", ids[::-1], 3)):
        reference = export_one_by_one(clinic, chosen, tmp_path / f"ref-{name}", dialect)
        bulk = export_patients(clinic, chosen, tmp_path / f"bulk-{name}", dialect,
                               workers=workers)
        assert_same_files(bulk, reference, name)
        # The workers' parts went through a private folder inside the export's, now gone.
        assert sorted(p.name for p in (tmp_path / f"bulk-{name}").iterdir()) == \
            sorted(p.name for p in bulk)
    raw = (tmp_path / "bulk-all" / "doses.csv").read_bytes()
    assert b'"Dan ""D"", ' in raw  # quoted: a comma, a semicolon, quotes
    assert b"'=1+1" in raw and b"'=Anna+1" in raw and b"-0.5 mg?" in raw
    assert (tmp_path / "bulk-all" / "doses.csv").read_bytes().count(b"\n") > 80


def test_a_few_patients_of_a_large_clinic_are_picked_from_whole_table_scans(
        clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``IN_LIST_LIMIT`` patients the tables are read whole and the other patients'
    rows left out: the same files."""
    ids = populate(clinic)
    monkeypatch.setattr(scans, "IN_LIST_LIMIT", 1)
    for name, chosen, workers in (("some", [ids[3], ids[0]], 1), ("shares", ids[1:], 2)):
        reference = export_one_by_one(clinic, chosen, tmp_path / f"ref-{name}", "standard")
        ours = export_patients(clinic, chosen, tmp_path / f"bulk-{name}", "standard",
                               workers=workers)
        assert_same_files(ours, reference, name)


def test_a_generated_clinic_exports_the_same_figures_in_bulk_and_patient_by_patient(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clinic as the benchmark makes them (bench/generate.py: titrations, reductions,
    chemotherapy pauses, opioid holds, notes, four scores a day), small: every file, the
    summary's trend figures included, is the per-patient path's, in one process or several."""
    today = date(2027, 3, 10)
    db_path = tmp_path / "clinic.db"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--patients", "24",
                    "--days", "150", "--seed", "7", "--today", today.isoformat(),
                    "--out", str(db_path)], check=True, capture_output=True, cwd=ROOT)
    monkeypatch.setenv("LDN_TRACKER_TODAY", today.isoformat())
    db = Database(str(db_path))
    previous = get_language()
    try:
        clinic = Clinic(db, actor="clinician:test")
        ids = [p.id for p in clinic.list_patients()]
        for dialect, language in (("standard", "en"), ("excel-da", "da")):
            set_language(language)  # the plan's reasons and the alerts in Danish too
            reference = export_one_by_one(clinic, ids, tmp_path / f"ref-{dialect}", dialect)
            for workers in (1, 2):
                ours = export_patients(clinic, ids, tmp_path / f"bulk-{dialect}-{workers}",
                                       dialect, workers=workers)
                assert_same_files(ours, reference, f"{dialect}, {workers} workers")
        danish = (tmp_path / "bulk-excel-da-2" / "plan.csv").read_text("utf-8-sig")
        assert "Optrapning trin" in danish and "Startdosis" in danish
        summary = (tmp_path / "bulk-standard-1" / "summary.csv").read_text()
        assert summary.count(".slope_per_week,") >= 4 * len(ids) - 4
        assert "dose_response." in summary and ".week.2027-" in summary
        assert (tmp_path / "bulk-standard-1" / "plan.csv").read_text().count(",reduction,") > 0
    finally:
        set_language(previous)
        db.dispose()


def test_an_export_that_fails_half_way_leaves_nothing_behind(
        clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while the files are built (here the disk, mid-way) writes no file and leaves
    no folder or worker parts where the export was going."""
    ids = populate(clinic)

    def disk_full(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bulk_export, "build_share", disk_full)
    out = tmp_path / "export"
    with pytest.raises(OSError):
        export_patients(clinic, ids, out, "standard")
    assert not out.exists()
