"""Help, the command palette, several patients, the way to the clinic (the clinician's app
only), alerts after saving."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.preferences import Preferences
from tracker.screens.help import HelpScreen
from tracker.screens.plan import PlanScreen
from tracker.screens.setup import SetupScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import CheckIn, Clinic
from tracker.widgets.alert_panel import AlertPanel
from tracker.widgets.dose_card import DoseCard


async def test_help_lists_the_keys(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("t", "Taken") in rows and ("s", "Save") in rows
        assert ("f", "Share") in rows  # with the clinic (tests/ui/test_sharing.py)
        assert any("Severity" in what for _key, what in rows)
        await pilot.press("escape")
        assert isinstance(app.screen, TodayScreen)


async def test_command_palette_lists_the_actions(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Switch language (Dansk/English)", "Key bindings", "Switch patient",
                "Save today's check-in", "History", "Plan"} <= titles
        assert not titles & {"Clinic", "Clinician mode"}  # the patient's app (SPEC §10)
        plan = next(c for c in app.get_system_commands(app.screen) if c.title == "Plan")
        plan.callback()
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)


async def test_switch_between_patients_and_remember(ui_clinic: Clinic, patient_id: int) -> None:
    other = ui_clinic.add_patient(name="Second Person", condition="fibromyalgi",
                                  start=TODAY - timedelta(days=3), informed_on=TODAY)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.sub_title == "Test Patient"
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.screen.sub_title == "Second Person"
        assert "1 capsule of 0.75 mg" in str(app.screen.query_one(DoseCard).render())
    assert Preferences.load().last_patient[str(ui_clinic.db.target)] == other

    again = create_app(clinic=ui_clinic)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.screen.sub_title == "Second Person"
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("end", "enter")  # "New patient…"
        await settle(pilot)
        assert isinstance(again.screen, SetupScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(again.screen, TodayScreen)


async def test_saving_shows_the_alert_in_plain_words(ui_clinic: Clinic, patient_id: int) -> None:
    for back in range(4, 0, -1):
        ui_clinic.check_in(patient_id, CheckIn(day=TODAY - timedelta(days=back), taken=True,
                                               mg=1, effects={"vivid_dreams": 2}))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t", "2", "s")  # the fifth day of vivid dreams
        await settle(pilot)
        panel = app.screen.query_one(AlertPanel)
        assert panel.display
        text = str(panel.render())
        assert "Side effects have lasted 5 days" in text
        assert "the dose is halved for a week" in text  # the patient's words (patient_words)


async def test_c_in_the_patient_app_opens_nothing(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert len(app.screen_stack) == 2  # nothing pushed over Today


async def test_c_in_the_clinicians_app_leads_back_to_the_clinic(
        ui_clinic: Clinic, patient_id: int) -> None:
    from tracker.screens.clinic import ClinicScreen
    from tracker.services.roles import CLINICIAN, actor

    clinician = Clinic(ui_clinic.db, actor=actor(CLINICIAN))
    app = create_app(clinic=clinician, role=CLINICIAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        app.open_patient(patient_id)  # the palette's "Switch patient"
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        assert len(app.screen_stack) == 2  # the clinic is the base again, not stacked on Today

