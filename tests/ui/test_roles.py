"""The two roles in the app (SPEC §10), through Textual's pilot on a real SQLite file.

The patient's app offers no clinician action, not even as a key: no ``c``, no palette command,
an action called by name opens nothing, and no screen the patient reaches has a key to the
clinic or to dismissing. The clinician's app (``--role clinician``) opens on the clinic, and a
dismissal made in its review is in the audit trail as ``clinician:<login>``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable, Input

from tests.ui.test_clinician import TODAY, build_clinic, open_review, settle
from tracker.app import ClinicianTrackerApp, TrackerApp, create_app, run_app, run_demo
from tracker.cli import main
from tracker.services.clinic import Clinic
from tracker.services.roles import CLINICIAN, PATIENT
from tracker.storage.database import Database

LOGIN = "dr-jensen"
CLINICIAN_ACTIONS = {"clinic", "clinician", "dismiss_alert"}
CLINICIAN_TITLES = {"Clinic", "Clinician mode", "Klinik", "Klinikertilstand"}


@pytest.fixture
def clinic_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four patients on 20 January 2026 (tests/ui/test_clinician.py); Anna has the open alert
    ``missed_doses``."""
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(getpass, "getuser", lambda: LOGIN)
    path = tmp_path / "clinic.db"
    build_clinic(path)
    return path


def bound_actions(app: App[Any]) -> dict[str, str]:
    """Every key the current screen answers to (the app's, the screen's, the focused
    widget's), with its action."""
    return {key: active.binding.action for key, active in app.screen.active_bindings.items()}


def titles(app: App[Any]) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


# -- the patient's app --------------------------------------------------------------------------

async def test_the_patients_app_has_no_key_and_no_command_to_the_clinic(clinic_db: Path) -> None:
    from tracker.screens.clinic import ClinicScreen

    app = create_app(str(clinic_db))  # as `ldn-tracker` opens it: the cold start
    assert type(app) is TrackerApp and app.role == PATIENT
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        assert "c" not in app._bindings.key_to_bindings
        assert "c" not in bound_actions(app)
        assert not CLINICIAN_ACTIONS & set(bound_actions(app).values())
        assert "Switch patient" in titles(app)  # the palette is there…
        assert not CLINICIAN_TITLES & titles(app)  # …without the clinic
        await pilot.press("c")
        await settle(pilot)
        await app.run_action("clinic")  # called by name anyway: nothing opens
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        assert not any(isinstance(s, ClinicScreen) for s in app.screen_stack)
        await pilot.press("l")  # in Danish too
        await settle(pilot)
        assert not CLINICIAN_TITLES & titles(app)


async def test_no_screen_the_patient_reaches_leads_to_the_clinic(clinic_db: Path) -> None:
    app = create_app(str(clinic_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        seen = [type(app.screen).__name__]
        actions = set(bound_actions(app).values())
        for key in ("h", "escape", "p", "escape", "w", "escape", "i", "escape", "question_mark",
                    "escape"):
            await pilot.press(key)
            await settle(pilot)
            seen.append(type(app.screen).__name__)
            actions |= set(bound_actions(app).values())
            assert not CLINICIAN_TITLES & titles(app), seen
        # History, Plan, the patient switcher and the help were visited.
        assert {"TodayScreen", "HistoryScreen", "PlanScreen", "PatientSwitcher",
                "HelpScreen"} <= set(seen), seen
        assert not CLINICIAN_ACTIONS & actions


async def test_the_patients_app_on_an_open_clinic_has_no_way_there_either(
        clinic_db: Path) -> None:
    db = Database(str(clinic_db))
    try:
        app = create_app(clinic=Clinic(db, actor="patient"))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert "c" not in bound_actions(app)
            assert not CLINICIAN_TITLES & titles(app)
    finally:
        db.dispose()


# -- the clinician's app ------------------------------------------------------------------------

async def test_the_clinicians_app_opens_on_the_clinic_and_a_dismissal_names_the_login(
        clinic_db: Path) -> None:
    from tracker.screens.clinic import ClinicScreen
    from tracker.screens.clinic_dialogs import DismissAlertDialog
    from tracker.screens.review import PatientReviewScreen

    app = create_app(str(clinic_db), role=CLINICIAN)
    assert type(app) is ClinicianTrackerApp and app.role == CLINICIAN
    assert app.clinic.actor == f"clinician:{LOGIN}"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        assert app.screen.query_one("#cohort", DataTable).row_count == 4
        assert "Clinic" in titles(app)
        await pilot.press("escape")  # the clinician's home: nothing behind it
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        await open_review(pilot, "Anna")
        review = app.screen
        assert isinstance(review, PatientReviewScreen)
        alerts = review.query_one("#alerts", DataTable)
        codes = [str(alerts.get_row_at(i)[1]) for i in range(alerts.row_count)]
        alerts.move_cursor(row=codes.index("missed_doses"))
        alerts.focus()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DismissAlertDialog)
        app.screen.query_one("#reason", Input).value = "Doses taken on holiday, not logged"
        await pilot.press("enter")
        await settle(pilot)
    db = Database(str(clinic_db))
    try:
        trail = Clinic(db).audit_trail(1)
    finally:
        db.dispose()
    [dismissal] = [a for a in trail if a.table_name == "alert_dismissal"]
    assert dismissal.actor == f"clinician:{LOGIN}"
    assert dismissal.reason == "Doses taken on holiday, not logged"


@pytest.mark.parametrize("role", [PATIENT, CLINICIAN])
def test_the_command_line_opens_the_app_of_the_role(
        clinic_db: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    """``ldn-tracker --role R`` and ``demo``: main -> run_app/run_demo -> create_app, the
    role carried all the way (the app's ``run`` stands in for the terminal)."""
    started: list[TrackerApp] = []
    monkeypatch.setattr(TrackerApp, "run", lambda self: started.append(self))
    assert main(["--db", str(clinic_db), "--role", role]) == 0
    monkeypatch.setenv("LDN_TRACKER_ROLE", role)
    assert run_app(str(clinic_db), role) == 0
    assert main(["--db", str(clinic_db.with_name("demo.db")), "demo"]) == 0
    assert run_demo(str(clinic_db.with_name("demo2.db")), role) == 0
    expected = ClinicianTrackerApp if role == CLINICIAN else TrackerApp
    assert [type(app) for app in started] == [expected] * 4
    actor = f"clinician:{LOGIN}" if role == CLINICIAN else "patient"
    for app in started:
        assert app.clinic.actor == actor
    for app in started:
        if app.opening is None:
            app.clinic.db.dispose()
