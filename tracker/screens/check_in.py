"""Saving a check-in from a screen: validate the form, confirm a dose above the plan's maximum,
and ask why before a correction.

A refusal is shown beside its field in the patient's words: the field is named as the form
labels it ("Dose", not ``mg``), and a dose above the maximum is asked about, never answered
with the command line's ``--confirm``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.screen import Screen

from tracker.clinical.records import CheckIn
from tracker.i18n import N_, Message, _
from tracker.services.day import corrects_saved
from tracker.validation import ValidationError
from tracker.widgets.check_in_form import CheckInForm

if TYPE_CHECKING:
    from tracker.storage.records import PatientInfo

# The form's fields as the patient sees them (messages name ``{field}``).
FIELD_LABELS = {"mg": N_("Dose"), "time": N_("Time"), "note": N_("Note")}


def show_problem(form: CheckInForm, error: ValidationError) -> None:
    """``error`` beside its field, naming the field as the form labels it."""
    # Imported here, not at start-up: the services pull in SQLAlchemy (docs/performance.md).
    from tracker.services.check_in import AboveMaximum

    label = FIELD_LABELS.get(error.field)
    params = {**error.message.params, "field": _(label) if label else error.field}
    template = error.message.template
    if isinstance(error, AboveMaximum):
        template = N_("{field}: {value_mg} is above your plan's maximum of {max_mg}. Save "
                      "again to confirm it.")
        params.update(value_mg=error.mg, max_mg=error.max_mg)
    form.show_error(error.field, Message(template, params).render())


def submit_check_in(screen: Screen[object], saved: CheckIn, patient: PatientInfo,
                    question: str, save: Callable[[CheckIn], object]) -> None:
    """Validate the form and save it; a dose above the plan's maximum is confirmed first,
    and changing something already saved asks why."""
    from tracker.services.check_in import AboveMaximum, validate_check_in

    form = screen.query_one(CheckInForm)
    try:
        entry = form.check_in()
        validate_check_in(patient, entry)
    except AboveMaximum as error:
        from tracker.screens.dialogs import ConfirmDoseDialog

        def confirmed(ok: bool | None) -> None:
            if ok:
                _save(screen, saved, question, replace(entry, confirm_above_max=True), save)
            else:
                form.change_dose()

        screen.app.push_screen(ConfirmDoseDialog(error.mg, error.max_mg), confirmed)
        return
    except ValidationError as error:
        show_problem(form, error)
        return
    _save(screen, saved, question, entry, save)


def _save(screen: Screen[object], saved: CheckIn, question: str, entry: CheckIn,
          save: Callable[[CheckIn], object]) -> None:
    if not corrects_saved(saved, entry):
        save(entry)
        return
    # Imported when a correction asks why, not at start-up: the dialogs' widgets cost ~60 ms.
    from tracker.screens.dialogs import ReasonDialog

    def with_reason(reason: str | None) -> None:
        if reason:
            save(replace(entry, reason=reason))

    screen.app.push_screen(ReasonDialog(question), with_reason)
