"""Plan: the coming weeks' doses, a chart of the dose and one of the symptom scores over the same
days, and a table of the coming periods, each with why (in full below the table)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tracker.clinical.instructions import dose_instruction, dose_instruction_short
from tracker.clinical.labels import phase_label
from tracker.clinical.model import PlannedDay
from tracker.clinical.patient_words import patient_why
from tracker.i18n import N_, _, format_date
from tracker.screens.base import TrackerScreen
from tracker.services.clinic import Clinic
from tracker.services.plan_view import PlanView, load_plan_view
from tracker.validation import today
from tracker.widgets.chart_axes import DateAxis
from tracker.widgets.dose_chart import DoseChart
from tracker.widgets.footer import Footer
from tracker.widgets.symptom_chart import SymptomChart

HIGHLIGHT = {"reduction": "bold yellow", "plateau": "yellow", "pause": "bold red",
             "hold": "bold red"}
MIN_WHY = 12  # the Why column's least width; the whole text is in the line below the table


def periods(days: list[PlannedDay]) -> list[tuple[PlannedDay, PlannedDay]]:
    """Runs of days with the same dose and phase, as (first, last)."""
    runs: list[tuple[PlannedDay, PlannedDay]] = []
    for day in days:
        if runs and runs[-1][1].dose_mg == day.dose_mg and runs[-1][1].phase == day.phase:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 1)].rstrip() + "…"


class PlanScreen(TrackerScreen):
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # the table's height: app.tcss
    DEFAULT_CSS = """
    PlanScreen #plan-why { height: auto; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        Binding("escape,d", "app.pop_screen", N_("Today")),
        Binding("h", "history", N_("History")),
        Binding("m", "medications", N_("Medications")),
        Binding("f", "share", N_("Share")),
    ]

    @dataclass
    class Loaded(Message):
        view: PlanView

    def __init__(self, clinic: Clinic, patient_id: int) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.view: PlanView | None = None
        self.rows: list[tuple[PlannedDay, PlannedDay]] = []
        self.table_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield DoseChart(id="dose-chart")
        yield SymptomChart(id="symptom-chart")
        yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plan-why")
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
        self.post_message(self.Loaded(load_plan_view(self.clinic, self.patient_id, today())))

    def on_plan_screen_loaded(self, message: Loaded) -> None:
        view = self.view = message.view
        charted = view.charted
        axis = DateAxis.spanning(view.first, charted[-1].day if charted else view.today,
                                 view.today)
        self.query_one(DoseChart).show(charted, axis)
        self.query_one(SymptomChart).show(view.symptoms, axis)
        self.rows = periods(view.coming)
        self.fill_table()

    def on_resize(self) -> None:
        if self.view is not None and self.query_one(DataTable).size.width != self.table_width:
            self.fill_table()

    def fill_table(self) -> None:
        view = self.view
        if view is None:
            return
        table = self.query_one(DataTable)
        self.table_width = table.size.width or self.size.width
        cursor = table.cursor_row
        table.clear(columns=True)
        cells = [(format_date(first.day), format_date(last.day) if last != first else "",
                  dose_instruction(first, view.patient).render(), _(phase_label(first.phase)),
                  patient_why(view.plan, first).render(), first.phase)
                 for first, last in self.rows]
        titles = (_("From"), _("To"), _("Dose"), _("Phase"), _("Why"))
        widths = [max([len(t), *(len(c[i]) for c in cells)]) for i, t in enumerate(titles)]
        # Each column is as wide as its widest cell, Why takes what is left (padding: 2 a column).
        room = self.table_width - sum(widths[:4]) - 2 * len(titles) - 1
        if room < MIN_WHY:  # a liquid's dose is long: its volume and dose only (ml, mg)
            short = [dose_instruction_short(first, view.patient).render()
                     for first, _last in self.rows]
            cells = [(c[0], c[1], dose, *c[3:]) for c, dose in zip(cells, short, strict=True)]
            widths[2] = max([len(titles[2]), *(len(dose) for dose in short)])
            room = self.table_width - sum(widths[:4]) - 2 * len(titles) - 1
        widths[4] = max(MIN_WHY, min(widths[4], room))
        for title, width in zip(titles, widths, strict=True):
            table.add_column(title, width=width)
        for row in cells:
            style = HIGHLIGHT.get(row[5], "")
            table.add_row(*(Text(c, style=style) for c in row[:4]),
                          Text(shorten(row[4], widths[4]), style=style))
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        self.show_why(table.cursor_row)

    @on(DataTable.RowHighlighted, "#plan-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_why(event.cursor_row)

    def show_why(self, row: int) -> None:
        why = self.query_one("#plan-why", Static)
        if not 0 <= row < len(self.rows):
            why.update(_("No doses are planned yet.") if not self.rows else "")
            return
        first, last = self.rows[row]
        when = format_date(first.day) if last == first else \
            f"{format_date(first.day)} – {format_date(last.day)}"
        assert self.view is not None
        why.update(Text.assemble((f"{when}, {_(phase_label(first.phase))}: ", "bold"),
                                 patient_why(self.view.plan, first).render()))

    def action_history(self) -> None:
        self.tracker.show_history(self.patient_id, instead=True)

    def action_medications(self) -> None:
        self.tracker.show_medications(self.patient_id)

    def action_share(self) -> None:
        from tracker.screens.share_dialog import open_share

        open_share(self, self.clinic, self.patient_id)
