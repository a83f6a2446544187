"""Who may run this command line (SPEC §10): the role asked for, checked before anything opens.

The rule itself is :mod:`tracker.services.roles`; this module names what a parsed command line
asks for and refuses it (exit 2) before a database is opened, so a refusal writes nothing. On
a database server the login's group is the role, known once connected (:func:`server_checked`).
"""

from __future__ import annotations

import argparse
from typing import Any

from tracker.cli.errors import UsageError
from tracker.services.roles import (
    NEEDS,
    Role,
    first_refused,
    refusal,
    resolve_role,
    role_given,
    server_role_of,
)


def requested_actions(args: argparse.Namespace) -> list[str]:
    """The actions of :data:`~tracker.services.roles.NEEDS` this command line asks for: the
    command (``"app"`` without one), and each option that is an action of its own
    (``export --all``, ``patient edit --target-mg``) when it is given."""
    words = [w for w in (args.command, getattr(args, "action", None)) if w]
    command = " ".join(words) or "app"
    found = [command]
    for action in NEEDS:
        name, _sep, option = action.rpartition(" ")
        if name == command and option.startswith("--"):
            value = getattr(args, option[2:].replace("-", "_"), None)
            if value is not None and value is not False:
                found.append(action)
    return found


def authorize(args: argparse.Namespace) -> Role:
    """The role of this command line (``--role``, else ``LDN_TRACKER_ROLE``, else patient),
    once it is known to be allowed what the command asks; refused (exit 2) before anything is
    opened, so a refusal writes nothing. The role is kept in ``args.role``.

    On a database server no role was chosen unless it was given: there the login's group is the
    role (SPEC §10), known once connected, and :func:`server_checked` decides."""
    option = getattr(args, "role", None)
    role = resolve_role(option)
    args.role, args.role_given = role, role_given(option)
    if _on_server(args) and not args.role_given:
        return role
    refused = first_refused(role, requested_actions(args))
    if refused is not None:
        raise UsageError(refusal(role, refused).render())
    return role


def _on_server(args: argparse.Namespace) -> bool:
    from tracker.storage.locations import is_url, resolve_database

    target = resolve_database(getattr(args, "db", None))
    return is_url(target) and not target.startswith("sqlite")


def server_checked(args: argparse.Namespace, database: Any) -> Role:
    """The role once connected: on PostgreSQL the login's group (``--role`` may lower it, never
    raise it), checked again against what the command asks before anything is written."""
    role = server_role_of(database, args.role, given=getattr(args, "role_given", True))
    args.role = role
    refused = first_refused(role, requested_actions(args))
    if refused is not None:
        raise UsageError(refusal(role, refused).render())
    return role
