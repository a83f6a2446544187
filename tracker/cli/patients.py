"""The handlers of ``patient``, ``med`` and ``chemo``: who the patient is, their settings, and
the medicines and chemotherapy that change the plan (SPEC §9)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tracker.cli.errors import UsageError
from tracker.cli.opening import open_clinic
from tracker.cli.output import print_rows
from tracker.i18n import N_, Message, _
from tracker.validation import ValidationError


def cmd_patient_add(args: argparse.Namespace) -> int:
    if args.step_mg is not None and args.step_mg not in (0.5, 1):
        raise ValidationError("--step-mg", Message(N_("{field} must be 0.5 or 1 (got {value})."),
                                                   {"value": args.step_mg}))
    clinic = open_clinic(args)
    pid = clinic.add_patient(
        name=args.name, condition=args.condition, protocol=args.protocol, start=args.start,
        weight_kg=args.weight_kg, formulation=args.formulation,
        concentration_mg_ml=args.concentration, step_mg=args.step_mg,
        tolerance_days=args.tolerance_days, target_mg=args.target_mg,
        transplant=args.transplant, informed_on=args.informed, interval_days=args.interval_days,
    )
    print(pid)
    return 0


PATIENT_COLUMNS = ("id", "name", "condition", "protocol", "start_date", "formulation",
                   "concentration_mg_ml", "weight_kg", "step_mg", "interval_days", "target_mg",
                   "max_mg", "tolerance_days", "transplant", "informed_on")


def cmd_patient_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    rows = [asdict(p) for p in open_clinic(args).list_patients()]
    print_rows(rows, PATIENT_COLUMNS, args.format)
    return 0


def cmd_patient_edit(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    changes: dict[str, Any] = {}
    for option, field in (("informed", "informed_on"), ("weight_kg", "weight_kg"),
                          ("target_mg", "target_mg"), ("step_mg", "step_mg"),
                          ("interval_days", "interval_days"),
                          ("tolerance_days", "tolerance_days")):
        if getattr(args, option) is not None:
            changes[field] = getattr(args, option)
    if args.transplant is not None:
        changes["transplant"] = args.transplant == "yes"
    if not changes:
        raise UsageError(_("Nothing to change: give at least one setting."))
    clinic.update_patient(pid, reason=args.reason, **changes)
    return 0


def cmd_med_add(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    clinic.add_medication(pid, args.name, args.start, args.end)
    from tracker.clinical import is_opioid

    if is_opioid(args.name):
        print(_("Warning: {name} is an opioid. LDN must not be combined with opioids: the plan "
                "holds LDN until 7 days after the last opioid day.").format(name=args.name),
              file=sys.stderr)
    return 0


def cmd_med_end(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    wanted = " ".join(args.name.split()).casefold()
    matches = [m for m in clinic.medications(pid) if m.name.casefold() == wanted
               and m.end_date is None]
    if len(matches) != 1:
        raise ValidationError("--name", Message(
            N_("No single open medication named {value} for this patient."),
            {"value": args.name}))
    clinic.end_medication(matches[0].id, args.end)
    return 0


def cmd_med_list(args: argparse.Namespace) -> int:
    from tracker.clinical import is_opioid

    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    rows = [{"id": m.id, "name": m.name, "from": m.start_date, "to": m.end_date,
             "opioid": is_opioid(m.name)} for m in clinic.medications(pid)]
    print_rows(rows, ("id", "name", "from", "to", "opioid"), args.format)
    return 0


def cmd_chemo_add(args: argparse.Namespace) -> int:
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    clinic.add_chemo(pid, args.date, args.end)
    return 0
