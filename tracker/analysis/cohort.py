"""The clinic's view (SPEC §8): every patient in one sortable table, with flags that say whom to
look at first.

Flags are stable codes (``reduction``, ``plateau``, ``alerts``, ``low_adherence``,
``no_entry_3d``) kept as a comma-separated string; :data:`FLAG_LABELS` translates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from tracker.analysis.frames import DATE_DTYPE
from tracker.i18n import N_

LOW_ADHERENCE = 0.8
NO_ENTRY_DAYS = 3
FLAG_SEPARATOR = ", "

FLAG_LABELS: Mapping[str, str] = {
    "reduction": N_("reduction week"),
    "plateau": N_("plateau"),
    "alerts": N_("open alerts"),
    "low_adherence": N_("adherence below 80 % (30 days)"),
    "no_entry_3d": N_("no diary entry for 3 days"),
}

COHORT_COLUMNS: Mapping[str, Any] = {
    "id": "object",
    "name": "str",
    "protocol": "str",
    "phase": "str",
    "dose_mg": "float64",
    "adherence_30d": "float64",
    "open_alerts": "str",
    "last_entry": DATE_DTYPE,
    "flags": "str",
}


def patient_flags(row: Mapping[str, Any], today: date | None = None) -> list[str]:
    """The flags of one patient, in the order of :data:`FLAG_LABELS`.

    ``no_entry_3d``: none of the three whole days before today has a diary entry (today is still
    running, so an evening diarist is not flagged in the morning), or there is no entry at all.
    """
    flags = []
    if row.get("phase") == "reduction":
        flags.append("reduction")
    if row.get("phase") == "plateau":
        flags.append("plateau")
    if row.get("open_alerts"):
        flags.append("alerts")
    adherence = row.get("adherence_30d")
    if adherence is not None and adherence == adherence and adherence < LOW_ADHERENCE:
        flags.append("low_adherence")
    day = row.get("today", today)
    last = row.get("last_entry")
    if last is None or (day is not None and (day - last).days > NO_ENTRY_DAYS):
        flags.append("no_entry_3d")
    return flags


def cohort_frame(rows: Iterable[Mapping[str, Any]], today: date | None = None) -> pd.DataFrame:
    """One row per patient: id, name, protocol, phase, dose_mg, adherence_30d, open_alerts,
    last_entry, flags. Each row's ``today`` wins over the ``today`` argument.
    """
    records = []
    for row in rows:
        alerts = row.get("open_alerts") or []
        records.append(
            {
                "id": row.get("id"),
                "name": row.get("name"),
                "protocol": row.get("protocol"),
                "phase": row.get("phase"),
                "dose_mg": row.get("current_dose_mg", row.get("dose_mg")),
                "adherence_30d": row.get("adherence_30d"),
                "open_alerts": FLAG_SEPARATOR.join(alerts),
                "last_entry": row.get("last_entry"),
                "flags": FLAG_SEPARATOR.join(patient_flags(row, today)),
            }
        )
    frame = pd.DataFrame(records, columns=list(COHORT_COLUMNS))
    for name, dtype in COHORT_COLUMNS.items():
        if dtype == DATE_DTYPE:
            frame[name] = pd.to_datetime(frame[name]).astype(DATE_DTYPE)
        elif dtype in ("float64",):
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        else:
            frame[name] = frame[name].astype(dtype)
    return frame
