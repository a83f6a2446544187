"""Saving a check-in from a screen: validate the form, and ask why before a correction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual.screen import Screen

from tracker.clinical.records import CheckIn
from tracker.services.day import corrects_saved
from tracker.validation import ValidationError
from tracker.widgets.check_in_form import CheckInForm


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
    # Imported when a correction asks why, not at start-up: the dialogs' widgets cost ~60 ms.
    from tracker.screens.dialogs import ReasonDialog

    def with_reason(reason: str | None) -> None:
        if reason:
            save(replace(entry, reason=reason))

    screen.app.push_screen(ReasonDialog(question), with_reason)
