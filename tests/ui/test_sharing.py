"""Sharing with the clinic in the app (SPEC §11), through Textual's pilot on real SQLite files.

The patient's app: ``f`` writes the FHIR bundle and the report into a folder, both owner-only;
a bad folder is told beside the field and nothing is written; files already there are replaced
only when the patient says so. The patient's app has no way to import. The clinician's app:
``i`` on the clinic screen previews a patient's file (a dry run) and imports it; the new patient
is in the list, and their plan is the source's; Cancel after the preview writes nothing; a file
that disagrees with the clinic's database can only be taken in by replacing the values.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Button, DataTable, Input, Static

from tests.ui.conftest import TODAY, settle
from tests.ui.test_clinician import build_clinic
from tracker.app import create_app
from tracker.services.clinic import CheckIn, Clinic
from tracker.services.roles import CLINICIAN
from tracker.storage.database import Database

START = date(2026, 2, 20)
BUNDLE = f"ldn-{TODAY.isoformat()}.json"
REPORT = f"ldn-{TODAY.isoformat()}.html"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own, without a Documents folder (unless a test makes one)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return folder


def fill_diary(clinic: Clinic, name: str = "Test Patient") -> int:
    """A patient on the autoimmune protocol with 18 days logged: doses (one skipped), side
    effects, "no side effects" days and scores."""
    pid = clinic.add_patient(name=name, condition="ms", start=START, informed_on=START)
    for n in range(18):
        day = START + timedelta(days=n)
        if n == 6:
            clinic.log_dose(pid, day, taken=False)
            continue
        clinic.check_in(pid, CheckIn(day=day, taken=True, mg=0.5 if n < 10 else 1.0,
                                     time="21:30", effects={"headache": 1} if n in (3, 4) else {},
                                     no_side_effects=n not in (3, 4),
                                     scores={"fatigue": 6 - n // 6}))
    return pid


@pytest.fixture
def diary(tmp_path: Path) -> tuple[Path, int]:
    """The patient's own file at home."""
    path = tmp_path / "home-diary.db"
    db = Database(str(path))
    try:
        pid = fill_diary(Clinic(db, actor="patient"))
    finally:
        db.dispose()
    return path, pid


@pytest.fixture
def clinic_db(tmp_path: Path) -> Path:
    """The clinic's database: four patients of its own (tests/ui/test_clinician.py)."""
    path = tmp_path / "clinic.db"
    build_clinic(path)
    return path


def export_file(db_path: Path, pid: int, out: Path) -> Path:
    from tracker.services.sharing import export_bundle

    db = Database(str(db_path))
    try:
        return export_bundle(Clinic(db), pid, out)
    finally:
        db.dispose()


def row_counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in tables}


def plan_rows(db_path: Path, pid: int) -> list[tuple[Any, ...]]:
    db = Database(str(db_path))
    try:
        plan = Clinic(db).plan(pid, until=TODAY + timedelta(days=28), on=TODAY)
    finally:
        db.dispose()
    return [(d.day, d.dose_mg, d.nominal_mg, d.phase) for d in plan.days]


def told(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def text_of(app: App[Any], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def bound_actions(app: App[Any]) -> set[str]:
    return {active.binding.action for active in app.screen.active_bindings.values()}


# -- the patient shares ----------------------------------------------------------------------

async def test_share_writes_the_bundle_and_the_report_owner_only(
        diary: tuple[Path, int], home: Path, tmp_path: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    from tracker.screens.share_dialog import ShareDialog

    path, _pid = diary
    folder = tmp_path / "for the clinic"
    folder.mkdir()
    app = create_app(str(path))  # as `ldn-tracker` opens it (the Clinic opens behind Today)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")  # Share with my clinic
        await settle(pilot)
        assert isinstance(app.screen, ShareDialog)
        field = app.screen.query_one("#folder", Input)
        assert field.value == str(home)  # no Documents folder here: the home folder
        assert BUNDLE in text_of(app, "#share-files") and REPORT in text_of(app, "#share-files")
        field.value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        assert any(f"Saved for your clinic: {BUNDLE} and {REPORT}" in t and str(folder) in t
                   for t in told(app)), told(app)
    assert sorted(p.name for p in folder.iterdir()) == sorted([BUNDLE, REPORT])  # nothing else
    for name in (BUNDLE, REPORT):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    bundle = Bundle.model_validate(json.loads((folder / BUNDLE).read_text("utf-8")))
    given = [e.resource for e in bundle.entry or []
             if e.resource.get_resource_type() == "MedicationAdministration"]
    assert len(given) == 18
    assert sum(1 for r in given if r.status == "completed") == 17
    assert sorted(float(r.dosage.dose.value) for r in given if r.status == "completed") == \
        [0.5] * 9 + [1.0] * 8
    assert "<html" in (folder / REPORT).read_text("utf-8").lower()


async def test_share_offers_the_documents_folder_where_there_is_one(
        diary: tuple[Path, int], home: Path) -> None:
    from tracker.screens.share_dialog import ShareDialog

    (home / "Documents").mkdir()
    app = create_app(str(diary[0]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")  # from History too
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ShareDialog)
        assert app.screen.query_one("#folder", Input).value == str(home / "Documents")
        await pilot.press("escape")  # cancel: nothing written
        await settle(pilot)
        assert type(app.screen).__name__ == "HistoryScreen"
    assert list((home / "Documents").iterdir()) == []


@pytest.mark.parametrize("kind", ["a file", "missing", "empty"])
async def test_a_bad_folder_is_told_beside_the_field_and_nothing_is_written(
        diary: tuple[Path, int], tmp_path: Path, kind: str) -> None:
    from tracker.screens.share_dialog import ShareDialog
    from tracker.widgets.field_message import FieldMessage

    place = tmp_path / "place"
    place.mkdir()
    typed = {"a file": place / "notes.txt", "missing": place / "no such folder",
             "empty": Path("   ")}[kind]
    if kind == "a file":
        typed.write_text("not a folder")
    before = sorted(p.name for p in place.iterdir())
    app = create_app(str(diary[0]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#folder", Input).value = str(typed)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShareDialog)  # the dialog stays, the field told why
        message = app.screen.query_one("#folder-error", FieldMessage)
        assert message.has_class("-shown")
        expected = {"a file": f"{typed} is a file, not a folder",
                    "missing": f"There is no folder {typed}",
                    "empty": "Please give a folder"}[kind]
        assert expected in str(message.render())
        assert not told(app)
    assert sorted(p.name for p in place.iterdir()) == before
    assert not list(tmp_path.rglob("ldn-*"))


async def test_files_already_there_are_replaced_only_when_the_patient_says_so(
        diary: tuple[Path, int], tmp_path: Path) -> None:
    from tracker.screens.share_dialog import ShareDialog
    from tracker.widgets.field_message import FieldMessage

    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / BUNDLE).write_text("an older share")
    app = create_app(str(diary[0]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#folder", Input).value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShareDialog)
        assert BUNDLE in str(app.screen.query_one("#folder-error", FieldMessage).render())
        assert str(app.screen.query_one("#ok", Button).label) == "Replace"
        assert (folder / BUNDLE).read_text() == "an older share"
        assert not (folder / REPORT).exists()
        await pilot.press("enter")  # Replace
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    assert json.loads((folder / BUNDLE).read_text("utf-8"))["resourceType"] == "Bundle"
    assert (folder / REPORT).exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted([BUNDLE, REPORT])


async def test_the_patients_app_has_no_import(diary: tuple[Path, int]) -> None:
    app = create_app(str(diary[0]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in (None, "h", "p"):  # Today, History, Plan
            if key is not None:
                await pilot.press(key)
                await settle(pilot)
            assert "import_file" not in bound_actions(app)
            assert "share" in bound_actions(app)
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert "Share with my clinic" in titles
            assert "Import a patient's file" not in titles
        await pilot.press("i")  # Plan has no i; on Today it is the information page
        await settle(pilot)
        assert type(app.screen).__name__ != "ImportDialog"


# -- the clinic imports ----------------------------------------------------------------------

async def open_import(pilot: Any, file: Path) -> None:
    from tracker.screens.import_dialog import ImportDialog

    await pilot.press("i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportDialog)
    pilot.app.screen.query_one("#path", Input).value = str(file)
    await pilot.press("enter")  # Preview
    await settle(pilot)


def cohort_names(app: App[Any]) -> list[str]:
    table = app.screen.query_one("#cohort", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_the_clinic_previews_then_imports_a_patients_file(
        diary: tuple[Path, int], clinic_db: Path, tmp_path: Path) -> None:
    from tracker.screens.import_dialog import ImportDialog

    source, pid = diary
    file = export_file(source, pid, tmp_path / BUNDLE)
    app = create_app(str(clinic_db), role=CLINICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = row_counts(clinic_db)  # once the screen has its status rows
        assert "Test Patient" not in cohort_names(app)
        await open_import(pilot, file)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        preview = text_of(app, "#preview")
        assert "A new patient for this clinic: Test Patient." in preview
        # 18 doses, 2 side effects, 15 days without, 17 scores, and the patient.
        assert "53 entries would be added" in preview, preview
        assert row_counts(clinic_db) == before  # a preview writes nothing
        assert not dialog.query_one("#import", Button).disabled
        assert dialog.query_one("#replace", Button).has_class("-hidden")
        await pilot.click("#import")
        await settle(pilot)
        assert type(app.screen).__name__ == "ClinicScreen"
        assert "Test Patient" in cohort_names(app)
        assert "Imported patient 5: 53 entries added" in told(app), told(app)
    assert plan_rows(clinic_db, 5) == plan_rows(source, pid)


async def test_cancel_after_the_preview_writes_nothing(
        diary: tuple[Path, int], clinic_db: Path, tmp_path: Path) -> None:
    source, pid = diary
    file = export_file(source, pid, tmp_path / BUNDLE)
    app = create_app(str(clinic_db), role=CLINICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = row_counts(clinic_db)  # once the screen has its status rows
        await open_import(pilot, file)
        assert "entries would be added" in text_of(app, "#preview")
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ClinicScreen"
        assert "Test Patient" not in cohort_names(app)
    assert row_counts(clinic_db) == before


async def test_a_refused_file_is_told_beside_the_field(clinic_db: Path, tmp_path: Path) -> None:
    from tracker.widgets.field_message import FieldMessage

    file = tmp_path / "not-json.json"
    file.write_text("{ this is not json")
    app = create_app(str(clinic_db), role=CLINICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = row_counts(clinic_db)  # once the screen has its status rows
        await open_import(pilot, file)
        message = app.screen.query_one("#path-error", FieldMessage)
        assert message.has_class("-shown") and "is not JSON" in str(message.render())
        assert app.screen.query_one("#import", Button).disabled
        app.screen.query_one("#path", Input).value = str(tmp_path / "missing.json")
        await pilot.press("enter")
        await settle(pilot)
        assert "no such file" in str(message.render())
        app.screen.query_one("#path", Input).value = str(tmp_path)  # a folder
        await pilot.press("enter")
        await settle(pilot)
        assert "is a folder" in str(message.render())
        await pilot.click("#import")  # disabled: nothing happens
        await settle(pilot)
        assert type(app.screen).__name__ == "ImportDialog"
    assert row_counts(clinic_db) == before


async def test_a_conflicting_file_can_only_replace_and_replace_applies_it(
        diary: tuple[Path, int], clinic_db: Path, tmp_path: Path) -> None:
    from tracker.screens.import_dialog import ImportDialog

    source, pid = diary
    first = export_file(source, pid, tmp_path / "first.json")
    # The clinic takes the file in, then the patient corrects a day at home and shares again.
    app = create_app(str(clinic_db), role=CLINICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_import(pilot, first)
        await pilot.click("#import")
        await settle(pilot)
    corrected_day = START + timedelta(days=12)
    db = Database(str(source))
    try:
        Clinic(db, actor="patient").log_dose(pid, corrected_day, taken=True, mg=0.75,
                                             time="21:30", reason="I typed 1 for 0.75")
    finally:
        db.dispose()
    second = export_file(source, pid, tmp_path / "second.json")
    app = create_app(str(clinic_db), role=CLINICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = row_counts(clinic_db)
        await open_import(pilot, second)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        conflicts = text_of(app, "#conflicts")
        assert "disagrees with this database on 1 entry: " in conflicts
        assert corrected_day.isoformat() in conflicts
        assert dialog.query_one("#import", Button).has_class("-hidden")
        assert dialog.query_one("#import", Button).disabled
        replace = dialog.query_one("#replace", Button)
        assert not replace.has_class("-hidden")
        assert str(replace.label) == "Replace with the file's values"
        await pilot.press("enter")  # Enter in the field previews again; it never imports
        await settle(pilot)
        assert isinstance(app.screen, ImportDialog)
        assert row_counts(clinic_db) == before
        await pilot.click("#replace")
        await settle(pilot)
        assert type(app.screen).__name__ == "ClinicScreen"
        assert any(t.startswith("Imported patient 5: 0 entries added, 1 corrected")
                   for t in told(app)), told(app)
    db = Database(str(clinic_db))
    try:
        entry = Clinic(db).day_entries(5, corrected_day)
        trail = Clinic(db).audit_trail(5)
    finally:
        db.dispose()
    assert entry.mg == 0.75
    assert any(a.reason == f"imported from {second}" and a.table_name == "dose_entry"
               for a in trail)
    assert plan_rows(clinic_db, 5) == plan_rows(source, pid)
