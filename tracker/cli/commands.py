"""The table of the headless commands: each (command, action) and its handler, and the one way
a parsed command is run.

Each handler takes the parsed arguments and returns the exit status; a refusal is raised
(:class:`~tracker.validation.ValidationError`, :class:`~tracker.cli.errors.UsageError`) and told
by :func:`~tracker.cli.errors.explain_failure`. The handlers are grouped by what they work on:
:mod:`~tracker.cli.patients` (patient, med, chemo), :mod:`~tracker.cli.diary` (dose, effect,
score, plan, alerts, dismiss, summary), :mod:`~tracker.cli.files` (export, report, import),
:mod:`~tracker.cli.audit` (verify), :mod:`~tracker.cli.remind` and :mod:`~tracker.cli.admin`;
each opens the clinic through :func:`~tracker.cli.opening.open_clinic`. The services, the
database, pandas and the report are imported inside the handlers that need them, so a ``dose``
entry starts fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from tracker.cli.access import authorize
from tracker.cli.admin import ADMIN_COMMANDS
from tracker.cli.audit import cmd_verify
from tracker.cli.diary import (
    cmd_alerts,
    cmd_dismiss,
    cmd_dose,
    cmd_effect,
    cmd_plan,
    cmd_score,
    cmd_summary,
)
from tracker.cli.files import cmd_export, cmd_import, cmd_report
from tracker.cli.opening import closing_opened
from tracker.cli.patients import (
    cmd_chemo_add,
    cmd_med_add,
    cmd_med_end,
    cmd_med_list,
    cmd_patient_add,
    cmd_patient_edit,
    cmd_patient_list,
)
from tracker.cli.remind import cmd_remind

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


def run(args: argparse.Namespace) -> int:
    """Run the parsed command (any but ``demo`` and the app itself) and return its exit status,
    once the role may (refused with exit 2 before anything is opened otherwise)."""
    handler = COMMANDS[(args.command, getattr(args, "action", None))]
    authorize(args)
    with closing_opened():
        return handler(args)
