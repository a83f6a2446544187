"""Reading the setup form: each field parsed, the first bad one named, the protocol's rules
checked before the information page is shown (a mixin of the setup screen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.widgets import Checkbox, Input, Select

from tracker.clinical.protocols import SettingsError, build_settings
from tracker.i18n import N_, _
from tracker.screens.base import TrackerScreen
from tracker.validation import ValidationError, parse_date, parse_int, parse_number, today
from tracker.widgets.condition_picker import ConditionPicker

# Where a refused setting's message is shown.
FIELD_OF = {"start_mg": "protocol", "start_days": "protocol", "max_mg": "target_mg",
            "medication": "medications", "formulation": "concentration"}


@dataclass(frozen=True)
class NewPatient:
    """The form, parsed: the arguments of ``Clinic.add_patient``."""

    values: dict[str, Any]


class SetupForm(TrackerScreen):
    """A part of the setup screen, which provides ``child`` and ``informed_on``."""

    if TYPE_CHECKING:  # the setup screen's own
        child: bool
        informed_on: date | None

    def _start_day(self) -> date:
        try:
            return parse_date(self.query_one("#start", Input).value.strip(), "start")
        except ValidationError:
            return today()

    def _maybe_number(self, key: str) -> float | None:
        widget = self.query_one(f"#{key}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else float(widget.value)  # type: ignore[arg-type]
        text = widget.value if isinstance(widget, Input) else ""
        try:
            return parse_number(text, key) if text.strip() else None
        except ValidationError:
            return None

    def _maybe_int(self, key: str) -> int | None:
        text = self.query_one(f"#{key}", Input).value
        try:
            return parse_int(text, key, 1, 365) if text.strip() else None
        except ValidationError:
            return None

    # -- reading the form ------------------------------------------------------------------

    def read_form(self) -> NewPatient:
        """Parse every field; the first bad one raises ValidationError naming its field."""
        def value(key: str) -> str:
            return self.query_one(f"#{key}", Input).value.strip()

        def number(key: str, label: str) -> float | None:
            return parse_number(value(key), label) if value(key) else None

        picker = self.query_one(ConditionPicker)
        formulation = str(self.query_one("#formulation", Select).value)
        protocol = self.query_one("#protocol", Select).value
        condition = picker.condition.key if picker.condition else picker.text.strip()
        if not condition:
            raise _invalid("condition", N_("Please pick the condition from the list."))
        if picker.condition is None and protocol is Select.NULL:
            raise _invalid("condition", N_(
                "{value} is not in the list: pick a condition, or choose a protocol below."),
                value=condition)
        interval = value("interval_days")
        meds = [m.strip() for m in value("medications").split(",") if m.strip()]
        form = NewPatient({
            "name": value("name"),
            "condition": condition,
            "protocol": None if protocol is Select.NULL else str(protocol),
            "start": _field(parse_date, value("start"), "start", _("Start date")),
            "formulation": formulation,
            "concentration_mg_ml": _field(number, "concentration", "concentration",
                                          _("Liquid strength"))
            if formulation == "liquid" else None,
            "weight_kg": _field(number, "weight_kg", "weight_kg", _("Weight")),
            "step_mg": None if self.child else
            float(self.query_one("#step_mg", Select).value),  # type: ignore[arg-type]
            "target_mg": _field(number, "target_mg", "target_mg",
                                _("Target dose")),
            "interval_days": _field(parse_int, interval, "interval_days",
                                    _("Days between steps"), 1, 365) if interval else None,
            "tolerance_days": int(self.query_one("#tolerance_days", Select).value),  # type: ignore[arg-type]
            "transplant": self.query_one("#transplant", Checkbox).value,
            "medications": meds,
            "informed_on": self.informed_on,
        })
        _check_settings(form.values, picker.condition.protocol if picker.condition else None)
        return form


def _check_settings(values: dict[str, Any], implied: str | None) -> None:
    """The protocol's rules (pure), so a refused number is shown before the information page."""
    keys = ("weight_kg", "formulation", "concentration_mg_ml", "step_mg", "tolerance_days",
            "target_mg", "transplant", "interval_days")
    try:
        build_settings(values["protocol"] or implied or "autoimmune", values["start"],
                       **{k: values[k] for k in keys})
    except SettingsError as error:
        raise ValidationError(error.field, error.message) from None


def _invalid(field: str, template: str, **params: Any) -> ValidationError:
    from tracker.i18n import Message

    return ValidationError(field, Message(template, params))


def _field(parse: Any, text: Any, key: str, label: str, *args: Any) -> Any:
    """Parse with the field's label in the message, keeping the key for placing it."""
    try:
        return parse(text, label, *args)
    except ValidationError as error:
        raise ValidationError(key, error.message) from None
