"""The reminder's pieces without a database: the line, the notification's ways, the timer's
files (SPEC §12)."""

from __future__ import annotations

import logging
import shlex
import sys
import types
from datetime import date
from pathlib import Path

import pytest

from tracker import i18n
from tracker.clinical.instructions import tonight_reminder
from tracker.clinical.model import PlannedDay
from tracker.clinical.records import PatientInfo
from tracker.i18n import Message
from tracker.services import reminders
from tracker.services.reminder_timer import (
    CRON_TAG,
    cron_line,
    reminder_target,
    service_text,
    systemd_quote,
    timer_text,
    way,
)
from tracker.validation import ValidationError

DAY = date(2026, 3, 10)


def patient(formulation: str = "capsule", concentration: float | None = None) -> PatientInfo:
    return PatientInfo(id=1, name="P", condition="ms", protocol="autoimmune", start_date=DAY,
                       formulation=formulation, concentration_mg_ml=concentration,
                       weight_kg=None, target_mg=4.5, max_mg=12, step_mg=0.5, interval_days=21,
                       tolerance_days=4, transplant=False, informed_on=DAY)


def test_the_line_tells_the_dose_as_the_today_card_does() -> None:
    planned = PlannedDay(DAY, 2.0, 2.0, "titration", Message("x"))
    assert tonight_reminder(planned, patient()).render() == \
        "Time for tonight's LDN: 1 capsule of 2 mg"
    i18n.set_language("da")
    assert tonight_reminder(planned, patient()).render() == \
        "Tid til aftenens LDN: 1 kapsel à 2 mg"


def test_a_pause_says_why() -> None:
    planned = PlannedDay(DAY, 0.0, 0.0, "pause", Message(
        "Chemotherapy pause: no LDN from {first} to {last}, restart on {restart}",
        {"first": DAY, "last": date(2026, 3, 12), "restart": date(2026, 3, 13)}))
    assert tonight_reminder(planned, patient()).render() == (
        "No LDN tonight. Chemotherapy pause: no LDN from 10 March 2026 to 12 March 2026, "
        "restart on 13 March 2026.")


def test_a_desktop_session_is_a_display_a_bus_or_macos() -> None:
    assert not reminders.desktop_session({}, "linux")
    assert not reminders.desktop_session({"DISPLAY": " "}, "linux")
    assert reminders.desktop_session({"DISPLAY": ":0"}, "linux")
    assert reminders.desktop_session({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert reminders.desktop_session({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/b"}, "linux")
    assert reminders.desktop_session({}, "darwin")


def fake_library(monkeypatch: pytest.MonkeyPatch, fails: bool) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = []

    class DesktopNotifierSync:
        def __init__(self, app_name: str) -> None:
            self.app_name = app_name

        def send(self, title: str, message: str) -> str:
            if fails:  # as desktop-notifier does: a warning with a traceback, never an error
                try:
                    raise ConnectionError("no session bus")
                except ConnectionError:
                    logging.getLogger("desktop_notifier.backends.base").warning(
                        "Notification failed", exc_info=True)
            else:
                sent.append((title, message))
            return "id"

    module = types.ModuleType("desktop_notifier")
    module.DesktopNotifierSync = DesktopNotifierSync  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop_notifier", module)
    return sent


def test_the_library_is_used_when_it_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = fake_library(monkeypatch, fails=False)
    monkeypatch.setattr(reminders, "_with_notify_send", lambda t, b: pytest.fail("not needed"))
    assert reminders.notify("LDN reminder", "Time for tonight's LDN")
    assert sent == [("LDN reminder", "Time for tonight's LDN")]


def test_a_failing_library_falls_back_quietly(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    fake_library(monkeypatch, fails=True)
    tried: list[str] = []
    monkeypatch.setattr(reminders, "_with_notify_send",
                        lambda t, b: tried.append(b) or True)
    assert reminders.notify("LDN reminder", "the line")
    assert tried == ["the line"]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""  # no traceback from the library's logger


def test_a_way_that_raises_is_no_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(title: str, body: str) -> bool:
        raise OSError("gone")

    for name in ("_with_library", "_with_notify_send", "_with_osascript"):
        monkeypatch.setattr(reminders, name, broken)
    assert reminders.notify("t", "b") is False


def test_the_systemd_files() -> None:
    command = ["/opt/py 3/bin/python", "-m", "tracker", "--db", "/home/a/50% done/d.db",
               "remind", "--patient", "1"]
    service = service_text(command)
    line = next(x for x in service.splitlines() if x.startswith("ExecStart="))
    assert line == ('ExecStart="/opt/py 3/bin/python" -m tracker --db "/home/a/50%% done/d.db" '
                    "remind --patient 1")
    assert systemd_quote("$HOME") == "$$HOME"
    assert systemd_quote('a"b') == '"a\\"b"'
    assert "OnCalendar=*-*-* 00:00:00" in timer_text(0, 0)
    assert "OnCalendar=*-*-* 23:59:00" in timer_text(23, 59)


def test_the_crontab_line() -> None:
    line = cron_line(5, 7, ["/usr/bin/python3", "-m", "tracker", "--db", "/d/a b%.db",
                            "remind", "--patient", "2"])
    assert line.startswith("7 5 * * * ") and line.endswith(CRON_TAG)
    assert "'/d/a b\\%.db'" in line  # cron reads a bare % as a new line
    assert shlex.split(line.removesuffix(CRON_TAG))[5:] == [
        "/usr/bin/python3", "-m", "tracker", "--db", "/d/a b\\%.db", "remind", "--patient", "2"]


def test_the_mechanism_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    assert way({"LDN_TRACKER_REMIND_VIA": "cron"}) == "cron"
    assert way({}, "darwin") == "launchd"
    assert way({"PATH": "/nonexistent"}, "linux") == "cron"
    with pytest.raises(ValidationError):
        way({"LDN_TRACKER_REMIND_VIA": "anacron"})


def test_the_database_is_named_so_a_timer_finds_it(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert reminder_target("d.db") == f"{tmp_path}/d.db"
    assert reminder_target("sqlite:///d.db") == f"sqlite:///{tmp_path}/d.db"
    assert reminder_target("sqlite:////abs/d.db") == "sqlite:////abs/d.db"
    with pytest.raises(ValidationError):
        reminder_target("postgresql://u:pw@host/db")
