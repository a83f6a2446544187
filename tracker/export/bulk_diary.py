"""doses.csv, side_effects.csv and scores.csv of ``export --all``, and every patient's diary
for the rules engine, from one scan of each diary table (:mod:`tracker.export.bulk`).

A file's line after the patient is the text of a distinct combination of codes (a day, a
symptom, a score), formatted once; the rules engine's values are made the same way, once per
distinct row, by the per-patient read's own converters (:func:`tracker.storage.diary_rows.doses_of`
and the rest), and shared between the rows and patients that are equal: the diary a plan is
computed from here is the one :meth:`tracker.storage.records.Records.diary` reads for the
patient (``tests/integration/test_bulk_diaries.py`` holds the two equal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from tracker.clinical.alerts import ScoresIn
from tracker.clinical.model import ChemoSession, Diary, Medication, ScoreEntry
from tracker.export.bulk_codes import (
    Coder,
    Runs,
    combine,
    day_span,
    flags,
    floats,
    int_codes,
    ints,
    ranked,
    take,
)
from tracker.export.bulk_share import Share
from tracker.storage.diary_rows import (
    chemo_of,
    clear_days_of,
    diary_of,
    doses_of,
    effects_of,
    medications_of,
    scores_of,
)

DAY_BITS = 22  # a day ordinal fits in 22 bits (date.max is 3,652,059)


@dataclass
class Values:
    """Every patient's values of one kind for the rules engine (shared between patients
    where equal), one run of them per patient."""

    values: list[Any]
    runs: Runs
    days: np.ndarray | None = None  # the values' day ordinals, where each run is in day order

    def of(self, i: int) -> list[Any]:
        return self.values[self.runs(i)]

    def in_windows(self, i: int) -> ScoresIn:
        """Patient ``i``'s scores in the windows the rules ask for (half-open, sorted), in day
        order: found in the day column by bisection, as the rules find them in a diary in day
        order, without reading each score's day. The scores are shared between patients and
        lie all over memory, so reading the day of each one was ~0.45 ms a patient."""
        assert self.days is not None
        run = self.runs(i)
        days, values, start = self.days[run], self.values, run.start

        def read(windows: list[tuple[date, date]]) -> Iterable[ScoreEntry]:
            ends = np.searchsorted(days, [d.toordinal() for w in windows for d in w]).tolist()
            return chain.from_iterable(values[start + lo:start + hi]
                                       for lo, hi in zip(ends[::2], ends[1::2], strict=True))

        return read

    @classmethod
    def pick(cls, values: list[Any], codes: np.ndarray, patients: np.ndarray,
             count: int) -> Values:
        """``values[code]`` for rows sorted by patient (numbered ``0 … count-1``)."""
        return cls(take(values, codes), Runs.of(patients, count))


@dataclass
class Diaries:
    """The share's diaries for the rules engine: ``of(i, patient_id)`` is patient ``ids[i]``'s."""

    doses: Values
    effects: Values
    clear_days: Values
    scores: Values
    medications: dict[int, list[Medication]]
    chemo: dict[int, list[ChemoSession]]

    def of(self, i: int, patient_id: int) -> Diary:
        return diary_of(doses=self.doses.of(i), effects=self.effects.of(i),
                        clear_days=self.clear_days.of(i), scores=self.scores.of(i),
                        medications=self.medications.get(patient_id, ()),
                        chemo=self.chemo.get(patient_id, ()))


def diary_files(share: Share) -> tuple[Diaries, pd.DataFrame, pd.DataFrame]:
    """The share's parts of the diary's three files; its diaries; the doses and the scores as
    frames, for the summary."""
    doses, dose_frame = _doses(share)
    effects, clear_days = _side_effects(share)
    scores, score_frame = _scores(share)
    medications: dict[int, list[Medication]] = {}
    listed = share.medications
    for (p, *_), medication in zip(listed, medications_of(row[1:] for row in listed),
                                   strict=True):
        medications.setdefault(p, []).append(medication)
    chemo: dict[int, list[ChemoSession]] = {}
    sessions = share.reader.chemo()
    for (p, *_), session in zip(sessions, chemo_of(row[1:] for row in sessions), strict=True):
        chemo.setdefault(p, []).append(session)
    return Diaries(doses, effects, clear_days, scores, medications, chemo), dose_frame, \
        score_frame


def _doses(share: Share) -> tuple[Values, pd.DataFrame]:
    """doses.csv: a line per day with a dose entry or a note (``taken`` empty on a note-only
    day); the engine's dose entries; the doses for the summary."""
    sep, nl, cell = share.sep, share.nl, share.cell
    times, notes = Coder(), Coder()
    patient, days, flag, amounts, time_codes = share.scan(
        "doses", share.patients_of, share.days_of, flags, floats, times)
    n_patient, n_days, note_codes = share.scan("notes", share.patients_of, share.days_of, notes)
    flag = flag.astype(np.int64)
    count = len(patient)
    patient = np.concatenate([patient, n_patient])
    days = np.concatenate([days, n_days])
    is_note = np.arange(len(days)) >= count
    order, _runs = share.sorted_rows(patient, days, is_note)
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

    line_days, span, first_day = day_span(days[line_rows])
    taken_code = np.where(has_dose, per_line(flag, dose_of_line), 2)  # 2: no dose entry
    line_mg = per_line(mg_codes.astype(np.int64), dose_of_line)
    head_code, head_members = combine((line_days, span), (taken_code, 3),
                                      (line_mg, len(mg_values)))
    heads = []
    logged = []  # the distinct dose entries, as rows of DOSE_COLUMNS
    for d, t, m in head_members:
        iso = share.iso(first_day + d)
        if t == 2:
            heads.append(f"{iso}{sep}{sep}{sep}")
        else:
            amount = None if m < 0 else mg_values[m]
            heads.append(f"{iso}{sep}{cell(bool(t))}{sep}{cell(amount)}{sep}")
            logged.append((first_day + d, t, amount))
    dose_entries = iter(doses_of(logged, share.as_date))
    entries = [None if t == 2 else next(dose_entries) for _d, t, _m in head_members]
    tail_code, tail_members = combine(
        (per_line(time_codes, dose_of_line), len(time_values)),
        (per_line(note_codes, note_of_line), len(note_values)))
    tails = [f"{cell(None if t < 0 else time_values[t])}{sep}"
             f"{cell(None if x < 0 else note_values[x])}{nl}" for t, x in tail_members]
    line_runs = Runs.of(patient[line_rows], len(share.ids))
    share.fill("doses", line_runs,
               list(map(str.__add__, take(heads, head_code), take(tails, tail_code))))
    frame = pd.DataFrame({
        "patient": patient[line_rows][has_dose],
        "day": days[line_rows][has_dose],
        "taken": taken_code[has_dose] == 1,
        "mg": amounts[line_rows[has_dose]] if count else np.zeros(0),
    })
    engine = Values.pick(entries, head_code[has_dose], patient[line_rows][has_dose],
                         len(share.ids))
    return engine, frame


def _side_effects(share: Share) -> tuple[Values, Values]:
    """side_effects.csv: the reported side effects and the clear days ("none today"), by day,
    effects first, by name; the engine's effects and clear days."""
    sep, nl, cell = share.sep, share.nl, share.cell
    names = Coder()
    patient, days, name_codes, severity = share.scan(
        "effects", share.patients_of, share.days_of, names, ints)
    c_patient, c_days = share.scan("clear_days", share.patients_of, share.days_of)
    count = len(patient)
    patient = np.concatenate([patient, c_patient])
    days = np.concatenate([days, c_days])
    name_codes, name_values = ranked(name_codes, names.values)
    severities, severity_values = int_codes(severity)
    clear_rows = np.full(len(c_patient), -1, dtype=np.int64)
    names_all = np.concatenate([name_codes, clear_rows])
    severities = np.concatenate([severities, clear_rows])
    clear = (np.arange(len(days)) >= count).astype(np.int64)
    order, runs = share.sorted_rows(patient, days, clear, names_all)
    day_codes, span, first_day = day_span(days[order])
    code, members = combine((day_codes, span), (names_all[order], len(name_values)),
                            (severities[order], len(severity_values)), (clear[order], 2))
    lines = []
    reported = []  # the distinct side effects, as rows of EFFECT_COLUMNS
    clear_days = []  # the distinct clear days, as rows of CLEAR_DAY_COLUMNS
    for d, nm, sv, cl in members:
        iso = share.iso(first_day + d)
        if cl:
            lines.append(f"{iso}{sep}{sep}0{sep}{cell(True)}{nl}")
            clear_days.append((first_day + d,))
        else:
            lines.append(f"{iso}{sep}{cell(name_values[nm])}{sep}"
                         f"{cell(severity_values[sv])}{sep}{cell(False)}{nl}")
            reported.append((first_day + d, name_values[nm], severity_values[sv]))
    effect_values = iter(effects_of(reported, share.as_date))
    clear_values = iter(clear_days_of(clear_days, share.as_date))
    values = [next(clear_values) if cl else next(effect_values) for *_, cl in members]
    share.fill("side_effects", runs, take(lines, code))
    is_clear = clear[order] == 1
    patients = patient[order]
    return (Values.pick(values, code[~is_clear], patients[~is_clear], len(share.ids)),
            Values.pick(values, code[is_clear], patients[is_clear], len(share.ids)))


def _scores(share: Share) -> tuple[Values, pd.DataFrame]:
    """scores.csv: by day and symptom; the engine's scores; the scores for the summary."""
    sep, nl, cell = share.sep, share.nl, share.cell
    symptom_coder = Coder()
    patient, days, symptoms, value = share.scan(
        "scores", share.patients_of, share.days_of, symptom_coder, ints)
    symptoms, names = ranked(symptoms, symptom_coder.values)
    values, value_list = int_codes(value)
    order, runs = share.sorted_rows(patient, days, symptoms)
    patient, days, symptoms, values = patient[order], days[order], symptoms[order], \
        values[order]
    day_codes, span, first_day = day_span(days)
    code, members = combine((day_codes, span), (symptoms, len(names)),
                            (values, len(value_list)))
    lines = [f"{share.iso(first_day + d)}{sep}{cell(names[s])}{sep}{cell(value_list[v])}{nl}"
             for d, s, v in members]
    entries = scores_of([(first_day + d, names[s], value_list[v]) for d, s, v in members],
                        share.as_date)
    share.fill("scores", runs, take(lines, code))
    frame = pd.DataFrame({
        "patient": patient,
        "day": days,
        "symptom": pd.Categorical.from_codes(symptoms, categories=pd.Index(names))
        if names else pd.Categorical([]),
        "value": (values + (value_list[0] if value_list else 0)).astype(np.float64),
    })
    return Values(take(entries, code), runs, days), frame
