"""Trend summaries for the clinician (SPEC §8): the clinical values as DataFrames, and the figures
computed from them.

Pure: pandas, numpy, :mod:`tracker.clinical.model` and :mod:`tracker.i18n` only; no Textual, no
SQLAlchemy, no I/O. Importing this package imports pandas, so interfaces import it only when a
command needs it (start-up time is a feature).
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
    PHASE_LABELS,
    build_summary,
    phase_label,
    summary_frame,
    summary_text,
)
from tracker.analysis.trends import (
    DoseStatus,
    adherence,
    adherence_frame,
    daily_scores,
    dose_on_days,
    dose_response,
    dose_status,
    rolling_means,
    symptom_trends,
    weekly_means,
)

__all__ = [
    "PHASE_LABELS",
    "DoseStatus",
    "adherence",
    "adherence_frame",
    "alerts_frame",
    "build_summary",
    "daily_scores",
    "dose_on_days",
    "dose_response",
    "dose_status",
    "doses_frame",
    "effects_frame",
    "episodes_frame",
    "phase_label",
    "plan_frame",
    "rolling_means",
    "scores_frame",
    "summary_frame",
    "summary_text",
    "symptom_trends",
    "weekly_means",
]
