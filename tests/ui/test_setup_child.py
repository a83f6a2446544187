"""A child under 40 kg at setup (SPEC §5): the fields turn to the child's protocol, a liquid is
proposed, the family page is part of starting the diary, and 40 kg and over turns them back."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Static

from tests.ui.conftest import TODAY, settle
from tests.ui.test_setup import type_into
from tracker.app import create_app
from tracker.screens.dialogs import InfoDialog
from tracker.screens.setup import SetupScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import Clinic


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).render())


async def start_for(pilot, weight: str) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await type_into(pilot, "#name", "Lille A")
    await type_into(pilot, "#condition", "sklerose")
    await pilot.press("enter")
    await type_into(pilot, "#weight_kg", weight)
    await settle(pilot)


async def test_a_weight_under_40_kg_shows_the_childs_protocol_in_the_fields(
        ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_for(pilot, "20")
        screen = app.screen
        protocol = screen.query_one("#protocol", Select)
        assert protocol.value == "pediatric" and protocol.disabled
        assert text_of(app, "#start_dose") == "0.1 mg for 7 days"
        assert screen.query_one("#target_mg", Input).placeholder == "2"  # 0.1 mg/kg
        assert screen.query_one("#interval_days", Input).placeholder == "7"
        step = screen.query_one("#step_mg", Select)
        assert step.disabled and str(step.query_one("#label", Static).render()) == "4 weekly steps"
        assert text_of(app, "#step_mg-hint") == "0.6 → 1.05 → 1.55 → 2 mg"  # 0.05 mg steps
        assert screen.query_one("#formulation", Select).value == "liquid"
        assert screen.query_one("#concentration", Input).value == "0.5"
        summary = text_of(app, "#plan-summary")
        assert "A child's plan" in summary and "0.1 mg for 7 days" in summary
        assert "0.6 mg from 17 March" in summary and "2 mg from 7 April" in summary
        assert "0.2 ml to 4 ml" in summary
        assert screen.query_one("#family", Button).display
        await type_into(pilot, "#weight_kg", "33")  # 3.3 mg: 0.1, 0.9, 1.7, 2.5, 3.3
        assert screen.query_one("#target_mg", Input).placeholder == "3.3"
        assert text_of(app, "#step_mg-hint") == "0.9 → 1.7 → 2.5 → 3.3 mg"


async def test_40_kg_and_over_gives_back_the_adult_protocol(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_for(pilot, "20")
        await type_into(pilot, "#weight_kg", "45")
        await settle(pilot)
        screen = app.screen
        protocol = screen.query_one("#protocol", Select)
        assert protocol.value == "autoimmune" and not protocol.disabled
        assert text_of(app, "#start_dose") == "0.75 mg for 14 days"
        assert screen.query_one("#target_mg", Input).placeholder == "4.5"
        assert screen.query_one("#interval_days", Input).placeholder == "21"
        step = screen.query_one("#step_mg", Select)
        assert step.value == 0.5 and not step.disabled
        assert screen.query_one("#formulation", Select).value == "capsule"
        assert screen.query_one("#concentration", Input).value == ""
        assert "Plan: 0.75 mg for 14 days" in text_of(app, "#plan-summary")
        assert not screen.query_one("#family", Button).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("tab", "enter")  # acknowledged: no family page for an adult
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.protocol == "autoimmune" and patient.formulation == "capsule"


async def test_a_childs_setup_needs_both_pages_and_records_the_date(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_for(pilot, "20")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)
        await pilot.press("tab", "enter")  # the off-label information: acknowledged
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)  # then the family's page
        assert "page for the family" in app.screen.markdown
        await pilot.press("tab", "enter")  # "We have read this page"
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.protocol == "pediatric" and patient.target_mg == 2
    assert patient.formulation == "liquid" and patient.concentration_mg_ml == 0.5
    assert patient.informed_on == TODAY


async def test_closing_the_family_page_creates_nothing_and_later_leaves_it_pending(
        ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_for(pilot, "20")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("tab", "enter")  # the off-label information: acknowledged
        await settle(pilot)
        await pilot.press("escape")  # the family page closed
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert ui_clinic.list_patients() == []
        assert "Page for the family: not read yet." in text_of(app, "#informed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "page for the family" in app.screen.markdown  # only the page still due
        app.screen.query_one("#later").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.protocol == "pediatric" and patient.informed_on is None


async def test_the_family_page_button_records_the_acknowledgement(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_for(pilot, "12,5")
        app.screen.query_one("#family", Button).press()
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert "Page for the family read." in text_of(app, "#informed")
        await pilot.press("ctrl+s")  # the off-label page is still due, the family's is not
        await settle(pilot)
        assert "About Low Dose Naltrexone" in app.screen.markdown
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.target_mg == 1.25 and patient.informed_on == TODAY


async def test_switching_language_redraws_adult_fields_and_a_child_turns_them_again(
        ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_for(pilot, "20")
        await app.action_toggle_language()  # the form is drawn afresh, in Danish
        await settle(pilot)
        screen = app.screen
        assert not screen.query_one("#protocol", Select).disabled
        assert not screen.query_one("#family", Button).display
        await type_into(pilot, "#condition", "sklerose")
        await pilot.press("enter")
        await type_into(pilot, "#weight_kg", "20")
        await settle(pilot)
        assert screen.query_one("#protocol", Select).value == "pediatric"
        assert screen.query_one("#concentration", Input).value == "0,5"
        assert text_of(app, "#start_dose") == "0,1 mg i 7 dage"
        assert "Plan for et barn" in text_of(app, "#plan-summary")
        await type_into(pilot, "#weight_kg", "40")
        await settle(pilot)
        assert screen.query_one("#protocol", Select).value == "autoimmune"
        assert screen.query_one("#formulation", Select).value == "capsule"
