"""Plan: the coming weeks' doses, reductions and pauses highlighted, and a chart of the dose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header

from tracker.clinical.instructions import dose_instruction
from tracker.clinical.labels import phase_label
from tracker.clinical.model import Plan, PlannedDay
from tracker.i18n import N_, _, format_date
from tracker.screens.base import TrackerScreen
from tracker.services.clinic import Clinic, PatientInfo
from tracker.validation import today
from tracker.widgets.dose_chart import DoseChart
from tracker.widgets.footer import Footer

WEEKS_AHEAD = 12
HIGHLIGHT = {"reduction": "bold yellow", "plateau": "yellow", "pause": "bold red",
             "hold": "bold red"}


def periods(days: list[PlannedDay]) -> list[tuple[PlannedDay, PlannedDay]]:
    """Runs of days with the same dose and phase, as (first, last)."""
    runs: list[tuple[PlannedDay, PlannedDay]] = []
    for day in days:
        if runs and runs[-1][1].dose_mg == day.dose_mg and runs[-1][1].phase == day.phase:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


class PlanScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape,d", "app.pop_screen", N_("Today")),
        Binding("h", "history", N_("History")),
        Binding("m", "medications", N_("Medications")),
        Binding("f", "share", N_("Share")),
    ]

    @dataclass
    class Loaded(Message):
        patient: PatientInfo
        plan: Plan
        today: date

    def __init__(self, clinic: Clinic, patient_id: int) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield DoseChart(id="chart")
        yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("Plan")
        self.query_one(DataTable).focus()
        self.load()

    def after_relabel(self) -> None:
        self.on_mount()

    async def reread(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="plan")
    def load(self) -> None:
        now = today()
        self.post_message(self.Loaded(self.clinic.patient(self.patient_id),
                                      self.clinic.plan(self.patient_id,
                                                       until=now + timedelta(weeks=WEEKS_AHEAD),
                                                       on=now), now))

    def on_plan_screen_loaded(self, message: Loaded) -> None:
        plan, now = message.plan, message.today
        chart_from = now - timedelta(weeks=WEEKS_AHEAD)
        self.query_one(DoseChart).show([d for d in plan.days if d.day >= chart_from], now)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(_("From"), _("To"), _("Dose"), _("Phase"), _("Why"))
        for first, last in periods([d for d in plan.days if d.day >= now]):
            style = HIGHLIGHT.get(first.phase, "")
            table.add_row(
                Text(format_date(first.day), style=style),
                Text(format_date(last.day) if last.day != first.day else "", style=style),
                Text(dose_instruction(first, message.patient).render(), style=style),
                Text(_(phase_label(first.phase)), style=style),
                Text(first.reason.render(), style=style),
            )

    def action_history(self) -> None:
        self.tracker.show_history(self.patient_id, instead=True)

    def action_medications(self) -> None:
        self.tracker.show_medications(self.patient_id)

    def action_share(self) -> None:
        from tracker.screens.share_dialog import open_share

        open_share(self, self.clinic, self.patient_id)
