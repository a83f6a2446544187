"""The Textual app, built by a factory that the command line and the tests share.

The app chooses the language (remembered choice, else the locale), opens the last patient used
with this database (or the first-run setup when there is none) and offers the screens: Today,
History, Plan. Every database call runs in a worker thread; results come back as messages.

The role (SPEC §10, :mod:`tracker.services.roles`) decides what the app offers. The patient's
app has no way to the clinic at all: no key, no palette command, no action. With
``--role clinician`` the app opens on the clinic's patients, and every change it makes is in
the audit trail under ``clinician:<login name>``.

Cold start: on an existing, up-to-date SQLite file the first screen reads the database directly
(:mod:`tracker.storage.snapshot`, no SQLAlchemy import) and the Clinic, which every write goes
through, opens in the background once that screen is drawn (:mod:`tracker.services.opening`);
which patient opens, and the read before the app starts, are :mod:`tracker.first_screen`. The
command palette's commands, in the user's language, are :mod:`tracker.palette`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from tracker.clinical.records import PatientInfo
from tracker.first_screen import FirstScreen, choose_patient, read_first_screen
from tracker.i18n import N_, _, get_language, set_language
from tracker.memory import freeze_long_lived
from tracker.palette import open_palette, system_commands
from tracker.preferences import Preferences
from tracker.screens.base import DaySaved, HoldsUnsaved, PlanChanged, tell_failed_worker
from tracker.services.opening import ClinicOpening
from tracker.services.roles import CLINICIAN, PATIENT, Role, actor, may, server_role_of
from tracker.storage.locations import resolve_database
from tracker.storage.records import DayReader
from tracker.storage.snapshot import DirectReads
from tracker.validation import today
from tracker.widgets.translated import translate_bindings

if TYPE_CHECKING:
    from tracker.screens.base import Navigator
    from tracker.services.clinic import Clinic
    from tracker.services.day import DayView

WARM_UP_DELAY_S = 1.0  # after the first screen is drawn, the Clinic opens in the background

# Textual's own binding labels, so they get a Danish translation too.
_TEXTUAL_LABELS = (N_("palette"), N_("Quit"), N_("Open the command palette"))


class TrackerApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "ldn-tracker"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", N_("Help")),
        Binding("l", "toggle_language", N_("Dansk/English")),
        Binding("q", "quit", N_("Quit")),
    ]
    ROLE: Role = PATIENT

    @dataclass
    class PatientsLoaded(Message):
        patients: list[PatientInfo]

    def __init__(self, clinic: Clinic | ClinicOpening, preferences: Preferences | None = None,
                 *, direct: DirectReads | None = None) -> None:
        self.preferences = preferences or Preferences.load()
        if self.preferences.language:
            set_language(self.preferences.language)
        super().__init__()
        self.role = self.ROLE
        self.opening = clinic if isinstance(clinic, ClinicOpening) else None
        # Screens take the Clinic; while it is still opening, the stand-in waits for it (in
        # their worker threads) on first use.
        self.clinic = cast("Clinic", clinic)
        self.db_key = clinic.target if isinstance(clinic, ClinicOpening) else \
            str(clinic.db.target)
        self.direct = direct
        self.first_screen: FirstScreen | None = None
        self.patient_id: int | None = None
        translate_bindings(self)

    @contextmanager
    def reads(self) -> Iterator[DayReader]:
        """Where a worker reads the first screen's data: the file directly while the Clinic is
        still opening, the Clinic after."""
        if self.direct is not None and self.opening is not None and not self.opening.ready:
            with self.direct.records() as records:
                yield records
        else:
            yield self.clinic

    def warm_up(self) -> None:
        """Open the Clinic in the background (nothing happens if it is open or opening)."""
        if self.opening is not None:
            self.opening.start()

    def warm_up_soon(self) -> None:
        """Open the Clinic once the first screen has been shown for a moment.

        Importing SQLAlchemy takes the interpreter for ~0.2 s; done at once it would hold up
        the very screen it follows. A save in the meantime opens it itself (and waits for it).
        """
        if self.opening is not None and not self.opening.started:
            self.set_timer(WARM_UP_DELAY_S, self.warm_up)

    def on_mount(self) -> None:
        self.title = _("LDN tracker")
        first, self.first_screen = self.first_screen, None
        if may(self.role, "clinic"):
            self.action_clinic()
        elif first is None:
            self.load_patients()
        else:
            self.show_patients(first.patients, first.view)

    @work(thread=True, exit_on_error=False, exclusive=True, group="patients")
    def load_patients(self) -> None:
        with self.reads() as source:
            patients = source.list_patients()
        self.post_message(self.PatientsLoaded(patients))

    def on_tracker_app_patients_loaded(self, message: PatientsLoaded) -> None:
        self.show_patients(message.patients)

    def show_patients(self, patients: list[PatientInfo], view: DayView | None = None) -> None:
        """Open the remembered patient (else the first), or the setup when there is none."""
        chosen = choose_patient(patients, self.preferences.last_patient.get(self.db_key))
        if chosen is None:
            self.start_setup(first_run=True)
        else:
            self.open_patient(chosen, view if view and view.patient.id == chosen else None)

    @work(thread=True, exit_on_error=False, exclusive=True, group="preferences")
    def save_preferences(self) -> None:
        self.preferences.save()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        tell_failed_worker(self, event)

    # -- patients --------------------------------------------------------------------------

    def _to_base(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open_patient(self, patient_id: int, view: DayView | None = None) -> None:
        from tracker.screens.today import TodayScreen

        if patient_id != self.preferences.last_patient.get(self.db_key):
            self.preferences.last_patient[self.db_key] = patient_id
            self.save_preferences()
        self.patient_id = patient_id
        self._to_base()
        self.push_screen(TodayScreen(self.clinic, patient_id, view))

    def start_setup(self, first_run: bool = False) -> None:
        from tracker.screens.setup import SetupScreen

        def created(patient_id: int | None) -> None:
            if patient_id is not None:
                self.open_patient(patient_id)

        if first_run:
            self._to_base()
        self.warm_up()
        self.push_screen(SetupScreen(self.clinic, first_run=first_run), created)

    # -- the way between screens (screens/base.Navigator) --------------------------------------

    def show_history(self, patient_id: int, *, instead: bool = False) -> None:
        from tracker.screens.history import HistoryScreen

        self._show(HistoryScreen(self.clinic, patient_id), instead)

    def show_plan(self, patient_id: int, *, instead: bool = False) -> None:
        from tracker.screens.plan import PlanScreen

        self._show(PlanScreen(self.clinic, patient_id), instead)

    def show_review(self, clinic: Clinic, patient_id: int,
                    closed: Callable[[object], None]) -> None:
        from tracker.screens.review import PatientReviewScreen

        self.push_screen(PatientReviewScreen(clinic, patient_id), closed)

    def day_saved(self, patient_id: int, day: date) -> None:
        """Tell every open screen that ``day`` was written, so none shows it stale."""
        for screen in self.screen_stack:
            screen.post_message(DaySaved(patient_id, day))

    def show_medications(self, patient_id: int) -> None:
        from tracker.screens.medications import MedicationsScreen

        self.push_screen(MedicationsScreen(self.clinic, patient_id))

    def plan_changed(self, patient_id: int) -> None:
        """Tell every open screen that the plan changed (a medication added or ended)."""
        for screen in self.screen_stack:
            screen.post_message(PlanChanged(patient_id))

    def settle_unsaved(self, then: Callable[[], object],
                       answered: frozenset[int] = frozenset()) -> None:
        """Run ``then`` once no open screen holds unsaved changes: for each that does (the top
        one first), ask Save, Discard or Stay. Save saves as the screen's Save does and goes
        on only once saved (a refused value stays on the screen, beside its field); Stay (or
        Escape) does nothing."""
        from tracker.screens.dialogs import SAVE, UnsavedDialog

        if isinstance(self.screen, UnsavedDialog):
            return  # already asking
        for screen in reversed(self.screen_stack):
            if id(screen) in answered or not callable(getattr(screen, "has_unsaved", None)):
                continue
            holder = cast(HoldsUnsaved, screen)
            if not holder.has_unsaved():
                continue
            done = answered | {id(screen)}

            def chosen(choice: str | None, holder: HoldsUnsaved = holder,
                       done: frozenset[int] = done) -> None:
                if choice == SAVE:
                    holder.save_then(lambda: self.settle_unsaved(then, done))
                elif choice is not None:
                    self.settle_unsaved(then, done)

            self.push_screen(UnsavedDialog(), chosen)
            return
        then()

    async def action_quit(self) -> None:
        """``q``, ``ctrl+q``, the palette's Quit: at once, unless something is not saved."""
        self.settle_unsaved(self.exit)

    def _show(self, screen: Screen[Any], instead: bool) -> None:
        """Push ``screen``, or put it in place of the current one (History <-> Plan)."""
        if instead:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_switch_patient(self) -> None:
        from tracker.screens.patients import PatientSwitcher

        def chosen(choice: int | None) -> None:
            if choice == 0:
                self.settle_unsaved(self.start_setup)
            elif choice is not None:
                self.settle_unsaved(lambda: self.open_patient(choice))

        self.push_screen(PatientSwitcher(self.clinic, self.patient_id), chosen)

    # -- language, help, the clinic --------------------------------------------------------

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

    def action_clinic(self) -> None:
        """The clinic's patients, as the base screen (the clinician's home); only for a role
        that may open it: the patient's app has no key or command for it, and an action
        called anyway (``run_action``) opens nothing."""
        if not may(self.role, "clinic"):
            return
        from tracker.screens.clinic import ClinicScreen

        if not isinstance(self.screen, ClinicScreen):
            self._to_base()
            self.push_screen(ClinicScreen(self.clinic, home=True))

    def action_command_palette(self) -> None:
        """``ctrl+p``: Textual's palette, its search field's placeholder in the user's language."""
        open_palette(self)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Our commands, in the user's language, in place of Textual's (:mod:`tracker.palette`)."""
        return system_commands(self, screen)


class ClinicianTrackerApp(TrackerApp):
    """The clinician's app (``--role clinician``): it opens on the clinic, and ``c`` leads back
    there from a patient's diary. The key is only in this class, so the patient's app has no
    such key, not even a hidden one."""

    ROLE: Role = CLINICIAN
    BINDINGS = [Binding("c", "clinic", N_("Clinic"), show=False)]


APPS: dict[Role, type[TrackerApp]] = {PATIENT: TrackerApp, CLINICIAN: ClinicianTrackerApp}


if TYPE_CHECKING:
    def _navigates(app: TrackerApp) -> Navigator:  # mypy checks that the app is what screens ask
        return app


def create_app(target: str | None = None, clinic: Clinic | None = None,
               preferences: Preferences | None = None, role: Role = PATIENT) -> TrackerApp:
    """The app of ``role`` on a database path or URL (or an open :class:`Clinic`, as the tests
    do; its actor is then used as it is).

    For the patient, an existing SQLite file at the current schema is read directly for the
    first screen and the Clinic opens behind it; anything else (a new file, an upgrade with its
    backup, a server, the clinician's app, whose first screen needs the Clinic) is opened here,
    before the app starts, so a problem is told on the terminal.
    """
    freeze_long_lived("start")  # the modules and CSS imported so far live as long as it
    if clinic is not None:
        return APPS[role](clinic, preferences)
    resolved = resolve_database(target)
    direct = DirectReads.probe(resolved) if role == PATIENT else None
    if direct is not None:
        app = APPS[role](ClinicOpening(resolved, actor=actor(role)), preferences, direct=direct)
        # Read before the event loop starts: drawn whole in the first frame, no "Loading…".
        app.first_screen = read_first_screen(direct, app.preferences.last_patient.get(app.db_key))
        return app
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    db = Database(resolved)
    role = server_role_of(db, role)  # a server's patient login never gets the clinician's app
    return APPS[role](Clinic(db, actor=actor(role)), preferences)


def run_app(target: str | None, role: Role = PATIENT) -> int:
    create_app(target, role=role).run()
    return 0


def run_demo(target: str | None, role: Role = PATIENT) -> int:
    """The app of ``role`` on a demo database, filled with ten weeks of a sample diary when it
    is empty."""
    from tracker.services.clinic import Clinic
    from tracker.services.demo import build_demo
    from tracker.storage.database import Database
    from tracker.storage.locations import demo_database

    clinic = Clinic(Database(target or str(demo_database())), actor=actor(role))
    if not clinic.list_patients():
        build_demo(clinic, today())
    create_app(clinic=clinic, role=role).run()
    return 0
