"""The handlers of the headless commands: open the clinic, ask one service, print the answer.

Each handler takes the parsed arguments and returns the exit status; a refusal is raised
(:class:`~tracker.validation.ValidationError`, :class:`~tracker.cli.errors.UsageError`) and told
by :func:`~tracker.cli.errors.explain_failure`. The services, the database, pandas and the
report are imported inside the handlers that need them, so a ``dose`` entry starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from tracker.cli.access import authorize, server_checked
from tracker.cli.admin import ADMIN_COMMANDS
from tracker.cli.errors import UsageError
from tracker.cli.output import print_json, print_rows
from tracker.clinical.horizons import PLAN_HORIZON_DAYS
from tracker.i18n import N_, Message, _
from tracker.services.roles import actor, resolve_role
from tracker.validation import ValidationError, today


def _open(args: argparse.Namespace) -> Any:
    """The clinic on the database the user named; its audit rows name the role (SPEC §10)."""
    from tracker.memory import loading_modules

    with loading_modules():  # SQLAlchemy, the models, the services: the command's whole life
        from tracker.services.clinic import Clinic
        from tracker.storage.database import Database
        from tracker.storage.locations import resolve_database

    role = resolve_role(getattr(args, "role", None))
    database = Database(resolve_database(args.db), create=not only_reads(args))
    try:
        role = server_checked(args, database)
    except BaseException:
        database.dispose()
        raise
    return Clinic(database, actor=actor(role))


def _out_path(text: str) -> Path:
    """Where to write: never an empty path (it would mean the current directory, silently)."""
    if not text.strip():
        raise ValidationError("--out", Message(N_("{field} must not be empty.")))
    return Path(text)


def _out_folder(text: str) -> Path:
    """``export --out``: a folder (made if missing), never an existing file."""
    out = _out_path(text)
    if out.exists() and not out.is_dir():
        raise ValidationError("--out", Message(N_(
            "{field}: {value} is a file, not a folder: give the folder to write the CSV files "
            "into (it is made if it does not exist)."), {"value": text}))
    return out


def _out_file(text: str) -> Path:
    """``report --out``: a file name, never an existing folder."""
    out = _out_path(text)
    if out.is_dir():
        raise ValidationError("--out", Message(N_(
            "{field}: {value} is a folder: give a file name for the report, e.g. {example}."),
            {"value": text, "example": str(out / "report.html")}))
    return out


def cmd_patient_add(args: argparse.Namespace) -> int:
    if args.step_mg is not None and args.step_mg not in (0.5, 1):
        raise ValidationError("--step-mg", Message(N_("{field} must be 0.5 or 1 (got {value})."),
                                                   {"value": args.step_mg}))
    clinic = _open(args)
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

    rows = [asdict(p) for p in _open(args).list_patients()]
    print_rows(rows, PATIENT_COLUMNS, args.format)
    return 0


def cmd_patient_edit(args: argparse.Namespace) -> int:
    clinic = _open(args)
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
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    clinic.add_medication(pid, args.name, args.start, args.end)
    from tracker.clinical import is_opioid

    if is_opioid(args.name):
        print(_("Warning: {name} is an opioid. LDN must not be combined with opioids: the plan "
                "holds LDN until 7 days after the last opioid day.").format(name=args.name),
              file=sys.stderr)
    return 0


def cmd_med_end(args: argparse.Namespace) -> int:
    clinic = _open(args)
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

    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    rows = [{"id": m.id, "name": m.name, "from": m.start_date, "to": m.end_date,
             "opioid": is_opioid(m.name)} for m in clinic.medications(pid)]
    print_rows(rows, ("id", "name", "from", "to", "opioid"), args.format)
    return 0


def cmd_chemo_add(args: argparse.Namespace) -> int:
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    clinic.add_chemo(pid, args.date, args.end)
    return 0


def cmd_dose(args: argparse.Namespace) -> int:
    from tracker.validation import parse_time

    time = parse_time(args.time, "--time") if args.time is not None else None
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    clinic.log_dose(pid, args.date, taken=not args.skipped, mg=args.mg, time=time,
                    confirm=args.confirm, reason=args.reason)
    return 0


def cmd_effect(args: argparse.Namespace) -> int:
    if args.none and (args.name is not None or args.severity is not None):
        raise UsageError(_("--none cannot be combined with --name or --severity."))
    if not args.none and (args.name is None or args.severity is None):
        raise UsageError(_("Give --name and --severity (0-4), or --none."))
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    if args.none:
        clinic.log_no_effects(pid, args.date, reason=args.reason)
    else:
        clinic.log_effect(pid, args.date, args.name, args.severity, reason=args.reason)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    clinic.log_score(pid, args.date, args.symptom, args.value, reason=args.reason)
    return 0


PLAN_COLUMNS = ("date", "dose_mg", "nominal_mg", "phase", "reason", "needs_liquid")


def cmd_plan(args: argparse.Namespace) -> int:
    clinic = _open(args)
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
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    rows = [{"date": a.day, "code": a.code, "message": a.message.render(), "status": a.status}
            for a in clinic.alert_states(pid)]
    print_rows(rows, ALERT_COLUMNS, args.format)
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    clinic.dismiss_alert(pid, args.code, args.date, args.reason)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from tracker.services.review import patient_summary

    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    summary = patient_summary(clinic, pid)
    if args.format == "json":
        print_json(summary)
    else:
        from tracker.analysis import summary_text

        sys.stdout.write(summary_text(summary).rstrip("\n") + "\n")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from tracker.export.bulk import default_workers
    from tracker.services.review import export_patients

    if args.format == "fhir":
        if args.dialect is not None:
            raise ValidationError("--dialect", Message(N_(
                "{field} applies to the CSV files only, not to --format fhir.")))
        return _export_fhir(args)
    out = _out_folder(args.out)
    clinic = _open(args)
    ids = [p.id for p in clinic.list_patients()] if args.all else \
        [clinic.find_patient(args.patient)]
    written = export_patients(clinic, ids, out, args.dialect or "standard",
                              workers=default_workers(len(ids)))
    for path in written:
        print(path)
    return 0


def _export_fhir(args: argparse.Namespace) -> int:
    """``export --format fhir``: one bundle file for ``--patient``, one per patient in the
    folder for ``--all`` (SPEC §11)."""
    from tracker.export.bulk import default_workers
    from tracker.services.sharing import export_bundle, export_bundles

    if args.all:
        out = _out_folder(args.out)
        clinic = _open(args)
        ids = [p.id for p in clinic.list_patients()]
        for path in export_bundles(clinic, ids, out, workers=default_workers(len(ids))):
            print(path)
        return 0
    target = _out_path(args.out)
    if target.is_dir():
        raise ValidationError("--out", Message(N_(
            "{field}: {value} is a folder: give a file name for the bundle, e.g. {example}."),
            {"value": args.out, "example": str(target / "patient.json")}))
    clinic = _open(args)
    print(export_bundle(clinic, clinic.find_patient(args.patient), target))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """``import FILE.json [--dry-run] [--replace]`` (SPEC §11): the file is read and checked
    whole before the database is even opened, so a refused file writes nothing anywhere."""
    from tracker.services.fhir_import import BundleRefused, read_bundle
    from tracker.services.importing import import_bundle, summary_lines

    if not args.file.strip():
        raise ValidationError("FILE.json", Message(N_("{field} must not be empty.")))
    try:
        incoming = read_bundle(Path(args.file), args.file)
        clinic = _open(args)
        result = import_bundle(clinic, incoming, args.file, role=args.role,
                               dry_run=args.dry_run, replace=args.replace)
    except BundleRefused as exc:
        raise UsageError(exc.message.render()) from None
    for line in summary_lines(result, args.dry_run):
        print(line.render())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from tracker.services.review import write_report

    out = _out_file(args.out)
    if args.from_date and args.to_date and args.to_date < args.from_date:
        raise ValidationError("--to", Message(N_(
            "{field} must be on or after --from {start} (got {value})."),
            {"start": args.from_date, "value": args.to_date}))
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    print(write_report(clinic, pid, out, args.from_date, args.to_date))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 intact, 1 broken (what and where, on stdout), 2 could not check (SPEC §9)."""
    anchor = None
    if args.anchor is not None:
        if not args.anchor.strip():
            raise ValidationError("--anchor", Message(N_("{field} must not be empty.")))
        anchor = Path(args.anchor)
    result = _open(args).verify_audit(anchor)
    if result.ok:
        print(_("Audit trail intact: {rows} rows, hash chain verified.").format(rows=result.rows))
        print(_("Every record agrees with the audit trail: {records} rows in {tables} tables "
                "(patient_status is derived from them, not audited).").format(
                    records=result.records, tables=result.tables))
        print(_("The append-only triggers are in place and enabled."))
        if result.anchor is not None:
            now = result.anchor.current
            if result.anchor.recorded is None:
                print(_("Anchor {path} created: it records {rows} rows, head {head}. Keep it "
                        "where the database's users cannot write.").format(
                            path=anchor, rows=now.rows, head=now.head_hash))
            else:
                print(_("Anchor {path}: the trail still begins with the {recorded} rows it "
                        "recorded; it now records {rows} rows, head {head}.").format(
                            path=anchor, recorded=result.anchor.recorded.rows, rows=now.rows,
                            head=now.head_hash))
        return 0
    print(_("Not intact. Problems found: {count}.").format(count=result.problem_count))
    for problem in result.problems:
        print(f"- {problem.render()}")
    if result.unlisted:
        counts = ", ".join(f"{table} {n}" for table, n in result.differences_per_table.items())
        print(_("... and {more} more records that differ from the audit trail (per table: "
                "{counts}).").format(more=result.unlisted, counts=counts))
    if result.anchor is not None:
        print(_("The anchor {path} was left as it was.").format(path=anchor))
    return 1


def _reminded_patient(clinic: Any, ref: str | None) -> int:
    """``remind``'s patient: ``--patient``, else the database's only one."""
    if ref is not None:
        return int(clinic.find_patient(ref))
    ids = [p.id for p in clinic.list_patients()]
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UsageError(_("No patient in this database yet: add one first (patient add)."))
    raise ValidationError("--patient", Message(N_(
        "{field} is needed: this database holds several patients (ids {ids})."),
        {"ids": ", ".join(map(str, ids))}))


def cmd_remind(args: argparse.Namespace) -> int:
    """Tonight's reminder (SPEC §12): one line, nothing once today's dose is logged, exit 0
    either way; ``--install HH:MM`` and ``--uninstall`` set up and remove the daily timer."""
    if args.uninstall:
        if args.patient is not None:
            raise UsageError(_("--uninstall takes no --patient: it removes the one reminder."))
        return _remind_uninstall()
    clinic = _open(args)
    pid = _reminded_patient(clinic, args.patient)
    if args.install is not None:
        return _remind_install(args, pid)
    from tracker.services.reminders import desktop_session, notify, tonight

    line = tonight(clinic, pid, today())
    if line is None:
        return 0
    text = line.render()
    print(text, flush=True)  # printed first: a notification that fails or hangs changes nothing
    if desktop_session():
        notify(_("LDN reminder"), text)
    return 0


def _remind_install(args: argparse.Namespace, patient_id: int) -> int:
    from tracker.i18n import get_language
    from tracker.services.reminder_timer import WAY_LABELS, install, reminder_command
    from tracker.storage.locations import resolve_database

    command = reminder_command(resolve_database(args.db), patient_id, get_language())
    installed = install(args.install, command)
    print(_("Installed the daily reminder at {time} ({way}):").format(
        time=args.install, way=_(WAY_LABELS[installed.via])))
    for path in installed.paths:
        print(f"  {path}")
    if installed.line is not None:
        print(f"  {installed.line}")
    print(_("Remove it with: ldn-tracker remind --uninstall"))
    return 0


def _remind_uninstall() -> int:
    from tracker.services.reminder_timer import WAY_LABELS, uninstall

    removed = uninstall()
    way = _(WAY_LABELS[removed.via])
    if removed.nothing:
        print(_("No daily reminder is installed ({way}): nothing to remove.").format(way=way))
        return 0
    print(_("Removed the daily reminder ({way}):").format(way=way))
    for item in (*map(str, removed.paths), *removed.lines):
        print(f"  {item}")
    return 0


COMMANDS: dict[tuple[str, str | None], Callable[[argparse.Namespace], int]] = {
    ("patient", "add"): cmd_patient_add,
    ("patient", "list"): cmd_patient_list,
    ("patient", "edit"): cmd_patient_edit,
    ("med", "add"): cmd_med_add,
    ("med", "end"): cmd_med_end,
    ("med", "list"): cmd_med_list,
    ("chemo", "add"): cmd_chemo_add,
    ("dose", None): cmd_dose,
    ("effect", None): cmd_effect,
    ("score", None): cmd_score,
    ("plan", None): cmd_plan,
    ("alerts", None): cmd_alerts,
    ("dismiss", None): cmd_dismiss,
    ("summary", None): cmd_summary,
    ("export", None): cmd_export,
    ("report", None): cmd_report,
    ("import", None): cmd_import,
    ("verify", None): cmd_verify,
    ("remind", None): cmd_remind,
    **ADMIN_COMMANDS,
}


# The commands that only read (SPEC §9): on a path where no database exists they say so and
# create nothing. Their files (export, report) are written elsewhere, never into the database.
READING_COMMANDS = frozenset({
    ("patient", "list"), ("med", "list"), ("plan", None), ("alerts", None), ("summary", None),
    ("export", None), ("report", None), ("verify", None), ("remind", None),
})


def only_reads(args: argparse.Namespace) -> bool:
    if args.command == "import":  # a dry run only reads
        return bool(getattr(args, "dry_run", False))
    return (args.command, getattr(args, "action", None)) in READING_COMMANDS


def run(args: argparse.Namespace) -> int:
    """Run the parsed command (any but ``demo`` and the app itself) and return its exit status,
    once the role may (refused with exit 2 before anything is opened otherwise)."""
    handler = COMMANDS[(args.command, getattr(args, "action", None))]
    authorize(args)
    return handler(args)
