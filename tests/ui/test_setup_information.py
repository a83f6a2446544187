"""The off-label information at setup (SPEC §6): it opens on its text, scrolls with the keys,
and the patient is created only once it is acknowledged or explicitly put off."""

from __future__ import annotations

from textual.containers import VerticalScroll

from tests.ui.conftest import TODAY, settle
from tests.ui.test_setup import type_into
from tracker.app import create_app
from tracker.screens.dialogs import InfoDialog
from tracker.screens.setup import SetupScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import Clinic


async def fill_and_save(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await type_into(pilot, "#name", "Ole")
    await type_into(pilot, "#condition", "sklerose")
    await pilot.press("enter")
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_the_page_opens_on_its_text_and_scrolls_with_the_keys(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_and_save(pilot)
        assert isinstance(app.screen, InfoDialog)
        text = app.screen.query_one("#info-text", VerticalScroll)
        assert app.focused is text
        assert text.scroll_y == 0 and text.max_scroll_y > 0
        await pilot.press("down")
        await pilot.pause()
        assert text.scroll_y == 1
        await pilot.press("pagedown")
        await pilot.pause()
        paged = text.scroll_y
        assert paged > 2
        await pilot.press("pageup")
        await pilot.pause()
        assert text.scroll_y < paged
        await pilot.press("up")
        await pilot.pause()
        assert text.scroll_y == 0
    assert ui_clinic.list_patients() == []


async def test_closing_the_page_creates_no_patient(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await fill_and_save(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert ui_clinic.list_patients() == []
        await pilot.press("ctrl+s")  # the form is kept: the page opens again
        await settle(pilot)
        assert isinstance(app.screen, InfoDialog)
        app.screen.query_one("#cancel").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
    assert ui_clinic.list_patients() == []


async def test_read_it_later_creates_the_patient_with_the_information_pending(
        ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await fill_and_save(pilot)
        await pilot.press("tab", "tab")  # from the text past "I have read" to "Read it later"
        assert app.focused is app.screen.query_one("#later")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.informed_on is None
    assert "information_pending" in {a.code for a in ui_clinic.plan(patient.id).alerts}


async def test_acknowledging_records_today_as_the_informed_date(ui_clinic: Clinic) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await fill_and_save(pilot)
        await pilot.press("tab", "enter")  # "I have read and understood this"
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [patient] = ui_clinic.list_patients()
    assert patient.informed_on == TODAY
    assert "information_pending" not in {a.code for a in ui_clinic.plan(patient.id).alerts}
