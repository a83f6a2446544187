"""The handlers of the diary's commands and of what follows from the diary: ``dose``,
``effect`` and ``score`` write a day; ``plan``, ``alerts``, ``dismiss`` and ``summary`` show,
or answer, what the rules make of it (SPEC §9)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from tracker.cli.errors import UsageError
from tracker.cli.opening import open_clinic
from tracker.cli.output import print_json, print_rows
from tracker.clinical.horizons import PLAN_HORIZON_DAYS
from tracker.i18n import _
from tracker.validation import today


def cmd_dose(args: argparse.Namespace) -> int:
    from tracker.validation import parse_time

    time = parse_time(args.time, "--time") if args.time is not None else None
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    clinic.log_dose(pid, args.date, taken=not args.skipped, mg=args.mg, time=time,
                    confirm=args.confirm, reason=args.reason)
    return 0


def cmd_effect(args: argparse.Namespace) -> int:
    if args.none and (args.name is not None or args.severity is not None):
        raise UsageError(_("--none cannot be combined with --name or --severity."))
    if not args.none and (args.name is None or args.severity is None):
        raise UsageError(_("Give --name and --severity (0-4), or --none."))
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    if args.none:
        clinic.log_no_effects(pid, args.date, reason=args.reason)
    else:
        clinic.log_effect(pid, args.date, args.name, args.severity, reason=args.reason)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    clinic.log_score(pid, args.date, args.symptom, args.value, reason=args.reason)
    return 0


PLAN_COLUMNS = ("date", "dose_mg", "nominal_mg", "phase", "reason", "needs_liquid")


def cmd_plan(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    info = clinic.patient(pid)
    end = args.end or today() + timedelta(days=PLAN_HORIZON_DAYS)
    start = args.start or info.start_date
    if end < start:
        raise UsageError(_("--to must be on or after --from."))
    plan = clinic.plan(pid, until=end)
    columns = PLAN_COLUMNS + (("volume_ml",) if info.formulation == "liquid" else ())
    rows = [{"date": d.day, "dose_mg": d.dose_mg, "nominal_mg": d.nominal_mg, "phase": d.phase,
             "reason": d.reason.render(), "needs_liquid": d.needs_liquid,
             "volume_ml": d.volume_ml, "step": d.step}
            for d in plan.days if d.day >= start]
    print_rows(rows, columns, args.format)
    return 0


# SPEC §9 and §13: the first three as ever, the status after them (docs/clinician.md).
ALERT_COLUMNS = ("date", "code", "message", "status")


def cmd_alerts(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    rows = [{"date": a.day, "code": a.code, "message": a.message.render(), "status": a.status}
            for a in clinic.alert_states(pid)]
    print_rows(rows, ALERT_COLUMNS, args.format)
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    clinic.dismiss_alert(pid, args.code, args.date, args.reason)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from tracker.services.review import patient_summary

    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    summary = patient_summary(clinic, pid)
    if args.format == "json":
        print_json(summary)
    else:
        from tracker.analysis import summary_text

        sys.stdout.write(summary_text(summary).rstrip("\n") + "\n")
    return 0
