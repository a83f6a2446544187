"""The clinical values as DataFrames with fixed columns and dtypes.

Every frame has the same columns and dtypes whether it holds a thousand rows or none, so the trend
maths, the CSV export and the report never special-case an empty diary. Dates are
``datetime64[s]`` at midnight (calendar days, no time); text is pandas' ``str`` dtype; messages are
rendered in the current language when the frame is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

import pandas as pd

from tracker.clinical.alert_status import AlertState
from tracker.clinical.model import (
    Alert,
    DoseEntry,
    EffectEntry,
    Episode,
    Plan,
    PlannedDay,
    ScoreEntry,
)

DATE_DTYPE: Final = "datetime64[s]"

PLAN_COLUMNS: Mapping[str, Any] = {
    "date": DATE_DTYPE,
    "dose_mg": "float64",
    "nominal_mg": "float64",
    "phase": "str",
    "reason": "str",
    "needs_liquid": "bool",
    "volume_ml": "float64",
    "step": "int64",
}
EPISODE_COLUMNS: Mapping[str, Any] = {
    "start": DATE_DTYPE,
    "end": DATE_DTYPE,
    "duration": "int64",
    "worst_severity": "int64",
    "effects": "str",
    "fired": "bool",
    "fired_on": DATE_DTYPE,
}
ALERT_COLUMNS: Mapping[str, Any] = {"date": DATE_DTYPE, "code": "str", "message": "str"}
ALERT_STATE_COLUMNS: Mapping[str, Any] = {**ALERT_COLUMNS, "status": "str"}
DOSE_COLUMNS: Mapping[str, Any] = {
    "date": DATE_DTYPE,
    "taken": "bool",
    "mg": "float64",
    "time": "str",
}
EFFECT_COLUMNS: Mapping[str, Any] = {
    "date": DATE_DTYPE,
    "name": "str",
    "severity": "int64",
    "clear": "bool",
}
SCORE_COLUMNS: Mapping[str, Any] = {"date": DATE_DTYPE, "symptom": "str", "value": "int64"}

EFFECTS_SEPARATOR = "; "


def _frame(rows: list[dict[str, Any]], columns: Mapping[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for name, dtype in columns.items():
        if dtype == DATE_DTYPE:
            frame[name] = pd.to_datetime(frame[name]).astype(DATE_DTYPE).dt.normalize()
        else:
            frame[name] = frame[name].astype(dtype)
    return frame.reset_index(drop=True)


def plan_frame(plan: Plan | Iterable[PlannedDay], reasons: bool = True) -> pd.DataFrame:
    """One row per planned day; ``reason`` rendered (empty without ``reasons``: figures that
    never show it skip rendering a sentence a day), ``volume_ml`` NaN for capsules."""
    days = plan.days if isinstance(plan, Plan) else tuple(plan)
    rows = [
        {
            "date": d.day,
            "dose_mg": float(d.dose_mg),
            "nominal_mg": float(d.nominal_mg),
            "phase": d.phase,
            "reason": d.reason.render() if reasons else "",
            "needs_liquid": bool(d.needs_liquid),
            "volume_ml": float("nan") if d.volume_ml is None else float(d.volume_ml),
            "step": int(d.step),
        }
        for d in days
    ]
    return _frame(rows, PLAN_COLUMNS)


def episodes_frame(episodes: Iterable[Episode]) -> pd.DataFrame:
    """One row per side-effect episode; the effect names joined with ``"; "``."""
    rows = [
        {
            "start": e.start,
            "end": e.end,
            "duration": int(e.duration),
            "worst_severity": int(e.worst_severity),
            "effects": EFFECTS_SEPARATOR.join(e.effects),
            "fired": bool(e.fired),
            "fired_on": e.fired_on,
        }
        for e in episodes
    ]
    return _frame(rows, EPISODE_COLUMNS)


def alerts_frame(alerts: Iterable[Alert]) -> pd.DataFrame:
    """One row per alert, in date order, the message rendered in the current language."""
    rows = [
        {"date": a.day, "code": a.code, "message": a.message.render()}
        for a in sorted(alerts, key=lambda a: (a.day, a.code))
    ]
    return _frame(rows, ALERT_COLUMNS)


def alert_states_frame(states: Iterable[AlertState]) -> pd.DataFrame:
    """:func:`alerts_frame` with each alert's status (SPEC §13), dismissed ones included:
    alerts.csv."""
    rows = [
        {"date": s.day, "code": s.code, "message": s.message.render(), "status": s.status}
        for s in sorted(states, key=lambda s: (s.day, s.code))
    ]
    return _frame(rows, ALERT_STATE_COLUMNS)


def doses_frame(doses: Iterable[DoseEntry]) -> pd.DataFrame:
    """One row per logged dose; ``mg`` NaN when not given, ``time`` when the entry carries one.

    The clinical ``DoseEntry`` has no time; a richer entry from the diary (any object with
    ``day``, ``taken``, ``mg`` and ``time``) fills the column.
    """
    rows = []
    for d in sorted(doses, key=lambda d: d.day):
        time = getattr(d, "time", None)
        rows.append(
            {
                "date": d.day,
                "taken": bool(d.taken),
                "mg": float("nan") if d.mg is None else float(d.mg),
                "time": None if time is None else _time_text(time),
            }
        )
    return _frame(rows, DOSE_COLUMNS)


def _time_text(value: object) -> str:
    strftime = getattr(value, "strftime", None)
    return strftime("%H:%M") if strftime is not None else str(value)


def effects_frame(effects: Iterable[EffectEntry], clear_days: Iterable[date] = ()) -> pd.DataFrame:
    """One row per reported side effect, plus one row per explicit "no side effects today".

    A clear day is a row with ``name`` empty, ``severity`` 0 and ``clear`` true, so a reader can
    tell "nothing reported" from "reported nothing" (SPEC §4: clear day versus unknown day).
    """
    rows: list[dict[str, Any]] = [
        {"date": e.day, "name": e.name, "severity": int(e.severity), "clear": False}
        for e in effects
    ]
    rows += [{"date": d, "name": "", "severity": 0, "clear": True} for d in clear_days]
    rows.sort(key=lambda r: (r["date"], r["clear"], r["name"]))
    return _frame(rows, EFFECT_COLUMNS)


def scores_frame(scores: Iterable[ScoreEntry]) -> pd.DataFrame:
    """One row per symptom score (0–10, higher is worse)."""
    rows = [
        {"date": s.day, "symptom": s.symptom, "value": int(s.value)}
        for s in sorted(scores, key=lambda s: (s.day, s.symptom))
    ]
    return _frame(rows, SCORE_COLUMNS)
