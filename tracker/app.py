"""The patient's Textual app, built by a factory that the command line and the tests share.

The app chooses the language (remembered choice, else the locale), opens the last patient used
with this database (or the first-run setup when there is none) and offers the screens: Today,
History, Plan. Every database call runs in a worker thread; results come back as messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from tracker.db import Database
from tracker.i18n import N_, _, get_language, set_language
from tracker.locations import resolve_database
from tracker.preferences import Preferences
from tracker.screens.base import tell_failed_worker
from tracker.services import Clinic, PatientInfo
from tracker.widgets.translated import translate_bindings

# Textual's own binding labels, so they get a Danish translation too.
_TEXTUAL_LABELS = (N_("palette"), N_("Quit"), N_("Open the command palette"))


class TrackerApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "ldn-tracker"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", N_("Help")),
        Binding("l", "toggle_language", N_("Dansk/English")),
        Binding("c", "clinician", N_("Clinician"), show=False),
        Binding("q", "quit", N_("Quit")),
    ]

    @dataclass
    class PatientsLoaded(Message):
        patients: list[PatientInfo]

    def __init__(self, clinic: Clinic, preferences: Preferences | None = None) -> None:
        self.preferences = preferences or Preferences.load()
        if self.preferences.language:
            set_language(self.preferences.language)
        super().__init__()
        self.clinic = clinic
        self.patient_id: int | None = None
        translate_bindings(self)

    @property
    def db_key(self) -> str:
        return str(self.clinic.db.target)

    def on_mount(self) -> None:
        self.title = _("LDN tracker")
        self.load_patients()

    @work(thread=True, exit_on_error=False, exclusive=True, group="patients")
    def load_patients(self) -> None:
        self.post_message(self.PatientsLoaded(self.clinic.list_patients()))

    def on_tracker_app_patients_loaded(self, message: PatientsLoaded) -> None:
        ids = [p.id for p in message.patients]
        if not ids:
            self.start_setup(first_run=True)
            return
        remembered = self.preferences.last_patient.get(self.db_key)
        self.open_patient(remembered if remembered in ids else ids[0])

    @work(thread=True, exit_on_error=False, exclusive=True, group="preferences")
    def save_preferences(self) -> None:
        self.preferences.save()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        tell_failed_worker(self, event)

    # -- patients --------------------------------------------------------------------------

    def _to_base(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open_patient(self, patient_id: int) -> None:
        from tracker.screens.today import TodayScreen

        self.patient_id = patient_id
        self.preferences.last_patient[self.db_key] = patient_id
        self.save_preferences()
        self._to_base()
        self.push_screen(TodayScreen(self.clinic, patient_id))

    def start_setup(self, first_run: bool = False) -> None:
        from tracker.screens.setup import SetupScreen

        def created(patient_id: int | None) -> None:
            if patient_id is not None:
                self.open_patient(patient_id)

        if first_run:
            self._to_base()
        self.push_screen(SetupScreen(self.clinic, first_run=first_run), created)

    def action_switch_patient(self) -> None:
        from tracker.screens.patients import PatientSwitcher

        def chosen(choice: int | None) -> None:
            if choice == 0:
                self.start_setup()
            elif choice is not None:
                self.open_patient(choice)

        self.push_screen(PatientSwitcher(self.clinic, self.patient_id), chosen)

    # -- language, help, clinician ---------------------------------------------------------

    async def action_toggle_language(self) -> None:
        set_language("en" if get_language() == "da" else "da")
        self.preferences.language = get_language()
        self.save_preferences()
        translate_bindings(self)
        self.title = _("LDN tracker")
        for screen in list(self.screen_stack):
            relabel = getattr(screen, "relabel", None)
            if relabel is not None:
                await relabel()
        self.refresh_bindings()
        self.notify(_("Language: English") if get_language() == "en" else _("Language: Danish"),
                    timeout=2)

    def action_help(self) -> None:
        from tracker.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_clinician(self) -> None:
        try:
            from tracker.screens.clinic import ClinicScreen  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            self.notify(_("The clinician mode is not installed in this version."),
                        severity="warning")
            return
        self.push_screen(ClinicScreen(self.clinic))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(_("Switch language (Dansk/English)"),
                            _("Show the app in Danish or English"), self.action_toggle_language)
        yield SystemCommand(_("Key bindings"), _("Show the keys of this screen"),
                            self.action_help)
        yield SystemCommand(_("Switch patient"), _("Open another patient's diary"),
                            self.action_switch_patient)
        yield SystemCommand(_("New patient"), _("Set up a new patient"), self.start_setup)
        yield SystemCommand(_("Clinician mode"), _("Open the clinician's review"),
                            self.action_clinician)
        for name, title, help_text in (
            ("save", N_("Save today's check-in"), N_("Save the dose, side effects and scores")),
            ("history", N_("History"), N_("A calendar of past days; correct a day")),
            ("plan", N_("Plan"), N_("The coming weeks' doses and a chart")),
        ):
            action = getattr(screen, f"action_{name}", None)
            if action is not None:
                yield SystemCommand(_(title), _(help_text), action)


def create_app(target: str | None = None, clinic: Clinic | None = None,
               preferences: Preferences | None = None) -> TrackerApp:
    """The app on a database path or URL (or an open :class:`Clinic`, as the tests do)."""
    if clinic is None:
        clinic = Clinic(Database(resolve_database(target)), actor="patient")
    return TrackerApp(clinic, preferences)


def run_app(target: str | None) -> int:
    create_app(target).run()
    return 0


def run_demo(target: str | None) -> int:
    """The app on a demo database, filled with ten weeks of a sample diary when it is empty."""
    from tracker.demo import build_demo
    from tracker.locations import demo_database
    from tracker.validation import today

    clinic = Clinic(Database(target or str(demo_database())), actor="patient")
    if not clinic.list_patients():
        build_demo(clinic, today())
    create_app(clinic=clinic).run()
    return 0
