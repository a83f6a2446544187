"""First run and new patients: who, which condition and protocol, the dose form, safety.

Every number of the protocol is shown and editable; errors appear beside their field. A weight
under 40 kg turns the fields to the child's protocol (SPEC §5) and proposes a liquid; 40 kg and
over turns them back. The off-label information (and a child's family page) is shown before the
patient is created: acknowledged, its date is recorded; postponed ("Read it later"), the patient
is created with the information pending (SPEC §6); closed, nothing is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Header, Input, Select, Static

from tracker.clinical.events import opioid_match
from tracker.clinical.model import PEDIATRIC_WEIGHT_LIMIT_KG
from tracker.clinical.protocols import (
    CFS_ME_SUGGESTED_INTERVAL_DAYS,
    PROTOCOLS,
    SettingsError,
    build_settings,
    pediatric_target_mg,
)
from tracker.i18n import N_, _, format_mg
from tracker.screens.info_pages import FAMILY, OFF_LABEL
from tracker.screens.setup_child import ChildFields, child_summary, ladder_text, step_options
from tracker.screens.setup_form import FIELD_OF, NewPatient, SetupForm
from tracker.screens.setup_information import InformationSteps
from tracker.services.clinic import Clinic
from tracker.validation import ValidationError, today
from tracker.widgets.condition_picker import ConditionPicker
from tracker.widgets.footer import Footer
from tracker.widgets.form_field import FormField


class SetupScreen(ChildFields, InformationSteps, SetupForm):
    # Under 90 columns a field's hint and error go under its control instead of beside it,
    # so the control gets the width (nothing cut at 80×24) and hints read as lines, not a
    # narrow column of single words.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    DEFAULT_CSS = """
    /* The checkbox's label ("Jeg har fået et organ transplanteret") needs more than 36. */
    SetupScreen #field-transplant > .form-field--control {
        width: 1fr;
    }
    SetupScreen #field-transplant > .form-field--side {
        width: auto;
    }
    SetupScreen.-narrow FormField {
        layout: grid;
        grid-size: 2;
        grid-columns: 22 1fr;
        grid-rows: auto;
    }
    SetupScreen.-narrow FormField > .form-field--control {
        width: 1fr;
    }
    SetupScreen.-narrow FormField > .form-field--side {
        column-span: 2;
        width: 1fr;
        padding: 0 0 0 22;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Start the diary")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    @dataclass
    class Created(Message):
        patient_id: int

    @dataclass
    class Failed(Message):
        error: ValidationError

    def __init__(self, clinic: Clinic, first_run: bool = False) -> None:
        super().__init__()
        self.clinic = clinic
        self.first_run = first_run
        self.informed_on: date | None = None
        self.family_informed_on: date | None = None
        self.protocol_chosen = False
        self.child = False
        # What the adult fields held before a child's weight replaced them, and what the
        # screen filled in itself for the child (given back only if still untouched).
        self.adult: dict[str, Any] = {"protocol": Select.NULL, "step_mg": 0.5}
        self.proposed: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="setup"):
            yield Static(_("Welcome! Set up the diary in a minute. Tab moves to the next field; "
                           "ctrl+s starts the diary.") if self.first_run else
                         _("A new patient in this database."), id="setup-intro")
            yield FormField(_("Name or pseudonym"),
                            Input(compact=True, id="name", max_length=200), key="name")
            yield FormField(_("Condition"), ConditionPicker(id="picker"), key="condition")
            yield FormField(_("Protocol"), Select(
                [(_(p.label), p.name) for p in PROTOCOLS.values()], id="protocol", compact=True,
                prompt=_("From the condition")), key="protocol")
            yield FormField(_("Start dose"), Static("", id="start_dose"), key="start_dose")
            yield FormField(_("Step up by"), Select(
                step_options(), id="step_mg",
                value=0.5, allow_blank=False, compact=True), key="step_mg",
                hint=_("0.5 mg is the 'go slow' choice"))
            yield FormField(_("Days between steps"), Input(compact=True, id="interval_days"),
                            key="interval_days")
            yield FormField(_("Target dose (mg)"), Input(compact=True, id="target_mg"),
                            key="target_mg")
            yield FormField(_("Side effects tolerated"), Select(
                [(_("4 days"), 4), (_("3 days"), 3)], id="tolerance_days", value=4,
                allow_blank=False, compact=True), key="tolerance_days")
            yield FormField(_("Start date"),
                            Input(today().isoformat(), compact=True, id="start"),
                            key="start", hint=_("YYYY-MM-DD"))
            yield FormField(_("Form"), Select(
                [(_("Capsules"), "capsule"), (_("Liquid"), "liquid")], id="formulation",
                value="capsule", allow_blank=False, compact=True), key="formulation")
            yield FormField(_("Liquid strength (mg/ml)"), Input(compact=True, id="concentration",
                                                                placeholder="1"),
                            key="concentration", hint=_("Only for a liquid"))
            yield FormField(_("Weight (kg)"),
                            Input(compact=True, id="weight_kg", placeholder="70"),
                            key="weight_kg",
                            hint=_("Required for a child under 40 kg"))
            yield FormField(_("Current medications"), Input(compact=True,
                id="medications", placeholder=_("separated by commas")), key="medications")
            yield FormField(_("Organ transplant"),
                            Checkbox(_("I have had an organ transplant"), id="transplant",
                                     compact=True), key="transplant")
            yield Static("", id="plan-summary")
            with Horizontal(id="setup-buttons"):
                yield Button(_("Read about LDN"), id="info")
                yield Button(_("Page for the family"), id="family")
                yield Button(_("Start the diary"), variant="primary", id="save")
            yield Static("", id="informed")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("New patient")
        self.query_one("#family").display = False
        self.update_summary()
        self.update_informed()
        self.query_one("#name", Input).focus()

    def after_relabel(self) -> None:
        """The fields were drawn afresh in the new language, as adult fields: start from
        there (the pages acknowledged stay acknowledged)."""
        self.child, self.protocol_chosen, self.proposed = False, False, {}
        self.adult = {"protocol": Select.NULL, "step_mg": 0.5}
        self.query_one("#family").display = False
        self.update_summary()
        self.update_informed()

    # -- live feedback ---------------------------------------------------------------------

    @on(ConditionPicker.Picked)
    def condition_picked(self, event: ConditionPicker.Picked) -> None:
        if event.condition is not None and not self.protocol_chosen:
            if self.child:
                self.adult["protocol"] = event.condition.protocol
            else:
                self.query_one("#protocol", Select).value = event.condition.protocol
        self.update_summary()

    @on(Select.Changed, "#protocol")
    def protocol_changed(self, event: Select.Changed) -> None:
        if self.child:  # the weight chose the protocol; the adult choice is kept aside
            return
        picker = self.query_one(ConditionPicker)
        implied = picker.condition.protocol if picker.condition else None
        self.protocol_chosen = event.value not in (Select.NULL, implied)
        self.update_summary()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def changed(self, event: Message) -> None:
        control = getattr(event, "control", None)
        if control is not None and control.id == "medications":
            self.check_opioids(control.value)
        self.update_summary()

    def check_opioids(self, text: str) -> None:
        found = [(m.strip(), opioid_match(m)) for m in text.split(",") if m.strip()]
        opioids = [name for name, match in found if match]
        field = self.query_one("#field-medications", FormField)
        if opioids:
            field.set_error(_("{names}: an opioid. LDN must never be combined with opioids: "
                              "the plan will hold LDN (0 mg) until 7 days after the last dose. "
                              "Talk to your doctor.").format(names=", ".join(opioids)))
        else:
            field.set_error("")

    def _protocol(self) -> str | None:
        value = self.query_one("#protocol", Select).value
        if value is not Select.NULL:
            return str(value)
        picker = self.query_one(ConditionPicker)
        return picker.condition.protocol if picker.condition else None

    def update_summary(self) -> None:
        weight = self._maybe_number("weight_kg")
        self.set_child(weight is not None and 0 < weight < PEDIATRIC_WEIGHT_LIMIT_KG)
        protocol = self._protocol()
        summary = self.query_one("#plan-summary", Static)
        interval_hint = self.query_one("#field-interval_days", FormField)
        interval_hint.set_hint(_("The guide suggests a slower rise for CFS/ME: {days} days")
                               .format(days=CFS_ME_SUGGESTED_INTERVAL_DAYS)
                               if protocol == "cfs_me" else "")
        if protocol is None:
            summary.update(_("Pick the condition to see the protocol."))
            self.query_one("#start_dose", Static).update("–")
            return
        base = PROTOCOLS[protocol]
        target = pediatric_target_mg(weight) if self.child and weight else base.target_mg
        for key, value in (("interval_days", str(base.interval_days)),
                           ("target_mg", _number(target))):
            field = self.query_one(f"#{key}", Input)
            field.placeholder = value
        formulation = str(self.query_one("#formulation", Select).value)
        try:
            settings = build_settings(
                protocol, self._start_day(), weight_kg=weight,
                step_mg=None if self.child else self._maybe_number("step_mg"),
                target_mg=self._maybe_number("target_mg"),
                interval_days=self._maybe_int("interval_days"),
                formulation="liquid" if formulation == "liquid" else "capsule",
                concentration_mg_ml=(self._maybe_number("concentration") or 1.0)
                if formulation == "liquid" else None)
        except (SettingsError, ValueError):
            return
        self.query_one("#start_dose", Static).update(
            _("{dose} for {days} days").format(dose=format_mg(settings.start_mg),
                                               days=settings.start_days))
        if self.child:
            self.query_one("#field-step_mg", FormField).set_hint(ladder_text(settings))
            summary.update(child_summary(settings))
            return
        summary.update(_("Plan: {start} for {days} days, then up by {step} every {interval} "
                         "days to {target} (at most {max}).").format(
            start=format_mg(settings.start_mg), days=settings.start_days,
            step=format_mg(settings.step_mg), interval=settings.interval_days,
            target=format_mg(settings.target_mg), max=format_mg(settings.max_mg)))

    def show_error(self, error: ValidationError) -> None:
        for field in self.query(FormField):
            field.set_error("")
        key = FIELD_OF.get(error.field, error.field)
        if key == "name" and "medications" in str(error):
            key = "medications"
        matches = self.query(f"#field-{key}")
        target = matches.first(FormField) if matches else self.query_one("#field-name",
                                                                         FormField)
        target.set_error(error.render())
        target.scroll_visible()
        self.notify(_("Please check the highlighted field."), severity="warning", timeout=3)

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        try:
            form = self.read_form()
        except ValidationError as error:
            self.show_error(error)
            return
        for field in self.query(FormField):
            field.set_error("")
        self.inform_then_create(form)

    @work(thread=True, exit_on_error=False, exclusive=True, description="create")
    def create(self, form: NewPatient) -> None:
        try:
            patient_id = self.clinic.add_patient(**form.values)
        except ValidationError as error:
            self.post_message(self.Failed(error))
            return
        self.post_message(self.Created(patient_id))

    def on_setup_screen_created(self, message: Created) -> None:
        self.dismiss(message.patient_id)

    def on_setup_screen_failed(self, message: Failed) -> None:
        self.show_error(message.error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "cancel" and self.first_run)

    def action_cancel(self) -> None:
        if not self.first_run:
            self.dismiss(None)

    # -- information pages -----------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#info")
    def info_pressed(self) -> None:
        self.show_page(OFF_LABEL)

    @on(Button.Pressed, "#family")
    def family_pressed(self) -> None:
        self.show_page(FAMILY)


def _number(value: float) -> str:
    return format_mg(value).removesuffix(" mg")
