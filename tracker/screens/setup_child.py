"""What the setup shows for a child under 40 kg (SPEC §5), in words the family can follow.

The screen switches its fields to the pediatric protocol when the weight typed is under 40 kg
and back to the adult protocol at 40 kg and over; this module holds the words and numbers it
shows, so the screen stays thin. The doses are the engine's own ladder
(:func:`tracker.clinical.engine.nominal_ladder`), rounded to 0.05 mg as the plan will be.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from textual.widgets import Input, Select

from tracker.clinical.engine import nominal_ladder
from tracker.clinical.model import PatientSettings
from tracker.i18n import _, format_date, format_mg, format_ml, format_number
from tracker.screens.base import TrackerScreen
from tracker.widgets.form_field import FormField

# A liquid of 0.5 mg/ml: every 0.05 mg of a child's ladder is exactly 0.1 ml, the precision the
# app shows a liquid to (SPEC §2), and a 40 kg child's 4 mg is 8 ml, one oral syringe.
CHILD_CONCENTRATION_MG_ML = 0.5


def concentration_text() -> str:
    """The proposed concentration as the patient would type it ("0.5", "0,5")."""
    return format_number(CHILD_CONCENTRATION_MG_ML)


def ladder_text(settings: PatientSettings) -> str:
    """The weekly steps after the start dose, as the plan will give them: "0.6 → 1.05 → 2 mg"."""
    steps = nominal_ladder(settings)[1:]
    return " → ".join(format_number(mg) for mg in steps) + " mg"


def child_summary(settings: PatientSettings) -> str:
    """The child's plan in one paragraph: start, each step with its date, the target."""
    ladder = nominal_ladder(settings)
    steps = []
    for k, mg in enumerate(ladder[1:], start=1):
        day = settings.start_date + timedelta(
            days=settings.start_days + (k - 1) * settings.interval_days)
        steps.append(_("{dose} from {date}").format(dose=format_mg(mg), date=format_date(day)))
    text = _("A child's plan (under 40 kg): {start} for {days} days, then up once every "
             "{interval} days, rounded to 0.05 mg: {steps}. The full dose is {target} "
             "(0.1 mg per kg).").format(
        start=format_mg(settings.start_mg), days=settings.start_days,
        interval=settings.interval_days, steps=", ".join(steps),
        target=format_mg(settings.target_mg))
    if settings.formulation == "liquid" and settings.concentration_mg_ml:
        conc = settings.concentration_mg_ml
        text += " " + _("As a liquid of {conc} mg/ml: {low} to {high}.").format(
            conc=format_number(conc), low=format_ml(ladder[0] / conc),
            high=format_ml(ladder[-1] / conc))
    return text


class ChildFields(TrackerScreen):
    """A part of the setup screen: the fields switch to a child's protocol and back."""

    child: bool
    adult: dict[str, Any]
    proposed: dict[str, str]

    if TYPE_CHECKING:  # the setup screen's own
        def update_informed(self) -> None: ...

    def set_child(self, child: bool) -> None:
        """Turn the fields to a child's protocol (under 40 kg) or back to the adult's."""
        if child == self.child:
            return
        self.child = child
        protocol = self.query_one("#protocol", Select)
        step = self.query_one("#step_mg", Select)
        formulation = self.query_one("#formulation", Select)
        concentration = self.query_one("#concentration", Input)
        self.query_one("#family").display = child
        if child:
            self.adult = {"protocol": protocol.value, "step_mg": step.value}
            protocol.value = "pediatric"
            step.set_options([(_("4 weekly steps"), 0.0)])
            if formulation.value == "capsule":
                formulation.value = self.proposed["formulation"] = "liquid"
            if not concentration.value.strip():
                concentration.value = self.proposed["concentration"] = concentration_text()
            self.query_one("#field-concentration", FormField).set_hint(
                _("0.1 mg capsules do not exist; at 0.5 mg/ml, 0.05 mg is 0.1 ml"))
            self.query_one("#field-protocol", FormField).set_hint(_("From the weight"))
        else:
            step.set_options(step_options())
            step.value = self.adult["step_mg"]
            protocol.value = self.adult["protocol"]
            if self.proposed.get("formulation") == formulation.value:
                formulation.value = "capsule"
            if self.proposed.get("concentration") == concentration.value:
                concentration.value = ""
            self.proposed.clear()
            self.query_one("#field-concentration", FormField).set_hint(_("Only for a liquid"))
            self.query_one("#field-step_mg", FormField).set_hint(
                _("0.5 mg is the 'go slow' choice"))
            self.query_one("#field-protocol", FormField).set_hint("")
        protocol.disabled = step.disabled = child
        self.update_informed()



def step_options() -> list[tuple[str, float]]:
    """The adult choice of step: 0.5 mg ("go slow") or 1 mg."""
    return [(format_mg(0.5), 0.5), (format_mg(1), 1.0)]
