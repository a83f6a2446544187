"""The clinician's review of a patient (SPEC §8, §9 ``summary``, ``export``, ``report``).

One place turns the stored records into the figures a clinician reads, so the command line,
the clinic screens and the HTML report always agree: the plan is computed once from the
patient's settings and diary (up to ``OUTLOOK_DAYS`` after today, where the next step is looked
for; what is shown and exported of it stops four weeks after today), where the treatment stands
is :mod:`tracker.clinical.progress`, the maths :mod:`tracker.analysis`, the files
:mod:`tracker.export.csv_files`. pandas is imported by the functions that need it, not by this
module, so the clinic screen opens without waiting for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tracker.clinical import compute_plan
from tracker.clinical.alert_status import DISMISSED, AlertState
from tracker.clinical.horizons import OUTLOOK_DAYS, PLAN_HORIZON_DAYS, within
from tracker.clinical.model import Alert, Diary, PatientSettings, Plan
from tracker.export.columns import EXPORT_COLUMNS, EXPORT_FILES
from tracker.services.clinic import Clinic, PatientInfo
from tracker.validation import today as current_day


@dataclass(frozen=True)
class Review:
    """Everything known about one patient on one day, read in one go."""

    info: PatientInfo
    settings: PatientSettings
    diary: Diary
    outlook: Plan  # until OUTLOOK_DAYS after today: the next step is looked for that far
    alerts: tuple[Alert, ...]  # not dismissed, until four weeks after today
    today: date
    # Every alert until four weeks after today, dismissed ones too, with its status (SPEC §13).
    states: tuple[AlertState, ...] = ()

    @property
    def plan(self) -> Plan:
        """The plan as shown and exported: until four weeks after today."""
        return within(self.outlook, self.today + timedelta(days=PLAN_HORIZON_DAYS))

    @property
    def patient(self) -> dict[str, Any]:
        return patient_record(self.info)


def patient_record(info: PatientInfo) -> dict[str, Any]:
    return {"id": info.id, "name": info.name, "condition": info.condition,
            "protocol": info.protocol, "start_date": info.start_date.isoformat(),
            "formulation": info.formulation, "target_mg": info.target_mg}


def load_review(clinic: Clinic, pid: int, on: date | None = None) -> Review:
    """The patient's plan until ``OUTLOOK_DAYS`` after ``on`` (default today) and the alerts
    until four weeks after it, with their status (those not dismissed apart, for the
    summary)."""
    now = on or current_day()
    info = clinic.patient(pid)
    settings, diary = clinic.inputs(pid)
    outlook = compute_plan(settings, diary, now + timedelta(days=OUTLOOK_DAYS), today=now)
    plan = within(outlook, now + timedelta(days=PLAN_HORIZON_DAYS))
    states = tuple(clinic.alert_states(pid, plan, diary))
    alerts = tuple(s.alert for s in states if s.status != DISMISSED)
    return Review(info, settings, diary, outlook, alerts, now, states)


def summary_of(review: Review, medications: list[dict[str, Any]]) -> dict[str, Any]:
    from tracker.analysis import build_summary

    summary = build_summary(review.outlook, review.diary, review.alerts, review.today,
                            review.patient)
    # Each alert with its status (SPEC §13): one function, clinical/alert_status.py.
    status = {(s.alert.code, s.alert.day.isoformat()): s.status for s in review.states}
    for row in summary["alerts"]:
        row["status"] = status.get((row["code"], row["date"]), "open")
    summary["medications"] = medications
    return summary


def patient_summary(clinic: Clinic, pid: int) -> dict[str, Any]:
    """The figures of SPEC §8 as one JSON-serialisable object (``summary --format json``):
    the plan runs to four weeks after today; alerts a clinician dismissed are left out."""
    return summary_of(load_review(clinic, pid), _medications(clinic, pid))


def _medications(clinic: Clinic, pid: int) -> list[dict[str, Any]]:
    from tracker.clinical import is_opioid

    return [{"name": m.name, "from": m.start_date.isoformat() if m.start_date else None,
             "to": m.end_date.isoformat() if m.end_date else None, "opioid": is_opioid(m.name)}
            for m in clinic.medications(pid)]


# -- export ------------------------------------------------------------------------------------

def export_patients(clinic: Clinic, ids: Sequence[int], out_dir: Path,
                    dialect: str = "standard", workers: int = 1) -> list[Path]:
    """Write the six CSV files of SPEC §9 for ``ids`` into ``out_dir``; one set of files for
    any number of patients, every row naming its patient. Returns the files written.

    All the tables are built before the first file is written, so a failing patient writes
    nothing. The files are byte for byte those of :func:`patient_frames`' tables concatenated
    and written by ``export_frames`` (tests/integration/test_export_bulk.py holds it to that),
    built table by table for all the patients at once by :mod:`tracker.export.bulk`, here or
    split over ``workers`` processes (``bulk_export.default_workers`` says how many are worth
    it; they are started with ``spawn``, so a calling script needs the usual
    ``if __name__ == "__main__":`` guard).
    """
    from tracker.export.bulk import export_parts
    from tracker.export.csv_files import Cells, make_private_dir, write_private

    _require(ids)
    cells = Cells(dialect)
    known = {p.id for p in clinic.list_patients()}
    for pid in ids:
        if pid not in known:
            clinic.patient(pid)  # says which patient is unknown
    now = current_day()
    distinct = list(dict.fromkeys(int(pid) for pid in ids))
    directory = Path(out_dir)
    created = not directory.exists()
    make_private_dir(directory)  # first: the workers' parts are kept inside it
    try:
        with clinic.db.read() as session:
            connection = session.connection().connection.driver_connection
            assert connection is not None
            with export_parts(connection.cursor(), clinic.db.target, distinct, dialect, now,
                              workers, scratch=directory) as part:
                written = []
                for k, key in enumerate(EXPORT_FILES):
                    target = directory / f"{key}.csv"
                    header = cells.header(EXPORT_COLUMNS[key]).encode(cells.encoding)
                    write_private(target, [header, *(part(int(pid), k) for pid in ids)])
                    written.append(target)
    except BaseException:
        if created:  # leave no empty folder behind a failed export
            with suppress(OSError):
                directory.rmdir()
        raise
    return written


def _require(ids: Sequence[int]) -> None:
    if not ids:
        from tracker.i18n import N_
        from tracker.validation import fail

        raise fail("patient", N_("{field}: there are no patients to export."))


# -- report ------------------------------------------------------------------------------------

def write_report(clinic: Clinic, pid: int, out: Path, first: date | None = None,
                 last: date | None = None) -> Path:
    """A self-contained HTML report for the patient's journal, owner-only (0600), in the
    current language; ``first``/``last`` (``report --from/--to``) limit the days it shows (the
    figures of where the treatment stands are those of today, as always)."""
    from tracker.analysis import doses_frame, plan_frame, scores_frame
    from tracker.export.csv_files import make_private_dir, write_private
    from tracker.export.report import render_report
    from tracker.i18n import get_language

    review = load_review(clinic, pid)
    summary = summary_of(review, _medications(clinic, pid))
    period = None
    if first is not None or last is not None:
        shown = [review.info.start_date, review.today,
                 *(s.day for s in review.diary.scores), *(d.day for d in review.diary.doses)]
        period = (first or min(shown), last or review.today + timedelta(days=PLAN_HORIZON_DAYS))
    info = review.info
    details = {"max_mg": info.max_mg, "concentration_mg_ml": info.concentration_mg_ml,
               "weight_kg": info.weight_kg, "informed_on": info.informed_on}
    html = render_report(summary, plan_frame(review.plan), scores_frame(review.diary.scores),
                         get_language(), details=details, period=period,
                         doses_df=doses_frame(review.diary.doses))
    target = Path(out)
    make_private_dir(target.parent)
    write_private(target, html.encode("utf-8"))
    return target
