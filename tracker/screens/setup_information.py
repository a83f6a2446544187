"""The setup's information pages: the off-label information and a child's family page.

Off-label use carries a stricter duty to inform (SPEC §6). Starting the diary shows each page
not yet acknowledged in turn; the patient is created only once each is acknowledged (informed
today) or one is put off with "Read it later" (created with the information pending, which the
Today screen then words for the patient). Closing a page (escape) creates nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from tracker.i18n import _
from tracker.screens.base import TrackerScreen
from tracker.screens.info_pages import FAMILY, OFF_LABEL, page
from tracker.validation import today

if TYPE_CHECKING:
    from tracker.screens.setup_form import NewPatient


class InformationSteps(TrackerScreen):
    """A part of the setup screen, which provides ``child`` and ``create``."""

    informed_on: date | None
    family_informed_on: date | None
    child: bool

    if TYPE_CHECKING:  # the setup screen's own
        def create(self, form: NewPatient) -> Any: ...

    def pages_due(self) -> list[tuple[str, ...]]:
        """The pages still to acknowledge: the off-label information, and a child's family
        page."""
        due: list[tuple[str, ...]] = [OFF_LABEL] if self.informed_on is None else []
        if self.child and self.family_informed_on is None:
            due.append(FAMILY)
        return due

    def inform_then_create(self, form: NewPatient) -> None:
        """Each page due in turn, then the patient: informed today when every page was
        acknowledged, pending when one was put off, not created when one was closed."""
        due = self.pages_due()
        if not due:
            self.create(type(form)(dict(form.values, informed_on=self.informed_on)))
            return

        def answered(result: bool | str | None) -> None:
            from tracker.screens.dialogs import LATER

            if result is True:
                self.acknowledged(due[0])
                self.inform_then_create(form)
            elif result == LATER:
                self.create(type(form)(dict(form.values, informed_on=None)))
            else:
                self.notify(_("The diary is not started yet: confirm the information, or "
                              "choose Read it later."), timeout=5)

        self.show_page(due[0], answered, postpone=True)

    def show_page(self, paragraphs: tuple[str, ...], then: Any = None,
                  postpone: bool = False) -> None:
        from tracker.screens.dialogs import InfoDialog

        def answered(result: bool | str | None) -> None:
            if then is not None:
                then(result)
            elif result is True:
                self.acknowledged(paragraphs)

        acknowledge = _("We have read this page") if paragraphs is FAMILY else \
            _("I have read and understood this")
        self.app.push_screen(InfoDialog(page(paragraphs), acknowledge,
                                        _("Read it later") if postpone else None), answered)

    def acknowledged(self, paragraphs: tuple[str, ...]) -> None:
        if paragraphs is FAMILY:
            self.family_informed_on = today()
        else:
            self.informed_on = today()
        self.update_informed()

    def update_informed(self) -> None:
        lines = ["✓ " + _("Information about LDN read and understood.")
                 if self.informed_on else _("Information about LDN: not read yet.")]
        if self.child:
            lines.append("✓ " + _("Page for the family read.") if self.family_informed_on
                         else _("Page for the family: not read yet."))
        self.query_one("#informed", Static).update("\n".join(lines))


