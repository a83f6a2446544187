"""Never lose or silently revert what the patient typed (issue 11): quitting with unsaved
changes asks (Save, Discard, Stay), a day saved elsewhere is shown everywhere, and a form opened
on values changed since is refused instead of writing them back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.screens.day_editor import DayEditor
from tracker.screens.dialogs import ReasonDialog, UnsavedDialog
from tracker.screens.history import HistoryScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import CheckIn, Clinic
from tracker.services.day import ChangedElsewhere
from tracker.widgets.check_in_form import CheckInForm

DIARY_TABLES = ("dose_entry", "side_effect_report", "clear_day", "symptom_score", "note",
                "audit_log")


def row_count(tmp_path: Path) -> int:
    connection = sqlite3.connect(tmp_path / "diary.db")
    try:
        names = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        return sum(connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in DIARY_TABLES if t in names)
    finally:
        connection.close()


def dose_error(app: object) -> str:
    return str(app.screen.query_one("#dose-error").render())  # type: ignore[attr-defined]


async def test_quit_with_an_unsaved_dose_asks_and_stay_keeps_the_form(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    before = row_count(tmp_path)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t", "q")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog) and app.return_code is None
        await pilot.press("escape")  # Stay
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.return_code is None
        assert app.screen.query_one(CheckInForm).taken is True
        await pilot.press("ctrl+q")  # the same question
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("d")  # Discard
        await settle(pilot)
        assert app.return_code == 0
    assert row_count(tmp_path) == before
    assert ui_clinic.day_entries(patient_id, TODAY).taken is None


async def test_save_from_the_question_saves_as_s_would_then_quits(
        ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t", "2", "q")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("s")
        await settle(pilot)
        assert app.return_code == 0
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.taken is True and entry.mg == 1 and entry.effects == {"vivid_dreams": 2}


async def test_nothing_unsaved_quits_at_once(ui_clinic: Clinic, patient_id: int) -> None:
    ui_clinic.check_in(patient_id, CheckIn(day=TODAY, taken=True, mg=1, time="21:00"))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert app.return_code == 0


async def test_save_refused_beside_the_field_does_not_quit(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    from textual.widgets import Input

    before = row_count(tmp_path)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("left", "enter", "t")
        await settle(pilot)
        assert isinstance(app.screen, DayEditor)
        app.screen.query_one("#mg", Input).value = "45"
        await pilot.press("q", "s")
        await settle(pilot)
        assert app.return_code is None and isinstance(app.screen, DayEditor)
        assert "hard limit of 25 mg" in dose_error(app)
    assert row_count(tmp_path) == before


async def test_a_correction_of_today_in_history_shows_on_today(
        ui_clinic: Clinic, patient_id: int) -> None:
    ui_clinic.check_in(patient_id, CheckIn(day=TODAY, effects={"vivid_dreams": 3}))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("enter")  # the cursor is on today
        await settle(pilot)
        assert isinstance(app.screen, DayEditor)
        await pilot.press("1", "s")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"was milder", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        form = app.screen.query_one(CheckInForm)
        assert form.saved.effects == {"vivid_dreams": 1}
        assert form.check_in().effects == {"vivid_dreams": 1}
        await pilot.press("q")  # nothing unsaved: the corrected day is what is shown
        await settle(pilot)
        assert app.return_code == 0
    assert ui_clinic.day_entries(patient_id, TODAY).effects == {"vivid_dreams": 1}


async def test_saving_a_stale_form_writes_nothing_and_says_so(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    ui_clinic.check_in(patient_id, CheckIn(day=TODAY, effects={"vivid_dreams": 3}))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")  # unsaved on Today…
        # …while the day is corrected elsewhere (another program, the command line).
        ui_clinic.check_in(patient_id, CheckIn(day=TODAY, effects={"vivid_dreams": 1},
                                               reason="was milder"))
        before = row_count(tmp_path)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "changed elsewhere" in dose_error(app)
        form = app.screen.query_one(CheckInForm)
        assert form.saved.effects == {"vivid_dreams": 1} and form.taken is None  # reloaded
        assert row_count(tmp_path) == before
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.effects == {"vivid_dreams": 1} and entry.taken is None


def test_the_service_refuses_a_stale_expected_day(ui_clinic: Clinic, patient_id: int,
                                                  tmp_path: Path) -> None:
    opened = ui_clinic.day_entries(patient_id, TODAY)
    ui_clinic.check_in(patient_id, CheckIn(day=TODAY, scores={"pain": 4}))
    before = row_count(tmp_path)
    try:
        ui_clinic.check_in(patient_id, CheckIn(day=TODAY, taken=True, mg=1), expected=opened)
    except ChangedElsewhere:
        pass
    else:
        raise AssertionError("a stale save was written")
    assert row_count(tmp_path) == before
    now = ui_clinic.day_entries(patient_id, TODAY)
    ui_clinic.check_in(patient_id, CheckIn(day=TODAY, taken=True, mg=1), expected=now)
    assert ui_clinic.day_entries(patient_id, TODAY).taken is True


async def test_escape_in_the_day_editor_with_changes_asks(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    before = row_count(tmp_path)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("left", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayEditor)
        await pilot.press("escape")  # nothing changed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2", "e", *"bad night", "escape")  # Esc inside the note field
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # Stay
        await settle(pilot)
        assert isinstance(app.screen, DayEditor)
        assert app.screen.query_one(CheckInForm).check_in().note == "bad night"
        await pilot.press("escape", "d")  # Discard
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert row_count(tmp_path) == before
        await pilot.press("enter", "2", "escape")
        await settle(pilot)
        await pilot.press("s")  # Save from the question
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    yesterday = ui_clinic.day_entries(patient_id, TODAY.replace(day=TODAY.day - 1))
    assert yesterday.effects == {"vivid_dreams": 2} and yesterday.note is None


async def test_switching_patient_with_unsaved_changes_asks(
        ui_clinic: Clinic, patient_id: int) -> None:
    from datetime import date

    other = ui_clinic.add_patient(name="Other Patient", condition="ms",
                                  start=date(2026, 2, 20), informed_on=date(2026, 2, 20))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.patient_id == patient_id
        await pilot.press("t", "w")
        await settle(pilot)
        await pilot.press("down", "enter")  # the other patient
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # Stay: still this patient's form, unsaved
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.patient_id == patient_id
        for _attempt in range(50):  # the form is mounted again after the dialog (a busy CI)
            if app.screen.query(CheckInForm):
                break
            await pilot.pause(0.05)
        assert app.screen.query_one(CheckInForm).taken is True
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", "enter", "s")  # Save, then switch
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.patient_id == other
    assert ui_clinic.day_entries(patient_id, TODAY).taken is True
