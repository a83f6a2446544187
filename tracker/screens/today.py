"""Today: the dose as the patient takes it, and the evening check-in in a few key presses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from tracker.clinical.model import Alert, PlannedDay
from tracker.clinical.vocabulary import SIDE_EFFECTS, SYMPTOMS
from tracker.i18n import N_, _
from tracker.screens.base import TrackerScreen
from tracker.storage.records import CheckIn, DayReader, PatientInfo
from tracker.validation import ValidationError, today
from tracker.widgets.alert_panel import AlertPanel
from tracker.widgets.check_in_form import CheckInForm
from tracker.widgets.dose_card import DoseCard
from tracker.widgets.footer import Footer
from tracker.widgets.rating_list import RatingList

if TYPE_CHECKING:
    from tracker.services.clinic import Clinic

# Alerts that stand until acted on, shown whatever their date.
STANDING_ALERTS = ("opioid_contraindication", "transplant_caution", "information_pending")
INFORMED_REASON = "off-label information acknowledged in the app"


@dataclass(frozen=True)
class DayView:
    """What a screen needs to show and edit one diary day."""

    patient: PatientInfo
    day: date
    planned: PlannedDay | None
    next_change: PlannedDay | None
    saved: CheckIn
    own_effects: list[str]
    own_symptoms: list[str]
    alerts: list[Alert]


def load_day(source: DayReader, patient_id: int, day: date) -> DayView:
    """Read everything for one day (runs in a worker thread)."""
    patient = source.patient(patient_id)
    plan, diary = source.plan_and_diary(patient_id, until=max(day, today()) + timedelta(days=120),
                                        on=today())
    known_effects = {t.key for t in SIDE_EFFECTS}
    known_symptoms = {t.key for t in SYMPTOMS}
    own_effects = list(dict.fromkeys(e.name for e in diary.effects
                                     if e.name not in known_effects))
    own_symptoms = list(dict.fromkeys(s.symptom for s in diary.scores
                                      if s.symptom not in known_symptoms))
    alerts = [a for a in source.alerts(patient_id, plan)
              if a.code in STANDING_ALERTS or day - timedelta(days=7) <= a.day <= day][::-1]
    return DayView(patient, day, plan.on(day), plan.next_change(day),
                   source.day_entries(patient_id, day), own_effects, own_symptoms, alerts)


def corrects_saved(saved: CheckIn, entry: CheckIn) -> bool:
    """Whether saving ``entry`` changes something already saved (a correction needs a why)."""
    if saved.taken is not None and entry.taken is not None and (
            saved.taken != entry.taken or (entry.taken and saved.mg != entry.mg)):
        return True
    if any(saved.effects.get(k, v) != v for k, v in entry.effects.items()):
        return True
    if entry.no_side_effects and any(v > 0 for v in saved.effects.values()):
        return True
    if any(saved.scores.get(k, v) != v for k, v in entry.scores.items()):
        return True
    return bool(saved.note and (entry.note or "").strip() != saved.note)


def submit_check_in(screen: Screen[object], saved: CheckIn, question: str,
                    save: Callable[[CheckIn], object]) -> None:
    """Validate the form and save it; changing something already saved first asks why."""
    form = screen.query_one(CheckInForm)
    try:
        entry = form.check_in()
    except ValidationError as error:
        form.show_error(error.field, error.render())
        return
    if not corrects_saved(saved, entry):
        save(entry)
        return
    from tracker.screens.dialogs import ReasonDialog

    def with_reason(reason: str | None) -> None:
        if reason:
            save(replace(entry, reason=reason))

    screen.app.push_screen(ReasonDialog(question), with_reason)


class TodayScreen(TrackerScreen):
    # The side-effect list has the focus from the start; focusing the scroll container first
    # and moving on would restyle the whole screen twice (cold start).
    AUTO_FOCUS = "#effects"
    BINDINGS = [
        Binding("s,ctrl+s", "save", N_("Save")),
        Binding("h", "history", N_("History")),
        Binding("p", "plan", N_("Plan")),
        Binding("w", "app.switch_patient", N_("Patients")),
        Binding("i", "information", N_("About LDN")),
    ]

    @dataclass
    class Loaded(Message):
        view: DayView

    @dataclass
    class Saved(Message):
        alerts: list[Alert] | None  # None: nothing new to point out

    @dataclass
    class Failed(Message):
        error: ValidationError

    def __init__(self, clinic: Clinic, patient_id: int, view: DayView | None = None) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.view: DayView | None = None
        self.first_view = view  # read before the app started (cold start): shown at once
        self.just_saved: list[Alert] | None = None
        self.draft: CheckIn | None = None  # unsaved input kept across a language switch

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="today"):
            yield DoseCard(_("Loading…"), id="dose")
            if self.first_view is not None:
                yield self._form(self.first_view)
            else:
                yield Static("", id="form-slot")
            yield AlertPanel(id="alerts")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        view, self.first_view = self.first_view, None
        if view is None:
            self.load()
        else:
            self._show(view)

    async def relabel(self) -> None:
        forms = self.query(CheckInForm)
        if forms:
            try:
                self.draft = forms.first(CheckInForm).check_in()
            except ValidationError:
                self.draft = None
        await super().relabel()

    def after_relabel(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="today-load")
    def load(self) -> None:
        with self.tracker.reads() as source:
            view = load_day(source, self.patient_id, today())
        self.post_message(self.Loaded(view))

    async def on_today_screen_loaded(self, message: Loaded) -> None:
        await self.query("#form-slot, CheckInForm").remove()
        await self.query_one("#today").mount(self._form(message.view), after="#dose")
        self._show(message.view)

    def _form(self, view: DayView) -> CheckInForm:
        form = CheckInForm(view.day, view.saved, view.planned.dose_mg if view.planned else 0,
                           view.patient.condition, view.own_effects, view.own_symptoms,
                           draft=self.draft, id="form")
        self.draft = None
        return form

    def _show(self, view: DayView) -> None:
        """Fill the screen from ``view``, its check-in form already mounted."""
        self.view = view
        self.sub_title = view.patient.name
        self.query_one(DoseCard).show(view.patient, view.day, view.planned, view.next_change)
        shown = self.just_saved if self.just_saved is not None else view.alerts
        self.query_one(AlertPanel).show_alerts(shown)
        form = self.query_one(CheckInForm)
        form.query_one("#effects", RatingList).focus()
        self.tracker.warm_up_soon()

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.view is None:
            return
        submit_check_in(self, self.view.saved,
                        _("This changes what you saved earlier today. Why?"), self.save)

    @work(thread=True, exit_on_error=False, exclusive=True, group="today-save")
    def save(self, entry: CheckIn) -> None:
        try:
            alerts = self.clinic.check_in(self.patient_id, entry)
        except ValidationError as error:
            self.post_message(self.Failed(error))
            return
        self.post_message(self.Saved(alerts))

    def on_today_screen_saved(self, message: Saved) -> None:
        self.notify(_("Saved. Thank you!"), timeout=3)
        self.just_saved = message.alerts
        self.draft = None
        self.load()

    def on_today_screen_failed(self, message: Failed) -> None:
        self.query_one(CheckInForm).show_error(message.error.field, message.error.render())

    # -- own names -------------------------------------------------------------------------

    @on(CheckInForm.AddOwn)
    def add_own(self, event: CheckInForm.AddOwn) -> None:
        from tracker.screens.dialogs import NameDialog

        title = _("Your own side effect:") if event.kind == "effect" else \
            _("Your own symptom to score:")

        def add(name: str | None) -> None:
            if name:
                event.form.add_own(event.kind, name)

        self.app.push_screen(NameDialog(title), add)

    # -- the off-label information ------------------------------------------------------

    def action_information(self) -> None:
        from tracker.screens.dialogs import InfoDialog
        from tracker.screens.info_pages import OFF_LABEL, page

        informed = self.view is not None and self.view.patient.informed_on is not None

        def acknowledged(ok: bool | None) -> None:
            if ok and not informed:
                self.acknowledge()

        self.app.push_screen(InfoDialog(page(OFF_LABEL), None if informed else
                                        _("I have read and understood this")), acknowledged)

    @work(thread=True, exit_on_error=False, exclusive=True, group="today-save")
    def acknowledge(self) -> None:
        self.clinic.update_patient(self.patient_id, INFORMED_REASON, informed_on=today())
        self.post_message(self.Saved(None))

    # -- navigation ------------------------------------------------------------------------

    def action_history(self) -> None:
        from tracker.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.clinic, self.patient_id))

    def action_plan(self) -> None:
        from tracker.screens.plan import PlanScreen

        self.app.push_screen(PlanScreen(self.clinic, self.patient_id))
