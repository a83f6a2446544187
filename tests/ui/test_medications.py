"""Medications after setup, in the patient's app (SPEC §6 opioids, §9 ``med add``, §10 roles).

Through Textual's pilot on a real SQLite file, today pinned (10 March 2026; the patient started
on 20 February): a medication added from Today's ``m``; the opioid warning while the name is
typed; an opioid saved puts Today on hold at once; its last day set shows the day LDN restarts,
and on that day Today gives the dose again; bad input writes nothing; Danish; no clinician
action; unsaved input asks before it is dropped.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.screens.dialogs import UnsavedDialog
from tracker.screens.end_medication import EndMedicationDialog
from tracker.screens.medications import MedicationsScreen
from tracker.screens.today import TodayScreen
from tracker.services.clinic import Clinic
from tracker.widgets.dose_card import DoseCard
from tracker.widgets.medication_form import MedicationField

SIZE = (80, 24)
CLINICIAN_ACTIONS = {"clinic", "clinician", "dismiss_alert", "import_file"}


def rows(tmp_path: Path) -> tuple[list[tuple[Any, ...]], int]:
    """The medication rows and the number of audit rows, read from the file itself."""
    connection = sqlite3.connect(tmp_path / "diary.db")
    try:
        meds = connection.execute(
            "SELECT name, start_date, end_date FROM medication ORDER BY id").fetchall()
        audit = connection.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
        return meds, audit
    finally:
        connection.close()


def said(app: Any, key: str) -> str:
    """What the screen says beside the field ``key``."""
    return app.screen.query_one(f"#field-{key}", MedicationField).message()


def status(app: Any) -> str:
    return str(app.screen.query_one("#med-status").render())


def dose_card(app: Any) -> tuple[set[str], str]:
    card = app.screen.query_one(DoseCard)
    return set(card.classes), str(card.render())


async def open_medications(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MedicationsScreen)
    for _ in range(50):  # the list read in its worker (slow on a loaded machine)
        if pilot.app.screen.view is not None:
            break
        await settle(pilot)


async def type_into(pilot: Any, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await settle(pilot)


async def test_m_on_today_opens_the_list_and_a_medication_is_added(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    _, audit_before = rows(tmp_path)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        # nothing to end yet: the name has the focus, so typing never hits a key ("l")
        assert app.focused is app.screen.query_one("#med-name", Input)
        await pilot.press(*"Panodil")
        assert app.screen.query_one("#med-name", Input).value == "Panodil"
        assert app.screen.sub_title == "Medications"  # "l" did not switch the language
        app.screen.query_one("#med-name", Input).value = ""
        await pilot.press(*"Vitamin D")
        assert said(app, "name") == ""  # not an opioid: nothing to warn of
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][:3] == ["Vitamin D", "10 March",
                                                              "still taking"]
        assert app.screen.query_one("#med-name", Input).value == ""  # ready for the next
    meds, audit = rows(tmp_path)
    assert meds == [("Vitamin D", TODAY.isoformat(), None)]
    assert audit == audit_before + 1  # the insert is in the audit trail


@pytest.mark.parametrize("name", ["kodimagnyl", "Tramadol 50 mg", "Imodium"])
async def test_the_opioid_warning_appears_while_typing_and_names_the_hold(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path, name: str) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        await type_into(pilot, "#med-name", name)  # not saved: only typed
        warning = said(app, "name")
        assert name.split()[0] in warning and "opioid" in warning
        assert "paused (hold, 0 mg)" in warning and "7 days after its last day" in warning
        await type_into(pilot, "#med-name", "Panodil")  # paracetamol: the warning goes
        assert said(app, "name") == ""
    assert rows(tmp_path)[0] == []


async def test_saving_an_opioid_puts_today_on_hold_at_once(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "hold" not in dose_card(app)[0]  # 1 mg today, before
        await open_medications(pilot)
        await type_into(pilot, "#med-name", "Tramadol")
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert "LDN on hold" in str(table.get_row_at(0)[3])
        assert "Today: 0 mg. Opioid hold: LDN must not be combined with Tramadol" in status(app)
        await pilot.press("escape")  # back to Today: already read again
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        classes, text = dose_card(app)
        assert "hold" in classes and "Tramadol" in text
        assert app.screen.view is not None and app.screen.view.planned is not None
        assert app.screen.view.planned.dose_mg == 0
    assert rows(tmp_path)[0] == [("Tramadol", TODAY.isoformat(), None)]


async def test_its_last_day_shows_the_restart_day_and_then_today_has_the_dose_again(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ui_clinic.add_medication(patient_id, "Kodimagnyl", date(2026, 3, 1))
    restart = date(2026, 3, 18)  # the 8th day after 10 March
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        await pilot.press("e")  # the list has the focus, on Kodimagnyl
        await settle(pilot)
        assert isinstance(app.screen, EndMedicationDialog)
        assert app.screen.query_one("#end-to", Input).value == TODAY.isoformat()  # default
        await pilot.press("enter")  # stopped today; no reason needed
        await settle(pilot)
        assert isinstance(app.screen, MedicationsScreen)
        assert "LDN restarts on 18 March" in status(app)
        assert "LDN restarts 18 March" in str(app.screen.query_one(DataTable).get_row_at(0)[3])
        await pilot.press("escape")
        await settle(pilot)
        assert "hold" in dose_card(app)[0]  # 7 opioid-free days first
    # One truth: the day said is the plan's first day with LDN after the last day.
    plan = ui_clinic.plan(patient_id, until=restart, on=TODAY)
    assert plan.on(restart - timedelta(days=1)).phase == "hold"  # type: ignore[union-attr]
    assert plan.on(restart).phase != "hold"  # type: ignore[union-attr]
    assert rows(tmp_path)[0] == [("Kodimagnyl", "2026-03-01", TODAY.isoformat())]

    monkeypatch.setenv("LDN_TRACKER_TODAY", restart.isoformat())
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        classes, text = dose_card(app)
        assert "hold" not in classes and "ldn again from tonight" in text.lower()
        assert app.screen.view is not None and app.screen.view.planned is not None
        assert app.screen.view.planned.dose_mg > 0


async def test_bad_input_is_told_beside_its_field_and_nothing_is_written(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    ui_clinic.add_medication(patient_id, "Tramadol", date(2026, 3, 5))
    before = rows(tmp_path)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        await pilot.press("a", "enter")  # no name
        await settle(pilot)
        assert "Name must not be empty" in said(app, "name")
        await type_into(pilot, "#med-name", "Ibuprofen")
        await type_into(pilot, "#med-from", "2026-02-30")
        await pilot.press("enter")
        await settle(pilot)
        assert "First day" in said(app, "from") and "at the latest 2026-04-07" in \
            said(app, "from") and "2026-02-30" in said(app, "from")
        await type_into(pilot, "#med-from", "2026-03-08")
        await type_into(pilot, "#med-to", "2026-03-07")  # before the first day
        await pilot.press("enter")
        await settle(pilot)
        assert "Last day" in said(app, "to") and "from 2026-03-08 to 2026-04-07" in \
            said(app, "to")
        assert said(app, "from") == ""
        await type_into(pilot, "#med-to", "2026-05-01")  # more than 4 weeks ahead
        await pilot.press("enter")
        await settle(pilot)
        assert "to 2026-04-07" in said(app, "to")
        # Ending: a last day before the medication's first day.
        await pilot.press("escape")  # the form holds input: asked
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # Stay
        await settle(pilot)
        app.screen.query_one(DataTable).focus()
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#end-to", "2026-03-04")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EndMedicationDialog)
        assert "Last day" in said(app, "to") and "from 2026-03-05" in said(app, "to")
        await type_into(pilot, "#end-to", "10-03-2026")
        await pilot.press("enter")
        await settle(pilot)
        assert "YYYY-MM-DD" in said(app, "to") and isinstance(app.screen, EndMedicationDialog)
    assert rows(tmp_path) == before


async def test_danish_labels_and_warning(ui_clinic: Clinic, patient_id: int) -> None:
    from tracker.preferences import Preferences

    Preferences(language="da").save()
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        screen = app.screen
        labels = {str(label.render()) for label in screen.query("MedicationField > Label")}
        assert labels == {"Navn", "Første dag", "Sidste dag"}
        assert screen.sub_title == "Medicin"
        assert [str(c.label) for c in screen.query_one(DataTable).columns.values()] == [
            "Medicin", "Fra", "Til", "LDN"]
        screen.query_one(DataTable).focus()  # the list's keys (a field hides letter keys)
        await settle(pilot)
        footer = " ".join(str(k.description) for k in screen.query("FooterKey"))
        assert "Tilbage" in footer and "Tilføj" in footer and "Stoppet med" in footer
        for english in ("Back", "Add", "Save", "Stopped"):
            assert english not in footer
        await type_into(pilot, "#med-name", "Contalgin")
        assert "Contalgin er et opioid" in said(app, "name") and "pause" in said(app, "name")
        await type_into(pilot, "#med-to", "i går")
        await pilot.press("enter")
        await settle(pilot)
        assert said(app, "to").startswith("Sidste dag skal være en dato skrevet ÅÅÅÅ-MM-DD")


async def test_the_screen_offers_no_clinician_action(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        actions = {a.binding.action for a in app.screen.active_bindings.values()}
        assert not CLINICIAN_ACTIONS & actions and "c" not in app.screen.active_bindings
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert not {"Clinic", "Clinician mode", "Import a patient's file"} & titles
        await pilot.press("c")  # nothing
        await settle(pilot)
        assert isinstance(app.screen, MedicationsScreen)
        await pilot.press("e")
        await settle(pilot)  # no medication: told, nothing opens
        assert isinstance(app.screen, MedicationsScreen)


async def test_unsaved_input_asks_before_quitting_and_save_saves(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        await type_into(pilot, "#med-name", "Morfin")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog) and app.return_code is None
        await pilot.press("s")  # Save, then quit
        await settle(pilot)
        assert app.return_code == 0
    assert rows(tmp_path)[0] == [("Morfin", TODAY.isoformat(), None)]


async def test_escape_with_a_typed_name_asks_and_discard_writes_nothing(
        ui_clinic: Clinic, patient_id: int, tmp_path: Path) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        await type_into(pilot, "#med-name", "Morfin")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert rows(tmp_path)[0] == []


def test_snapshot_80x24(snap_compare, ui_clinic: Clinic,  # type: ignore[no-untyped-def]
                        patient_id: int) -> None:
    ui_clinic.add_medication(patient_id, "Vitamin D", date(2026, 2, 1))
    ui_clinic.add_medication(patient_id, "Tramadol", date(2026, 3, 1), date(2026, 3, 8))

    async def typing(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_medications(pilot)
        await pilot.press("a", *"Kodimagnyl")
        await settle(pilot)

    assert snap_compare(create_app(clinic=ui_clinic), terminal_size=SIZE, run_before=typing)


async def test_the_plan_under_the_screen_shows_the_hold_on_return(
        ui_clinic: Clinic, patient_id: int) -> None:
    from tracker.screens.plan import PlanScreen

    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)

        def phases() -> str:
            table = app.screen.query_one(DataTable)
            return " ".join(str(table.get_row_at(i)[3]) for i in range(table.row_count))

        assert "Hold" not in phases()
        await pilot.press("m")  # from the Plan too
        await settle(pilot)
        await type_into(pilot, "#med-name", "Oxycodon")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert phases().split()[0] == "Hold"  # from today on, read again


async def test_the_palette_offers_the_medications(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "Medications")
        command.callback()
        await settle(pilot)
        assert isinstance(app.screen, MedicationsScreen)


async def test_todays_unsaved_check_in_survives_the_plan_change(
        ui_clinic: Clinic, patient_id: int) -> None:
    from tracker.widgets.check_in_form import CheckInForm

    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "2")  # skipped, vivid dreams moderate: not saved
        await pilot.press("m")
        await settle(pilot)
        await type_into(pilot, "#med-name", "Tramadol")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "hold" in dose_card(app)[0]  # the plan read again…
        form = app.screen.query_one(CheckInForm)
        assert form.taken is False and form.check_in().effects.get("vivid_dreams") == 2
        assert app.screen.has_unsaved()  # …and what was typed is still there, unsaved


async def test_switching_language_on_the_screen_keeps_what_is_typed(
        ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await open_medications(pilot)
        await type_into(pilot, "#med-name", "Tramadol")
        app.screen.query_one(DataTable).focus()
        await pilot.press("l")  # Danish
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MedicationsScreen)
        assert screen.query_one("#med-name", Input).value == "Tramadol"
        assert "Tramadol er et opioid" in said(app, "name")
        assert screen.has_unsaved()


async def read_again_with_the_focus(pilot: Any, on_table: bool) -> MedicationsScreen:
    """The list read once more as if for the first time, the focus left where a loaded
    machine can leave it then: on nothing, or on the list (the screen's auto-focus) with the
    name's scheduled focus still on its way."""
    await open_medications(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MedicationsScreen) and screen.view is not None
    screen.set_focus(screen.query_one(DataTable) if on_table else None)
    screen.query_one("#med-name", Input).focus()  # scheduled: lands after this turn
    screen.focus_placed = False
    screen.on_medications_screen_loaded(MedicationsScreen.Loaded(screen.view))
    await settle(pilot)
    assert pilot.app.focused is screen.query_one(DataTable)
    return screen


async def test_the_list_takes_the_focus_even_if_it_is_read_before_the_name_is_focused(
        ui_clinic: Clinic, patient_id: int) -> None:
    """Widget.focus is scheduled: on a loaded machine the list may be read before the name's
    focus lands. Then ``a`` must still go to the add form, never be typed as a name."""
    ui_clinic.add_medication(patient_id, "Tramadol", date(2026, 3, 5))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await read_again_with_the_focus(pilot, on_table=False)
        await pilot.press("a", "enter")
        await settle(pilot)
        assert "Name must not be empty" in said(app, "name")


async def test_the_list_takes_the_focus_even_if_it_is_read_while_it_has_the_auto_focus(
        ui_clinic: Clinic, patient_id: int) -> None:
    """The other order on a loaded machine: the screen's auto-focus on the list, the name's
    scheduled focus not landed yet, when the list is read."""
    ui_clinic.add_medication(patient_id, "Tramadol", date(2026, 3, 5))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=SIZE) as pilot:
        await read_again_with_the_focus(pilot, on_table=True)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EndMedicationDialog)
