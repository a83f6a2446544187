"""How a bundle compares with what the database holds, for :mod:`tracker.services.importing`.

:func:`compare` reads nothing and writes nothing: given the rows a bundle holds
(:class:`~tracker.services.fhir_import.Incoming`) and the patient's rows in the database (a
:class:`~tracker.storage.record_set.RecordSet`, or ``None`` for a patient it does not hold), it
returns a :class:`Merge`: what is new, what differs (a conflict, named in the user's language)
and, for each, what the import would write; its :class:`ImportResult` counts them. A value is
the same when it is equal, a float to within rounding, so a file taken in twice adds nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.clinical.vocabulary import label_of
from tracker.i18n import N_, Message, _, format_mg
from tracker.services.fhir_import import Incoming
from tracker.storage.record_set import RecordSet

# The patient's fields a bundle carries and an import compares (the name and the protocol).
SETTING_FIELDS = ("name", "condition", "protocol", "start_date", "start_mg", "start_days",
                  "step_mg", "interval_days", "target_mg", "max_mg", "tolerance_days",
                  "min_severity", "formulation", "concentration_mg_ml", "weight_kg",
                  "transplant", "informed_on", "thyroid_interval_days")


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    patient_id: int | None  # None: a dry run of a patient the database does not hold yet
    new_patient: bool
    added: Counter[str] = field(default_factory=Counter)
    corrected: Counter[str] = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)
    passed_over: list[str] = field(default_factory=list)

    @property
    def entries_added(self) -> int:
        return sum(self.added.values())

    @property
    def entries_corrected(self) -> int:
        return sum(self.corrected.values())


def _same(one: Any, other: Any) -> bool:
    """Equal, floats (doses, settings) to within rounding; tuples element by element."""
    if isinstance(one, tuple) and isinstance(other, tuple):
        return len(one) == len(other) and all(map(_same, one, other))
    if isinstance(one, float) or isinstance(other, float):
        return one is not None and other is not None and abs(float(one) - float(other)) < 1e-9
    return bool(one == other)


class Merge:
    """The comparison of a bundle with what the database holds, and what applying it writes
    (:func:`tracker.services.importing.import_bundle` writes it)."""

    def __init__(self, incoming: Incoming, existing: RecordSet | None, replace: bool) -> None:
        self.incoming = incoming
        self.existing = existing
        self.replace = replace
        self.result = ImportResult(patient_id=existing.patient.id if existing else None,
                                   new_patient=existing is None,
                                   passed_over=list(incoming.passed_over))
        self.days: dict[date, dict[str, Any]] = {}  # a CheckIn's fields, per day
        self.identity: dict[date, dict[tuple[str, str | None], str]] = defaultdict(dict)
        self.settings_changes: dict[str, Any] = {}
        self.new_medications: list[Any] = []
        self.changed_medications: list[tuple[str, dict[str, Any]]] = []
        self.new_chemo: list[Any] = []
        self.changed_chemo: list[tuple[str, dict[str, Any]]] = []
        self.new_dismissals: list[Any] = []

    def conflict(self, day: date | None, template: str, **params: Any) -> bool:
        """Record a conflict (told in the user's language); True when the file's value is to
        be applied (``replace``)."""
        what = Message(template, params).render()
        self.result.conflicts.append(f"{day.isoformat()}: {what}" if day else what)
        return self.replace

    def day(self, day: date) -> dict[str, Any]:
        """What the import writes on ``day``: the fields of a :class:`CheckIn`."""
        entry = self.days.get(day)
        if entry is None:
            entry = self.days[day] = {"effects": {}, "scores": {}}
        return entry

    # -- the patient -----------------------------------------------------------------------

    def settings(self) -> None:
        wanted = dict(self.incoming.settings or {})
        if self.incoming.name is not None:
            wanted["name"] = self.incoming.name
        if self.existing is None or not wanted:
            return
        patient = self.existing.patient
        for name in SETTING_FIELDS:
            if name not in wanted or _same(getattr(patient, name), wanted[name]):
                continue
            if self.conflict(None, N_("{name}: {here} here, {there} in the file"), name=name,
                             here=str(getattr(patient, name)), there=str(wanted[name])):
                self.settings_changes[name] = wanted[name]
                self.result.corrected["patient"] += 1

    # -- the diary -------------------------------------------------------------------------

    def _one(self, kind: str, day: date, old: Any, new: Any, what: Message,
             identity: tuple[str, str | None], row_uuid: str) -> bool:
        """One value of the file against the database's (``old`` None: there is none);
        True when the file's value is to be written (new, or a correction with ``replace``)."""
        if old is None:
            self.result.added[kind] += 1
            self.identity[day][identity] = row_uuid
            return True
        if _same(old, new) or not self.conflict(day, what.template, **what.params):
            return False
        self.result.corrected[kind] += 1
        return True

    def diary(self) -> None:
        ex = self.existing
        doses = {r.day: r for r in ex.doses} if ex else {}
        effects = {(r.day, r.name): r.severity for r in ex.effects} if ex else {}
        clear = {r.day for r in ex.clear_days} if ex else set()
        scores = {(r.day, r.symptom): r.value for r in ex.scores} if ex else {}
        notes = {r.day: r.text for r in ex.notes} if ex else {}
        for dose in self.incoming.doses:
            was = doses.get(dose.day)
            time = dose.time if dose.time is not None or was is None else was.time
            if self._one("dose", dose.day, None if was is None else (was.taken, was.mg, was.time),
                         (dose.taken, dose.mg, time),
                         _differs(N_("dose"), _dose(was.taken, was.mg) if was else "",
                                  _dose(dose.taken, dose.mg)), ("dose", None), dose.uuid):
                self.day(dose.day).update(taken=dose.taken, mg=dose.mg, time=time)
        for effect in self.incoming.effects:
            old = effects.get((effect.day, effect.name))
            # "No side effects" that day here: the file's report would end it.
            ends_clear = old is None and effect.severity > 0 and effect.day in clear
            if ends_clear and not self.conflict(
                    effect.day, N_("no side effects here, {name} {there} in the file"),
                    name=_(label_of(effect.name)), there=effect.severity):
                continue
            if self._one("side effect", effect.day, old, effect.severity,
                         _differs(label_of(effect.name), old, effect.severity),
                         ("effect", effect.name), effect.uuid):
                self.day(effect.day)["effects"][effect.name] = effect.severity
        incoming_effects = {(r.day, r.name): r.severity for r in self.incoming.effects}
        for free in self.incoming.clear_days:
            if free.day in clear:
                continue
            worse = sorted(n for (d, n), severity in effects.items()
                           if d == free.day and severity > 0
                           and incoming_effects.get((d, n), severity) > 0)
            if worse and not self.conflict(
                    free.day, N_("{names} here, no side effects in the file"),
                    names=", ".join(_(label_of(n)) for n in worse)):
                continue
            self._one("no side effects", free.day, None, True, Message(""), ("clear", None),
                      free.uuid)
            self.day(free.day)["no_side_effects"] = True
        for score in self.incoming.scores:
            was_value = scores.get((score.day, score.symptom))
            if self._one("score", score.day, was_value, score.value,
                         _differs(label_of(score.symptom), was_value, score.value),
                         ("score", score.symptom), score.uuid):
                self.day(score.day)["scores"][score.symptom] = score.value
        for note in self.incoming.notes:
            if self._one("note", note.day, notes.get(note.day), note.text,
                         Message(N_("the note differs")),
                         ("note", None), note.uuid):
                self.day(note.day)["note"] = note.text

    # -- events and dismissals -------------------------------------------------------------

    def events(self) -> None:
        ex = self.existing
        meds = {r.uuid: r for r in ex.medications} if ex else {}
        meds_by_name = {(r.name.casefold(), r.start): r for r in ex.medications} if ex else {}
        for row in self.incoming.medications:
            old = meds.get(row.uuid) or meds_by_name.get((row.name.casefold(), row.start))
            if old is None:
                self.result.added["medication"] += 1
                self.new_medications.append(row)
            elif (old.name, old.start, old.end) != (row.name, row.start, row.end) \
                    and self.conflict(row.start, N_("the medication {name} differs"),
                                      name=old.name):
                self.result.corrected["medication"] += 1
                self.changed_medications.append((old.uuid, {
                    "name": row.name, "start_date": row.start, "end_date": row.end}))
        chemo = {r.uuid: r for r in ex.chemo} if ex else {}
        chemo_days = {(r.start, r.end) for r in ex.chemo} if ex else set()
        for crow in self.incoming.chemo:
            old_chemo = chemo.get(crow.uuid)
            if old_chemo is None and (crow.start, crow.end) in chemo_days:
                continue
            if old_chemo is None:
                self.result.added["chemotherapy"] += 1
                self.new_chemo.append(crow)
            elif (old_chemo.start, old_chemo.end) != (crow.start, crow.end) and self.conflict(
                    crow.start, N_("the chemotherapy session differs")):
                self.result.corrected["chemotherapy"] += 1
                self.changed_chemo.append((old_chemo.uuid, {"start_date": crow.start,
                                                            "end_date": crow.end}))
        dismissed = {(r.code, r.day) for r in ex.dismissals} if ex else set()
        for drow in self.incoming.dismissals:
            if (drow.code, drow.day) not in dismissed:
                self.result.added["dismissed alert"] += 1
                self.new_dismissals.append(drow)


def _dose(taken: bool, mg: float | None) -> str:
    return format_mg(mg) if taken and mg is not None else _("skipped")


def _differs(what: str, here: Any, there: Any) -> Message:
    return Message(N_("{what} {here} here, {there} in the file"),
                   {"what": _(what), "here": here, "there": there})


def compare(incoming: Incoming, existing: RecordSet | None, replace: bool) -> Merge:
    merge = Merge(incoming, existing, replace)
    merge.settings()
    merge.diary()
    merge.events()
    if existing is None:
        merge.result.added["patient"] += 1
    return merge
