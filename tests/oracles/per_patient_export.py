"""The per-patient export, built with pandas one patient at a time: the reference that the
fast clinic-wide export (:mod:`tracker.export.bulk`) is held to, byte for byte.

It was the product's first export; it is kept here, in the tests, as an oracle only: simple
enough to trust by reading, and slow (about 10 ms a patient).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from tracker.analysis import build_summary
from tracker.analysis.frames import (
    DATE_DTYPE,
    alert_states_frame,
    doses_frame,
    effects_frame,
    plan_frame,
    scores_frame,
)
from tracker.analysis.summary import summary_frame
from tracker.clinical.alert_status import AlertState, alert_states
from tracker.clinical.horizons import PLAN_HORIZON_DAYS, within
from tracker.clinical.model import Alert, Diary, Plan
from tracker.export.columns import EXPORT_FILES
from tracker.export.csv_files import _settings, format_cell, make_private_dir, write_private
from tracker.models import DoseEntry, Note
from tracker.services.clinic import Clinic
from tracker.services.review import _medications, load_review


def patient_tables(
    plan: Plan,
    diary: Diary,
    alerts: Iterable[Alert] | None,
    today: date,
    patient: Mapping[str, Any],
    states: Iterable[AlertState] | None = None,
) -> dict[str, pd.DataFrame]:
    """The six tables of ``export`` (SPEC §9), keyed by file stem, ready for ``export_frames``.

    ``plan`` reaches ``OUTLOOK_DAYS`` after today (the summary's next step is looked for that
    far); plan.csv and the alerts stop four weeks after today. alerts.csv lists ``states``
    (every alert with its status; by default those of the plan, none dismissed)."""
    shown = within(plan, today + timedelta(days=PLAN_HORIZON_DAYS))
    alert_list = shown.alerts if alerts is None else tuple(alerts)
    summary = build_summary(plan, diary, alert_list, today, patient)
    return {
        "doses": doses_frame(diary.doses),
        "side_effects": effects_frame(diary.effects, diary.clear_days),
        "scores": scores_frame(diary.scores),
        "plan": plan_frame(shown),
        "alerts": alert_states_frame(alert_states(shown, diary, today) if states is None
                                     else states),
        "summary": summary_frame(summary),
    }



def _diary_details(clinic: Clinic, pid: int) -> tuple[dict[date, str | None], dict[date, str]]:
    """The dose times and the notes, which the rules engine's diary does not carry."""
    with clinic.db.read() as session:
        times = {d: t for d, t in session.execute(
            select(DoseEntry.day, DoseEntry.time).where(DoseEntry.patient_id == pid))}
        notes = {d: t for d, t in session.execute(
            select(Note.day, Note.text).where(Note.patient_id == pid))}
    return times, notes


def _doses_with_notes(doses: pd.DataFrame, times: dict[date, str | None],
                      notes: dict[date, str]) -> pd.DataFrame:
    """doses.csv: one row per day with a dose entry or a note; ``taken`` empty on a note-only
    day (no dose logged)."""
    frame = doses.copy()
    frame["time"] = [times.get(pd.Timestamp(d).date()) for d in frame["date"]]
    note_frame = pd.DataFrame({"date": pd.to_datetime(sorted(notes)).astype(DATE_DTYPE),
                               "note": [notes[d] for d in sorted(notes)]})
    merged = frame.merge(note_frame, on="date", how="outer", sort=True)
    merged["taken"] = merged["taken"].astype("object").where(merged["taken"].notna(), None)
    merged["time"] = merged["time"].astype("object").where(merged["time"].notna(), None)
    merged["note"] = merged["note"].astype("object").where(merged["note"].notna(), None)
    return merged[["date", "taken", "mg", "time", "note"]].reset_index(drop=True)


def _summary_with_medications(summary_df: pd.DataFrame,
                              medications: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for n, med in enumerate(medications, start=1):
        rows += [(f"medication.{n}.name", med["name"]), (f"medication.{n}.from", med["from"]),
                 (f"medication.{n}.to", med["to"]), (f"medication.{n}.opioid", med["opioid"])]
    if not rows:
        return summary_df
    extra = pd.DataFrame({"metric": [m for m, _v in rows], "value": [v for _m, v in rows]})
    return pd.concat([summary_df, extra.astype({"metric": "str", "value": "object"})],
                     ignore_index=True)


def patient_frames(clinic: Clinic, pid: int, on: date | None = None) -> dict[str, pd.DataFrame]:
    """The six export tables of one patient, each with ``patient_id`` and ``patient`` first."""

    review = load_review(clinic, pid, on)
    tables = patient_tables(review.outlook, review.diary, review.alerts, review.today,
                            review.patient, review.states)
    times, notes = _diary_details(clinic, pid)
    tables["doses"] = _doses_with_notes(tables["doses"], times, notes)
    tables["summary"] = _summary_with_medications(tables["summary"], _medications(clinic, pid))
    out = {}
    for key in EXPORT_FILES:
        frame = tables[key].copy()
        frame.insert(0, "patient", [review.info.name] * len(frame))
        frame.insert(0, "patient_id", [review.info.id] * len(frame))
        out[key] = frame.astype({"patient_id": "int64", "patient": "object"})
    return out



# -- writing the frames ------------------------------------------------------------------------

def format_column(column: pd.Series, decimal_mark: str = ".") -> list[str]:
    """Every cell of ``column`` as :func:`format_cell` writes it, a whole column at a time.

    A column of one plain dtype (numbers, booleans, dates, pandas text) is formatted once per
    distinct value and the texts spread back over the rows, so the output is ``format_cell``'s
    by construction; a missing value is empty in every such dtype. Anything else (``object``
    columns mixing types, where ``1``, ``1.0`` and ``True`` would share one distinct value) is
    formatted cell by cell.
    """
    dtype = column.dtype
    if dtype.kind in "biufM" or isinstance(dtype, pd.StringDtype):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        texts = np.array([format_cell(u, decimal_mark) for u in uniques] + [""], dtype=object)
        result: list[str] = texts[codes].tolist()  # code -1 (missing) takes the last: ""
        return result
    return [format_cell(v, decimal_mark) for v in column.tolist()]


def csv_text(frame: pd.DataFrame, dialect: str = "standard") -> str:
    """The frame as CSV text in ``dialect`` (header row first, no index)."""
    separator, decimal_mark, _encoding, newline = _settings(dialect)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline)
    writer.writerow([format_cell(str(c), decimal_mark) for c in frame.columns])
    columns = [format_column(frame.iloc[:, i], decimal_mark) for i in range(frame.shape[1])]
    if columns:
        writer.writerows(zip(*columns, strict=True))
    else:
        writer.writerows([] for _ in range(len(frame)))
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], dialect: str = "standard") -> Path:
    """Write ``frame`` to ``path`` in ``dialect``; returns the path written."""
    _separator, _decimal, encoding, _newline = _settings(dialect)
    target = Path(path)
    make_private_dir(target.parent)
    write_private(target, csv_text(frame, dialect).encode(encoding))
    return target


def export_frames(
    frames: Mapping[str, pd.DataFrame], out_dir: str | os.PathLike[str], dialect: str = "standard"
) -> list[Path]:
    """Write each frame to ``<out_dir>/<key>.csv``; returns the paths in the order given.

    Everything is checked before the first file is written, so a bad key or dialect writes
    nothing.
    """
    _settings(dialect)
    _check_keys(frames)
    directory = Path(out_dir)
    make_private_dir(directory)
    return [write_csv(frame, directory / f"{key}.csv", dialect) for key, frame in frames.items()]


def _check_keys(keys: Iterable[str]) -> None:
    for key in keys:
        if not key or key.startswith(".") or "/" in key or "\\" in key or key != key.strip():
            raise ValueError(f"not a file name: {key!r}")


