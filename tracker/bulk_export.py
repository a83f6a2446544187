"""``export --all``: the six CSV files of SPEC §9 for a whole clinic, table by table.

The files are byte for byte those of the plain per-patient path (each patient's
:func:`~tracker.review.patient_frames`, concatenated, written by
:func:`~tracker.export.export_frames`; ``tests/integration/test_export_bulk.py`` holds the two to
that). What makes it fast (docs/performance.md, "Export"):

- each table is read once for all the patients (:mod:`tracker.bulk`), not once per patient;
- the rows are sorted and grouped with numpy, and every distinct value is formatted once: a
  diary line is the patient's prefix (``id,name,``) and the text of its other cells, which
  repeat (a few thousand dates, symptoms and values for millions of rows), so a patient's
  lines are ``prefix.join`` of texts picked by integer codes. The rules engine's diary values
  (immutable) are shared the same way;
- the plan's reasons are rendered once per distinct sentence, not once per day;
- the summary's trend figures are computed for all patients at once
  (:mod:`tracker.analysis.bulk`);
- the patients are split over worker processes (``patient_id % workers``), each reading and
  writing its own share; the parent puts every patient's pieces in order and writes the files.

The cyclic garbage collector is paused while a share is built: it holds millions of small
objects that live until the end, and the collector kept scanning them (a third of the time).
"""

from __future__ import annotations

import gc
import os
import string
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.bulk import CohortFrames, summaries
from tracker.analysis.summary import episode_entries, summary_rows
from tracker.bulk import ClinicRows, day_value, read_clinic
from tracker.clinical import compute_plan, is_opioid
from tracker.clinical.model import (
    ChemoSession,
    Diary,
    DoseEntry,
    EffectEntry,
    Medication,
    ScoreEntry,
)
from tracker.cohort import OUTLOOK_DAYS
from tracker.export import Cells
from tracker.i18n import Message, _, get_language, set_language
from tracker.review import PLAN_HORIZON_DAYS, within

PATIENTS_PER_WORKER = 250  # below this a worker process costs more than it saves
MAX_WORKERS = 8
DAY_BITS = 22  # a day ordinal fits in 22 bits (date.max is 3,652,059)

Chunks = dict[int, list[bytes]]  # patient id -> its part of each file (EXPORT_FILES order)


def default_workers(patients: int) -> int:
    """How many processes to build ``patients`` patients' files in (1: this one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS, patients // PATIENTS_PER_WORKER))


def export_in_workers(target: str, ids: list[int], dialect: str, today: date,
                      workers: int) -> Chunks:
    """:func:`build_share` of every patient in ``ids``, split over ``workers`` processes, each
    opening the database ``target`` itself and reading its own share."""
    language = get_language()
    shares = [[pid for pid in ids if pid % workers == k] for k in range(workers)]
    chunks: Chunks = {}
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_share_in_worker, target, share, k, workers, dialect, today,
                               language) for k, share in enumerate(shares) if share]
        for future in futures:
            chunks.update(future.result())
    return chunks


def _share_in_worker(target: str, ids: list[int], shard: int, shards: int, dialect: str,
                     today: date, language: str) -> Chunks:
    from tracker.db import Database

    set_language(language)
    db = Database(target, migrate=False, backup=False)
    try:
        with db.read() as session:
            connection = session.connection().connection.driver_connection
            assert connection is not None
            return build_share(connection.cursor(), ids, shard, shards, dialect, today)
    finally:
        db.dispose()


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_share(cursor: Any, ids: list[int], shard: int, shards: int, dialect: str,
                today: date) -> Chunks:
    """The six files' parts of the patients ``ids`` (all in ``shard``), read on ``cursor``."""
    with _no_cyclic_gc():
        rows = read_clinic(cursor, ids, shard, shards)
        return _Share(rows, ids, Cells(dialect), today).build()


# -- columns to codes ----------------------------------------------------------------------------

def _codes(column: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """Integer codes of a column's values (None: -1) and the distinct values."""
    if not len(column):
        return np.zeros(0, dtype=np.int64), []
    codes, uniques = pd.factorize(np.asarray(column, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), list(uniques)


def _sorted_codes(column: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """:func:`_codes` numbered in the values' sort order (text: Python's, by code point)."""
    codes, uniques = _codes(column)
    order = sorted(range(len(uniques)), key=uniques.__getitem__)
    rank = np.empty(len(uniques) + 1, dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    rank[-1] = -1  # None stays -1
    return rank[codes], [uniques[i] for i in order]


def _combine(*parts: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """One code per row for several code columns (each ``(codes, how many)``, codes from
    -1), and for each distinct combination the codes it stands for (a row per combination)."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, size in parts:
        key = key * (size + 1) + (codes + 1)
    combined, uniques = pd.factorize(key)
    members = np.empty((len(uniques), len(parts)), dtype=np.int64)
    rest = np.asarray(uniques, dtype=np.int64)
    for i in range(len(parts) - 1, -1, -1):
        size = parts[i][1] + 1
        members[:, i] = rest % size - 1
        rest = rest // size
    return combined.astype(np.int64), members


def _take(texts: list[Any], codes: np.ndarray) -> list[Any]:
    if not len(codes):
        return []
    picked: list[Any] = np.asarray(texts, dtype=object)[codes].tolist()
    return picked


@dataclass
class _Table:
    """A table's rows of this share, sorted by patient, each patient's run bounded."""

    bounds: np.ndarray  # patient i's rows are bounds[i] … bounds[i + 1]

    def run(self, i: int) -> tuple[int, int]:
        return int(self.bounds[i]), int(self.bounds[i + 1])


def _chunk(prefix: str, lines: list[str]) -> str:
    """A patient's lines: each is ``prefix`` + the line's text."""
    return prefix + prefix.join(lines) if lines else ""


class _Share:
    """The files' parts of one share of the patients (see the module's docstring)."""

    def __init__(self, rows: ClinicRows, ids: list[int], cells: Cells, today: date) -> None:
        self.rows = rows
        self.ids = ids
        self.cells = cells
        self.today = today
        self.sep = cells.separator
        self.nl = cells.newline
        self.rank = {pid: i for i, pid in enumerate(ids)}
        self._ids_sorted = np.array(sorted(self.rank), dtype=np.int64)
        self._rank_sorted = np.array([self.rank[p] for p in sorted(self.rank)], dtype=np.int64)
        self._ordinals: dict[Any, int] = {}
        self._dates: dict[int, date] = {}
        self._iso: dict[int, str] = {}
        self._reasons: dict[Any, str] = {}
        self._fields: dict[str, tuple[str, ...]] = {}

    # -- shared conversions ------------------------------------------------------------------

    def patients_of(self, column: Sequence[Any]) -> np.ndarray:
        """Each row's patient as its number in ``ids`` (-1: not asked for)."""
        pids = np.asarray(column, dtype=np.int64)
        at = np.searchsorted(self._ids_sorted, pids)
        at = np.minimum(at, max(len(self._ids_sorted) - 1, 0))
        found = self._ids_sorted[at] == pids if len(self._ids_sorted) else np.zeros(0, bool)
        return np.where(found, self._rank_sorted[at], -1)

    def days_of(self, column: Sequence[Any]) -> np.ndarray:
        """Each row's day as an ordinal (ISO text or a date, converted once per value)."""
        known = self._ordinals
        for value in set(column) - known.keys():
            day = day_value(value)
            known[value] = ordinal = day.toordinal()
            self._dates[ordinal] = day
        return np.fromiter(map(known.__getitem__, column), dtype=np.int64, count=len(column))

    def iso(self, ordinal: int) -> str:
        text = self._iso.get(ordinal)
        if text is None:
            day = self._dates.get(ordinal) or date.fromordinal(ordinal)
            text = self._iso[ordinal] = self.cells.cell(day)
        return text

    def date(self, ordinal: int) -> date:
        day = self._dates.get(ordinal)
        if day is None:
            day = self._dates[ordinal] = date.fromordinal(ordinal)
        return day

    def sorted_table(self, keep: np.ndarray, patient: np.ndarray,
                     *keys: np.ndarray) -> tuple[np.ndarray, _Table]:
        """The order of the kept rows by patient then ``keys``, and the patients' runs."""
        index = np.flatnonzero(keep)
        order = index[np.lexsort(tuple(k[index] for k in reversed(keys)) + (patient[index],))]
        bounds = np.searchsorted(patient[order], np.arange(len(self.ids) + 1))
        return order, _Table(bounds)

    def reason(self, message: Message) -> str:
        """A message rendered, as a cell; rendered once per distinct sentence."""
        try:
            key = self._message_key(message)
        except KeyError:  # a parameter missing: the rendering says which
            return self.cells.cell(message.render())
        try:
            return self._reasons[key]
        except KeyError:
            text = self._reasons[key] = self.cells.cell(message.render())
            return text
        except TypeError:  # a parameter that is no key: rendered every time
            return self.cells.cell(message.render())

    def _message_key(self, message: Message) -> Any:
        """What a rendering depends on: the template and the parameters it shows, each with
        its type (a bool renders unlike an int), nested messages by their own key."""
        fields = self._fields.get(message.template)
        if fields is None:
            names = set()
            for template in (message.template, _(message.template)):
                for _text, name, _spec, _conversion in string.Formatter().parse(template):
                    if name is not None:
                        names.add(name.split(".")[0].split("[")[0])
            fields = self._fields[message.template] = tuple(sorted(names))
        params = message.params
        values = []
        for name in fields:
            value = params[name]
            values.append(("m", self._message_key(value)) if isinstance(value, Message)
                          else (value.__class__, value))
        return (message.template, *values)

    # -- the tables --------------------------------------------------------------------------

    def build(self) -> Chunks:
        rows = self.rows
        n = len(self.ids)
        cell = self.cells.cell
        sep, nl = self.sep, self.nl
        patients = {p.id: p for p in rows.patients}
        prefixes = [f"{pid}{sep}{cell(patients[pid].name)}{sep}" for pid in self.ids]
        out: list[list[str]] = [["", "", "", "", "", ""] for _ in range(n)]

        # scores.csv, and the engine's scores
        pid, day, symptom, value = rows.scores
        s_patient = self.patients_of(pid)
        s_day = self.days_of(day)
        s_symptom, s_names = _sorted_codes(symptom)
        s_value, s_values = _codes(value)
        order, scores = self.sorted_table(s_patient >= 0, s_patient, s_day, s_symptom)
        s_patient, s_day, s_symptom = s_patient[order], s_day[order], s_symptom[order]
        s_value = s_value[order]
        code, members = _combine((s_day - s_day.min() if len(s_day) else s_day,
                                  int(s_day.max() - s_day.min()) + 1 if len(s_day) else 0),
                                 (s_symptom, len(s_names)), (s_value, len(s_values)))
        base = int(s_day.min()) if len(s_day) else 0
        score_lines = [f"{self.iso(base + int(d))}{sep}{cell(s_names[s])}{sep}"
                       f"{cell(int(s_values[v]))}{nl}" for d, s, v in members.tolist()]
        score_values = [ScoreEntry(self.date(base + int(d)), s_names[s], int(s_values[v]))
                        for d, s, v in members.tolist()]
        score_lines_all = _take(score_lines, code)
        score_values_all = _take(score_values, code)
        for i in range(n):
            a, b = scores.run(i)
            out[i][2] = _chunk(prefixes[i], score_lines_all[a:b])

        # side_effects.csv (effects and clear days), and the engine's effects and clear days
        pid, day, name, severity = rows.effects
        c_pid, c_day = rows.clear_days
        e_count = len(pid)
        both_patient = self.patients_of(tuple(pid) + tuple(c_pid))
        both_day = self.days_of(tuple(day) + tuple(c_day))
        e_name, e_names = _sorted_codes(tuple(name) + (None,) * len(c_pid))
        e_severity, e_severities = _codes(tuple(severity) + (None,) * len(c_pid))
        clear = np.arange(len(both_day)) >= e_count
        order, effects = self.sorted_table(both_patient >= 0, both_patient, both_day,
                                           clear, e_name)
        o_day, o_name, o_sev, o_clear = both_day[order], e_name[order], e_severity[order], \
            clear[order]
        base = int(o_day.min()) if len(o_day) else 0
        code, members = _combine((o_day - base, int(o_day.max() - base) + 1 if len(o_day) else 0),
                                 (o_name, len(e_names)), (o_sev, len(e_severities)),
                                 (o_clear.astype(np.int64), 2))
        effect_lines = []
        effect_values: list[EffectEntry | date] = []
        for d, nm, sv, cl in members.tolist():
            the_day = self.date(base + int(d))
            if cl:
                effect_lines.append(f"{self.iso(base + int(d))}{sep}{sep}0{sep}"
                                    f"{cell(True)}{nl}")
                effect_values.append(the_day)
            else:
                effect_lines.append(f"{self.iso(base + int(d))}{sep}{cell(e_names[nm])}{sep}"
                                    f"{cell(int(e_severities[sv]))}{sep}{cell(False)}{nl}")
                effect_values.append(EffectEntry(the_day, e_names[nm], int(e_severities[sv])))
        effect_lines_all = _take(effect_lines, code)
        effect_values_all = _take(effect_values, code)
        for i in range(n):
            a, b = effects.run(i)
            out[i][1] = _chunk(prefixes[i], effect_lines_all[a:b])

        # doses.csv (dose entries and notes, one line per day), and the engine's doses
        pid, day, taken, mg, time = rows.doses
        n_pid, n_day, n_text = rows.notes
        d_patient = self.patients_of(pid)
        d_day = self.days_of(day)
        d_key = (d_patient << DAY_BITS) | d_day
        keep = d_patient >= 0
        d_key_kept = d_key[keep]
        d_index = np.flatnonzero(keep)[np.argsort(d_key_kept, kind="stable")]
        d_key_sorted = d_key[d_index]
        note_patient = self.patients_of(n_pid)
        note_day = self.days_of(n_day)
        note_key = (note_patient << DAY_BITS) | note_day
        note_keep = note_patient >= 0
        note_index = np.flatnonzero(note_keep)[np.argsort(note_key[note_keep], kind="stable")]
        note_key_sorted = note_key[note_index]
        union = np.union1d(d_key_sorted, note_key_sorted)
        u_patient = union >> DAY_BITS
        u_day = union & ((1 << DAY_BITS) - 1)
        at = np.searchsorted(d_key_sorted, union)
        has_dose = at < len(d_key_sorted)
        has_dose[has_dose] = d_key_sorted[at[has_dose]] == union[has_dose]
        dose_row = np.where(has_dose, d_index[np.minimum(at, max(len(d_index) - 1, 0))]
                            if len(d_index) else -1, -1)
        at = np.searchsorted(note_key_sorted, union)
        has_note = at < len(note_key_sorted)
        has_note[has_note] = note_key_sorted[at[has_note]] == union[has_note]
        note_row = np.where(has_note, note_index[np.minimum(at, max(len(note_index) - 1, 0))]
                            if len(note_index) else -1, -1)
        taken_flag = np.asarray(taken, dtype=bool).astype(np.int64) if len(taken) else \
            np.zeros(1, dtype=np.int64)
        taken_code = np.where(has_dose, taken_flag[np.maximum(dose_row, 0)], 2)
        mg_codes, mg_numbers = _codes(mg)
        mg_values = [float(m) for m in mg_numbers]
        time_codes, time_values = _codes(time)
        note_codes, note_values = _codes(n_text)

        def by_row(codes: np.ndarray, row: np.ndarray) -> np.ndarray:
            if not len(codes):
                return np.full(len(row), -1, dtype=np.int64)
            return np.where(row >= 0, codes[np.maximum(row, 0)], -1)

        u_mg = by_row(mg_codes, dose_row)
        u_time = by_row(time_codes, dose_row)
        u_note = by_row(note_codes, note_row)
        base = int(u_day.min()) if len(u_day) else 0
        head_code, head_members = _combine(
            (u_day - base, int(u_day.max() - base) + 1 if len(u_day) else 0),
            (taken_code, 3), (u_mg, len(mg_values)))
        heads = []
        dose_values: list[DoseEntry | None] = []
        for d, t, m in head_members.tolist():
            iso = self.iso(base + int(d))
            if t == 2:
                heads.append(f"{iso}{sep}{sep}{sep}")
                dose_values.append(None)
                continue
            amount = None if m < 0 else mg_values[m]
            heads.append(f"{iso}{sep}{cell(bool(t))}{sep}{cell(amount)}{sep}")
            dose_values.append(DoseEntry(self.date(base + int(d)), bool(t), amount))
        tail_code, tail_members = _combine((u_time, len(time_values)),
                                           (u_note, len(note_values)))
        tails = [f"{cell(None if t < 0 else time_values[t])}{sep}"
                 f"{cell(None if x < 0 else note_values[x])}{nl}"
                 for t, x in tail_members.tolist()]
        dose_lines_all = list(map(str.__add__, _take(heads, head_code), _take(tails, tail_code)))
        dose_values_all = _take(dose_values, head_code)
        dose_bounds = np.searchsorted(u_patient, np.arange(n + 1))
        dose_runs = _Table(dose_bounds)
        for i in range(n):
            a, b = dose_runs.run(i)
            out[i][0] = _chunk(prefixes[i], dose_lines_all[a:b])

        # medications, chemotherapy, dismissed alerts
        medications: dict[int, list[Medication]] = {}
        for p, med_name, start, end in rows.medications:
            medications.setdefault(p, []).append(Medication(med_name, start, end))
        chemo: dict[int, list[ChemoSession]] = {}
        for p, start, end in rows.chemo:
            chemo.setdefault(p, []).append(ChemoSession(start, end))
        dismissed: dict[int, set[tuple[str, date]]] = {}
        for p, alert_code, d in rows.dismissed:
            dismissed.setdefault(p, set()).add((alert_code, d))

        # the plans: plan.csv, alerts.csv and what the summary needs
        plan_patient: list[np.ndarray] = []
        plan_day: list[np.ndarray] = []
        plan_dose: list[float] = []
        plan_nominal: list[float] = []
        plan_phase: list[str] = []
        extras = []
        heads_cache: dict[Any, str] = {}
        tails_cache: dict[Any, str] = {}
        outlook_until = self.today + timedelta(days=OUTLOOK_DAYS)
        plan_until = self.today + timedelta(days=PLAN_HORIZON_DAYS)
        for i, patient_id in enumerate(self.ids):
            info = patients[patient_id]
            a, b = dose_runs.run(i)
            doses = tuple(v for v in dose_values_all[a:b] if v is not None)
            a, b = effects.run(i)
            effect_part = effect_values_all[a:b]
            diary = Diary(
                doses=doses,
                effects=tuple(v for v in effect_part if isinstance(v, EffectEntry)),
                clear_days=frozenset(v for v in effect_part if not isinstance(v, EffectEntry)),
                scores=tuple(score_values_all[slice(*scores.run(i))]),
                medications=tuple(medications.get(patient_id, ())),
                chemo=tuple(chemo.get(patient_id, ())),
            )
            outlook = compute_plan(info.settings, diary, outlook_until, today=self.today)
            plan = within(outlook, plan_until)
            gone = dismissed.get(patient_id, set())
            alerts = sorted((a for a in plan.alerts if (a.code, a.day) not in gone),
                            key=lambda a: (a.day, a.code))
            lines = []
            for planned in plan.days:
                head_key = (planned.day, planned.dose_mg, planned.nominal_mg, planned.phase)
                head = heads_cache.get(head_key)
                if head is None:
                    head = heads_cache[head_key] = (
                        f"{cell(planned.day)}{sep}{cell(float(planned.dose_mg))}{sep}"
                        f"{cell(float(planned.nominal_mg))}{sep}{cell(planned.phase)}{sep}")
                tail_key = (planned.needs_liquid, planned.volume_ml, planned.step)
                tail = tails_cache.get(tail_key)
                if tail is None:
                    volume = None if planned.volume_ml is None else float(planned.volume_ml)
                    tail = tails_cache[tail_key] = (
                        f"{sep}{cell(bool(planned.needs_liquid))}{sep}{cell(volume)}{sep}"
                        f"{cell(int(planned.step))}{nl}")
                lines.append(head + self.reason(planned.reason) + tail)
            out[i][3] = _chunk(prefixes[i], lines)
            alert_rows = []
            alert_lines = []
            for alert in alerts:
                message = self.reason(alert.message)
                alert_lines.append(f"{cell(alert.day)}{sep}{cell(alert.code)}{sep}{message}{nl}")
                alert_rows.append(alert)
            out[i][4] = _chunk(prefixes[i], alert_lines)
            count = len(plan.days)
            if count:
                first = plan.days[0].day.toordinal()
                plan_patient.append(np.full(count, i, dtype=np.int64))
                plan_day.append(np.array([d.day.toordinal() for d in plan.days], np.int64)
                                if plan.days[-1].day.toordinal() - first != count - 1
                                else np.arange(first, first + count, dtype=np.int64))
                plan_dose.extend(d.dose_mg for d in plan.days)
                plan_nominal.extend(d.nominal_mg for d in plan.days)
                plan_phase.extend(d.phase for d in plan.days)
            extras.append((plan, alert_rows))

        # summary.csv
        frames = CohortFrames(
            patients=n,
            plan=pd.DataFrame({
                "patient": np.concatenate(plan_patient) if plan_patient else np.zeros(0, int),
                "day": np.concatenate(plan_day) if plan_day else np.zeros(0, int),
                "dose_mg": np.asarray(plan_dose, dtype="float64"),
                "nominal_mg": np.asarray(plan_nominal, dtype="float64"),
                "phase": np.asarray(plan_phase, dtype=object)}),
            doses=pd.DataFrame({
                "patient": u_patient[has_dose],
                "day": u_day[has_dose],
                "taken": taken_code[has_dose] == 1,
                "mg": np.asarray([np.nan if m < 0 else mg_values[m] for m in u_mg[has_dose]],
                                 dtype="float64")}),
            scores=pd.DataFrame({
                "patient": s_patient,
                "day": s_day,
                "symptom": pd.Categorical.from_codes(s_symptom, categories=pd.Index(s_names))
                if len(s_names) else pd.Categorical([]),
                "value": np.asarray(s_values, dtype="float64")[s_value]
                if len(s_values) else np.zeros(0)}),
        )
        figures = summaries(frames, self.today)
        today_iso = self.today.isoformat()
        for i, patient_id in enumerate(self.ids):
            info = patients[patient_id]
            plan, alert_rows = extras[i]
            summary = {
                "patient": {"id": info.id, "name": info.name, "condition": info.condition,
                            "protocol": info.protocol},
                "today": today_iso,
                **figures[i],
                "episodes": episode_entries(plan, self.today),
                "reductions": sum(1 for r in plan.reductions if r.trigger_day <= self.today),
                "alerts": alert_rows,
            }
            metrics = summary_rows(summary)
            for n_med, med in enumerate(medications.get(patient_id, ()), start=1):
                metrics += [
                    (f"medication.{n_med}.name", med.name),
                    (f"medication.{n_med}.from", med.start.isoformat() if med.start else None),
                    (f"medication.{n_med}.to", med.end.isoformat() if med.end else None),
                    (f"medication.{n_med}.opioid", is_opioid(med.name))]
            out[i][5] = _chunk(prefixes[i], [f"{cell(m)}{sep}{cell(v)}{nl}" for m, v in metrics])

        encoding = "utf-8"
        return {pid: [part.encode(encoding) for part in out[i]]
                for i, pid in enumerate(self.ids)}

