"""The clinic's flags over time (SPEC §13) through Textual's pilot, at 120x35: only open
alerts counted, the opioid hold and the transplant caution as flags of their own, above every
other flag, upcoming reminders in a column apart.

A clinic on a pinned day (20 January 2026), every patient started on 1 January:

- Ole: every dose taken until tramadol began on 15 January (no end date): an opioid hold;
- Tove: an organ transplant, every dose taken: the transplant caution;
- Mads: never informed, never wrote anything: missed doses, no entry, low adherence, the
  information pending (the most flags, yet below the hold and the transplant);
- Rita: a side-effect reduction over on 15 January, three missed doses followed by taken ones:
  only resolved alerts, nothing flagged;
- Sven: Hashimoto (liquid), every dose taken: the thyroid test due on 12 February is upcoming;
- Hanne: codeine on 2–3 January, the hold over on 11 January: resolved.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.ui.test_clinician import ClinicianApp, cohort, drawn, heading_x, names, settle
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

TODAY = date(2026, 1, 20)
SIZE = (120, 35)


def d(n: int) -> date:
    return date(2026, 1, n)


def build(path: Path) -> None:
    db = Database(str(path))
    clinic = Clinic(db, actor="patient:test")
    try:
        ole = clinic.add_patient(name="Ole", condition="fibromyalgia", start=d(1),
                                 informed_on=d(1))
        for n in range(1, 15):
            clinic.check_in(ole, CheckIn(day=d(n), taken=True, mg=0.75, no_side_effects=True))
        clinic.add_medication(ole, "Tramadol", d(15))
        tove = clinic.add_patient(name="Tove", condition="fibromyalgia", start=d(1),
                                  informed_on=d(1), transplant=True)
        for n in range(1, 20):
            clinic.check_in(tove, CheckIn(day=d(n), taken=True, mg=0.75, no_side_effects=True))
        clinic.add_patient(name="Mads", condition="fibromyalgia", start=d(1))
        rita = clinic.add_patient(name="Rita", condition="fibromyalgia", start=d(1),
                                  informed_on=d(1))
        for n in (1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, 18, 19):
            clinic.check_in(rita, CheckIn(day=d(n), taken=True, mg=0.75 if n not in range(
                8, 15) else 0.375, effects={"headache": 2} if 3 <= n <= 7 else {},
                no_side_effects=n > 7))
        sven = clinic.add_patient(name="Sven", condition="Hashimoto", start=d(1),
                                  informed_on=d(1), formulation="liquid",
                                  concentration_mg_ml=1.0)
        hanne = clinic.add_patient(name="Hanne", condition="fibromyalgia", start=d(1),
                                   informed_on=d(1))
        for pid in (sven, hanne):
            for n in range(1, 20):
                clinic.check_in(pid, CheckIn(day=d(n), taken=True, mg=0.5,
                                             no_side_effects=True))
        clinic.add_medication(hanne, "Kodimagnyl", d(2), d(3))
    finally:
        db.dispose()


@pytest.fixture
def flags_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = tmp_path / "flags.db"
    build(path)
    return path


def column(table: DataTable[Any], key: str) -> dict[str, str]:
    index = [c.key.value for c in table.ordered_columns].index(key)
    return {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[index])
            for i in range(table.row_count)}


async def test_the_hold_first_then_the_transplant_and_only_open_alerts_counted(
        flags_db: Path) -> None:
    app = ClinicianApp(flags_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = cohort(app)
        assert names(table)[:3] == ["Ole", "Tove", "Mads"]
        assert set(names(table)[3:]) == {"Rita", "Sven", "Hanne"}  # nothing flagged
        assert column(table, "hold") == {"Ole": "opioid", "Tove": "", "Mads": "", "Rita": "",
                                         "Sven": "", "Hanne": ""}
        assert column(table, "transplant")["Tove"] == "caution"
        opened = column(table, "open")
        assert opened == {"Ole": "1", "Tove": "1", "Mads": "2", "Rita": "", "Sven": "",
                          "Hanne": ""}
        assert column(table, "doses")["Mads"] == "missed +2"
        assert column(table, "info")["Mads"] == "pending"
        assert column(table, "upcoming")["Sven"] == "2026-02-12"
        assert column(table, "phase")["Ole"] == "Hold"
        # Sorting by the number of open alerts puts Mads first; the hold's column is urgency.
        await pilot.click("#cohort", offset=(heading_x(table, "open"), 0))
        assert app.screen.sort_key == "open"  # type: ignore[attr-defined]
        assert names(table)[0] == "Mads"
        await pilot.click("#cohort", offset=(heading_x(table, "hold"), 0))
        assert names(table)[:3] == ["Ole", "Tove", "Mads"]


async def test_a_dismissed_caution_no_longer_flags(flags_db: Path) -> None:
    db = Database(str(flags_db))
    try:
        from tracker.services.roles import CLINICIAN, actor

        Clinic(db, actor=actor(CLINICIAN)).dismiss_alert(2, "transplant_caution", d(1),
                                                         "reviewed with the surgeon")
    finally:
        db.dispose()
    app = ClinicianApp(flags_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = cohort(app)
        assert names(table)[:2] == ["Ole", "Mads"]
        assert column(table, "transplant")["Tove"] == ""


def test_snapshot_clinic_flags(flags_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(ClinicianApp(flags_db), terminal_size=SIZE, run_before=run_before)


async def test_a_name_with_brackets_is_shown_as_typed(tmp_path: Path) -> None:
    """The clinic's cells are text, not console markup: "[b]" in a pseudonym is shown, not
    taken for bold (a str cell is parsed as markup by Textual's table)."""
    path = tmp_path / "clinic.db"
    db = Database(str(path))
    Clinic(db, actor="patient:test").add_patient(name="Ida [b]2[/b]", condition="ms",
                                                 start=d(1), informed_on=d(1))
    db.dispose()
    app = ClinicianApp(path)
    async with app.run_test(size=(160, 20)) as pilot:
        await settle(pilot)
        assert "Ida [b]2[/b]" in drawn(cohort(app))
