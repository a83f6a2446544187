"""One day's diary as a form: the dose taken or skipped, side effects 0–4, scores 0–10, a note.

Used by the Today screen and by the history's correction dialog, so both behave the same. The
form never touches the database: it turns key presses into a
:class:`~tracker.services.clinic.CheckIn` and shows the validation errors it is given beside the
fields they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from tracker.clinical.records import CheckIn, same_entries
from tracker.clinical.vocabulary import SEVERITY_LABELS, SIDE_EFFECTS, SYMPTOMS
from tracker.i18n import N_, _, format_mg
from tracker.validation import ValidationError, now_time, parse_number, parse_time
from tracker.widgets.field_message import FieldMessage
from tracker.widgets.rating_list import RatingList, RatingRow

# Side effects the guide names for one condition only.
CONDITION_EFFECTS = {"increased_fatigue": ("ms",), "spasticity": ("ms",), "flu_like": ("cfs_me",)}
ERROR_FIELDS = {"mg": "dose", "time": "time", "severity": "effects", "name": "effects",
                "value": "scores", "symptom": "scores", "note": "note"}


def effect_rows(condition: str, own: list[str], saved: dict[str, int]) -> list[RatingRow]:
    rows = [RatingRow(t.key, t.label, saved.get(t.key)) for t in SIDE_EFFECTS
            if t.key not in CONDITION_EFFECTS or condition in CONDITION_EFFECTS[t.key]
            or t.key in saved]
    return _with_own(rows, own, saved)


def score_rows(own: list[str], saved: dict[str, int]) -> list[RatingRow]:
    return _with_own([RatingRow(t.key, t.label, saved.get(t.key)) for t in SYMPTOMS],
                     own, saved)


def _with_own(rows: list[RatingRow], own: list[str], saved: dict[str, int]) -> list[RatingRow]:
    """The known rows, then the patient's own names and any other saved one, once each."""
    known = {r.key for r in rows}
    for name in [*own, *saved]:
        if name not in known:
            rows.append(RatingRow(name, name, saved.get(name)))
            known.add(name)
    return rows


class CheckInForm(Vertical):
    DEFAULT_CSS = """
    CheckInForm {
        height: auto;
    }
    CheckInForm #dose-row { height: auto; }
    CheckInForm #dose-line {
        width: auto;
        height: auto;
        padding: 0 1;
    }
    CheckInForm #time-label { padding: 0 0 0 2; }
    CheckInForm #time { width: 7; margin: 0 0 0 1; }
    CheckInForm #dose-line.taken { color: $success; }
    CheckInForm #dose-line.skipped { color: $warning; }
    CheckInForm #lists {
        height: auto;
    }
    CheckInForm .rating-box {
        width: 1fr;
        height: auto;
        border: round $panel;
    }
    /* Named by its class, not "Vertical": the form is a Vertical too, and a widget a
       :focus-within rule can match has its whole subtree restyled at every focus move. */
    CheckInForm .rating-box:focus-within {
        border: round $accent;
    }
    CheckInForm FieldMessage { padding: 0 1; }
    CheckInForm #clear-line { color: $success; }
    CheckInForm #mg-row { height: auto; }
    CheckInForm #mg-row.hidden { display: none; }
    CheckInForm #mg-row Label { padding: 1 1 0 1; }
    CheckInForm #mg { width: 16; }
    CheckInForm #note-row { height: 1; }
    CheckInForm #note-row Label { padding: 0 1; }
    CheckInForm #note { width: 1fr; }
    """
    BINDINGS = [
        Binding("t", "taken", N_("Taken")),
        Binding("x", "skipped", N_("Skipped")),
        Binding("n", "no_effects", N_("No side effects")),
        Binding("d", "other_dose", N_("Another dose"), show=False),
        # In the help (?), not the footer: 80 columns hold the evening's keys and no more.
        Binding("e", "note", N_("Note"), show=False),
        Binding("a", "add_effect", N_("Own side effect"), show=False),
        Binding("g", "add_symptom", N_("Own symptom"), show=False),
    ]

    @dataclass
    class Changed(Message):
        form: CheckInForm

        @property
        def control(self) -> CheckInForm:
            return self.form

    @dataclass
    class AddOwn(Message):
        """The patient wants to add their own side effect or target symptom."""

        form: CheckInForm
        kind: str  # "effect" or "symptom"

    def __init__(self, day: date, saved: CheckIn, planned_mg: float, condition: str,
                 own_effects: list[str], own_symptoms: list[str], *, edit_mg: bool = False,
                 draft: CheckIn | None = None, id: str | None = None) -> None:
        """``saved`` is what the database holds; ``draft`` (unsaved input) fills the form."""
        super().__init__(id=id)
        self.day = day
        self.saved = saved
        shown = draft or saved
        self.planned_mg = planned_mg
        self.taken = shown.taken
        self.time = shown.time
        self.mg = shown.mg
        self.note = shown.note
        self.no_side_effects = shown.no_side_effects
        self.edit_mg = edit_mg
        self.mg_text = _mg_text(self.mg) if self.mg else ""
        self._effects = effect_rows(condition, own_effects, shown.effects)
        self._scores = score_rows(own_symptoms, shown.scores)

    def compose(self) -> ComposeResult:
        with Horizontal(id="dose-row"):
            yield Static(self._dose_text(), id="dose-line")
            yield Label(_("Time"), id="time-label")
            yield Input(self.time or "", id="time", placeholder="HH:MM", compact=True,
                        max_length=5)
        yield FieldMessage(id="time-error")
        # Today offers it on "d" (another dose than planned); the day editor always shows it.
        with Horizontal(id="mg-row", classes="" if self.edit_mg else "hidden"):
            yield Label(_("Dose taken (mg)"))
            yield Input(self.mg_text, id="mg", placeholder="4,5")
        yield FieldMessage(id="dose-error")
        with Horizontal(id="lists"):
            with Vertical(id="effects-box", classes="rating-box") as box:
                box.border_title = _("Side effects (0–4)")
                yield RatingList(self._effects, 4, SEVERITY_LABELS, id="effects")
                yield FieldMessage(self._clear_text(), kind="hint", id="clear-line")
                yield FieldMessage(id="effects-error")
            with Vertical(id="scores-box", classes="rating-box") as box:
                box.border_title = _("Symptoms (0–10, higher is worse)")
                yield RatingList(self._scores, 10, id="scores")
                yield FieldMessage(id="scores-error")
        with Horizontal(id="note-row"):
            yield Label(_("Note"))
            yield Input(self.note or "", id="note", compact=True,
                        placeholder=_("Anything else about today (optional)"))
        yield FieldMessage(id="note-error")

    def on_mount(self) -> None:
        from tracker.widgets.translated import translate_bindings

        translate_bindings(self)

    # -- state -----------------------------------------------------------------------------

    def _dose_text(self, typed_mg: float | None = None) -> str:
        if self.taken is True:
            shown = typed_mg or self.mg
            mg = format_mg(shown) if shown else ""
            return "✓ " + _("Dose taken: {dose}{at}").format(dose=mg, at="")
        if self.taken is False:
            return "✗ " + _("Dose skipped")
        return "○ " + _("Dose not logged yet: t = taken, x = skipped")

    def _clear_text(self) -> str:
        return ("✓ " + _("No side effects today")) if self.no_side_effects else ""

    def _refresh_dose(self) -> None:
        line = self.query_one("#dose-line", Static)
        line.update(self._dose_text())
        line.set_classes("taken" if self.taken else "skipped" if self.taken is False else "")

    def action_taken(self) -> None:
        self.clear_errors()
        if self.planned_mg <= 0 and not self.edit_mg:
            self.show_error("mg", _("No LDN is planned today: nothing to take."))
            return
        self.taken = True
        time = self.query_one("#time", Input)
        if not time.value.strip() and self.day == _today():
            time.value = now_time()  # taken today: now, unless a time was given
        self.mg = self.mg or self.planned_mg
        if self.edit_mg and self.planned_mg > 0:
            mg = self.query_one("#mg", Input)
            if not mg.value.strip():
                mg.value = _mg_text(self.planned_mg)  # taken: the day's planned dose
        self._refresh_dose()
        self.post_message(self.Changed(self))

    def action_skipped(self) -> None:
        self.clear_errors()
        self.taken = False
        self._refresh_dose()
        self.post_message(self.Changed(self))

    def action_other_dose(self) -> None:
        """Taken, at a dose typed in (the planned one until another is typed)."""
        if not self.edit_mg:
            self.edit_mg = True
            self.query_one("#mg-row").remove_class("hidden")
            self.action_taken()
        self.change_dose()

    def action_no_effects(self) -> None:
        self.no_side_effects = True
        effects = self.query_one("#effects", RatingList)
        for row in effects.rows:
            if row.value:
                row.value = 0
        effects.refresh()
        self.query_one("#clear-line", FieldMessage).show(self._clear_text())
        self.post_message(self.Changed(self))

    def action_note(self) -> None:
        self.query_one("#note", Input).focus()

    def action_add_effect(self) -> None:
        self.post_message(self.AddOwn(self, "effect"))

    def action_add_symptom(self) -> None:
        self.post_message(self.AddOwn(self, "symptom"))

    def add_own(self, kind: str, name: str) -> None:
        target = self.query_one("#effects" if kind == "effect" else "#scores", RatingList)
        target.add_row(RatingRow(name, name))
        target.focus()

    def on_rating_list_changed(self, event: RatingList.Changed) -> None:
        if event.rating_list.id == "effects" and event.value:
            self.no_side_effects = False
            self.query_one("#clear-line", FieldMessage).show("")
        self.post_message(self.Changed(self))

    def change_dose(self) -> None:
        """Put the focus where the dose is typed (after "change the dose")."""
        if self.edit_mg:
            mg = self.query_one("#mg", Input)
            mg.focus()
            mg.cursor_position = len(mg.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A dose typed in: the dose line says it as it will be saved (once it is a number)."""
        if event.input.id == "mg" and self.taken:
            try:
                mg = parse_number(event.value, "mg") if event.value.strip() else None
            except ValidationError:
                return
            if mg is not None and mg > 0:
                self.query_one("#dose-line", Static).update(self._dose_text(mg))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("note", "time", "mg"):
            event.stop()
            self.query_one("#effects", RatingList).focus()

    def key_escape(self) -> bool | None:
        if isinstance(self.app.focused, Input):
            self.query_one("#effects", RatingList).focus()
            return True
        return None

    # -- results and errors ----------------------------------------------------------------

    def check_in(self, reason: str | None = None) -> CheckIn:
        """The form's content; a typed mg is parsed here (a decimal comma is fine)."""
        mg = self.mg
        if self.edit_mg and self.taken:
            text = self.query_one("#mg", Input).value
            mg = parse_number(text, "mg") if text.strip() else None
        typed = self.query_one("#time", Input).value
        time = parse_time(typed, "time") if self.taken and typed.strip() else None
        note = self.query_one("#note", Input).value
        return CheckIn(
            day=self.day, taken=self.taken, mg=mg if self.taken else None,
            time=time,
            effects=self.query_one("#effects", RatingList).values(),
            no_side_effects=self.no_side_effects,
            scores=self.query_one("#scores", RatingList).values(),
            note=note if (note.strip() or self.saved.note) else None,
            reason=reason,
        )

    def has_changes(self) -> bool:
        """Whether the form holds something not saved (what it shows differs from ``saved``)."""
        try:
            entry = self.check_in()
        except ValidationError:
            return True  # something typed that cannot be saved as it is: still the patient's
        if self.edit_mg and self.taken and self.mg and \
                self.query_one("#mg", Input).value == self.mg_text:
            entry = replace(entry, mg=self.mg)  # the shown, rounded dose, untouched
        return not same_entries(entry, self.saved)

    def clear_errors(self) -> None:
        for error in self.query(".error").results(FieldMessage):
            error.show("")

    def show_error(self, field: str, text: str) -> None:
        self.clear_errors()
        where = ERROR_FIELDS.get(field, "dose")
        self.query_one(f"#{where}-error", FieldMessage).show(text)


def _mg_text(mg: float) -> str:
    """A dose as it is typed into the mg field: "1,5" in Danish, "1.5" in English."""
    return format_mg(mg).removesuffix(" mg")


def _today() -> date:
    from tracker.validation import today

    return today()
