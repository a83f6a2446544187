"""``export --all``: the six CSV files of SPEC §9 for a whole clinic, table by table.

The files are byte for byte those of the plain per-patient path (each patient's
:func:`~tracker.services.review.patient_frames`, concatenated, written by
:func:`~tracker.export.csv_files.export_frames`; ``tests/integration/test_export_bulk.py``
holds the two to that). What makes it fast (docs/performance.md, "Export"):

- each table is read once for all the patients (:mod:`tracker.storage.scans`), not once per patient;
- the rows are sorted and grouped with numpy, and every distinct value is formatted once: a
  diary line is the patient's prefix (``id,name,``) and the text of its other cells, which
  repeat (a few thousand dates, symptoms and values for millions of rows), so a patient's
  lines are ``prefix.join`` of texts picked by integer codes. The rules engine's diary values
  (immutable) are shared the same way;
- the plan's reasons are rendered once per distinct sentence, not once per day;
- the summary's trend figures are computed for all patients at once
  (:mod:`tracker.analysis.bulk`); where each patient's treatment stands (today's dose, the next
  step, adherence) is the one function every output uses
  (:func:`~tracker.analysis.summary.progress_entries`), on the plan computed anyway;
- the patients are split over worker processes (``patient_id % workers``), each reading and
  writing its own share; the parent puts every patient's pieces in order and writes the files.

The cyclic garbage collector is paused while a share is built: it holds millions of small
objects that live until the end, and the collector kept scanning them (a third of the time).
"""

from __future__ import annotations

import gc
import mmap
import os
import string
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.bulk import CohortFrames, summaries
from tracker.analysis.summary import progress_entries, summary_rows
from tracker.clinical import compute_plan, is_opioid
from tracker.clinical.horizons import OUTLOOK_DAYS, PLAN_HORIZON_DAYS, within
from tracker.clinical.model import (
    ChemoSession,
    Diary,
    DoseEntry,
    EffectEntry,
    Medication,
    PlannedDay,
    ScoreEntry,
)
from tracker.export.columns import EXPORT_FILES
from tracker.export.csv_files import Cells
from tracker.i18n import Message, _, get_language, set_language
from tracker.storage.records import day_value
from tracker.storage.scans import ClinicReader

PATIENTS_PER_WORKER = 250  # below this a worker process costs more than it saves
MAX_WORKERS = 8
DAY_BITS = 22  # a day ordinal fits in 22 bits (date.max is 3,652,059)

Chunks = dict[int, list[bytes]]  # patient id -> its part of each file (EXPORT_FILES order)
Piece = bytes | memoryview


def default_workers(patients: int) -> int:
    """How many processes to build ``patients`` patients' files in (1: this one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS, patients // PATIENTS_PER_WORKER))


@contextmanager
def export_parts(cursor: Any, target: str, ids: list[int], dialect: str, today: date,
                 workers: int = 1, scratch: Path | None = None,
                 ) -> Iterator[Callable[[int, int], Piece]]:
    """Every patient's part of each file, as ``part(patient_id, file_index)``, valid inside
    the ``with`` block.

    With ``workers`` > 1 the patients are split in that many shares (``patient_id %
    workers``): this process builds the first on ``cursor`` while worker processes build the
    others, each opening the database ``target`` itself and writing its parts to a file in a
    private directory made inside ``scratch`` (a pipe would copy every byte four times); the
    parts are read back from there, mapped, not copied, and the directory is removed when the
    block ends.
    """
    if workers <= 1:
        chunks = build_share(cursor, ids, 0, 1, dialect, today)
        yield lambda pid, k: chunks[pid][k]
        return
    language = get_language()
    shares = [[pid for pid in ids if pid % workers == k] for k in range(workers)]
    # The workers' parts are health data: they go to a private directory inside ``scratch``
    # (the export's own folder), never the shared temporary directory, so even an export
    # killed half-way leaves them only where the export itself was going.
    with tempfile.TemporaryDirectory(prefix=".ldn-tracker-export-", dir=scratch) as work, \
            ProcessPoolExecutor(workers - 1, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_share_in_worker, target, shares[k], k, workers, dialect, today,
                               language, os.path.join(work, str(k)))
                   for k in range(1, workers) if shares[k]]
        try:
            chunks = build_share(cursor, shares[0], 0, workers, dialect, today)
            indexes = [future.result() for future in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        with ExitStack() as maps:
            where: dict[int, tuple[list[memoryview], list[tuple[int, int]]]] = {}
            for stem, index in indexes:
                views = []
                for k in range(len(EXPORT_FILES)):
                    with open(f"{stem}.{k}", "rb") as handle:
                        size = os.fstat(handle.fileno()).st_size
                        mapped = maps.enter_context(mmap.mmap(handle.fileno(), size,
                                                              access=mmap.ACCESS_READ)) \
                            if size else b""
                    views.append(maps.enter_context(memoryview(mapped)))
                for pid, spans in index.items():
                    where[pid] = (views, spans)

            def part(pid: int, k: int) -> Piece:
                if pid in chunks:
                    return chunks[pid][k]
                views, spans = where[pid]
                start, end = spans[k]
                return views[k][start:end]

            yield part


def _share_in_worker(target: str, ids: list[int], shard: int, shards: int, dialect: str,
                     today: date, language: str, stem: str
                     ) -> tuple[str, dict[int, list[tuple[int, int]]]]:
    """:func:`build_share` in a worker process: the parts of file ``k`` are written to
    ``<stem>.<k>`` (owner-only), one patient after the other; returns where each is."""
    from tracker.storage.database import Database

    set_language(language)
    db = Database(target, migrate=False, backup=False)
    try:
        with db.read() as session:
            connection = session.connection().connection.driver_connection
            assert connection is not None
            chunks = build_share(connection.cursor(), ids, shard, shards, dialect, today)
    finally:
        db.dispose()
    index: dict[int, list[tuple[int, int]]] = {pid: [] for pid in ids}
    for k in range(len(EXPORT_FILES)):
        fd = os.open(f"{stem}.{k}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            offset = 0
            for pid in ids:
                data = chunks[pid][k]
                handle.write(data)
                index[pid].append((offset, offset + len(data)))
                offset += len(data)
    return stem, index


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
        return _Share(ClinicReader(cursor, ids, shard, shards), ids, Cells(dialect),
                      today).build()


# -- columns to codes ----------------------------------------------------------------------------

class _Coder:
    """Integer codes for the values of a column, the same code for the same value in every
    chunk it is called on; None is -1. For columns of few distinct values (names, times)."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {None: -1}
        self.values: list[Any] = []

    def __call__(self, column: Sequence[Any]) -> np.ndarray:
        index = self.index
        for value in set(column) - index.keys():
            index[value] = len(self.values)
            self.values.append(value)
        return np.fromiter(map(index.__getitem__, column), dtype=np.int64, count=len(column))


def _ints(column: Sequence[Any]) -> np.ndarray:
    return np.asarray(column, dtype=np.int64)


def _floats(column: Sequence[Any]) -> np.ndarray:
    return np.array(column, dtype=np.float64)  # None: NaN


def _flags(column: Sequence[Any]) -> np.ndarray:
    return np.asarray(column, dtype=bool)  # 0/1 from SQLite, booleans from a server


def _ranked(codes: np.ndarray, values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """The codes renumbered in the values' sort order (text: Python's, by code point)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values) + 1, dtype=np.int64)
    rank[order] = np.arange(len(values))
    rank[-1] = -1  # None stays -1
    return rank[codes], [values[i] for i in order]


def _int_codes(values: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Codes of integers, ``value - smallest``, and the values they stand for."""
    if not len(values):
        return values, []
    low, high = int(values.min()), int(values.max())
    return values - low, list(range(low, high + 1))


def _combine(*parts: tuple[np.ndarray, int]) -> tuple[np.ndarray, list[list[int]]]:
    """One code per row for several code columns (each ``(codes, how many)``, codes from
    -1), and for each distinct combination the codes it stands for."""
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
    return combined.astype(np.int64), members.tolist()


def _take(values: list[Any], codes: np.ndarray) -> list[Any]:
    """``values[code]`` for each code."""
    if not len(codes):
        return []
    picked: list[Any] = np.asarray(values, dtype=object)[codes].tolist()
    return picked


def _day_span(days: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Day ordinals as codes from the first day: ``(codes, how many, first)``."""
    if not len(days):
        return days, 0, 0
    first = int(days.min())
    return days - first, int(days.max()) - first + 1, first


@dataclass
class _Runs:
    """Where each patient's rows of a table sorted by patient begin and end."""

    bounds: list[int]

    @classmethod
    def of(cls, sorted_patients: np.ndarray, patients: int) -> _Runs:
        return cls(np.searchsorted(sorted_patients, np.arange(patients + 1)).tolist())

    def __call__(self, i: int) -> slice:
        return slice(self.bounds[i], self.bounds[i + 1])


def _chunk(prefix: str, lines: list[str]) -> bytes:
    """A patient's lines, each ``prefix`` + the line's text, encoded (UTF-8: the dialect's
    byte-order mark, if any, goes before the header)."""
    return (prefix + prefix.join(lines)).encode("utf-8") if lines else b""


@dataclass
class _Values:
    """Every patient's values of one kind for the rules engine (shared between patients
    where equal), one run of them per patient."""

    values: list[Any]
    runs: _Runs

    def of(self, i: int) -> list[Any]:
        return self.values[self.runs(i)]

    @classmethod
    def pick(cls, values: list[Any], codes: np.ndarray, patients: np.ndarray,
             count: int) -> _Values:
        """``values[code]`` for rows sorted by patient (numbered ``0 … count-1``)."""
        return cls(_take(values, codes), _Runs.of(patients, count))


@dataclass
class _Diaries:
    doses: _Values
    effects: _Values
    clear_days: _Values
    scores: _Values


class _Share:
    """The files' parts of one share of the patients (see the module's docstring)."""

    def __init__(self, reader: ClinicReader, ids: list[int], cells: Cells, today: date) -> None:
        self.reader = reader
        self.ids = ids
        self.cells = cells
        self.cell = cells.cell
        self.today = today
        self.sep = cells.separator
        self.nl = cells.newline
        self.patients = {p.id: p for p in reader.patients()}
        self.medications = reader.medications()
        self.prefixes = [f"{pid}{self.sep}{self.cell(self.patients[pid].name)}{self.sep}"
                         for pid in ids]
        self.out: list[list[bytes]] = [[b""] * len(EXPORT_FILES) for _ in ids]
        rank = {pid: i for i, pid in enumerate(ids)}
        self._ids_sorted = np.array(sorted(rank), dtype=np.int64)
        self._rank_sorted = np.array([rank[p] for p in sorted(rank)], dtype=np.int64)
        self._ordinals: dict[Any, int] = {}
        self._dates: dict[int, date] = {}
        self._iso: dict[int, str] = {}
        self._reasons: dict[Any, str] = {}
        self._shown: dict[str, Callable[[Any], tuple[Any, ...]]] = {}

    def build(self) -> Chunks:
        doses, dose_frame = self._doses()
        effects, clear_days = self._effects()
        scores, score_frame = self._scores()
        diaries = _Diaries(doses, effects, clear_days, scores)
        plans, plan_frame = self._plans(diaries)
        frames = CohortFrames(len(self.ids), plan_frame, dose_frame, score_frame)
        self._summaries(plans, frames)
        return dict(zip(self.ids, self.out, strict=True))

    def _fill(self, file: str, runs: _Runs, lines: list[str]) -> None:
        k = EXPORT_FILES.index(file)
        for i, prefix in enumerate(self.prefixes):
            self.out[i][k] = _chunk(prefix, lines[runs(i)])

    def scan(self, table: str, *converters: Callable[[Sequence[Any]], np.ndarray]
             ) -> list[np.ndarray]:
        """A diary table's columns, each converted chunk by chunk (the raw values of a whole
        table never sit in memory at once)."""
        parts: list[list[np.ndarray]] = [[] for _ in converters]
        for columns in self.reader.columns(table):
            for part, convert, column in zip(parts, converters, columns, strict=True):
                part.append(convert(column))
        return [np.concatenate(part) if part else np.zeros(0, dtype=np.int64)
                for part in parts]

    # -- shared conversions ------------------------------------------------------------------

    def patients_of(self, column: Sequence[Any]) -> np.ndarray:
        """Each row's patient as its number in ``ids`` (-1: not asked for)."""
        pids = np.asarray(column, dtype=np.int64)
        if not len(self._ids_sorted):
            return np.full(len(pids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids_sorted, pids), len(self._ids_sorted) - 1)
        return np.where(self._ids_sorted[at] == pids, self._rank_sorted[at], -1)

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
            text = self._iso[ordinal] = self.cell(self.as_date(ordinal))
        return text

    def as_date(self, ordinal: int) -> date:
        day = self._dates.get(ordinal)
        if day is None:
            day = self._dates[ordinal] = date.fromordinal(ordinal)
        return day

    def sorted_rows(self, patient: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, _Runs]:
        """The order of the rows asked for, by patient then ``keys``; the patients' runs."""
        index = np.flatnonzero(patient >= 0)
        order = index[np.lexsort(tuple(k[index] for k in reversed(keys)) + (patient[index],))]
        return order, _Runs.of(patient[order], len(self.ids))

    def reason(self, message: Message) -> str:
        """A message rendered, as a cell; rendered once per distinct sentence."""
        try:
            return self._reasons[self._message_key(message)]
        except (KeyError, TypeError):  # not yet, or a parameter missing or no key
            pass
        text = self.cell(message.render())
        with suppress(KeyError, TypeError):
            self._reasons[self._message_key(message)] = text
        return text

    def _message_key(self, message: Message) -> Any:
        """What a rendering depends on: the template and the parameters it shows (in the
        language's template too), each with its type (a bool renders unlike an int), nested
        messages by their own key."""
        template = message.template
        shown = self._shown.get(template) or self._shown_by(template)
        values = shown(message.params)
        types = tuple(map(type, values))
        if Message in types:
            values = tuple(self._message_key(v) if isinstance(v, Message) else v for v in values)
        return template, values, types

    def _shown_by(self, template: str) -> Callable[[Any], tuple[Any, ...]]:
        names = set()
        for text in (template, _(template)):
            for _literal, name, _spec, _conversion in string.Formatter().parse(text):
                if name is not None:
                    names.add(name.split(".")[0].split("[")[0])
        shown = self._shown[template] = _getter(sorted(names))
        return shown

    # -- the diary's files -------------------------------------------------------------------

    def _doses(self) -> tuple[_Values, pd.DataFrame]:
        """doses.csv: a line per day with a dose entry or a note (``taken`` empty on a
        note-only day); the engine's dose entries; the doses for the summary."""
        sep, nl, cell = self.sep, self.nl, self.cell
        times, notes = _Coder(), _Coder()
        patient, days, flag, amounts, time_codes = self.scan(
            "doses", self.patients_of, self.days_of, _flags, _floats, times)
        n_patient, n_days, note_codes = self.scan("notes", self.patients_of, self.days_of, notes)
        flag = flag.astype(np.int64)
        count = len(patient)
        patient = np.concatenate([patient, n_patient])
        days = np.concatenate([days, n_days])
        is_note = np.arange(len(days)) >= count
        order, _runs = self.sorted_rows(patient, days, is_note)
        # a day's dose entry, then its note: one line for both
        key = (patient[order] << DAY_BITS) | days[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        line_rows = order[first]  # the dose entry, or the note of a note-only day
        line_of = np.cumsum(first) - 1
        note_of_line = np.full(len(line_rows), -1, dtype=np.int64)
        notes_at = np.flatnonzero(is_note[order])
        note_of_line[line_of[notes_at]] = order[notes_at] - count
        has_dose = line_rows < count
        dose_of_line = np.where(has_dose, line_rows, -1)
        mg_codes, mg_uniques = pd.factorize(amounts, use_na_sentinel=True)
        mg_values = [float(m) for m in mg_uniques]
        time_values, note_values = times.values, notes.values

        def per_line(codes: np.ndarray, row: np.ndarray) -> np.ndarray:
            if not len(codes):
                return np.full(len(row), -1, dtype=np.int64)
            return np.where(row >= 0, codes[np.maximum(row, 0)], -1)

        line_days, span, first_day = _day_span(days[line_rows])
        taken_code = np.where(has_dose, per_line(flag, dose_of_line), 2)  # 2: no dose entry
        line_mg = per_line(mg_codes.astype(np.int64), dose_of_line)
        head_code, head_members = _combine((line_days, span), (taken_code, 3),
                                           (line_mg, len(mg_values)))
        heads = []
        entries: list[DoseEntry | None] = []
        for d, t, m in head_members:
            iso = self.iso(first_day + d)
            if t == 2:
                heads.append(f"{iso}{sep}{sep}{sep}")
                entries.append(None)
            else:
                amount = None if m < 0 else mg_values[m]
                heads.append(f"{iso}{sep}{cell(bool(t))}{sep}{cell(amount)}{sep}")
                entries.append(DoseEntry(self.as_date(first_day + d), bool(t), amount))
        tail_code, tail_members = _combine(
            (per_line(time_codes, dose_of_line), len(time_values)),
            (per_line(note_codes, note_of_line), len(note_values)))
        tails = [f"{cell(None if t < 0 else time_values[t])}{sep}"
                 f"{cell(None if x < 0 else note_values[x])}{nl}" for t, x in tail_members]
        line_runs = _Runs.of(patient[line_rows], len(self.ids))
        self._fill("doses", line_runs,
                   list(map(str.__add__, _take(heads, head_code), _take(tails, tail_code))))
        frame = pd.DataFrame({
            "patient": patient[line_rows][has_dose],
            "day": days[line_rows][has_dose],
            "taken": taken_code[has_dose] == 1,
            "mg": amounts[line_rows[has_dose]] if count else np.zeros(0),
        })
        engine = _Values.pick(entries, head_code[has_dose], patient[line_rows][has_dose],
                              len(self.ids))
        return engine, frame

    def _effects(self) -> tuple[_Values, _Values]:
        """side_effects.csv: the reported side effects and the clear days ("none today"),
        by day, effects first, by name; the engine's effects and clear days."""
        sep, nl, cell = self.sep, self.nl, self.cell
        names = _Coder()
        patient, days, name_codes, severity = self.scan(
            "effects", self.patients_of, self.days_of, names, _ints)
        c_patient, c_days = self.scan("clear_days", self.patients_of, self.days_of)
        count = len(patient)
        patient = np.concatenate([patient, c_patient])
        days = np.concatenate([days, c_days])
        name_codes, name_values = _ranked(name_codes, names.values)
        severities, severity_values = _int_codes(severity)
        clear_rows = np.full(len(c_patient), -1, dtype=np.int64)
        names_all = np.concatenate([name_codes, clear_rows])
        severities = np.concatenate([severities, clear_rows])
        clear = (np.arange(len(days)) >= count).astype(np.int64)
        order, runs = self.sorted_rows(patient, days, clear, names_all)
        day_codes, span, first_day = _day_span(days[order])
        code, members = _combine((day_codes, span), (names_all[order], len(name_values)),
                                 (severities[order], len(severity_values)), (clear[order], 2))
        lines = []
        values: list[EffectEntry | date] = []
        for d, nm, sv, cl in members:
            iso = self.iso(first_day + d)
            if cl:
                lines.append(f"{iso}{sep}{sep}0{sep}{cell(True)}{nl}")
                values.append(self.as_date(first_day + d))
            else:
                lines.append(f"{iso}{sep}{cell(name_values[nm])}{sep}"
                             f"{cell(severity_values[sv])}{sep}{cell(False)}{nl}")
                values.append(EffectEntry(self.as_date(first_day + d), name_values[nm],
                                          severity_values[sv]))
        self._fill("side_effects", runs, _take(lines, code))
        is_clear = clear[order] == 1
        patients = patient[order]
        return (_Values.pick(values, code[~is_clear], patients[~is_clear], len(self.ids)),
                _Values.pick(values, code[is_clear], patients[is_clear], len(self.ids)))

    def _scores(self) -> tuple[_Values, pd.DataFrame]:
        """scores.csv: by day and symptom; the engine's scores; the scores for the summary."""
        sep, nl, cell = self.sep, self.nl, self.cell
        symptom_coder = _Coder()
        patient, days, symptoms, value = self.scan(
            "scores", self.patients_of, self.days_of, symptom_coder, _ints)
        symptoms, names = _ranked(symptoms, symptom_coder.values)
        values, value_list = _int_codes(value)
        order, runs = self.sorted_rows(patient, days, symptoms)
        patient, days, symptoms, values = patient[order], days[order], symptoms[order], \
            values[order]
        day_codes, span, first_day = _day_span(days)
        code, members = _combine((day_codes, span), (symptoms, len(names)),
                                 (values, len(value_list)))
        lines = [f"{self.iso(first_day + d)}{sep}{cell(names[s])}{sep}{cell(value_list[v])}{nl}"
                 for d, s, v in members]
        entries = [ScoreEntry(self.as_date(first_day + d), names[s], value_list[v])
                   for d, s, v in members]
        self._fill("scores", runs, _take(lines, code))
        frame = pd.DataFrame({
            "patient": patient,
            "day": days,
            "symptom": pd.Categorical.from_codes(symptoms, categories=pd.Index(names))
            if names else pd.Categorical([]),
            "value": (values + (value_list[0] if value_list else 0)).astype(np.float64),
        })
        return _Values(_take(entries, code), runs), frame

    # -- the plans ---------------------------------------------------------------------------

    def _plans(self, diaries: _Diaries) -> tuple[list[dict[str, Any]], pd.DataFrame]:
        """plan.csv and alerts.csv from every patient's plan (until four weeks after today,
        computed as :func:`tracker.services.review.load_review` does); what the summary reads of
        each plan (where the treatment stands, the episodes, reductions and alerts not
        dismissed, and the days' doses as a frame). The plans themselves are let go patient by
        patient (~500 bytes a day)."""
        sep, nl, cell = self.sep, self.nl, self.cell
        medications: dict[int, list[Medication]] = {}
        for p, med_name, start, end in self.medications:
            medications.setdefault(p, []).append(Medication(med_name, start, end))
        chemo: dict[int, list[ChemoSession]] = {}
        for p, start, end in self.reader.chemo():
            chemo.setdefault(p, []).append(ChemoSession(start, end))
        dismissed: dict[int, set[tuple[str, date]]] = {}
        for p, alert_code, d in self.reader.dismissed():
            dismissed.setdefault(p, set()).add((alert_code, d))

        heads: dict[Any, str] = {}
        tails: dict[Any, str] = {}
        outlook_until = self.today + timedelta(days=OUTLOOK_DAYS)
        plan_until = self.today + timedelta(days=PLAN_HORIZON_DAYS)
        plans: list[dict[str, Any]] = []
        columns: dict[str, list[Any]] = {"patient": [], "day": [], "dose_mg": []}
        plan_k, alerts_k = EXPORT_FILES.index("plan"), EXPORT_FILES.index("alerts")
        for i, patient_id in enumerate(self.ids):
            diary = Diary(
                doses=tuple(diaries.doses.of(i)),
                effects=tuple(diaries.effects.of(i)),
                clear_days=frozenset(diaries.clear_days.of(i)),
                scores=tuple(diaries.scores.of(i)),
                medications=tuple(medications.get(patient_id, ())),
                chemo=tuple(chemo.get(patient_id, ())),
            )
            outlook = compute_plan(self.patients[patient_id].settings, diary, outlook_until,
                                   today=self.today)
            plan = within(outlook, plan_until)
            gone = dismissed.get(patient_id, set())
            alerts = sorted((a for a in plan.alerts if (a.code, a.day) not in gone),
                            key=lambda a: (a.day, a.code))
            lines = self._plan_lines(plan.days, heads, tails)
            self.out[i][plan_k] = _chunk(self.prefixes[i], lines)
            self.out[i][alerts_k] = _chunk(self.prefixes[i], [
                f"{cell(a.day)}{sep}{cell(a.code)}{sep}{self.reason(a.message)}{nl}"
                for a in alerts])
            plans.append({**progress_entries(outlook, diary, self.today),
                          "alerts": alerts})  # counted
            if plan.days:
                first = plan.days[0].day.toordinal()
                columns["patient"].append(np.full(len(plan.days), i, dtype=np.int64))
                columns["day"].append(np.arange(first, first + len(plan.days), dtype=np.int64))
                columns["dose_mg"].extend(map(_DOSE, plan.days))
        frame = pd.DataFrame({
            "patient": np.concatenate(columns["patient"]) if columns["patient"]
            else np.zeros(0, dtype=np.int64),
            "day": np.concatenate(columns["day"]) if columns["day"]
            else np.zeros(0, dtype=np.int64),
            "dose_mg": np.asarray(columns["dose_mg"], dtype=np.float64),
        })
        return plans, frame

    def _plan_lines(self, days: Sequence[PlannedDay], heads: dict[Any, str],
                    tails: dict[Any, str]) -> list[str]:
        """plan.csv's lines of one plan (after the patient): the cells before the reason and
        after it repeat, and are looked up."""
        sep, nl, cell, reason = self.sep, self.nl, self.cell, self.reason
        lines: list[str] = []
        append, head_of, tail_of = lines.append, heads.get, tails.get
        for planned in days:
            head_key = (planned.day, planned.dose_mg, planned.nominal_mg, planned.phase)
            head = head_of(head_key)
            if head is None:
                head = heads[head_key] = (
                    f"{cell(planned.day)}{sep}{cell(float(planned.dose_mg))}{sep}"
                    f"{cell(float(planned.nominal_mg))}{sep}{cell(planned.phase)}{sep}")
            tail_key = (planned.needs_liquid, planned.volume_ml, planned.step)
            tail = tail_of(tail_key)
            if tail is None:
                volume = None if planned.volume_ml is None else float(planned.volume_ml)
                tail = tails[tail_key] = (
                    f"{sep}{cell(bool(planned.needs_liquid))}{sep}{cell(volume)}{sep}"
                    f"{cell(int(planned.step))}{nl}")
            append(head + reason(planned.reason) + tail)
        return lines

    # -- the summary -------------------------------------------------------------------------

    def _summaries(self, plans: list[dict[str, Any]], frames: CohortFrames) -> None:
        """summary.csv: :func:`~tracker.analysis.summary.summary_frame`'s rows of every patient,
        then their medications."""
        sep, nl, cell = self.sep, self.nl, self.cell
        medications: dict[int, list[tuple[str, Any, Any, bool]]] = {}
        for p, name, start, end in self.medications:
            medications.setdefault(p, []).append(
                (name, start.isoformat() if start else None, end.isoformat() if end else None,
                 is_opioid(name)))
        figures = summaries(frames)
        today = self.today.isoformat()
        k = EXPORT_FILES.index("summary")
        for i, patient_id in enumerate(self.ids):
            info = self.patients[patient_id]
            summary = {
                "patient": {"id": info.id, "name": info.name, "condition": info.condition,
                            "protocol": info.protocol},
                "today": today,
                **figures[i],
                **plans[i],
            }
            rows = summary_rows(summary)
            for n, (name, start, end, opioid) in enumerate(medications.get(patient_id, ()), 1):
                rows += [(f"medication.{n}.name", name), (f"medication.{n}.from", start),
                         (f"medication.{n}.to", end), (f"medication.{n}.opioid", opioid)]
            self.out[i][k] = _chunk(self.prefixes[i],
                                    [f"{cell(m)}{sep}{cell(v)}{nl}" for m, v in rows])


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """``mapping -> (mapping[name] for name in names)``, at C speed."""
    if not names:
        return lambda _mapping: ()
    if len(names) == 1:
        one = itemgetter(names[0])
        return lambda mapping: (one(mapping),)
    return itemgetter(*names)


_DOSE = attrgetter("dose_mg")
