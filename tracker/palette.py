"""The command palette (``ctrl+p``) in the user's language: its search field, and the commands
it offers in place of Textual's own.

Textual's system commands (Theme, Keys, Screenshot) are English only and not the app's; the
palette lists the app's instead, each title and help text in the language shown, and only what
the role may (the clinic) and the screen shown offers (its ``action_…`` methods).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, cast

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from tracker.i18n import N_, _
from tracker.services.roles import Role, may


class PaletteActions(Protocol):
    """What the palette's commands call on the app (:class:`tracker.app.TrackerApp` is one)."""

    role: Role

    async def action_quit(self) -> None: ...

    async def action_toggle_language(self) -> None: ...

    def action_help(self) -> None: ...

    def action_switch_patient(self) -> None: ...

    def start_setup(self, first_run: bool = False) -> None: ...

    def action_clinic(self) -> None: ...


def open_palette(app: App[Any]) -> None:
    """Textual's palette (as ``App.action_command_palette`` opens it), with its search field's
    placeholder in the user's language."""
    if app.use_command_palette and not CommandPalette.is_open(cast("App[object]", app)):
        app.push_screen(CommandPalette(id="--command-palette",
                                       placeholder=_("Search for commands…")))


def system_commands(app: PaletteActions, screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The app's commands, in the user's language, in place of Textual's (Quit and Maximize
    are given here again)."""
    yield SystemCommand(_("Quit"), _("Quit the app (asks first if something is not saved)"),
                        app.action_quit)
    if screen.maximized is not None:
        yield SystemCommand(_("Restore size"), _("Show the enlarged part at its normal size"),
                            screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield SystemCommand(_("Enlarge"), _("Let the part in focus fill the screen"),
                            screen.action_maximize)
    yield SystemCommand(_("Switch language (Dansk/English)"),
                        _("Show the app in Danish or English"), app.action_toggle_language)
    yield SystemCommand(_("Key bindings"), _("Show the keys of this screen"),
                        app.action_help)
    yield SystemCommand(_("Switch patient"), _("Open another patient's diary"),
                        app.action_switch_patient)
    yield SystemCommand(_("New patient"), _("Set up a new patient"), app.start_setup)
    if may(app.role, "clinic"):
        yield SystemCommand(_("Clinic"), _("Patients and flags"), app.action_clinic)
    for name, title, help_text in (
        ("save", N_("Save today's check-in"), N_("Save the dose, side effects and scores")),
        ("history", N_("History"), N_("A calendar of past days; correct a day")),
        ("plan", N_("Plan"), N_("The coming weeks' doses and a chart")),
        ("medications", N_("Medications"),
         N_("Your medications: add one, or the day you stopped one (opioids put LDN on "
            "hold)")),
        ("share", N_("Share with my clinic"),
         N_("Save your diary (a FHIR file) and a report to hand to your clinic")),
        ("import_file", N_("Import a patient's file"),
         N_("Take in the FHIR file a patient shared with the clinic")),
    ):
        action = getattr(screen, f"action_{name}", None)
        if action is not None:
            yield SystemCommand(_(title), _(help_text), action)
