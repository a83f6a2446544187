"""The files ``export`` writes (SPEC §9) and their columns, in the order they are written.

One list for the bulk export, the per-patient reference in the tests and the headers.
"""

from __future__ import annotations

EXPORT_FILES = ("doses", "side_effects", "scores", "plan", "alerts", "summary")

EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "doses": ("patient_id", "patient", "date", "taken", "mg", "time", "note"),
    "side_effects": ("patient_id", "patient", "date", "name", "severity", "clear"),
    "scores": ("patient_id", "patient", "date", "symptom", "value"),
    "plan": ("patient_id", "patient", "date", "dose_mg", "nominal_mg", "phase", "reason",
             "needs_liquid", "volume_ml", "step"),
    "alerts": ("patient_id", "patient", "date", "code", "message", "status"),
    "summary": ("patient_id", "patient", "metric", "value"),
}
