"""The symptom scores as chart series: one line per symptom, the patient's and the clinician's
charts alike (pure: pandas and :mod:`tracker.analysis` only)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.analysis.summary import display_name
from tracker.analysis.trends import rolling_means
from tracker.clinical.progress import TREND_WINDOW_DAYS


def symptom_series(scores_df: pd.DataFrame, since: date | None = None,
                   window_days: int = TREND_WINDOW_DAYS) -> dict[str, list[tuple[date, float]]]:
    """Each symptom (by its name in the current language) with, for every score day from
    ``since``, its mean over the ``window_days`` days ending there (:func:`rolling_means`: the
    days before ``since`` count towards the first means). Symptoms in the order of their stored
    key, as the report's chart has them, so each keeps its colour in every chart and language;
    one without a score day from ``since`` on is left out."""
    rolled = rolling_means(scores_df, window_days)
    series: dict[str, list[tuple[date, float]]] = {}
    for symptom, group in rolled.groupby("symptom", sort=True):
        points = [(pd.Timestamp(d).date(), float(v))
                  for d, v in zip(group["date"], group["rolling_mean"], strict=True)]
        points = [(d, v) for d, v in points if since is None or d >= since]
        if points:
            series[display_name(str(symptom))] = points
    return series
