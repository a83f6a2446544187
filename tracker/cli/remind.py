"""The handler of ``remind`` (SPEC §12): tonight's one-line reminder, printed and, in a desktop
session, shown as a notification; ``--install HH:MM`` and ``--uninstall`` set up and remove the
daily timer that runs it. The timer's and the notification's modules are imported only here."""

from __future__ import annotations

import argparse
from typing import Any

from tracker.cli.errors import UsageError
from tracker.cli.opening import open_clinic
from tracker.i18n import N_, Message, _
from tracker.validation import ValidationError, today


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
    clinic = open_clinic(args)
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
