"""History: a month calendar of past days; open one to complete or correct it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from tracker.clinical.instructions import dose_instruction
from tracker.clinical.labels import phase_label
from tracker.clinical.vocabulary import label_of
from tracker.i18n import N_, _, format_date, format_mg
from tracker.screens.base import DaySaved, TrackerScreen
from tracker.services.clinic import Clinic
from tracker.services.day import DayView, load_day
from tracker.validation import today
from tracker.widgets.footer import Footer
from tracker.widgets.key_legend import KeyLegend
from tracker.widgets.month_calendar import PHASE_COLOURS, DayMark, MonthCalendar


def load_marks(clinic: Clinic, patient_id: int, until: date) -> tuple[date, dict[date, DayMark]]:
    settings, diary = clinic.inputs(patient_id)
    plan = clinic.plan(patient_id, until=until, on=until)
    doses = {d.day: d.taken for d in diary.doses}
    worst: dict[date, int] = {d: 0 for d in diary.clear_days}
    for effect in diary.effects:
        worst[effect.day] = max(worst.get(effect.day, 0), effect.severity)
    marks = {p.day: DayMark(doses.get(p.day), worst.get(p.day), p.phase, p.dose_mg)
             for p in plan.days}
    return settings.start_date, marks


def legend_entries() -> list[Text]:
    """The calendar's key, entry by entry (a line breaks between two, never inside one): the
    marks, then each phase's colour with its name."""
    marks = _("✓ taken  ✗ skipped  · not logged  •2 worst side effect  ○ none")
    entries = [Text(mark.strip()) for mark in marks.split("  ") if mark.strip()]
    entries.append(Text("\n"))  # the phases on a line of their own
    for phase, colour in PHASE_COLOURS.items():
        entries.append(Text(f" {_(phase_label(phase))} ", style=f"on {colour}"))
    return entries


class HistoryScreen(TrackerScreen):
    # Narrower than 110 columns the day's details go below the calendar, full width: beside
    # it they would be a strip of a few words a line.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    DEFAULT_CSS = """
    HistoryScreen #history { height: 1fr; }
    HistoryScreen.-narrow #history { layout: vertical; }
    HistoryScreen.-narrow #calendar-box { width: 1fr; }
    HistoryScreen #detail-box { width: 1fr; height: auto; max-height: 100%; }
    HistoryScreen.-narrow #detail-box { height: 1fr; min-height: 5; }
    HistoryScreen #legend-hint { padding: 0 1; height: auto; }
    """
    FOOTER_FIRST = ("app.pop_screen", "open")  # what the footer keeps first (widgets.footer)
    BINDINGS = [
        Binding("escape,d", "app.pop_screen", N_("Today")),
        Binding("p", "plan", N_("Plan")),
        Binding("m", "medications", N_("Medications")),
        Binding("f", "share", N_("Share")),
    ]

    @dataclass
    class Loaded(Message):
        start: date
        marks: dict[date, DayMark]

    @dataclass
    class DayLoaded(Message):
        view: DayView
        edit: bool

    def __init__(self, clinic: Clinic, patient_id: int) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.cursor = today()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history"):
            with Vertical(id="calendar-box"):
                yield MonthCalendar(self.cursor, today(), id="calendar")
                yield KeyLegend(legend_entries(), gap="  ", id="legend")
                yield Static(_("Enter opens a day to complete or correct it."),
                             id="legend-hint")
            with VerticalScroll(id="detail-box"):
                yield Static("", id="day-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("History")
        self.query_one(MonthCalendar).focus()
        self.load()

    def after_relabel(self) -> None:
        self.query_one("#legend", KeyLegend).set_entries(legend_entries())
        self.query_one("#legend-hint", Static).update(
            _("Enter opens a day to complete or correct it."))
        self.query_one(MonthCalendar).focus()
        self.load()

    async def reread(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="history")
    def load(self) -> None:
        start, marks = load_marks(self.clinic, self.patient_id, today())
        self.post_message(self.Loaded(start, marks))

    def on_history_screen_loaded(self, message: Loaded) -> None:
        self.query_one(MonthCalendar).set_marks(message.marks, message.start)
        self.load_day(self.query_one(MonthCalendar).cursor, edit=False)

    @on(MonthCalendar.Highlighted)
    def highlighted(self, event: MonthCalendar.Highlighted) -> None:
        self.cursor = event.day
        self.load_day(event.day, edit=False)

    @on(MonthCalendar.Opened)
    def opened(self, event: MonthCalendar.Opened) -> None:
        self.load_day(event.day, edit=True)

    @work(thread=True, exit_on_error=False, exclusive=True,
          group="history-day", description="load_day")
    def load_day(self, day: date, edit: bool) -> None:
        self.post_message(self.DayLoaded(load_day(self.clinic, self.patient_id, day), edit))

    def on_history_screen_day_loaded(self, message: DayLoaded) -> None:
        view = message.view
        self.query_one("#day-detail", Static).update(self._detail(view))
        if message.edit:
            if view.planned is None or view.day > today():
                self.notify(_("Only days from the start of the plan until today can be "
                              "logged."), severity="warning")
                return
            from tracker.screens.day_editor import DayEditor

            self.app.push_screen(DayEditor(self.clinic, self.patient_id, view))

    def on_day_saved(self, message: DaySaved) -> None:
        """A day was written (here, or on Today): the calendar and the details read again."""
        if message.patient_id == self.patient_id:
            self.load()

    def _detail(self, view: DayView) -> Text:
        text = Text()
        text.append(format_date(view.day) + "\n", style="bold")
        if view.planned is not None:
            dose = dose_instruction(view.planned, view.patient).render()
            text.append(_("Planned: {dose}").format(dose=dose) + "\n")
            why = (view.story.why if view.story is not None else None) or view.planned.reason
            text.append(f"{_(phase_label(view.planned.phase))}: {why.render()}\n")
        saved = view.saved
        if saved.taken:
            text.append("✓ " + _("Taken: {dose}").format(
                dose=format_mg(saved.mg) if saved.mg else "") +
                (f" {saved.time}" if saved.time else "") + "\n")
        elif saved.taken is False:
            text.append("✗ " + _("Skipped") + "\n")
        else:
            text.append("· " + _("No dose logged") + "\n")
        if saved.no_side_effects:
            text.append(_("No side effects") + "\n")
        for name, severity in saved.effects.items():
            if severity:
                text.append(f"• {_(label_of(name))}: {severity}\n")
        if saved.scores:
            text.append(", ".join(f"{_(label_of(k))} {v}" for k, v in saved.scores.items())
                        + "\n")
        if saved.note:
            text.append(_("Note: {text}").format(text=saved.note) + "\n", style="italic")
        text.rstrip()
        return text

    def action_plan(self) -> None:
        self.tracker.show_plan(self.patient_id, instead=True)

    def action_medications(self) -> None:
        self.tracker.show_medications(self.patient_id)

    def action_share(self) -> None:
        from tracker.screens.share_dialog import open_share

        open_share(self, self.clinic, self.patient_id)
