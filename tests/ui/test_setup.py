"""First run: the setup form, its live checks, errors beside fields, the information page."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.screens.dialogs import InfoDialog
from tracker.screens.setup import SetupScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import Clinic


async def type_into(pilot, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


def error_text(app, key: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#{key}-error", Static).render())


async def test_first_run_sets_up_a_patient(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        await type_into(pilot, "#name", "Ole")
        await type_into(pilot, "#condition", "sclerose")
        await pilot.press("enter")
        await pilot.pause()
        assert "Multiple sclerosis" in app.screen.query_one("#condition", Input).value
        assert "0.75 mg for 14 days" in str(app.screen.query_one("#plan-summary").render())
        await type_into(pilot, "#medications", "Vitamin D, Contalgin")
        assert "Contalgin" in error_text(app, "medications")
        assert "opioid" in error_text(app, "medications")
        await type_into(pilot, "#medications", "Vitamin D")
        assert error_text(app, "medications") == ""
        await type_into(pilot, "#weight_kg", "7o")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "Weight must be a number" in error_text(app, "weight_kg")
        assert app.screen.query_one("#weight_kg-error").display  # shown beside the field
        assert ui_clinic.list_patients() == []
        await type_into(pilot, "#weight_kg", "72,5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)
        app.screen.query_one("#ok").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.name == "Ole" and patient.condition == "ms"
    assert patient.weight_kg == 72.5 and patient.informed_on == TODAY
    assert [m.name for m in ui_clinic.medications(patient.id)] == ["Vitamin D"]


async def test_child_needs_weight_page_and_liquid(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#name", "Lille A")
        await type_into(pilot, "#condition", "crohn")
        await type_into(pilot, "#condition", "artrit")
        await pilot.press("enter")
        await type_into(pilot, "#weight_kg", "20")
        assert app.screen.query_one("#family").display
        assert "2 mg" in str(app.screen.query_one("#plan-summary").render())
        app.screen.query_one("#formulation").value = "liquid"
        await pilot.pause()
        await type_into(pilot, "#concentration", "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "Concentration must be above 0" in error_text(app, "concentration")
        await type_into(pilot, "#concentration", "0,5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)
        await pilot.press("escape")  # closed: nothing is created, back to the form
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert ui_clinic.list_patients() == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.query_one("#later").focus()  # read it later: created, still pending
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.protocol == "pediatric" and patient.formulation == "liquid"
    assert patient.concentration_mg_ml == 0.5 and patient.informed_on is None
