"""The headless commands of SPEC §9: parse, call a service, print.

Errors go to stderr in plain words (the field and the allowed range) with exit status 2 and
write nothing; no traceback ever reaches the user. Heavy modules (pandas, Textual, alembic) are
imported only by the commands that need them, so a `dose` entry starts fast.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

from tracker.export.cells import format_number, neutralise
from tracker.i18n import N_, Message, _, set_language
from tracker.validation import ValidationError, parse_date, parse_int, parse_number, today

EXIT_USAGE = 2


class UsageError(Exception):
    """A refusal told on stderr with exit status 2."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {_('error')}: {message}\n")


def _converter(parse: Callable[..., Any], name: str, field: str,
               *limits: int) -> Callable[[str], Any]:
    """An argparse type that parses like the app does and reports the field and its range."""
    def convert(text: str) -> Any:
        try:
            return parse(text, field, *limits)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(exc.render()) from None
    convert.__name__ = name
    return convert


def _date(field: str) -> Callable[[str], date]:
    return _converter(parse_date, "date", field)


def _number(field: str) -> Callable[[str], float]:
    return _converter(parse_number, "number", field)


def _int(field: str, low: int, high: int) -> Callable[[str], int]:
    return _converter(parse_int, "integer", field, low, high)


def build_parser() -> argparse.ArgumentParser:
    db_help = _("database file or SQLAlchemy URL (default: LDN_TRACKER_DB, else the user data "
                "directory)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=db_help)
    common.add_argument("--lang", choices=("en", "da"), default=argparse.SUPPRESS,
                        help=_("language of messages (default: from the locale)"))

    parser = _Parser(prog="ldn-tracker", description=_(
        "Follow a Low Dose Naltrexone treatment: the daily diary, the titration plan and the "
        "clinician's review. Without a command, the app opens."))
    parser.add_argument("--db", default=None, help=db_help)
    parser.add_argument("--lang", choices=("en", "da"), default=None,
                        help=_("language of messages (default: from the locale)"))
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def command(name: str, help_text: str, parent: Any = sub) -> argparse.ArgumentParser:
        return parent.add_parser(name, help=help_text, description=help_text,
                                 parents=[common])

    command("demo", _("open the app on a demo database with sample data"))

    patient = command("patient", _("add or list patients"))
    psub = patient.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION",
                                  required=True)
    add = command("add", _("add a patient and print the new id"), psub)
    add.add_argument("--name", required=True, help=_("name or pseudonym"))
    add.add_argument("--condition", required=True,
                     help=_("condition, in English or Danish (e.g. fibromyalgia)"))
    add.add_argument("--protocol", help=_("titration protocol (default: the condition's)"))
    add.add_argument("--start", required=True, type=_date("--start"),
                     help=_("first day of the plan, YYYY-MM-DD"))
    add.add_argument("--weight-kg", type=_number("--weight-kg"),
                     help=_("weight; required for a child under 40 kg"))
    add.add_argument("--formulation", choices=("capsule", "liquid"), default="capsule")
    add.add_argument("--concentration", type=_number("--concentration"),
                     help=_("liquid concentration in mg/ml"))
    add.add_argument("--step-mg", type=_number("--step-mg"), help=_("titration step: 0.5 or 1"))
    add.add_argument("--tolerance-days", type=_int("--tolerance-days", 3, 4), default=4,
                     help=_("days of side effects tolerated: 3 or 4 (default 4)"))
    add.add_argument("--target-mg", type=_number("--target-mg"), help=_("target dose in mg"))
    add.add_argument("--interval-days", type=_int("--interval-days", 1, 365),
                     help=_("days between step-ups (default: the protocol's)"))
    add.add_argument("--transplant", action="store_true", help=_("the patient has an organ "
                                                                 "transplant"))
    add.add_argument("--informed", type=_date("--informed"),
                     help=_("the day the off-label information was acknowledged"))
    lst = command("list", _("list the patients"), psub)
    lst.add_argument("--format", choices=("csv", "json"), default="csv")
    edit = command("edit", _("change a patient's settings (audited)"), psub)
    edit.add_argument("--patient", required=True, help=_("id or unique name"))
    edit.add_argument("--informed", type=_date("--informed"))
    edit.add_argument("--weight-kg", type=_number("--weight-kg"))
    edit.add_argument("--target-mg", type=_number("--target-mg"))
    edit.add_argument("--step-mg", type=_number("--step-mg"))
    edit.add_argument("--interval-days", type=_int("--interval-days", 1, 365))
    edit.add_argument("--tolerance-days", type=_int("--tolerance-days", 3, 4))
    edit.add_argument("--transplant", choices=("yes", "no"))
    edit.add_argument("--reason", help=_("why the change is made"))

    med = command("med", _("concomitant medications"))
    msub = med.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION",
                              required=True)
    madd = command("add", _("add a medication (opioids put LDN on hold)"), msub)
    madd.add_argument("--patient", required=True, help=_("id or unique name"))
    madd.add_argument("--name", required=True)
    madd.add_argument("--from", dest="start", type=_date("--from"))
    madd.add_argument("--to", dest="end", type=_date("--to"))
    mend = command("end", _("set the last day of a medication"), msub)
    mend.add_argument("--patient", required=True, help=_("id or unique name"))
    mend.add_argument("--name", required=True)
    mend.add_argument("--to", dest="end", required=True, type=_date("--to"))
    mlist = command("list", _("list a patient's medications"), msub)
    mlist.add_argument("--patient", required=True, help=_("id or unique name"))
    mlist.add_argument("--format", choices=("csv", "json"), default="csv")

    chemo = command("chemo", _("chemotherapy sessions (cancer protocol)"))
    csub = chemo.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION",
                                required=True)
    cadd = command("add", _("add a chemotherapy session"), csub)
    cadd.add_argument("--patient", required=True, help=_("id or unique name"))
    cadd.add_argument("--date", required=True, type=_date("--date"))
    cadd.add_argument("--end", type=_date("--end"))

    dose = command("dose", _("log the day's dose, taken or skipped"))
    dose.add_argument("--patient", required=True, help=_("id or unique name"))
    dose.add_argument("--date", required=True, type=_date("--date"))
    which = dose.add_mutually_exclusive_group(required=True)
    which.add_argument("--mg", type=_number("--mg"), help=_("the dose taken, in mg"))
    which.add_argument("--skipped", action="store_true", help=_("the dose was not taken"))
    dose.add_argument("--time", help=_("time taken, HH:MM"))
    dose.add_argument("--confirm", action="store_true",
                      help=_("confirm a dose above the patient's plan maximum"))
    dose.add_argument("--reason", help=_("why, when correcting an earlier entry"))

    effect = command("effect", _("log a side effect (severity 0-4) or none today"))
    effect.add_argument("--patient", required=True, help=_("id or unique name"))
    effect.add_argument("--date", required=True, type=_date("--date"))
    effect.add_argument("--name", help=_("side effect, e.g. headache"))
    effect.add_argument("--severity", type=_int("--severity", 0, 4),
                        help=_("0 none, 1 mild, 2 moderate, 3 severe, 4 very severe"))
    effect.add_argument("--none", action="store_true", help=_("no side effects today"))
    effect.add_argument("--reason", help=_("why, when correcting an earlier entry"))

    score = command("score", _("log a symptom score (0-10, higher is worse)"))
    score.add_argument("--patient", required=True, help=_("id or unique name"))
    score.add_argument("--date", required=True, type=_date("--date"))
    score.add_argument("--symptom", required=True,
                       help=_("pain, fatigue, low mood, sleep problems or your own"))
    score.add_argument("--value", required=True, type=_int("--value", 0, 10))
    score.add_argument("--reason", help=_("why, when correcting an earlier entry"))

    plan = command("plan", _("the day-by-day plan"))
    plan.add_argument("--patient", required=True, help=_("id or unique name"))
    plan.add_argument("--from", dest="start", type=_date("--from"))
    plan.add_argument("--to", dest="end", type=_date("--to"))
    plan.add_argument("--format", choices=("csv", "json"), default="csv")

    alerts = command("alerts", _("the patient's alerts"))
    alerts.add_argument("--patient", required=True, help=_("id or unique name"))
    alerts.add_argument("--format", choices=("csv", "json"), default="csv")
    alerts.add_argument("--all", action="store_true", help=_("include dismissed alerts"))

    dismiss = command("dismiss", _("dismiss an alert, as a clinician, with a reason"))
    dismiss.add_argument("--patient", required=True, help=_("id or unique name"))
    dismiss.add_argument("--code", required=True)
    dismiss.add_argument("--date", required=True, type=_date("--date"))
    dismiss.add_argument("--reason", required=True)

    summary = command("summary", _("the clinician's summary of one patient"))
    summary.add_argument("--patient", required=True, help=_("id or unique name"))
    summary.add_argument("--format", choices=("json", "text"), default="text")

    export = command("export", _("write CSV files for a journal or a spreadsheet"))
    who = export.add_mutually_exclusive_group(required=True)
    who.add_argument("--patient", help=_("id or unique name"))
    who.add_argument("--all", action="store_true", help=_("every patient"))
    export.add_argument("--out", required=True, help=_("directory to write into"))
    export.add_argument("--dialect", choices=("standard", "excel-da"), default="standard")

    report = command("report", _("a printable HTML report for the patient's journal"))
    report.add_argument("--patient", required=True, help=_("id or unique name"))
    report.add_argument("--out", required=True, help=_("the HTML file to write"))

    command("verify", _("check the audit trail's hash chain (exit 1 if broken)"))
    return parser


# -- output --------------------------------------------------------------------------------

def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> None:
    if fmt == "json":
        json.dump([{c: _json_value(r.get(c)) for c in columns} for r in rows], sys.stdout,
                  ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v := row.get(c), str) else _cell(v)
                         for c in columns])
    sys.stdout.write(buf.getvalue())


# -- commands ------------------------------------------------------------------------------

def _actor(role: str) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in a minimal container
        user = "unknown"
    return f"{role}:{user}"


def _open(args: argparse.Namespace, role: str = "cli") -> Any:
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database
    from tracker.storage.locations import resolve_database

    return Clinic(Database(resolve_database(args.db)), actor=_actor(role))


def run(args: argparse.Namespace) -> int:
    handler = COMMANDS[(args.command, getattr(args, "action", None))]
    return handler(args)


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
    clinic = _open(args, "clinician")
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
    end = args.end or today() + timedelta(days=28)
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


def cmd_alerts(args: argparse.Namespace) -> int:
    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    rows = [{"date": a.day, "code": a.code, "message": a.message.render()}
            for a in clinic.alerts(pid, include_dismissed=args.all)]
    print_rows(rows, ("date", "code", "message"), args.format)
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    clinic = _open(args, "clinician")
    pid = clinic.find_patient(args.patient)
    clinic.dismiss_alert(pid, args.code, args.date, args.reason)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from tracker.services.review import patient_summary

    clinic = _open(args)
    pid = clinic.find_patient(args.patient)
    summary = patient_summary(clinic, pid)
    if args.format == "json":
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        from tracker.analysis import summary_text

        sys.stdout.write(summary_text(summary).rstrip("\n") + "\n")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from tracker.export.bulk import default_workers
    from tracker.services.review import export_patients

    out = _out_path(args.out)
    clinic = _open(args, "clinician")
    ids = [p.id for p in clinic.list_patients()] if args.all else \
        [clinic.find_patient(args.patient)]
    written = export_patients(clinic, ids, out, args.dialect, workers=default_workers(len(ids)))
    for path in written:
        print(path)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from tracker.services.review import write_report

    out = _out_path(args.out)
    clinic = _open(args, "clinician")
    pid = clinic.find_patient(args.patient)
    print(write_report(clinic, pid, out))
    return 0


def _out_path(text: str) -> Path:
    """Where to write: never an empty path (it would mean the current directory, silently)."""
    if not text.strip():
        raise ValidationError("--out", Message(N_("{field} must not be empty.")))
    return Path(text)


def cmd_verify(args: argparse.Namespace) -> int:
    result = _open(args).verify_audit()
    if result.ok:
        print(_("Audit trail intact: {rows} rows, hash chain verified.").format(rows=result.rows))
        return 0
    print(_("Audit trail broken at row {row}: {problem}").format(
        row=result.first_bad_id, problem=result.problem), file=sys.stderr)
    return 1


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
    ("verify", None): cmd_verify,
}


def validation_text(exc: ValidationError) -> str:
    """The message with the field named as the command-line flag the user typed."""
    flag = exc.field if exc.field.startswith("-") else f"--{exc.field.replace('_', '-')}"
    flag = {"--concentration-mg-ml": "--concentration", "--informed-on": "--informed"}.get(
        flag, flag)
    if "{field}" in exc.message.template:
        return Message(exc.message.template, {**exc.message.params, "field": flag}).render()
    return f"{flag}: {exc.message.render()}"


def error(text: str) -> int:
    print(f"ldn-tracker: {_('error')}: {text}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        set_language(args.lang)
    try:
        if args.command is None:
            from tracker.app import run_app

            return run_app(args.db)
        if args.command == "demo":
            from tracker.app import run_demo

            return run_demo(args.db)
        return run(args)
    except ValidationError as exc:
        return error(validation_text(exc))
    except UsageError as exc:
        return error(exc.text)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        from tracker.storage.database import DatabaseError

        if isinstance(exc, DatabaseError):
            return error(str(exc))
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            return error(_("The database refused the change; nothing was written ({kind}).")
                         .format(kind=type(exc).__name__))
        if isinstance(exc, OSError):
            return error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        print(f"ldn-tracker: {_('internal error')}: {type(exc).__name__}", file=sys.stderr)
        return 1
