"""``remind`` (SPEC §12) through the command line on a real diary: tonight's line, the desktop
notification, and the daily timer on each of its three mechanisms.

No test touches the user's own crontab, systemd or launchd: the mechanism is chosen with
``LDN_TRACKER_REMIND_VIA``, the unit folders are moved into ``tmp_path`` (``XDG_CONFIG_HOME``,
``HOME``), and ``systemctl``, ``launchctl``, ``crontab`` and ``notify-send`` are fakes on the
PATH that record how they were called. Without them, ``tests/conftest.py`` points the timer at
a crontab command that does not exist.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import stat
from pathlib import Path

import pytest

from tracker import i18n
from tracker.cli import main
from tracker.services import reminders

TODAY = "2026-03-10"
SESSION = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")


@pytest.fixture(autouse=True)
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    for name in SESSION:  # no desktop unless a test says so
        monkeypatch.delenv(name, raising=False)
    # The library, if installed, would talk to a real session bus: the fakes below stand in.
    monkeypatch.setattr(reminders, "_with_library", lambda title, body: False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    i18n.set_language(i18n.detect_language())  # as a new process starts: --lang is per command
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    return out


def add_patient(capsys: pytest.CaptureFixture[str], db: Path, *extra: str,
                name: str = "Karen Jensen") -> str:
    return ok(capsys, "--db", str(db), "patient", "add", "--name", name, "--condition", "MS",
              "--start", "2026-03-01", "--informed", "2026-03-01", *extra).strip()


def fake_program(folder: Path, name: str, body: str) -> Path:
    """An executable shell script ``name`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def recorder(folder: Path, name: str, log: Path, status: int = 0) -> Path:
    """A fake program that appends its arguments, one call per line, to ``log``."""
    return fake_program(folder, name,
                        f'printf "%s\\n" "$*" >> {shlex.quote(str(log))}\nexit {status}\n')


def on_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


# -- tonight's line ------------------------------------------------------------------------------

def test_the_line_before_the_dose_is_logged_and_nothing_after(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add_patient(capsys, db_path)
    out = ok(capsys, "--db", str(db_path), "remind")
    assert out == "Time for tonight's LDN: 1 capsule of 0.75 mg\n"
    assert ok(capsys, "--db", str(db_path), "remind", "--patient", pid) == out
    ok(capsys, "--db", str(db_path), "dose", "--patient", pid, "--date", TODAY, "--mg", "0.75")
    assert ok(capsys, "--db", str(db_path), "remind") == ""


def test_nothing_once_the_dose_is_logged_as_skipped(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add_patient(capsys, db_path)
    ok(capsys, "--db", str(db_path), "dose", "--patient", pid, "--date", TODAY, "--skipped")
    assert ok(capsys, "--db", str(db_path), "remind", "--patient", pid) == ""


def test_yesterdays_dose_does_not_silence_tonight(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add_patient(capsys, db_path)
    ok(capsys, "--db", str(db_path), "dose", "--patient", pid, "--date", "2026-03-09",
       "--mg", "0.75")
    assert "Time for tonight's LDN" in ok(capsys, "--db", str(db_path), "remind")


def test_an_opioid_hold_day_says_no_ldn_tonight_and_why(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = add_patient(capsys, db_path)
    ok(capsys, "--db", str(db_path), "med", "add", "--patient", pid, "--name", "tramadol",
       "--from", "2026-03-08")
    out = ok(capsys, "--db", str(db_path), "remind")
    assert out == "No LDN tonight. Opioid hold: LDN must not be combined with tramadol.\n"
    da = ok(capsys, "--db", str(db_path), "--lang", "da", "remind")
    assert da.startswith("Ingen LDN i aften.") and "tramadol" in da


def test_before_the_start_it_says_when_the_plan_starts(
        db_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_patient(capsys, db_path)
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-02-20")
    out = ok(capsys, "--db", str(db_path), "remind")
    assert out == "No LDN tonight: the plan starts on 1 March 2026.\n"


def test_a_liquid_patient_is_told_the_volume(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_patient(capsys, db_path, "--formulation", "liquid", "--concentration", "1")
    out = ok(capsys, "--db", str(db_path), "remind")
    assert out == "Time for tonight's LDN: 0.8 ml of the 1 mg/ml liquid (0.75 mg)\n"
    da = ok(capsys, "--db", str(db_path), "--lang", "da", "remind")
    assert da == "Tid til aftenens LDN: 0,8 ml af miksturen på 1 mg/ml (0,75 mg)\n"


def test_danish(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_patient(capsys, db_path)
    out = ok(capsys, "--db", str(db_path), "remind", "--lang", "da")
    assert out == "Tid til aftenens LDN: 1 kapsel à 0,75 mg\n"


def test_several_patients_need_patient_and_the_ids_are_named(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = add_patient(capsys, db_path)
    second = add_patient(capsys, db_path, name="Ole Hansen")
    code, out, err = cli(capsys, "--db", str(db_path), "remind")
    assert code == 2 and out == ""
    assert "--patient" in err and f"ids {first}, {second}" in err
    assert "Time for" in ok(capsys, "--db", str(db_path), "remind", "--patient", "Ole Hansen")


def test_a_database_without_patients_or_an_unknown_patient_exit_2(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.storage.database import Database

    Database(str(db_path)).dispose()  # the schema, no patient
    code, out, err = cli(capsys, "--db", str(db_path), "remind")
    assert code == 2 and out == "" and "patient add" in err
    add_patient(capsys, db_path)
    code, out, err = cli(capsys, "--db", str(db_path), "remind", "--patient", "99")
    assert code == 2 and out == "" and "99" in err


def test_no_database_exits_2_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none" / "diary.db"
    code, out, err = cli(capsys, "--db", str(missing), "remind")
    assert code == 2 and out == "" and "no database" in err.lower()
    assert not missing.exists() and not missing.parent.exists()
    assert cli(capsys, "--db", str(missing), "remind", "--install", "21:30")[0] == 2
    assert not missing.exists()


# -- the desktop notification --------------------------------------------------------------------

def test_the_notification_is_shown_only_with_a_desktop_session(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_patient(capsys, db_path)
    log = tmp_path / "notify-send.log"
    recorder(tmp_path / "bin", "notify-send", log)
    on_path(monkeypatch, tmp_path / "bin")

    out = ok(capsys, "--db", str(db_path), "remind")
    assert out == "Time for tonight's LDN: 1 capsule of 0.75 mg\n"
    assert not log.exists()  # no DISPLAY, WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS: print only

    for variable in SESSION:
        monkeypatch.setenv(variable, ":0" if "DISPLAY" in variable else "unix:path=/x")
        assert ok(capsys, "--db", str(db_path), "remind") == out
        monkeypatch.delenv(variable)
    calls = log.read_text().splitlines()
    assert len(calls) == len(SESSION)
    assert calls[0] == "--app-name LDN Tracker LDN reminder " + out.strip()


def test_no_notification_once_the_dose_is_logged(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = add_patient(capsys, db_path)
    log = tmp_path / "notify-send.log"
    recorder(tmp_path / "bin", "notify-send", log)
    on_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setenv("DISPLAY", ":0")
    ok(capsys, "--db", str(db_path), "dose", "--patient", pid, "--date", TODAY, "--skipped")
    assert ok(capsys, "--db", str(db_path), "remind") == ""
    assert not log.exists()


def test_a_failing_notification_still_prints_and_exits_0(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_patient(capsys, db_path)
    fake_program(tmp_path / "bin", "notify-send", "echo 'cannot connect' >&2\nexit 1\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # and no osascript, no notify-send else
    monkeypatch.setenv("DISPLAY", ":0")
    code, out, err = cli(capsys, "--db", str(db_path), "remind")
    assert (code, out, err) == (0, "Time for tonight's LDN: 1 capsule of 0.75 mg\n", "")


def test_without_notify_send_the_line_is_only_printed(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_patient(capsys, db_path)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    code, out, err = cli(capsys, "--db", str(db_path), "remind")
    assert (code, err) == (0, "") and out.startswith("Time for tonight's LDN")


# -- the daily timer -----------------------------------------------------------------------------

def test_install_with_systemd_writes_the_service_and_the_timer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = Path("diary.db")  # relative: the unit must name it by its absolute path
    pid = add_patient(capsys, db)
    config = tmp_path / "config"
    log = tmp_path / "systemctl.log"
    recorder(tmp_path / "bin", "systemctl", log)
    on_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("LDN_TRACKER_REMIND_VIA", "systemd")

    out = ok(capsys, "--db", str(db), "remind", "--install", "21:30")
    folder = config / "systemd" / "user"
    service = folder / "ldn-tracker-remind.service"
    timer = folder / "ldn-tracker-remind.timer"
    assert str(service) in out and str(timer) in out and "--uninstall" in out
    assert "OnCalendar=*-*-* 21:30:00" in timer.read_text().splitlines()
    exec_start = next(line for line in service.read_text().splitlines()
                      if line.startswith("ExecStart="))
    words = shlex.split(exec_start.removeprefix("ExecStart="))
    assert words[1:3] == ["-m", "tracker"]
    assert words[words.index("--db") + 1] == str((tmp_path / "diary.db").resolve())
    assert words[words.index("remind"):] == ["remind", "--patient", pid]
    assert words[words.index("--lang") + 1] == "en"
    assert log.read_text().splitlines() == [
        "--user daemon-reload", "--user enable --now ldn-tracker-remind.timer"]
    for unit in (service, timer):
        assert "Karen" not in unit.read_text()

    ok(capsys, "--db", str(db), "--lang", "da", "remind", "--install", "07:05")
    assert "OnCalendar=*-*-* 07:05:00" in timer.read_text()
    assert "--lang da" in service.read_text()
    assert log.read_text().splitlines()[-1] == "--user restart ldn-tracker-remind.timer"

    out = ok(capsys, "remind", "--uninstall")
    assert "Removed" in out and str(timer) in out
    assert not service.exists() and not timer.exists()
    assert "--user disable --now ldn-tracker-remind.timer" in log.read_text()
    assert "nothing to remove" in ok(capsys, "remind", "--uninstall")


def test_install_with_cron_keeps_every_other_line(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = add_patient(capsys, db_path)
    table = tmp_path / "crontab.txt"
    theirs = ["MAILTO=me@example.org", "# my backups", "0 5 * * * /usr/bin/backup --all", ""]
    table.write_text("\n".join(theirs) + "\n")
    fake = fake_program(tmp_path / "bin", "fake-crontab", f"""f={shlex.quote(str(table))}
case "$1" in
  -l) if [ -f "$f" ]; then cat "$f"; else echo "no crontab for tester" >&2; exit 1; fi ;;
  -) cat > "$f" ;;
  *) exit 3 ;;
esac
""")
    monkeypatch.setenv("LDN_TRACKER_REMIND_VIA", "cron")
    monkeypatch.setenv("LDN_TRACKER_CRONTAB", str(fake))

    out = ok(capsys, "--db", str(db_path), "remind", "--install", "21:30")
    lines = table.read_text().splitlines()
    assert lines[:len(theirs)] == theirs
    ours = lines[len(theirs):]
    assert len(ours) == 1 and ours[0] in out
    assert ours[0].startswith("30 21 * * * ") and ours[0].endswith("# ldn-tracker remind")
    assert f"--db {db_path}" in ours[0] and f"remind --patient {pid}" in ours[0]
    assert "Karen" not in ours[0]

    ok(capsys, "--db", str(db_path), "remind", "--install", "22:00")  # replaces, never adds
    lines = table.read_text().splitlines()
    assert lines[:len(theirs)] == theirs and len(lines) == len(theirs) + 1
    assert lines[-1].startswith("0 22 * * * ")

    out = ok(capsys, "remind", "--uninstall")
    assert "Removed" in out and "# ldn-tracker remind" in out
    assert table.read_text().splitlines() == theirs
    assert "nothing to remove" in ok(capsys, "remind", "--uninstall")

    table.unlink()  # no crontab at all: one is made with the one line
    ok(capsys, "--db", str(db_path), "remind", "--install", "21:30")
    assert len(table.read_text().splitlines()) == 1


def test_a_crontab_that_cannot_be_read_is_never_overwritten(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_patient(capsys, db_path)
    log = tmp_path / "crontab.log"
    fake = fake_program(tmp_path / "bin", "fake-crontab",
                        f'echo "$*" >> {shlex.quote(str(log))}\n'
                        'echo "crontab: permission denied" >&2\nexit 1\n')
    monkeypatch.setenv("LDN_TRACKER_REMIND_VIA", "cron")
    monkeypatch.setenv("LDN_TRACKER_CRONTAB", str(fake))
    code, _out, err = cli(capsys, "--db", str(db_path), "remind", "--install", "21:30")
    assert code == 2 and "permission denied" in err and "Traceback" not in err
    assert log.read_text().splitlines() == ["-l"]  # read, failed, never written


def test_install_with_launchd_writes_the_agent(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = add_patient(capsys, db_path)
    log = tmp_path / "launchctl.log"
    recorder(tmp_path / "bin", "launchctl", log)
    on_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LDN_TRACKER_REMIND_VIA", "launchd")

    out = ok(capsys, "--db", str(db_path), "remind", "--install", "21:30")
    agent = tmp_path / "home" / "Library" / "LaunchAgents" / "ldn-tracker-remind.plist"
    assert str(agent) in out
    plist = plistlib.loads(agent.read_bytes())
    assert plist["StartCalendarInterval"] == {"Hour": 21, "Minute": 30}
    assert plist["ProgramArguments"][-3:] == ["remind", "--patient", pid]
    assert log.read_text().splitlines() == [f"load -w {agent}"]
    assert "Removed" in ok(capsys, "remind", "--uninstall")
    assert not agent.exists()


@pytest.mark.parametrize("given", ["25:00", "21:60", "9pm", ""])
def test_a_bad_time_is_refused_naming_install_and_the_range(
        db_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    add_patient(capsys, db_path)
    monkeypatch.setenv("LDN_TRACKER_REMIND_VIA", "cron")
    monkeypatch.setenv("LDN_TRACKER_CRONTAB", "/nonexistent/crontab")
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db_path), "remind", "--install", given])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "--install" in err and "00:00 to 23:59" in err


def test_install_and_uninstall_go_together_never(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_patient(capsys, db_path)
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db_path), "remind", "--install", "21:30", "--uninstall"])
    assert exited.value.code == 2
    capsys.readouterr()
    code, _out, err = cli(capsys, "remind", "--uninstall", "--patient", "1")
    assert code == 2 and "--uninstall" in err


def test_a_url_with_a_password_is_not_written_into_a_timer(
        capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.services.reminder_timer import reminder_target
    from tracker.validation import ValidationError

    with pytest.raises(ValidationError):
        reminder_target("postgresql://ldn:secret@localhost/ldn")
    assert reminder_target("postgresql://ldn@localhost/ldn") == \
        "postgresql://ldn@localhost/ldn"


def test_without_a_fake_the_tests_reach_no_real_crontab(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_patient(capsys, db_path)
    code, out, err = cli(capsys, "--db", str(db_path), "remind", "--install", "21:30")
    assert code == 2 and "no-crontab-here" in err and "Traceback" not in err
