"""The read side of the records, on a plain DB-API connection: no SQLAlchemy import.

Everything a screen or the rules engine reads for one patient goes through :class:`Records`: the
patient's settings, the diary, one day's entries, dismissed alerts. :class:`~tracker.services.
clinic.Clinic` uses it on its session's own connection (same transaction); the app's first
screen uses it on a direct ``sqlite3`` connection (:mod:`tracker.storage.snapshot`), so it can
show today's dose before SQLAlchemy has even been imported (cold start, docs/performance.md).

The SQL is plain and portable (SQLite and PostgreSQL). Only integers and ``date`` objects are
put into it, formatted by this module, never text from a user; values are normalised here:
SQLite gives ISO text and 0/1, a server gives dates and booleans.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any, NamedTuple, Protocol

from tracker.clinical.alert_status import AlertState
from tracker.clinical.alerts import ScoresIn
from tracker.clinical.horizons import PLAN_HORIZON_DAYS
from tracker.clinical.model import Alert, Diary, PatientSettings, Plan
from tracker.clinical.model import ScoreEntry as ScoreValue
from tracker.clinical.records import CheckIn, PatientInfo
from tracker.clinical.vocabulary import SIDE_EFFECTS, SYMPTOMS
from tracker.i18n import N_, Message
from tracker.storage.diary_rows import (
    CHEMO_COLUMNS,
    CLEAR_DAY_COLUMNS,
    DOSE_COLUMNS,
    EFFECT_COLUMNS,
    MEDICATION_COLUMNS,
    SCORE_COLUMNS,
    chemo_of,
    clear_days_of,
    day_or_none,
    day_value,
    diary_of,
    doses_of,
    effects_of,
    medications_of,
    scores_of,
    stored_day,
)
from tracker.validation import ValidationError, today

WINDOWS_A_READ = 100  # score windows read by one statement (Records.scores_in)


class PatientFields(Protocol):
    """A patient's stored fields: the ORM row, or a row read here."""

    id: int
    name: str
    condition: str
    protocol: str
    start_date: date
    start_mg: float
    start_days: int
    step_mg: float
    interval_days: int
    target_mg: float
    max_mg: float
    tolerance_days: int
    min_severity: int
    formulation: str
    concentration_mg_ml: float | None
    weight_kg: float | None
    transplant: bool
    informed_on: date | None
    thyroid_interval_days: int


def info_of(p: PatientFields) -> PatientInfo:
    return PatientInfo(
        id=p.id, name=p.name, condition=p.condition, protocol=p.protocol,
        start_date=p.start_date, formulation=p.formulation,
        concentration_mg_ml=p.concentration_mg_ml, weight_kg=p.weight_kg,
        target_mg=p.target_mg, max_mg=p.max_mg, step_mg=p.step_mg,
        interval_days=p.interval_days, tolerance_days=p.tolerance_days,
        transplant=p.transplant, informed_on=p.informed_on,
    )


def settings_of(p: PatientFields) -> PatientSettings:
    return PatientSettings(
        start_date=p.start_date, protocol=p.protocol, start_mg=p.start_mg,
        start_days=p.start_days, step_mg=p.step_mg, interval_days=p.interval_days,
        target_mg=p.target_mg, max_mg=p.max_mg, tolerance_days=p.tolerance_days,
        min_severity=p.min_severity,
        formulation="liquid" if p.formulation == "liquid" else "capsule",
        concentration_mg_ml=p.concentration_mg_ml, weight_kg=p.weight_kg,
        transplant=p.transplant, informed_on=p.informed_on,
        thyroid_interval_days=p.thyroid_interval_days,
    )


def unknown_patient(patient_id: object) -> ValidationError:
    return ValidationError("patient", Message(
        N_("No patient with id or name {value}."), {"value": patient_id}))


PATIENT_COLUMNS = (
    "id, name, condition, protocol, start_date, start_mg, start_days, step_mg, interval_days, "
    "target_mg, max_mg, tolerance_days, min_severity, formulation, concentration_mg_ml, "
    "weight_kg, transplant, informed_on, thyroid_interval_days")


def patient_from_row(row: Sequence[Any]) -> PatientFields:
    """A patient's fields from a row of :data:`PATIENT_COLUMNS`, values normalised."""
    (pid, name, condition, protocol, start, start_mg, start_days, step_mg, interval, target,
     max_mg, tolerance, min_severity, formulation, concentration, weight, transplant, informed,
     thyroid) = row
    fields: PatientFields = SimpleNamespace(
        id=int(pid), name=name, condition=condition, protocol=protocol,
        start_date=day_value(start), start_mg=float(start_mg), start_days=int(start_days),
        step_mg=float(step_mg), interval_days=int(interval), target_mg=float(target),
        max_mg=float(max_mg), tolerance_days=int(tolerance), min_severity=int(min_severity),
        formulation=formulation, concentration_mg_ml=_float_or_none(concentration),
        weight_kg=_float_or_none(weight), transplant=bool(transplant),
        informed_on=day_or_none(informed), thyroid_interval_days=int(thyroid))
    return fields


class DayPlan(NamedTuple):
    """What one diary day's screens read of the whole diary (:meth:`Records.day_plan`)."""

    plan: Plan
    diary: Diary  # without its symptom scores
    symptoms: list[str]  # every symptom name scored, in the order first scored


class DayReader(Protocol):
    """What a screen reads to show one diary day: :class:`Records`, or the Clinic itself."""

    def list_patients(self) -> list[PatientInfo]: ...

    def patient(self, patient_id: int) -> PatientInfo: ...

    def day_plan(self, patient_id: int, until: date, on: date) -> DayPlan: ...

    def alerts(self, patient_id: int, plan: Plan | None = None,
               include_dismissed: bool = False) -> list[Alert]: ...

    def day_entries(self, patient_id: int, day: date) -> CheckIn: ...


class Records:
    """The reads, on an open DB-API connection (its transaction is the caller's)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def fetch_all(self, sql: str) -> Sequence[Any]:
        """Every row of ``sql`` (built here or in :mod:`tracker.storage.record_set` from
        integers, dates and canonical uuids only), on the caller's connection."""
        return self._rows(sql)

    def _rows(self, sql: str) -> Sequence[Any]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            rows: Sequence[Any] = cursor.fetchall()
        finally:
            cursor.close()
        return rows

    # -- patients ----------------------------------------------------------------------------

    def patient_fields(self, patient_id: int) -> PatientFields:
        pid = _int(patient_id)
        rows = self._rows(f"SELECT {PATIENT_COLUMNS} FROM patient WHERE id = {pid}")
        if not rows:
            raise unknown_patient(patient_id)
        return patient_from_row(rows[0])

    def patient(self, patient_id: int) -> PatientInfo:
        return info_of(self.patient_fields(patient_id))

    def list_patients(self) -> list[PatientInfo]:
        return [info_of(patient_from_row(r))
                for r in self._rows(f"SELECT {PATIENT_COLUMNS} FROM patient ORDER BY id")]

    # -- the diary ---------------------------------------------------------------------------

    def diary(self, patient_id: int, *, scores: bool = True) -> Diary:
        """Everything the rules engine reads for one patient (``scores=False``: no symptom
        scores, which are two thirds of a diary's rows; see :meth:`scores_in`).

        Three years are ~6,500 rows; SQLAlchemy's per-row result processing cost about as much
        as the plan itself, so they are read here with plain SQL, in the order
        :func:`diary_of` documents.
        """
        where = f"WHERE patient_id = {_int(patient_id)}"
        rows = self._rows
        day = stored_day()  # each distinct day's text converted once a process

        return diary_of(
            doses=doses_of(rows(
                f"SELECT {DOSE_COLUMNS} FROM dose_entry {where} ORDER BY day"), day),
            effects=effects_of(rows(
                f"SELECT {EFFECT_COLUMNS} FROM side_effect_report {where} ORDER BY day, name"),
                day),
            clear_days=clear_days_of(rows(
                f"SELECT {CLEAR_DAY_COLUMNS} FROM clear_day {where}"), day),
            scores=scores_of(rows(
                f"SELECT {SCORE_COLUMNS} FROM symptom_score {where} ORDER BY day, symptom"),
                day) if scores else (),
            medications=medications_of(rows(
                f"SELECT {MEDICATION_COLUMNS} FROM medication {where} ORDER BY id")),
            chemo=chemo_of(rows(
                f"SELECT {CHEMO_COLUMNS} FROM chemo_session {where} ORDER BY start_date, id")))

    def scores_in(self, patient_id: int) -> ScoresIn:
        """The patient's scores on the days of the windows the rules ask for (``compute_plan``'s
        ``scores_in``), in the diary's order: a few weeks read, not years."""
        where = f"WHERE patient_id = {_int(patient_id)}"

        def read(windows: list[tuple[date, date]]) -> list[ScoreValue]:
            day = stored_day()
            out: list[ScoreValue] = []
            # One range of the covering index a window (an OR of the ranges made SQLite fetch
            # each row from the table, scattered over the whole file); at most
            # WINDOWS_A_READ a statement (SQLite allows 500 in one compound SELECT). The
            # windows are sorted and apart, so the reads follow one another in day order.
            for at in range(0, len(windows), WINDOWS_A_READ):
                ranges = " UNION ALL ".join(
                    f"SELECT {SCORE_COLUMNS} FROM symptom_score {where} "
                    f"AND day >= '{_iso(first)}' AND day < '{_iso(end)}'"
                    for first, end in windows[at:at + WINDOWS_A_READ])
                out += scores_of(self._rows(f"{ranges} ORDER BY day, symptom"), day)
            return out

        return read

    def last_score_day(self, patient_id: int) -> date | None:
        """The last day with a symptom score."""
        (last,), = self._rows(
            f"SELECT max(day) FROM symptom_score WHERE patient_id = {_int(patient_id)}")
        return day_or_none(last)

    def stale_patients(self, day: date, *, missing_only: bool = False) -> list[int]:
        """Patients without a ``patient_status`` row, or (unless ``missing_only``) with one
        computed for another day than ``day``, by id.

        Plain SQL, as the cohort's rows are read (:mod:`tracker.storage.cohort`): this is the
        clinic screen's first query, and as an ORM query it set up every mapper first, ~20 ms
        of the screen's wait (docs/performance.md)."""
        stale = "" if missing_only else f" OR s.computed_for <> '{_iso(day)}'"
        return [int(pid) for pid, in self._rows(
            "SELECT p.id FROM patient p LEFT JOIN patient_status s ON s.patient_id = p.id "
            f"WHERE s.patient_id IS NULL{stale} ORDER BY p.id")]

    def inputs(self, patient_id: int) -> tuple[PatientSettings, Diary]:
        return settings_of(self.patient_fields(patient_id)), self.diary(patient_id)

    def plan_and_diary(self, patient_id: int, until: date | None = None,
                       on: date | None = None) -> tuple[Plan, Diary]:
        """The plan from its start to ``until`` (default: 4 weeks after today), and its diary."""
        from tracker.clinical import compute_plan

        settings, diary = self.inputs(patient_id)
        now = on or today()
        until = until or now + timedelta(days=PLAN_HORIZON_DAYS)
        return compute_plan(settings, diary, until, today=now), diary

    def plan_without_scores(self, settings: PatientSettings, patient_id: int, until: date,
                            on: date) -> tuple[Plan, Diary, ScoresIn]:
        """The plan to ``until`` as of ``on``, the same as the whole diary gives, read without
        the diary's symptom scores (two thirds of its rows): the rules read those of the few
        weeks they ask for through the ``scores_in`` returned (which a longer plan of the
        same diary takes again)."""
        from tracker.clinical import compute_plan

        diary = self.diary(patient_id, scores=False)
        scores_in = self.scores_in(patient_id)
        return compute_plan(settings, diary, until, today=on, scores_in=scores_in), diary, \
            scores_in

    def day_plan(self, patient_id: int, until: date, on: date) -> DayPlan:
        """:meth:`plan_without_scores`, and the names scored: all a day's screen needs of the
        scores (the patient's own symptoms)."""
        plan, diary, _scores_in = self.plan_without_scores(
            settings_of(self.patient_fields(patient_id)), patient_id, until, on)
        return DayPlan(plan, diary, self.symptom_names(patient_id))

    def symptom_names(self, patient_id: int) -> list[str]:
        """Every symptom name the patient scored, in the order the diary's scores (by day,
        then name) first name it."""
        return [name for name, in self._rows(
            f"SELECT symptom FROM symptom_score WHERE patient_id = {_int(patient_id)} "
            "GROUP BY symptom ORDER BY min(day), symptom")]

    def day_entries(self, patient_id: int, day: date) -> CheckIn:
        """What is logged for one day, as a CheckIn (the app's correction form starts here)."""
        where = f"WHERE patient_id = {_int(patient_id)} AND day = '{_iso(day)}'"
        dose = self._rows(f"SELECT taken, mg, time FROM dose_entry {where}")
        effects = {name: int(sev) for name, sev in _in_list_order(self._rows(
            f"SELECT name, severity FROM side_effect_report {where} ORDER BY id"))}
        clear = self._rows(f"SELECT id FROM clear_day {where}")
        scores = {sym: int(val) for sym, val in _in_list_order(self._rows(
            f"SELECT symptom, value FROM symptom_score {where} ORDER BY id"))}
        note = self._rows(f"SELECT text FROM note {where}")
        taken, mg, time = dose[0] if dose else (None, None, None)
        return CheckIn(day=day, taken=None if taken is None else bool(taken),
                       mg=_float_or_none(mg), time=time, effects=effects,
                       no_side_effects=bool(clear), scores=scores,
                       note=note[0][0] if note else None)

    # -- alerts ------------------------------------------------------------------------------

    def dismissed(self, patient_id: int) -> set[tuple[str, date]]:
        return {(code, day_value(d)) for code, d in self._rows(
            f"SELECT code, day FROM alert_dismissal WHERE patient_id = {_int(patient_id)}")}

    def alerts(self, patient_id: int, plan: Plan | None = None,
               include_dismissed: bool = False) -> list[Alert]:
        """Alerts up to four weeks after today or after the last diary entry or event,
        whichever is later (a diary imported ahead of time is still judged); dismissed ones
        are left out."""
        if plan is None:
            from tracker.clinical import compute_plan

            settings, diary = self.inputs(patient_id)
            now = today()
            horizon = max([now, *diary_days(diary)]) + timedelta(days=PLAN_HORIZON_DAYS)
            plan = compute_plan(settings, diary, horizon, today=now)
        gone = set() if include_dismissed else self.dismissed(patient_id)
        return [a for a in plan.alerts if (a.code, a.day) not in gone]

    def alert_states(self, patient_id: int, plan: Plan | None = None,
                     diary: Diary | None = None) -> list[AlertState]:
        """Every alert of :meth:`alerts` (the same plan), dismissed ones too, with its status
        as of today (SPEC §13, :func:`tracker.clinical.alert_status.alert_states`). ``plan``
        and ``diary`` go together: a plan given is read with the diary it was computed from
        (read here when not given)."""
        from tracker.clinical import compute_plan
        from tracker.clinical.alert_status import alert_states

        now = today()
        if diary is None:
            settings, diary = self.inputs(patient_id)
            if plan is None:
                horizon = max([now, *diary_days(diary)]) + timedelta(days=PLAN_HORIZON_DAYS)
                plan = compute_plan(settings, diary, horizon, today=now)
        elif plan is None:
            return self.alert_states(patient_id)
        return list(alert_states(plan, diary, now, self.dismissed(patient_id)))


def diary_days(diary: Diary) -> list[date]:
    """The last day of each kind of diary entry, and every event's dates."""
    days: list[date] = [d.day for d in diary.doses[-1:]] + [e.day for e in diary.effects[-1:]]
    days += [s.day for s in diary.scores[-1:]] + list(diary.clear_days)
    days += [d for m in diary.medications for d in (m.start, m.end) if d is not None]
    days += [c.end for c in diary.chemo]
    return days


_LIST_ORDER = {term.key: rank for rank, term in enumerate(SIDE_EFFECTS + SYMPTOMS)}


def _in_list_order(rows: Sequence[Any]) -> list[Any]:
    """Known side effects and symptoms in the order of the app's lists, the patient's own
    after them in the order first logged."""
    return sorted(rows, key=lambda row: _LIST_ORDER.get(row[0], len(_LIST_ORDER)))


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: object) -> int:
    """A patient id as it goes into the SQL: an integer, never text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return int(value)
    raise unknown_patient(value)


def _iso(day: date) -> str:
    if not isinstance(day, date):
        raise TypeError(f"a date, not {type(day).__name__}")
    return day.isoformat()
