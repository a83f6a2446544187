"""The clinician's screens through Textual's pilot: the cohort table and its flags, sorting,
one patient's review, dismissing an alert (audited), the CSV export and the HTML report.

The clinic is a real SQLite file with four patients on a pinned day (20 January 2026):

- Anna: a 5-day headache fired the side-effect rule on 9 January; three doses not logged on
  11–13 January (alert ``missed_doses``); adherence 79 %;
- Bo: a 5-day episode fired on 17 January, so today is in his reduction week;
- Cecilie: started 15 January, every dose taken, nothing to flag;
- Dag: started 1 January and never wrote anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioButton, Static

from tracker.services.clinic import CheckIn, Clinic
from tracker.services.roles import CLINICIAN, actor
from tracker.storage.database import Database

TODAY = date(2026, 1, 20)


def d(n: int) -> date:
    return date(2026, 1, n)


def build_clinic(path: Path) -> None:
    db = Database(str(path))
    clinic = Clinic(db, actor="patient:test")
    try:
        anna = clinic.add_patient(name="Anna", condition="fibromyalgia", start=d(1),
                                  informed_on=d(1))
        for n in list(range(1, 11)) + [15, 16, 17, 18, 19]:
            clinic.check_in(anna, CheckIn(day=d(n), taken=True, mg=0.75 if n < 15 or n > 16
                                          else 0.375, scores={"pain": 8 if n <= 7 else 5},
                                          effects={"headache": 2} if 5 <= n <= 9 else {},
                                          no_side_effects=n == 10))
        clinic.log_dose(anna, d(14), taken=False)
        bo = clinic.add_patient(name="Bo", condition="ms", start=d(6), informed_on=d(6))
        for n in range(6, 20):
            clinic.check_in(bo, CheckIn(day=d(n), taken=True, mg=0.75,
                                        effects={"vivid dreams": 1} if 13 <= n <= 17 else {},
                                        scores={"fatigue": 7 if n < 13 else 6}))
        cecilie = clinic.add_patient(name="Cecilie", condition="fibromyalgia", start=d(15),
                                     informed_on=d(15))
        for n in range(15, 20):
            clinic.check_in(cecilie, CheckIn(day=d(n), taken=True, mg=0.75,
                                             no_side_effects=True, scores={"pain": 6}))
        clinic.add_patient(name="Dag", condition="fibromyalgia", start=d(1), informed_on=d(1))
    finally:
        db.dispose()


@pytest.fixture
def clinic_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = tmp_path / "clinic.db"
    build_clinic(path)
    return path


class ClinicianApp(App[None]):
    """The smallest host for the clinician's screens (the clinician's app opens the same one),
    with the clinician's actor as `--role clinician` gives it (SPEC §10)."""

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db = Database(str(db_path))
        self.clinic = Clinic(self.db, actor=actor(CLINICIAN))

    def on_mount(self) -> None:
        from tracker.screens.clinic import ClinicScreen

        self.push_screen(ClinicScreen(self.clinic))

    def on_unmount(self) -> None:
        self.db.dispose()

    def show_review(self, clinic: Clinic, patient_id: int,
                    closed: Callable[[object], None]) -> None:
        """The screens' way to a patient's review (screens.base.Navigator), as the app's."""
        from tracker.screens.review import PatientReviewScreen

        self.push_screen(PatientReviewScreen(clinic, patient_id), closed)


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish and every message it posted be handled."""
    for _round in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def cohort(app: App[Any]) -> DataTable[Any]:
    return app.screen.query_one("#cohort", DataTable)


def names(table: DataTable[Any]) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def drawn(table: DataTable[Any]) -> str:
    """What the table draws, line by line, as the clinician sees it."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


FLAG_KEYS = ("hold", "transplant", "side_effects", "doses", "info", "other")


def flags_of(table: DataTable[Any]) -> dict[str, str]:
    """Each patient's flags as the flag columns show them, joined."""
    keys = [c.key.value for c in table.ordered_columns]
    return {str(table.get_row_at(i)[1]): ", ".join(
        str(table.get_row_at(i)[keys.index(k)]) for k in FLAG_KEYS
        if str(table.get_row_at(i)[keys.index(k)])) for i in range(table.row_count)}


async def test_cohort_shows_every_patient_with_their_flags(clinic_db: Path) -> None:
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = cohort(app)
        assert table.row_count == 4
        flags = flags_of(table)
        assert flags["Bo"] == "reduction, liquid"  # his reduction week; 0.375 mg
        # Anna's reduction week and her missed doses are over: resolved, not flagged.
        assert flags["Anna"] == "adh. < 80 %"
        assert flags["Dag"] == "missed +2"  # missed doses, no entry, low adherence
        assert flags["Cecilie"] == ""
        # Most urgent first; the unflagged last.
        assert names(table) == ["Bo", "Dag", "Anna", "Cecilie"]
        info = str(app.screen.query_one("#cohort-info", Static).render())
        assert "4 patients, 3 flagged" in info


def heading_x(table: DataTable[Any], key: str) -> int:
    """The x offset of a column's heading in the table."""
    x = 0
    for column in table.ordered_columns:
        if column.key.value == key:
            return x + 2
        x += column.get_render_width(table)
    raise KeyError(key)


async def test_cohort_sorts_by_keys_and_by_a_click_on_a_heading(clinic_db: Path) -> None:
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(170, 30)) as pilot:  # every heading in sight
        await settle(pilot)
        table = cohort(app)
        app.screen.sort_by("other")  # type: ignore[attr-defined]
        await pilot.press("s")  # from the last flag column to the next: the phase
        assert app.screen.sort_key == "phase"  # type: ignore[attr-defined]
        assert names(table) == ["Bo", "Anna", "Cecilie", "Dag"]  # reduction, start…, titration
        await pilot.press("o")  # reverse
        assert names(table) == ["Dag", "Cecilie", "Anna", "Bo"]
        await pilot.click("#cohort", offset=(heading_x(table, "name"), 0))
        assert names(table) == ["Anna", "Bo", "Cecilie", "Dag"]  # by name
        # A click on the "Last entry" heading sorts by it; a second click reverses.
        x = heading_x(table, "last_entry")
        await pilot.click("#cohort", offset=(x, 0))
        assert app.screen.sort_key == "last_entry"  # type: ignore[attr-defined]
        assert names(table)[0] == "Anna" and names(table)[-1] == "Dag"  # no entry: last
        await pilot.click("#cohort", offset=(x, 0))
        assert app.screen.reverse  # type: ignore[attr-defined]


async def open_review(pilot: Pilot[Any], name: str) -> None:
    table = cohort(pilot.app)
    table.move_cursor(row=names(table).index(name))
    table.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_enter_opens_the_review_and_escape_goes_back(clinic_db: Path) -> None:
    from tracker.screens.review import PatientReviewScreen

    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_review(pilot, "Anna")
        screen = app.screen
        assert isinstance(screen, PatientReviewScreen)
        status = str(screen.query_one("#status", Static).render())
        assert "Anna" in status and "0.75 mg" in status and "79 %" in status
        alerts = screen.query_one("#alerts", DataTable)
        codes = {str(alerts.get_row_at(i)[1]) for i in range(alerts.row_count)}
        assert "missed_doses" in codes
        episodes = screen.query_one("#episodes", DataTable)
        assert episodes.row_count == 1 and str(episodes.get_row_at(0)[0]) == "2026-01-05"
        assert screen.data is not None and screen.data.chart.bands  # the reduction week
        await pilot.press("escape")
        await settle(pilot)
        assert cohort(app).row_count == 4


async def test_dismissing_an_alert_needs_a_reason_and_is_audited(clinic_db: Path) -> None:
    from tracker.screens.clinic_dialogs import DismissAlertDialog
    from tracker.screens.review import PatientReviewScreen

    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_review(pilot, "Anna")
        review = app.screen
        assert isinstance(review, PatientReviewScreen)
        alerts = review.query_one("#alerts", DataTable)
        row = [str(alerts.get_row_at(i)[1]) for i in range(alerts.row_count)].index(
            "missed_doses")
        alerts.move_cursor(row=row)
        alerts.focus()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DismissAlertDialog)
        await pilot.press("enter")  # no reason yet: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, DismissAlertDialog)
        app.screen.query_one("#reason", Input).value = "Doses taken on holiday, not logged"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is review
        statuses = {str(alerts.get_row_at(i)[1]): str(alerts.get_row_at(i)[2])
                    for i in range(alerts.row_count)}
        assert statuses["missed_doses"] == "dismissed"  # still listed, with its status
        db = Database(str(clinic_db))
        try:
            trail = Clinic(db).audit_trail(1)
        finally:
            db.dispose()
        rows = [a for a in trail if a.table_name == "alert_dismissal"]
        assert len(rows) == 1
        assert rows[0].reason == "Doses taken on holiday, not logged"
        assert rows[0].actor.startswith("clinician:")
        assert "missed_doses" in (rows[0].new_value or "")


async def test_escape_in_the_dialog_dismisses_nothing(clinic_db: Path) -> None:
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_review(pilot, "Anna")
        alerts = app.screen.query_one("#alerts", DataTable)
        before = alerts.row_count
        alerts.focus()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#alerts", DataTable).row_count == before


async def test_export_from_the_review_writes_the_files(clinic_db: Path, tmp_path: Path) -> None:
    app = ClinicianApp(clinic_db)
    out = tmp_path / "export-anna"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_review(pilot, "Anna")
        await pilot.press("e")
        await pilot.pause()
        path = app.screen.query_one("#path", Input)
        assert path.value == str(tmp_path / "home" / "ldn-tracker-export" /
                                 "patient-1-2026-01-20")
        path.value = str(out)
        app.screen.query_one("#excel-da", RadioButton).value = True
        await pilot.click("#ok")
        await settle(pilot)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{n}.csv" for n in ("doses", "side_effects", "scores", "plan", "alerts", "summary"))
    text = (out / "doses.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and b"0,75" in text


async def test_export_every_patient_from_the_cohort(clinic_db: Path, tmp_path: Path) -> None:
    app = ClinicianApp(clinic_db)
    out = tmp_path / "export-all"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.click("#ok")
        await settle(pilot)
    plan = (out / "plan.csv").read_text()
    for name in ("Anna", "Bo", "Cecilie", "Dag"):
        assert f",{name}," in plan


async def test_report_from_the_review(clinic_db: Path, tmp_path: Path) -> None:
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_review(pilot, "Bo")
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#ok")  # the default path, in the (test) home directory
        await settle(pilot)
    report = tmp_path / "home" / "ldn-tracker-reports" / "patient-2-2026-01-20.html"
    assert "<svg" in report.read_text(encoding="utf-8")
    assert report.stat().st_mode & 0o777 == 0o600


# -- snapshots -------------------------------------------------------------------------------

def test_snapshot_cohort(clinic_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(ClinicianApp(clinic_db), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_review(clinic_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await open_review(pilot, "Anna")

    assert snap_compare(ClinicianApp(clinic_db), terminal_size=(100, 30), run_before=run_before)


def test_days_in_this_module_are_pinned() -> None:
    assert TODAY - timedelta(days=19) == d(1)


# -- inside the clinician's app -------------------------------------------------------------

async def test_the_clinicians_app_opens_on_the_clinic_in_either_language(
        clinic_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.app import create_app
    from tracker.screens.clinic import ClinicScreen
    from tracker.screens.review import PatientReviewScreen

    monkeypatch.setenv("LDN_TRACKER_CONFIG_DIR", str(tmp_path / "config"))
    db = Database(str(clinic_db))
    try:
        app = create_app(clinic=Clinic(db, actor=actor(CLINICIAN)), role=CLINICIAN)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ClinicScreen)
            assert app.screen.clinic.actor.startswith("clinician:")
            await pilot.press("c")  # already there: nothing stacks up
            await settle(pilot)
            assert sum(isinstance(s, ClinicScreen) for s in app.screen_stack) == 1
            await pilot.press("l")  # Danish
            await settle(pilot)
            table = cohort(app)
            assert table.row_count == 4
            assert [str(c.label) for c in table.ordered_columns][:4] == ["Id", "Navn",
                                                                          "Åbne", "Ophold"]
            assert "adh. < 80 %" in flags_of(table)["Anna"]
            assert flags_of(table)["Dag"] == "glemt +2"
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PatientReviewScreen)
            status = str(app.screen.query_one("#status", Static).render())
            assert "Adhærens" in status
            await pilot.press("l")  # and back to English
            await settle(pilot)
            assert "Adherence" in str(app.screen.query_one("#status", Static).render())
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ClinicScreen)
    finally:
        db.dispose()


async def test_the_next_day_stored_rows_show_at_once_and_are_refreshed_behind(
        clinic_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.models import PatientStatus
    from tracker.screens.clinic import ClinicScreen

    # A day later every stored row is stale: Bo's reduction week and Anna's flags are as of
    # yesterday until the background refresh has recomputed them.
    monkeypatch.setenv("LDN_TRACKER_TODAY", (TODAY + timedelta(days=1)).isoformat())
    seen: list[ClinicScreen.Loaded] = []

    def hook(message: Any) -> None:
        if isinstance(message, ClinicScreen.Loaded) and all(m is not message for m in seen):
            seen.append(message)  # (the hook sees a message again as it bubbles)

    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(pilot)
        # Dag never wrote anything, so he had no row: computed before the first showing.
        assert [m.refreshing for m in seen] == [3, 0]
        assert all(len(m.rows) == 4 for m in seen), [(len(m.rows), m.error) for m in seen]
        assert "updating" not in str(app.screen.query_one("#cohort-info", Static).render())
        with app.db.read() as session:
            days = {s.computed_for for s in session.query(PatientStatus)}
        assert days == {TODAY + timedelta(days=1)}


def test_snapshot_review_at_120x35(clinic_db: Path, snap_compare: Any) -> None:
    """The review at the size a clinician's terminal has (issue 14): the chart with its legend
    outside, then the symptoms against their dated baseline."""
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await open_review(pilot, "Anna")
        from textual.widgets import TabbedContent

        pilot.app.screen.query_one(TabbedContent).active = "tab-symptoms"
        await pilot.pause()

    assert snap_compare(ClinicianApp(clinic_db), terminal_size=(120, 35), run_before=run_before)


async def test_the_review_shows_spec_8s_figures(clinic_db: Path) -> None:
    """The dated baseline, the change in points and per cent, the responder mark, the dose
    steps with their windows and the intake against the plan, as the summary has them."""
    app = ClinicianApp(clinic_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await open_review(pilot, "Anna")
        screen = pilot.app.screen
        summary = screen.data.summary
        symptoms = screen.query_one("#symptoms", DataTable)
        pain = next(s for s in summary["symptoms"] if s["symptom"] == "pain")
        row = symptoms.get_row_at(0)
        assert pain["baseline_from"] in str(row[2]) and pain["baseline_to"] in str(row[2])
        steps = screen.query_one("#steps", DataTable)
        assert steps.row_count == sum(len(step["symptoms"]) for step in summary["dose_steps"])
        status = str(screen.query_one("#status", Static).render())
        assert f"{summary['intake']['planned_days']} days planned" in status
