"""The patient's evening on Today: the card in the patient's words, only open alerts and in
the patient's words, the pharmacy said once, the patient's own record, whole names at 80×24,
and another dose than planned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Static

from tests.ui.conftest import TODAY, settle
from tests.ui.test_fit import screen_lines
from tracker.app import create_app
from tracker.clinical.records import CheckIn
from tracker.i18n import _
from tracker.preferences import Preferences
from tracker.services.clinic import Clinic
from tracker.widgets.alert_panel import AlertPanel
from tracker.widgets.dose_card import DoseCard
from tracker.widgets.rating_list import RatingList


def _card(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(DoseCard).render())


def _panel(app) -> str:  # type: ignore[no-untyped-def]
    panel = app.screen.query_one(AlertPanel)
    return str(panel.render()) if panel.display else ""


@pytest.mark.parametrize("language", ["en", "da"])
async def test_the_card_says_why_and_when_the_dose_changes_in_plain_words(
        demo_clinic: Clinic, language: str) -> None:
    Preferences(language=language).save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        card = _card(app)
        lines = screen_lines(app)
    expected = {
        "en": ("1 capsule of 2 mg", "Raising slowly: step 3 of 8 towards 4.5 mg",
               "Same dose until ", "1 capsule of 3 mg"),
        "da": ("1 kapsel à 2 mg", "Langsom optrapning: trin 3 af 8 mod 4,5 mg",
               "Samme dosis t.o.m. ", "1 kapsel à 3 mg"),
    }[language]
    for words in expected:
        assert words in card
    assert "nominal" not in card and "nominel" not in card
    assert "day 2 of 21" not in card and "dag 2 af 21" not in card
    # The next change is on one line of the screen at 80 columns, not wrapped.
    assert any(expected[2] in line and expected[3] in line for line in lines)


async def test_a_resolved_opioid_hold_is_no_longer_shown(
        ui_clinic: Clinic, patient_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tramadol from 25 to 28 February: no LDN until 7 March, LDN again from 8 March.
    ui_clinic.add_medication(patient_id, "Tramadol", start=date(2026, 2, 25),
                             end=date(2026, 2, 28))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:  # today: 10 March, the hold is over
        await settle(pilot)
        assert "Tramadol" not in _panel(app)
        assert "Tramadol" not in _card(app)
        assert "1 capsule of" in _card(app)

    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-03-05")  # inside the hold
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Tramadol" in _panel(app)
        assert "Paused: LDN must never be taken with Tramadol, an opioid" in _card(app)
        assert "No LDN today" in _card(app)


async def test_unread_information_is_asked_for_in_the_patients_words(ui_clinic: Clinic) -> None:
    ui_clinic.add_patient(name="New", condition="ms", start=TODAY - timedelta(days=3))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = _panel(app)
        assert "Please read the information about LDN: press i." in panel
        assert "The patient has not yet acknowledged" not in panel  # the clinician's wording
        assert any("press i" in line for line in screen_lines(app))  # on the screen at 80×24


async def test_a_reduction_below_the_smallest_capsule_is_said_once(
        ui_clinic: Clinic, patient_id: int) -> None:
    # Five days of vivid dreams at the start dose, 3–7 March: half of it from 8 to 14 March,
    # smaller than any capsule.
    for day in range(3, 8):
        ui_clinic.check_in(patient_id, CheckIn(day=date(2026, 3, day), taken=True, mg=1,
                                               effects={"vivid_dreams": 2}))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        card, panel = _card(app), _panel(app)
        lines = screen_lines(app)
    told = card + "\n" + panel
    assert told.count("pharmacy") == 1, told
    assert "mg (as a liquid)" in card.splitlines()[0]  # tonight's dose, named only
    assert "Half the dose for a week" in card
    assert sum("pharmacy" in line for line in lines) == 1  # and that line is on the screen


async def test_the_card_shows_the_patients_own_record(ui_clinic: Clinic, patient_id: int) -> None:
    # Every evening since the start (20 February) taken, but 25 February skipped.
    day = date(2026, 2, 20)
    while day < TODAY:
        ui_clinic.check_in(patient_id, CheckIn(day=day, taken=day != date(2026, 2, 25), mg=1))
        day += timedelta(days=1)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        record = "Taken 17 of the last 18 planned doses · 12 evenings in a row"
        assert app.screen.query_one(DoseCard).border_subtitle == record
        assert any(record in line for line in screen_lines(app))
        await pilot.press("t", "s")  # tonight's dose taken
        await settle(pilot)
        assert app.screen.query_one(DoseCard).border_subtitle == \
            "Taken 18 of the last 19 planned doses · 13 evenings in a row"


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_name_in_the_rating_lists_is_shown_whole(
        demo_clinic: Clinic, language: str, size: tuple[int, int]) -> None:
    Preferences(language=language).save()
    app = create_app(clinic=demo_clinic)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
        labels = [_(row.label) for lst in app.screen.query(RatingList) for row in lst.rows]
    assert len(labels) >= 14  # the MS side effects, the symptoms and the patient's own
    for label in labels:
        assert any(label in line for line in lines), f"{label!r} not whole on the screen"
    assert not any("…" in line for line in lines[:-1])


async def test_a_long_danish_name_wraps_instead_of_being_cut(ui_clinic: Clinic) -> None:
    Preferences(language="da").save()
    ui_clinic.add_patient(name="Mette", condition="cfs_me", start=TODAY - timedelta(days=5),
                          informed_on=TODAY - timedelta(days=5))
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        effects = app.screen.query_one("#effects", RatingList)
        assert effects.size.width < len("› Influenzalignende symptomer (CFS/ME) ●●●● 4")
        lines = str(effects.render()).splitlines()
    # Wrapped between words onto the next line, the scale beside its first line; none cut.
    first = next(i for i, line in enumerate(lines) if "Influenzalignende symptomer" in line)
    assert "–/4" in lines[first] and lines[first + 1].strip() == "(CFS/ME)"
    assert not any("…" in line for line in lines)


async def test_d_takes_another_dose_than_planned(ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")  # another dose: the field shows the planned 1 mg, in focus
        await pilot.press("backspace", "backspace", "0", ".", "7", "5", "enter")
        await settle(pilot)
        assert "Dose taken: 0.75 mg" in str(app.screen.query_one("#dose-line", Static).render())
        await pilot.press("s")
        await settle(pilot)
    entry = ui_clinic.day_entries(patient_id, TODAY)
    assert entry.taken is True and entry.mg == 0.75


async def test_pressing_i_records_the_information_and_a_childs_family_page_too(
        ui_clinic: Clinic) -> None:
    """On Today, `i` then confirming records the day the information was read; for a child the
    family page follows, and only confirming both records it (as at setup, SPEC §5–§6)."""
    from textual.widgets import Button

    from tracker.screens.dialogs import InfoDialog

    adult = ui_clinic.add_patient(name="Adult", condition="ms", start=TODAY - timedelta(days=3))
    child = ui_clinic.add_patient(name="Child", condition="ms", start=TODAY - timedelta(days=3),
                                  weight_kg=20)
    assert ui_clinic.patient(child).protocol == "pediatric"
    for patient, pages in ((adult, 1), (child, 2)):
        prefs = Preferences(language="en",
                            last_patient={str(ui_clinic.db.target): patient})
        app = create_app(clinic=ui_clinic, preferences=prefs)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            for n in range(pages):
                await settle(pilot)
                assert isinstance(app.screen, InfoDialog)
                if n == 1:
                    label = str(app.screen.query_one("#ok", Button).label)
                    assert label == "We have read this page"
                    assert ui_clinic.patient(patient).informed_on is None  # not after one page
                app.screen.query_one("#ok", Button).press()
            await settle(pilot)
            assert not isinstance(app.screen, InfoDialog)
            assert ui_clinic.patient(patient).informed_on == TODAY
            assert "Please read the information" not in _panel(app)
