"""Trend summaries for the clinician (SPEC §8): the clinical values as DataFrames, and the figures
computed from them.

Pure: pandas, numpy, :mod:`tracker.clinical` and :mod:`tracker.i18n` only; no Textual, no
SQLAlchemy, no I/O. Where the treatment stands (today's dose, the next step, adherence) and what
a phase is called are :mod:`tracker.clinical`'s, one function each; this package aggregates and
formats. Importing it imports pandas, so interfaces import it only when a command needs it
(start-up time is a feature).
"""

from __future__ import annotations

from tracker.analysis.frames import (
    alerts_frame,
    doses_frame,
    effects_frame,
    episodes_frame,
    plan_frame,
    scores_frame,
)
from tracker.analysis.summary import (
    build_summary,
    progress_entries,
    summary_frame,
)
from tracker.analysis.summary_text import summary_text
from tracker.analysis.trends import (
    adherence_frame,
    daily_scores,
    dose_on_days,
    dose_response,
    rolling_means,
    symptom_trends,
    weekly_means,
)

__all__ = [
    "adherence_frame",
    "alerts_frame",
    "build_summary",
    "daily_scores",
    "dose_on_days",
    "dose_response",
    "doses_frame",
    "effects_frame",
    "episodes_frame",
    "plan_frame",
    "progress_entries",
    "rolling_means",
    "scores_frame",
    "summary_frame",
    "summary_text",
    "symptom_trends",
    "weekly_means",
]
