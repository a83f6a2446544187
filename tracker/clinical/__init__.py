"""The clinical rules engine: pure functions of a patient's settings and diary.

Nothing in this package reads the clock, a file or a database, and nothing renders text: every
explanation is an i18n :class:`~tracker.i18n.Message` the interface renders.
"""

from tracker.clinical.alerts import ALERT_CODES
from tracker.clinical.deliverable import deliverable_dose, volume_ml
from tracker.clinical.engine import compute_plan, dose_cap, nominal_ladder
from tracker.clinical.episodes import SideEffectIndex, find_episodes
from tracker.clinical.events import (
    OPIOID_BRANDS,
    OPIOID_GENERICS,
    Hold,
    Pause,
    chemo_pauses,
    is_opioid,
    opioid_holds,
    opioid_match,
)
from tracker.clinical.model import (
    CANCER_CAP_MG,
    CAPSULE_STRENGTHS_MG,
    HARD_LIMIT_MG,
    PEDIATRIC_WEIGHT_LIMIT_KG,
    PHASES,
    Alert,
    ChemoSession,
    Diary,
    DoseEntry,
    EffectEntry,
    Episode,
    Medication,
    PatientSettings,
    Phase,
    Plan,
    PlannedDay,
    Reduction,
    ScoreEntry,
)

__all__ = [
    "ALERT_CODES",
    "CANCER_CAP_MG",
    "CAPSULE_STRENGTHS_MG",
    "HARD_LIMIT_MG",
    "OPIOID_BRANDS",
    "OPIOID_GENERICS",
    "PEDIATRIC_WEIGHT_LIMIT_KG",
    "PHASES",
    "Alert",
    "ChemoSession",
    "Diary",
    "DoseEntry",
    "EffectEntry",
    "Episode",
    "Hold",
    "Medication",
    "PatientSettings",
    "Pause",
    "Phase",
    "Plan",
    "PlannedDay",
    "Reduction",
    "ScoreEntry",
    "SideEffectIndex",
    "chemo_pauses",
    "compute_plan",
    "deliverable_dose",
    "dose_cap",
    "find_episodes",
    "is_opioid",
    "nominal_ladder",
    "opioid_holds",
    "opioid_match",
    "volume_ml",
]
