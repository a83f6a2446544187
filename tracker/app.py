"""The Textual app, built by a factory that ``__main__`` and the tests share."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from tracker.db import Database
from tracker.i18n import _
from tracker.locations import resolve_database
from tracker.services import Clinic


class TrackerApp(App[int]):
    TITLE = "ldn-tracker"

    def __init__(self, clinic: Clinic) -> None:
        super().__init__()
        self.clinic = clinic

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Database: {target}").format(target=self.clinic.db.target), id="where")
        yield DataTable(id="patients")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("Id"), _("Name"), _("Protocol"), _("Start"))
        for p in self.clinic.list_patients():
            table.add_row(str(p.id), p.name, p.protocol, p.start_date.isoformat())


def create_app(target: str | None = None) -> TrackerApp:
    return TrackerApp(Clinic(Database(resolve_database(target)), actor="app"))


def run_app(target: str | None) -> int:
    create_app(target).run()
    return 0


def run_demo(target: str | None) -> int:
    from tracker.locations import demo_database

    return run_app(target or str(demo_database()))
