"""``remind --install HH:MM`` and ``remind --uninstall`` (SPEC §12): a daily user timer that runs
``remind`` at that time, and its removal.

One of three ways, the first the machine has: a systemd user timer on Linux when ``systemctl
--user`` answers (``ldn-tracker-remind.service`` and ``.timer`` in the user's unit folder), a
launchd agent on macOS (``~/Library/LaunchAgents/ldn-tracker-remind.plist``), else a line in the
user's crontab tagged ``# ldn-tracker remind`` (every other line kept as it was). What they run
is the same: this Python running ``-m tracker --db … --lang … remind --patient ID``. The
patient is named by the id only: nothing personal is written outside the database.

For tests and for the unusual machine: ``LDN_TRACKER_REMIND_VIA=systemd|launchd|cron`` chooses
the way, ``XDG_CONFIG_HOME`` moves the systemd unit folder, ``HOME`` the launchd one, and
``LDN_TRACKER_CRONTAB`` names the crontab command (default ``crontab``).
"""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tracker.i18n import N_, Message
from tracker.storage.locations import is_url
from tracker.validation import ValidationError

ENV_VIA = "LDN_TRACKER_REMIND_VIA"
ENV_CRONTAB = "LDN_TRACKER_CRONTAB"
WAYS = ("systemd", "launchd", "cron")
UNIT = "ldn-tracker-remind"
CRON_TAG = "# ldn-tracker remind"
WAY_LABELS = {"systemd": N_("systemd user timer"), "launchd": N_("launchd agent"),
              "cron": N_("crontab line")}
COMMAND_TIMEOUT_S = 30


@dataclass(frozen=True)
class Installed:
    """What ``--install`` set up: the files written, or the crontab line."""

    via: str
    paths: tuple[Path, ...] = ()
    line: str | None = None


@dataclass(frozen=True)
class Removed:
    """What ``--uninstall`` took away; nothing at all when both are empty."""

    via: str
    paths: tuple[Path, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.paths and not self.lines


def _refused(field: str, template: str, **params: object) -> ValidationError:
    return ValidationError(field, Message(template, params))


def reminder_target(target: str) -> str:
    """The database as the timer must name it: a file by its absolute path (a timer runs in
    another folder), a URL as it is, never with a password in it (the file would keep it)."""
    if not is_url(target):
        return str(Path(target).expanduser().resolve())
    if urlsplit(target).password:
        raise _refused("--db", N_(
            "{field}: the URL holds a password, and the timer's file would keep it. Give the "
            "URL without it (the server's password file, ~/.pgpass, can hold it)."))
    prefix = "sqlite:///"
    path = target[len(prefix):]
    if target.startswith(prefix) and path and not path.startswith("/") and path != ":memory:":
        return prefix + str(Path(path).resolve())
    return target


def reminder_command(target: str, patient_id: int, language: str) -> list[str]:
    """What the timer runs: ``remind`` for this database and patient, in this language."""
    return [sys.executable, "-m", "tracker", "--db", reminder_target(target),
            "--lang", language, "remind", "--patient", str(patient_id)]


def way(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str:
    """The timer's mechanism: ``LDN_TRACKER_REMIND_VIA``, else launchd on macOS, a systemd user
    timer where ``systemctl --user`` answers, else cron."""
    env = os.environ if environ is None else environ
    chosen = env.get(ENV_VIA, "").strip()
    if chosen:
        if chosen not in WAYS:
            raise _refused(ENV_VIA, N_("{field} must be systemd, launchd or cron (got {value})."),
                           value=repr(chosen))
        return chosen
    if (platform or sys.platform) == "darwin":
        return "launchd"
    systemctl = shutil.which("systemctl", path=env.get("PATH"))
    if systemctl is not None:
        try:
            done = subprocess.run([systemctl, "--user", "show-environment"],
                                  capture_output=True, timeout=COMMAND_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode == 0:
            return "systemd"
    return "cron"


def install(time: str, command: Sequence[str],
            environ: Mapping[str, str] | None = None) -> Installed:
    """Run ``command`` every day at ``time`` (``HH:MM``, already checked), replacing a reminder
    installed before."""
    env = os.environ if environ is None else environ
    via = way(env)
    hour, minute = (int(part) for part in time.split(":"))
    if via == "systemd":
        return _install_systemd(hour, minute, command, env)
    if via == "launchd":
        return _install_launchd(hour, minute, command)
    return _install_cron(hour, minute, command, env)


def uninstall(environ: Mapping[str, str] | None = None) -> Removed:
    """Take the reminder away (of the mechanism :func:`way` chooses)."""
    env = os.environ if environ is None else environ
    via = way(env)
    if via == "systemd":
        return _uninstall_systemd(env)
    if via == "launchd":
        return _uninstall_launchd()
    return _uninstall_cron(env)


# -- running the system's commands ---------------------------------------------------------------

def _run(argv: Sequence[str], field: str,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(list(argv), input=stdin, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _refused(field, N_("{field}: could not run {command}: {problem}"),
                       command=shlex.join(argv), problem=str(exc)) from None


def _checked(argv: Sequence[str], field: str,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = _run(argv, field, stdin)
    if done.returncode != 0:
        raise _refused(field, N_("{field}: {command} failed: {problem}"),
                       command=shlex.join(argv),
                       problem=(done.stderr or done.stdout).strip() or done.returncode)
    return done


# -- systemd ---------------------------------------------------------------------------------------

def unit_folder(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (``~/.config/systemd/user`` without it)."""
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "systemd" / "user"


def systemd_quote(word: str) -> str:
    """One word of an ``ExecStart=`` line, quoted as systemd reads it (``%`` and ``$`` are
    systemd's specifiers and variables, doubled to stand for themselves)."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not any(c.isspace() or c in "\"'\\;" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def service_text(command: Sequence[str]) -> str:
    return ("[Unit]\n"
            "Description=LDN Tracker: tonight's reminder\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"ExecStart={' '.join(systemd_quote(word) for word in command)}\n")


def timer_text(hour: int, minute: int) -> str:
    return ("[Unit]\n"
            "Description=LDN Tracker: tonight's reminder, every day\n\n"
            "[Timer]\n"
            f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
            f"Unit={UNIT}.service\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n")


def _write(path: Path, text: str | bytes) -> None:
    """Write through a temporary file beside it, so a unit is never read half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    data = text.encode() if isinstance(text, str) else text
    partial.write_bytes(data)
    partial.replace(path)


def _install_systemd(hour: int, minute: int, command: Sequence[str],
                     env: Mapping[str, str]) -> Installed:
    folder = unit_folder(env)
    service, timer = folder / f"{UNIT}.service", folder / f"{UNIT}.timer"
    replacing = timer.exists()
    _write(service, service_text(command))
    _write(timer, timer_text(hour, minute))
    _checked(["systemctl", "--user", "daemon-reload"], "--install")
    _checked(["systemctl", "--user", "enable", "--now", timer.name], "--install")
    if replacing:  # a running timer takes its new time from a restart
        _checked(["systemctl", "--user", "restart", timer.name], "--install")
    return Installed("systemd", (service, timer))


def _uninstall_systemd(env: Mapping[str, str]) -> Removed:
    folder = unit_folder(env)
    paths = tuple(p for p in (folder / f"{UNIT}.timer", folder / f"{UNIT}.service")
                  if p.exists())
    if not paths:
        return Removed("systemd")
    _run(["systemctl", "--user", "disable", "--now", f"{UNIT}.timer"], "--uninstall")
    for path in paths:
        path.unlink()
    _run(["systemctl", "--user", "daemon-reload"], "--uninstall")
    return Removed("systemd", paths)


# -- launchd ---------------------------------------------------------------------------------------

def agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{UNIT}.plist"


def agent_bytes(hour: int, minute: int, command: Sequence[str]) -> bytes:
    return plistlib.dumps({"Label": UNIT, "ProgramArguments": list(command),
                           "StartCalendarInterval": {"Hour": hour, "Minute": minute}})


def _install_launchd(hour: int, minute: int, command: Sequence[str]) -> Installed:
    path = agent_path()
    if path.exists():
        _run(["launchctl", "unload", str(path)], "--install")
    _write(path, agent_bytes(hour, minute, command))
    _checked(["launchctl", "load", "-w", str(path)], "--install")
    return Installed("launchd", (path,))


def _uninstall_launchd() -> Removed:
    path = agent_path()
    if not path.exists():
        return Removed("launchd")
    _run(["launchctl", "unload", "-w", str(path)], "--uninstall")
    path.unlink()
    return Removed("launchd", (path,))


# -- cron ------------------------------------------------------------------------------------------

def _crontab(env: Mapping[str, str]) -> list[str]:
    return shlex.split(env.get(ENV_CRONTAB, "").strip() or "crontab")


def cron_line(hour: int, minute: int, command: Sequence[str]) -> str:
    """The crontab line: cron reads ``%`` as a new line, so it is escaped; the tag after the
    command is a shell comment, which is how uninstall finds the line again."""
    return f"{minute} {hour} * * * {shlex.join(command).replace('%', chr(92) + '%')} {CRON_TAG}"


def _is_ours(line: str) -> bool:
    return line.rstrip().endswith(CRON_TAG)


def _read_crontab(env: Mapping[str, str], field: str) -> list[str]:
    """The user's crontab, line by line; empty when there is none. Any other failure stops
    here: writing a crontab not read first would lose the user's lines."""
    done = _run([*_crontab(env), "-l"], field)
    if done.returncode != 0:
        if "no crontab" in done.stderr.lower():
            return []
        raise _refused(field, N_("{field}: {command} failed: {problem}"),
                       command=shlex.join([*_crontab(env), "-l"]),
                       problem=done.stderr.strip() or done.returncode)
    return done.stdout.splitlines()


def _write_crontab(env: Mapping[str, str], lines: list[str], field: str) -> None:
    _checked([*_crontab(env), "-"], field, "".join(f"{line}\n" for line in lines))


def _install_cron(hour: int, minute: int, command: Sequence[str],
                  env: Mapping[str, str]) -> Installed:
    line = cron_line(hour, minute, command)
    kept = [old for old in _read_crontab(env, "--install") if not _is_ours(old)]
    _write_crontab(env, [*kept, line], "--install")
    return Installed("cron", line=line)


def _uninstall_cron(env: Mapping[str, str]) -> Removed:
    lines = _read_crontab(env, "--uninstall")
    ours = tuple(line for line in lines if _is_ours(line))
    if not ours:
        return Removed("cron")
    _write_crontab(env, [line for line in lines if not _is_ours(line)], "--uninstall")
    return Removed("cron", lines=ours)
