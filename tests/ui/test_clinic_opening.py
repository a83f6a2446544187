"""The clinic screen's opening (docs/performance.md "The clinic screen (issue 15, second
step)"): the footer is drawn once with its keys, not once for every bindings update told before
the first drawing, and still redrawn when what it shows changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets._footer import FooterKey

from tracker.widgets.footer import Footer

from .test_clinician import TODAY, ClinicianApp, clinic_db, cohort, drawn, names, settle

__all__ = ["clinic_db"]  # the fixture, imported for these tests


def shown_keys(app: ClinicianApp) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_footer_is_drawn_once_when_the_clinic_opens(
        clinic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[str, ...]] = []
    compose = Footer.compose

    def counting(self: Footer) -> Any:
        widgets = list(compose(self))
        if self._told:
            drawn.append(tuple(w.description for w in widgets if isinstance(w, FooterKey)))
        return iter(widgets)

    monkeypatch.setattr(Footer, "compose", counting)
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert names(cohort(app)) == ["Bo", "Dag", "Anna", "Cecilie"]
        assert len(drawn) == 1, drawn  # was 2 here (4 on the big clinic): the same keys again
        assert shown_keys(app)[:3] == ["Back", "Sort", "Reverse"]
        await pilot.press("o")  # least urgent first: the same keys, not drawn again
        await settle(pilot)
        assert names(cohort(app)) == ["Cecilie", "Anna", "Dag", "Bo"]
        assert len(drawn) == 1
        await pilot.resize_terminal(50, 30)  # less room: fewer keys, drawn again
        await settle(pilot)
        assert len(drawn) == 2
        assert 0 < len(shown_keys(app)) < len(drawn[0])


async def test_the_start_up_objects_are_frozen_once_a_process(
        clinic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen's first opening leaves the app's objects out of later cyclic collections
    (``gc.freeze``, which took two full collections out of each opening), and its first rows
    once they are in the table (collections walked them while the first frame was drawn); a
    second opening, or a second screen, does not freeze again (what it made meanwhile stays
    collectable)."""
    import tracker.memory as memory
    import tracker.screens.clinic as clinic_screen

    frozen: list[int] = []
    monkeypatch.setattr(memory, "_frozen_for", set())
    monkeypatch.setattr(memory.gc, "freeze", lambda: frozen.append(1))
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert frozen == [1, 1]  # at mounting, and once the rows were added
        assert memory._frozen_for == {"clinic", "clinic rows"}
        app.push_screen(clinic_screen.ClinicScreen(app.clinic))
        await settle(pilot)
        assert names(cohort(app)) == ["Bo", "Dag", "Anna", "Cecilie"]
        await pilot.press("o")  # filled again: nothing more frozen
        await settle(pilot)
        assert frozen == [1, 1]


async def test_no_id_or_name_is_cut_to_look_like_another_patients(clinic_db: Path) -> None:
    """A four-digit id was drawn "124" for 1244, and "Patient 00690" as "Patient 0069", so two
    patients could look alike: the Id column fits the longest id, the Name column the longest
    name up to 24 characters, and a longer name ends in "…" (never silently cut)."""
    import sqlite3

    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    db = Database(str(clinic_db))
    clinic = Clinic(db, actor="clinician:test")
    for name in ("Patient 00690", "Patient 00691", "Bartholomew Fitzgerald-Worthington"):
        clinic.add_patient(name=name, condition="fibromyalgia", start=TODAY)
    db.dispose()
    connection = sqlite3.connect(clinic_db)
    with connection:  # a clinic past its thousandth patient
        connection.execute("PRAGMA foreign_keys = ON")
        (last,) = connection.execute("SELECT max(id) FROM patient").fetchone()
        connection.execute("DELETE FROM patient_status WHERE patient_id = ?", (last,))
        connection.execute("UPDATE patient SET id = 1244 WHERE id = ?", (last,))
    connection.close()

    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        text = drawn(cohort(app))
        assert "1244" in text
        assert "Patient 00690" in text and "Patient 00691" in text
        assert "Bartholomew Fitzgerald-…" in text, text
