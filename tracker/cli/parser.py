"""The command line's grammar (SPEC §9): every command, flag, default and help text.

One builder per group of commands, called in the order ``--help`` lists them. Values are parsed
by the same functions the app uses, so a date or a dose is refused here, before anything is
opened, in the same words the app would use.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NoReturn

from tracker.cli.admin import add_admin_commands
from tracker.cli.errors import UsageParser
from tracker.i18n import N_, _
from tracker.services.roles import ENV_ROLE, parse_role
from tracker.validation import (
    ValidationError,
    parse_date,
    parse_int,
    parse_number,
    parse_time,
)

DB_HELP = N_("database file or SQLAlchemy URL (default: LDN_TRACKER_DB, else the user data "
             "directory)")
LANG_HELP = N_("language of messages (default: from the locale)")
ROLE_HELP = N_("patient or clinician (default: {env}, else patient); dismiss, patient edit of "
               "protocol settings, export --all and the clinic need clinician")


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


class CommandLevel:
    """One level of commands (``ldn-tracker COMMAND`` or ``ldn-tracker patient ACTION``).

    Every command it adds takes ``--db``, ``--lang`` and ``--role`` after its name too, and
    describes itself with its help line.
    """

    def __init__(self, sub: argparse._SubParsersAction[Any],
                 common: argparse.ArgumentParser) -> None:
        self._sub = sub
        self._common = common

    def add(self, name: str, help_text: str) -> argparse.ArgumentParser:
        return self._sub.add_parser(name, help=help_text, description=help_text,
                                    parents=[self._common])

    def add_group(self, name: str, help_text: str) -> CommandLevel:
        """A command whose ACTION (``add``, ``list``…) is required."""
        group = self.add(name, help_text)
        actions = group.add_subparsers(dest="action", parser_class=UsageParser,
                                       metavar="ACTION", required=True)
        return CommandLevel(actions, self._common)


def add_demo_command(commands: CommandLevel) -> None:
    commands.add("demo", _("open the app on a demo database with sample data"))


def add_patient_commands(commands: CommandLevel) -> None:
    patient = commands.add_group("patient", _("add or list patients"))
    add = patient.add("add", _("add a patient and print the new id"))
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
    add.add_argument("--transplant", action="store_true",
                     help=_("the patient has an organ transplant"))
    add.add_argument("--informed", type=_date("--informed"),
                     help=_("the day the off-label information was acknowledged"))

    listing = patient.add("list", _("list the patients"))
    listing.add_argument("--format", choices=("csv", "json"), default="csv")

    edit = patient.add("edit", _("change a patient's settings (audited)"))
    edit.add_argument("--patient", required=True, help=_("id or unique name"))
    edit.add_argument("--informed", type=_date("--informed"))
    edit.add_argument("--weight-kg", type=_number("--weight-kg"))
    edit.add_argument("--target-mg", type=_number("--target-mg"))
    edit.add_argument("--step-mg", type=_number("--step-mg"))
    edit.add_argument("--interval-days", type=_int("--interval-days", 1, 365))
    edit.add_argument("--tolerance-days", type=_int("--tolerance-days", 3, 4))
    edit.add_argument("--transplant", choices=("yes", "no"))
    edit.add_argument("--reason", help=_("why the change is made"))


def add_medication_commands(commands: CommandLevel) -> None:
    med = commands.add_group("med", _("concomitant medications"))
    add = med.add("add", _("add a medication (opioids put LDN on hold)"))
    add.add_argument("--patient", required=True, help=_("id or unique name"))
    add.add_argument("--name", required=True)
    add.add_argument("--from", dest="start", type=_date("--from"))
    add.add_argument("--to", dest="end", type=_date("--to"))

    end = med.add("end", _("set the last day of a medication"))
    end.add_argument("--patient", required=True, help=_("id or unique name"))
    end.add_argument("--name", required=True)
    end.add_argument("--to", dest="end", required=True, type=_date("--to"))

    listing = med.add("list", _("list a patient's medications"))
    listing.add_argument("--patient", required=True, help=_("id or unique name"))
    listing.add_argument("--format", choices=("csv", "json"), default="csv")


def add_chemo_commands(commands: CommandLevel) -> None:
    chemo = commands.add_group("chemo", _("chemotherapy sessions (cancer protocol)"))
    add = chemo.add("add", _("add a chemotherapy session"))
    add.add_argument("--patient", required=True, help=_("id or unique name"))
    add.add_argument("--date", required=True, type=_date("--date"))
    add.add_argument("--end", type=_date("--end"))


def add_diary_commands(commands: CommandLevel) -> None:
    """The patient's daily entries: the dose, side effects and symptom scores."""
    dose = commands.add("dose", _("log the day's dose, taken or skipped"))
    dose.add_argument("--patient", required=True, help=_("id or unique name"))
    dose.add_argument("--date", required=True, type=_date("--date"))
    taken_or_not = dose.add_mutually_exclusive_group(required=True)
    taken_or_not.add_argument("--mg", type=_number("--mg"), help=_("the dose taken, in mg"))
    taken_or_not.add_argument("--skipped", action="store_true",
                              help=_("the dose was not taken"))
    dose.add_argument("--time", help=_("time taken, HH:MM"))
    dose.add_argument("--confirm", action="store_true",
                      help=_("confirm a dose above the patient's plan maximum"))
    dose.add_argument("--reason", help=_("why, when correcting an earlier entry"))

    effect = commands.add("effect", _("log a side effect (severity 0-4) or none today"))
    effect.add_argument("--patient", required=True, help=_("id or unique name"))
    effect.add_argument("--date", required=True, type=_date("--date"))
    effect.add_argument("--name", help=_("side effect, e.g. headache"))
    effect.add_argument("--severity", type=_int("--severity", 0, 4),
                        help=_("0 none, 1 mild, 2 moderate, 3 severe, 4 very severe"))
    effect.add_argument("--none", action="store_true", help=_("no side effects today"))
    effect.add_argument("--reason", help=_("why, when correcting an earlier entry"))

    score = commands.add("score", _("log a symptom score (0-10, higher is worse)"))
    score.add_argument("--patient", required=True, help=_("id or unique name"))
    score.add_argument("--date", required=True, type=_date("--date"))
    score.add_argument("--symptom", required=True,
                       help=_("pain, fatigue, low mood, sleep problems or your own"))
    score.add_argument("--value", required=True, type=_int("--value", 0, 10))
    score.add_argument("--reason", help=_("why, when correcting an earlier entry"))


def add_review_commands(commands: CommandLevel) -> None:
    """What the clinician reads and decides: the plan, the alerts, the summary, the files."""
    plan = commands.add("plan", _("the day-by-day plan"))
    plan.add_argument("--patient", required=True, help=_("id or unique name"))
    plan.add_argument("--from", dest="start", type=_date("--from"))
    plan.add_argument("--to", dest="end", type=_date("--to"))
    plan.add_argument("--format", choices=("csv", "json"), default="csv")

    alerts = commands.add("alerts", _("the patient's alerts"))
    alerts.add_argument("--patient", required=True, help=_("id or unique name"))
    alerts.add_argument("--format", choices=("csv", "json"), default="csv")
    # Every alert is listed, dismissed ones with the status "dismissed" (SPEC §13); --all
    # is still accepted, for the scripts that asked for them.
    alerts.add_argument("--all", action="store_true", help=argparse.SUPPRESS)

    dismiss = commands.add("dismiss", _("dismiss an alert, as a clinician, with a reason"))
    dismiss.add_argument("--patient", required=True, help=_("id or unique name"))
    dismiss.add_argument("--code", required=True)
    dismiss.add_argument("--date", required=True, type=_date("--date"))
    dismiss.add_argument("--reason", required=True)

    summary = commands.add("summary", _("the clinician's summary of one patient"))
    summary.add_argument("--patient", required=True, help=_("id or unique name"))
    summary.add_argument("--format", choices=("json", "text"), default="text")

    export = commands.add("export", _("write CSV files for a journal or a spreadsheet"))
    who = export.add_mutually_exclusive_group(required=True)
    who.add_argument("--patient", help=_("id or unique name"))
    who.add_argument("--all", action="store_true", help=_("every patient"))
    export.add_argument("--out", required=True, help=_(
        "directory to write into (with --format fhir and --patient: the bundle's file)"))
    export.add_argument("--dialect", choices=("standard", "excel-da"), default=None,
                        help=_("CSV only: standard (the default), or excel-da (';' and decimal "
                               "comma)"))
    export.add_argument("--format", choices=("csv", "fhir"), default="csv", help=_(
        "csv (the six files) or fhir (a FHIR R4 bundle per patient, SPEC §11)"))

    report = commands.add("report", _("a printable HTML report for the patient's journal"))
    report.add_argument("--patient", required=True, help=_("id or unique name"))
    report.add_argument("--out", required=True, help=_("the HTML file to write"))
    report.add_argument("--from", dest="from_date", type=_date("--from"), help=_(
        "the first day the charts and dated tables show (default: the start of the diary)"))
    report.add_argument("--to", dest="to_date", type=_date("--to"), help=_(
        "the last day they show (default: 4 weeks after today, as the plan)"))


def add_import_command(commands: CommandLevel) -> None:
    imported = commands.add("import", _("take a patient's FHIR R4 bundle in (SPEC §11)"))
    imported.add_argument("file", metavar="FILE.json", help=_("the bundle's file"))
    imported.add_argument("--dry-run", action="store_true",
                          help=_("say what would change and write nothing"))
    imported.add_argument("--replace", action="store_true", help=_(
        "apply the file's values where they differ from the database, as audited "
        "corrections (otherwise such a conflict refuses the whole import)"))


def add_verify_command(commands: CommandLevel) -> None:
    verify = commands.add("verify", _("check the audit trail and that every record agrees with "
                                      "it (exit 1 if not)"))
    verify.add_argument("--anchor", metavar="FILE",
                        help=_("a file kept outside the database: check that the trail still "
                               "begins with what it recorded, then record the current head"))


def add_remind_command(commands: CommandLevel) -> None:
    """Tonight's reminder (SPEC §12), and the daily timer that runs it."""
    remind = commands.add("remind", _(
        "tonight's reminder: print it (and show it on the desktop) unless today's dose is "
        "logged"))
    remind.add_argument("--patient", help=_(
        "id or unique name (default: the database's only patient)"))
    timer = remind.add_mutually_exclusive_group()
    timer.add_argument("--install", metavar="HH:MM",
                       type=_converter(parse_time, "time", "--install"), help=_(
                           "run the reminder every day at HH:MM (a systemd user timer, a "
                           "launchd agent on macOS, else a crontab line)"))
    timer.add_argument("--uninstall", action="store_true",
                       help=_("remove the daily reminder --install set up"))


def _role_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--role", default=default, metavar="patient|clinician",
                        type=_converter(parse_role, "role", "--role"),
                        help=_(ROLE_HELP).format(env=ENV_ROLE))


def _global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """``--db``, ``--lang`` and ``--role``: before any command (``default`` None: not given,
    so LDN_TRACKER_DB, the locale and LDN_TRACKER_ROLE decide) and after a command's name too
    (``argparse.SUPPRESS``: left unset unless given, so that the values given before the
    command are kept)."""
    parser.add_argument("--db", default=default, help=_(DB_HELP))
    parser.add_argument("--lang", choices=("en", "da"), default=default, help=_(LANG_HELP))
    _role_option(parser, default)


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="ldn-tracker", description=_(
        "Follow a Low Dose Naltrexone treatment: the daily diary, the titration plan and the "
        "clinician's review. Without a command, the app opens."))
    _global_options(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)

    subparsers = parser.add_subparsers(dest="command", parser_class=UsageParser,
                                       metavar="COMMAND")
    commands = CommandLevel(subparsers, common)
    add_demo_command(commands)
    add_patient_commands(commands)
    add_medication_commands(commands)
    add_chemo_commands(commands)
    add_diary_commands(commands)
    add_review_commands(commands)
    add_import_command(commands)
    add_verify_command(commands)
    add_remind_command(commands)
    add_admin_commands(subparsers, common)
    return parser


class _NotPlain(Exception):
    """The command line is not the global options alone: the whole grammar parses it."""


class _GlobalOptionsParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotPlain(message)


def parse_command_line(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """What ``build_parser().parse_args(argv)`` gives, without building the commands' 27
    parsers when the line names no command (the app opens: every patient's start; they were
    10–15 ms of it, docs/performance.md). Anything else — a command, help, an unknown or bad
    option, ``--`` — is parsed by the whole grammar, which also words every error."""
    line = sys.argv[1:] if argv is None else list(argv)
    if "--" not in line:
        plain = _GlobalOptionsParser(prog="ldn-tracker", add_help=False)
        _global_options(plain, None)
        plain.add_argument("command", nargs="?", default=None)
        try:
            args, rest = plain.parse_known_args(line)
        except _NotPlain:
            pass
        else:
            if args.command is None and not rest:
                return args
    return build_parser().parse_args(line)
