"""Who may do what (SPEC §10): the patient and the clinician, in one table, for every way in.

The command line and the app ask the same question here, before anything is opened: may this
role take this action? The answer is data (:data:`NEEDS`, the least role each action needs) and
one function (:func:`may`), so a reader finds the whole rule on one screen and a test can check
that every command of the parser has been given a place in it.

An action is named as the user would name it: a command (``"dismiss"``, ``"patient edit"``), a
command with the option that changes what it does (``"patient edit --target-mg"``,
``"export --all"``), or a part of the app (``"app"``, ``"clinic"``). The clinician may do all the
patient may; an action nobody has classified needs the clinician (a new command is closed until
someone decides, and ``tests/integration/test_roles.py`` fails until they do).

On a SQLite file whoever can open the file can choose either role: the file's owner-only mode is
the boundary, and this table keeps an honest user from slips, not an attacker. On PostgreSQL the
server enforces the roles through the login (``admin``, SPEC §10); this table still refuses
early, in plain words, what the server would refuse.

Pure, apart from :func:`login_name` (the operating system's login, for the clinician's actor).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal

from tracker.i18n import N_, Message
from tracker.validation import ValidationError

if TYPE_CHECKING:
    from tracker.storage.database import Database

Role = Literal["patient", "clinician"]
PATIENT: Final[Role] = "patient"
CLINICIAN: Final[Role] = "clinician"
ROLES: Final[tuple[Role, ...]] = (PATIENT, CLINICIAN)  # each may do all of those before it
ENV_ROLE: Final = "LDN_TRACKER_ROLE"
ROLE_OPTION: Final = "--role"

# The protocol settings (SPEC §3: "every number editable per patient") are the clinician's to
# change. The day the off-label information was acknowledged is the patient's own statement:
# the patient acknowledges it in the app (the first-run setup, the info page), so they may
# record it on the command line too.
PROTOCOL_SETTINGS: Final = ("--target-mg", "--step-mg", "--interval-days", "--tolerance-days",
                            "--weight-kg", "--transplant")

_NEEDS: dict[str, Role] = {
    # The app: the patient's screens (Today, History, Plan, the setup), and the clinic's.
    "app": PATIENT,
    "demo": PATIENT,
    "clinic": CLINICIAN,  # the cohort, a patient's review, dismissing from it, export of all
    # The patient's own records. Setting a patient up (the app's first-run setup does the same)
    # is not a change of an existing protocol, so the patient may do it.
    "patient add": PATIENT,
    "patient list": PATIENT,
    "patient edit": PATIENT,  # the command itself; what it changes is classified below
    "patient edit --informed": PATIENT,
    **{f"patient edit {option}": CLINICIAN for option in PROTOCOL_SETTINGS},
    "med add": PATIENT,
    "med end": PATIENT,
    "med list": PATIENT,
    "chemo add": PATIENT,
    "dose": PATIENT,
    "effect": PATIENT,
    "score": PATIENT,
    # What the patient reads of their own treatment, and may export.
    "plan": PATIENT,
    "alerts": PATIENT,
    "summary": PATIENT,
    "report": PATIENT,
    "export": PATIENT,
    "export --all": CLINICIAN,  # several patients at once
    "dismiss": CLINICIAN,
    "verify": PATIENT,
    # SPEC §11-§12: the patient's file taken in, tonight's reminder (and its daily timer).
    "import": PATIENT,
    "remind": PATIENT,
    # PostgreSQL's roles (SPEC §10) are made with the owner's URL: the server decides who may,
    # and `--role` is not part of those commands.
    "admin init": PATIENT,
    "admin clinician": PATIENT,
    "admin patient": PATIENT,
}
NEEDS: Final[Mapping[str, Role]] = MappingProxyType(_NEEDS)


def may(role: Role, action: str) -> bool:
    """Whether ``role`` may take ``action`` (an action nobody classified needs the clinician)."""
    needed = NEEDS.get(action, CLINICIAN)
    return ROLES.index(role) >= ROLES.index(needed)


def first_refused(role: Role, actions: Iterable[str]) -> str | None:
    """The first of ``actions`` that ``role`` may not take, or ``None`` when it may take all."""
    return next((action for action in actions if not may(role, action)), None)


def refusal(role: Role, action: str) -> Message:
    """What a refused user reads: the action, the role it needs, and the role they have."""
    return Message(N_("{action} needs --role {needed} (the role now is {role})"),
                   {"action": action, "needed": NEEDS.get(action, CLINICIAN), "role": role})


def parse_role(text: str, field: str = ROLE_OPTION) -> Role:
    """The role as typed after ``--role`` (exactly ``patient`` or ``clinician``)."""
    for role in ROLES:
        if text == role:
            return role
    raise ValidationError(field, Message(
        N_("{field} must be patient or clinician (got {value})."), {"value": repr(text)}))


def resolve_role(option: str | None, environ: Mapping[str, str] | None = None) -> Role:
    """The role from ``--role``, else ``LDN_TRACKER_ROLE`` (unset or empty: not given), else
    the patient. A bad value in the environment is refused as a bad ``--role`` is."""
    if option is not None:
        return parse_role(option)
    env = os.environ if environ is None else environ
    given = env.get(ENV_ROLE, "")
    if not given:
        return PATIENT
    if given in ROLES:
        return parse_role(given)
    raise ValidationError(ENV_ROLE, Message(
        N_("{field} must be patient or clinician (got {value}); it is the default of --role."),
        {"value": repr(given)}))


def login_name() -> str:
    """The operating system's login (``getpass.getuser()``), or ``unknown`` where there is none
    (a minimal container without a user name)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # noqa: BLE001 - getuser raises OSError or KeyError when nobody is named
        return "unknown"


def actor(role: Role, login: str | None = None) -> str:
    """Who the audit trail says made a change (SPEC §10): ``patient``, or
    ``clinician:<login name>``."""
    if role == CLINICIAN:
        return f"clinician:{login if login is not None else login_name()}"
    return "patient"


def role_given(option: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a role was asked for (``--role`` or ``LDN_TRACKER_ROLE``), not defaulted."""
    env = os.environ if environ is None else environ
    return option is not None or bool(env.get(ENV_ROLE, ""))


def server_role_of(db: Database, role: Role, *, given: bool = True) -> Role:
    """The role to act in on ``db``. On PostgreSQL the login's group is the role (SPEC §10): a
    role not asked for is the group's; one asked for may be lower, never higher — a patient's
    login asking for ``clinician`` is refused here, in plain words, before the server would
    refuse the first clinician's write. SQLite (no server roles) and the tables' owner (in
    neither group) keep ``role``."""
    if db.is_sqlite:
        return role
    from sqlalchemy import text

    from tracker.storage.admin import server_role

    with db.read() as session:
        group = server_role(session)
        login = session.execute(text("SELECT session_user")).scalar_one()
    if group is None:
        return role
    if not given:
        return group
    if role == CLINICIAN and group == PATIENT:
        raise ValidationError(ROLE_OPTION, Message(N_(
            "{field} clinician is refused: {login} is a patient's login on this server, and "
            "the server decides the role."), {"login": login}))
    return role
