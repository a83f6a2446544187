"""``ldn-tracker --db OWNER_URL admin …``: the PostgreSQL roles of SPEC §10, set up by the owner.

``admin init`` creates the group roles, their grants and the row-level security (and upgrades
the schema first, as any command run with the owner's URL does); ``admin clinician`` and
``admin patient`` make a login in a group. A password is read from a file (its first line),
never from the command line, where other users of the machine and the shell's history would
see it, and is never printed. The SQL is in :mod:`tracker.storage.admin`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.cli.errors import UsageError, UsageParser
from tracker.i18n import N_, Message, _
from tracker.validation import ValidationError


def add_admin_commands(subparsers: argparse._SubParsersAction[Any],
                       common: argparse.ArgumentParser) -> None:
    """``admin init|clinician|patient``; ``common`` gives each ``--db`` and ``--lang``."""
    help_text = _("PostgreSQL roles: group roles, grants, row-level security, logins")
    admin = subparsers.add_parser("admin", help=help_text, description=help_text,
                                  parents=[common])
    actions = admin.add_subparsers(dest="action", parser_class=UsageParser, metavar="ACTION",
                                   required=True)

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=text, description=text, parents=[common])

    add("init", _("create the group roles ldn_clinician and ldn_patient, their grants and the "
                  "row-level security (run with the tables' owner's URL; safe to repeat)"))
    clinician = add("clinician", _("make a login a clinician's: it sees every patient"))
    clinician.add_argument("--login", required=True, help=_("the login role to create or grant"))
    clinician.add_argument("--password-file", help=_(
        "a file whose first line is the login's password"))
    patient = add("patient", _("make a login one patient's: it sees that patient only"))
    patient.add_argument("--login", required=True, help=_("the login role to create or grant"))
    patient.add_argument("--patient", required=True, help=_("id or unique name"))
    patient.add_argument("--password-file", help=_(
        "a file whose first line is the login's password"))


def _owner_database(args: argparse.Namespace) -> Any:
    from tracker.storage.admin import is_postgres_url
    from tracker.storage.database import Database
    from tracker.storage.locations import resolve_database

    target = resolve_database(args.db)
    if not is_postgres_url(target):
        raise UsageError(_(
            "admin sets up the roles on a PostgreSQL server: give --db the URL of the tables' "
            "owner, e.g. postgresql+psycopg://OWNER@HOST:5432/DATABASE. On a SQLite file "
            "there are no logins: the file's owner-only mode is the boundary."))
    return Database(target)


def read_password(path: str) -> str:
    """The first line of the file, stripped; the file's name is told, its content never."""
    if not path.strip():
        raise ValidationError("--password-file", Message(N_("{field} must not be empty.")))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
            type(exc).__name__
        raise ValidationError("--password-file", Message(
            N_("{field}: cannot read {value}: {problem}."),
            {"value": path, "problem": problem})) from None
    lines = text.splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise ValidationError("--password-file", Message(
            N_("{field}: the first line of {value} is empty; it must hold the password."),
            {"value": path}))
    return password


def cmd_admin_init(args: argparse.Namespace) -> int:
    from tracker.storage.admin import init_roles

    db = _owner_database(args)
    try:
        report = init_roles(db)
    finally:
        db.dispose()
    for note in report.notes:
        print(note.render())
    if report.changed:
        print(_("The roles are set up in {database}: ldn_clinician and ldn_patient, with "
                "row-level security on {tables} tables. Add logins with admin clinician and "
                "admin patient.").format(database=report.database, tables=report.tables))
    else:
        print(_("Nothing to change in {database}: the roles, grants and row-level security "
                "were already in place.").format(database=report.database))
    return 0


def _print_login(report: Any, who: str, password_file: str | None) -> None:
    print(who)
    if report.password_set:
        print(_("Password set from {file}.").format(file=password_file))
    elif report.created:
        print(_("No password set: {login} can log in only where the server asks for none (e.g. "
                "a certificate); give --password-file to set one.").format(login=report.login))
    print(_("Connect with: {url}").format(url=report.url))


def _password(args: argparse.Namespace) -> str | None:
    return read_password(args.password_file) if args.password_file is not None else None


def cmd_admin_clinician(args: argparse.Namespace) -> int:
    from tracker.storage.admin import add_login, check_login_name

    login = check_login_name(args.login)
    password = _password(args)
    db = _owner_database(args)
    try:
        report = add_login(db, login, "clinician", password)
    finally:
        db.dispose()
    _print_login(report, _("{login} is a clinician's login in {database}: it sees every "
                           "patient.").format(login=login, database=report.database),
                 args.password_file)
    return 0


def cmd_admin_patient(args: argparse.Namespace) -> int:
    from tracker.services.clinic import Clinic
    from tracker.storage.admin import add_login, check_login_name

    login = check_login_name(args.login)
    password = _password(args)
    db = _owner_database(args)
    try:
        clinic = Clinic(db)
        pid = clinic.find_patient(args.patient)
        name = clinic.patient(pid).name
        report = add_login(db, login, "patient", password, patient_id=pid)
    finally:
        db.dispose()
    _print_login(report, _("{login} is the login of patient {patient} ({name}) in {database}: "
                           "it sees that patient only.").format(
        login=login, patient=pid, name=name, database=report.database), args.password_file)
    return 0


ADMIN_COMMANDS: dict[tuple[str, str | None], Callable[[argparse.Namespace], int]] = {
    ("admin", "init"): cmd_admin_init,
    ("admin", "clinician"): cmd_admin_clinician,
    ("admin", "patient"): cmd_admin_patient,
}
