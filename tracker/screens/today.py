"""Today: the dose as the patient takes it, and the evening check-in in a few key presses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static

from tracker.clinical.model import Alert
from tracker.clinical.records import CheckIn
from tracker.i18n import N_, _
from tracker.screens.base import DaySaved, TrackerScreen
from tracker.screens.check_in import show_problem, submit_check_in
from tracker.services.day import ChangedElsewhere, DayView, day_adherence, load_day
from tracker.validation import ValidationError, today
from tracker.widgets.alert_panel import AlertPanel
from tracker.widgets.check_in_form import CheckInForm
from tracker.widgets.dose_card import DoseCard
from tracker.widgets.footer import Footer
from tracker.widgets.rating_list import RatingList

if TYPE_CHECKING:
    from tracker.clinical.progress import Adherence
    from tracker.services.clinic import Clinic

INFORMED_REASON = "off-label information acknowledged in the app"


class TodayScreen(TrackerScreen):
    # The side-effect list has the focus from the start; focusing the scroll container first
    # and moving on would restyle the whole screen twice (cold start).
    AUTO_FOCUS = "#effects"
    FOOTER_FIRST = ("taken", "skipped", "save")  # what the footer keeps first (widgets.footer)
    BINDINGS = [
        Binding("s,ctrl+s", "save", N_("Save")),
        Binding("h", "history", N_("History")),
        Binding("p", "plan", N_("Plan")),
        Binding("m", "medications", N_("Medications")),
        Binding("f", "share", N_("Share")),
        Binding("w", "app.switch_patient", N_("Patients")),
        Binding("i", "information", N_("About LDN")),
    ]

    @dataclass
    class Loaded(Message):
        view: DayView

    @dataclass
    class Saved(Message):
        alerts: list[Alert] | None  # None: nothing new to point out
        day: date | None = None  # the diary day written, if one was

    @dataclass
    class Counted(Message):
        adherence: Adherence | None

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
        self.after_save: Callable[[], None] | None = None  # once saved (quitting: Save)
        self.refused: str | None = None  # told beside the form once it is read again

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="today"):
            yield DoseCard(_("Loading…"), id="dose")
            yield AlertPanel(id="alerts")
            if self.first_view is not None:
                yield self._form(self.first_view)
            else:
                yield Static("", id="form-slot")
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
        if self._gone():
            return
        await self.query("#form-slot, CheckInForm").remove()
        await self.query_one("#today").mount(self._form(message.view), after="#alerts")
        if self._gone():
            return
        self._show(message.view)
        if self.refused is not None:
            self.query_one(CheckInForm).show_error("dose", self.refused)
            self.refused = None

    @work(thread=True, exit_on_error=False, exclusive=True,
          group="today-adherence", description="count_adherence")
    def count_adherence(self, view: DayView) -> None:
        """The patient's record on the card, counted after the first frame, not before it."""
        self.post_message(self.Counted(day_adherence(view)))

    def on_today_screen_counted(self, message: Counted) -> None:
        if not self._gone():
            self.query_one(DoseCard).show_adherence(message.adherence)

    def _gone(self) -> bool:
        """Closed (a patient switch right after a save) before its read came back."""
        return self not in self.app.screen_stack or \
            (not self.query(CheckInForm) and not self.query("#form-slot"))

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
        self.query_one(DoseCard).show(view.patient, view.day, view.planned, view.story)
        self.count_adherence(view)
        shown = self.just_saved if self.just_saved is not None else view.alerts
        self.query_one(AlertPanel).show_alerts(shown)
        form = self.query_one(CheckInForm)
        form.query_one("#effects", RatingList).focus()
        self.tracker.warm_up_soon()

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        self.after_save = None
        if self.view is None:
            return
        saved = self.view.saved  # what the form was opened on: a save refuses if it changed
        submit_check_in(self, saved, self.view.patient,
                        _("This changes what you saved earlier today. Why?"),
                        lambda entry: self.save(entry, saved))

    def has_unsaved(self) -> bool:
        forms = self.query(CheckInForm)
        return self.view is not None and bool(forms) and forms.first(CheckInForm).has_changes()

    def save_then(self, after: Callable[[], None]) -> None:
        self.action_save()
        self.after_save = after

    @work(thread=True, exit_on_error=False, exclusive=True, group="today-save", description="save")
    def save(self, entry: CheckIn, expected: CheckIn) -> None:
        try:
            alerts = self.clinic.check_in(self.patient_id, entry, expected=expected)
        except ValidationError as error:
            self.post_message(self.Failed(error))
            return
        self.post_message(self.Saved(alerts, entry.day))

    def on_today_screen_saved(self, message: Saved) -> None:
        self.notify(_("Saved. Thank you!"), timeout=3)
        self.just_saved = message.alerts
        self.draft = None
        self.load()
        if message.day is not None:
            self.tracker.day_saved(self.patient_id, message.day)
        after, self.after_save = self.after_save, None
        if after is not None:
            after()

    def on_today_screen_failed(self, message: Failed) -> None:
        self.after_save = None
        if isinstance(message.error, ChangedElsewhere):
            # Nothing was written: show what is saved now, and say why the form changed.
            self.refused = message.error.render()
            self.draft = None
            self.load()
            return
        show_problem(self.query_one(CheckInForm), message.error)

    def on_day_saved(self, message: DaySaved) -> None:
        """The day was written elsewhere (the history's day editor): read it again, unless
        the form holds unsaved input; saving that is then refused, and the form reloaded."""
        if message.patient_id == self.patient_id and self.view is not None and \
                message.day == self.view.day and not self.has_unsaved():
            self.load()

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
        """The off-label information (SPEC §6); while it is not acknowledged, reading it to the
        end and confirming records it. A child's family confirms the family page as well, as
        at setup: the date is recorded once both are confirmed."""
        from tracker.screens.dialogs import InfoDialog
        from tracker.screens.info_pages import FAMILY, OFF_LABEL, page

        patient = self.view.patient if self.view is not None else None
        informed = patient is None or patient.informed_on is not None
        pages: list[tuple[str, ...]] = [OFF_LABEL]
        if patient is not None and patient.protocol == "pediatric" and not informed:
            pages.append(FAMILY)

        def show(index: int) -> None:
            paragraphs = pages[index]
            confirm = None if informed else (
                _("We have read this page") if paragraphs is FAMILY
                else _("I have read and understood this"))

            def answered(ok: bool | str | None) -> None:
                if ok is not True or informed:
                    return
                if index + 1 < len(pages):
                    show(index + 1)
                else:
                    self.acknowledge()

            self.app.push_screen(InfoDialog(page(paragraphs), confirm), answered)

        show(0)

    @work(thread=True, exit_on_error=False, exclusive=True, group="today-save")
    def acknowledge(self) -> None:
        self.clinic.update_patient(self.patient_id, INFORMED_REASON, informed_on=today())
        self.post_message(self.Saved(None))

    # -- navigation ------------------------------------------------------------------------

    def action_history(self) -> None:
        self.tracker.show_history(self.patient_id)

    def action_plan(self) -> None:
        self.tracker.show_plan(self.patient_id)

    def action_medications(self) -> None:
        self.tracker.show_medications(self.patient_id)

    def action_share(self) -> None:
        from tracker.screens.share_dialog import open_share

        open_share(self, self.clinic, self.patient_id)
