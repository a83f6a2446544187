"""``--db postgresql+psycopg://...``: every headless command, and the app's own write path.

The commands run twice, on a SQLite file and on a fresh PostgreSQL database, and must give the
same answers (ids, plan, alerts, patients). The PostgreSQL half is skipped locally without
``LDN_TRACKER_TEST_PG_URL`` and fails in CI without it (see conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from tracker.cli import main

ADD = ["patient", "add", "--name", "Anna", "--condition", "fibromyalgia", "--start",
       "2026-01-01", "--weight-kg", "61"]


def _cli(capsys: pytest.CaptureFixture[str], target: str, *argv: str) -> str:
    capsys.readouterr()
    code = main(["--db", target, *argv])
    out, err = capsys.readouterr()
    assert code == 0, (argv, err)
    assert "Traceback" not in err
    return out


def _session(target: str, capsys: pytest.CaptureFixture[str], out_dir: Path) -> dict[str, str]:
    """Every headless command once; their outputs by name."""
    outputs: dict[str, str] = {}
    outputs["add"] = _cli(capsys, target, *ADD)
    outputs["add liquid"] = _cli(capsys, target, "patient", "add", "--name", "Bo",
                                 "--condition", "multiple sclerosis", "--start", "2026-01-05",
                                 "--formulation", "liquid", "--concentration", "1")
    _cli(capsys, target, "--role", "clinician", "patient", "edit", "--patient", "Anna",
         "--tolerance-days", "3", "--reason", "agreed at visit")
    _cli(capsys, target, "med", "add", "--patient", "Anna", "--name", "sertraline",
         "--from", "2025-06-01")
    _cli(capsys, target, "med", "end", "--patient", "Anna", "--name", "sertraline",
         "--to", "2026-02-01")
    _cli(capsys, target, "chemo", "add", "--patient", "Bo", "--date", "2026-01-20")
    for day, mg in (("2026-01-01", "0,75"), ("2026-01-02", "0.75"), ("2026-01-03", "0.75")):
        _cli(capsys, target, "dose", "--patient", "Anna", "--date", day, "--mg", mg,
             "--time", "21:00")
    _cli(capsys, target, "dose", "--patient", "Anna", "--date", "2026-01-04", "--skipped")
    _cli(capsys, target, "dose", "--patient", "Anna", "--date", "2026-01-03", "--mg", "1",
         "--reason", "typo")
    _cli(capsys, target, "effect", "--patient", "Anna", "--date", "2026-01-02", "--name",
         "headache", "--severity", "2")
    _cli(capsys, target, "effect", "--patient", "Anna", "--date", "2026-01-03", "--none")
    _cli(capsys, target, "score", "--patient", "Anna", "--date", "2026-01-02", "--symptom",
         "pain", "--value", "6")
    outputs["patients"] = _cli(capsys, target, "patient", "list", "--format", "json")
    outputs["meds"] = _cli(capsys, target, "med", "list", "--patient", "Anna")
    outputs["plan"] = _cli(capsys, target, "plan", "--patient", "Anna", "--to", "2026-03-01",
                           "--format", "json")
    outputs["plan liquid"] = _cli(capsys, target, "plan", "--patient", "Bo", "--to",
                                  "2026-02-01")
    outputs["alerts"] = _cli(capsys, target, "alerts", "--patient", "Anna", "--all")
    alerts = json.loads(_cli(capsys, target, "alerts", "--patient", "Anna", "--format",
                             "json"))
    if alerts:
        first = alerts[0]
        _cli(capsys, target, "--role", "clinician", "dismiss", "--patient", "Anna", "--code",
             first["code"],
             "--date", first["date"], "--reason", "discussed by phone")
    outputs["alerts after"] = _cli(capsys, target, "alerts", "--patient", "Anna")
    outputs["summary"] = _cli(capsys, target, "summary", "--patient", "Anna", "--format",
                              "json")
    _cli(capsys, target, "summary", "--patient", "Anna")
    written = _cli(capsys, target, "--role", "clinician", "export", "--all", "--out",
                   str(out_dir / "export"))
    outputs["export"] = "\n".join(Path(p).name for p in written.split())
    outputs["export files"] = "\n".join(
        Path(p).read_text(encoding="utf-8-sig") for p in written.split())
    _cli(capsys, target, "export", "--patient", "Anna", "--out", str(out_dir / "da"),
         "--dialect", "excel-da")
    _cli(capsys, target, "report", "--patient", "Anna", "--out", str(out_dir / "anna.html"))
    outputs["verify"] = _cli(capsys, target, "verify")
    return outputs


@pytest.mark.slow
def test_every_command_works_on_postgres_as_on_sqlite(pg_database: str, tmp_path: Path,
                                                      capsys, monkeypatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-02-10")
    on_sqlite = _session(str(tmp_path / "clinic.db"), capsys, tmp_path / "sqlite")
    on_server = _session(pg_database, capsys, tmp_path / "pg")
    assert on_server.keys() == on_sqlite.keys()
    for name in on_sqlite:
        if name == "summary":
            continue  # compared below without the database-specific bits
        assert on_server[name] == on_sqlite[name], name
    assert json.loads(on_server["summary"]) == json.loads(on_sqlite["summary"])
    assert "intact" in on_server["verify"]


def test_a_command_leaves_no_connection_open_on_the_server(pg_database: str, pg_server,
                                                         capsys) -> None:
    """Each command closes what it opened when it ends: a process that runs many (the test
    suite, a script driving ``tracker.cli.main``) must not hold a server connection per
    command until a garbage collection frees it (CI's server ran out of connection slots)."""
    name = make_url(pg_database).database

    def open_on_server() -> int:
        with pg_server.admin.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name}).scalar_one())

    _cli(capsys, pg_database, *ADD)
    for day in range(1, 11):
        _cli(capsys, pg_database, "dose", "--patient", "Anna", "--date", f"2026-01-{day:02d}",
             "--mg", "0.75")
        _cli(capsys, pg_database, "plan", "--patient", "Anna", "--to", "2026-02-01")
    assert open_on_server() == 0


def test_the_app_write_path_on_postgres(pg_database: str, h) -> None:
    """Clinic on a server: check-ins, corrections, the cohort view, the audit chain."""
    from datetime import date

    from tracker.services.clinic import CheckIn, Clinic
    from tracker.storage.database import HEAD_REVISION, Database

    db = Database(pg_database)
    try:
        assert not db.is_sqlite and db.path is None
        assert db.current_revision() == HEAD_REVISION
        clinic = Clinic(db)
        pid = h.add_patient(clinic)
        clinic.check_in(pid, CheckIn(day=date(2026, 1, 2), taken=True, mg=0.75,
                                     effects={"headache": 1}, scores={"pain": 5}, note="ok"))
        clinic.check_in(pid, CheckIn(day=date(2026, 1, 2), taken=True, mg=1,
                                     reason="correction"))
        assert clinic.day_entries(pid, date(2026, 1, 2)).mg == 1
        assert [s.phase for _p, s in clinic.cohort_status()]
        assert clinic.verify_audit().ok
        with pytest.raises(Exception, match="SQLite file"):
            db.backup()
    finally:
        db.dispose()


def test_a_wrong_server_is_a_plain_error(capsys) -> None:
    """No server listening: exit 2, one line, no traceback, nothing about passwords."""
    code = main(["--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none", "patient",
                 "list"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "secret" not in err


def test_the_server_script_is_idempotent(h) -> None:
    """A second `scripts/postgres.sh` finds the running server and prints the same URL."""
    import os
    import subprocess

    url = os.environ.get("LDN_TRACKER_TEST_PG_URL", "")
    pgdir = Path(os.environ.get("LDN_PG_DIR", "/tmp/ldn-tracker-pg"))
    recorded = pgdir / "url"
    if not url or not recorded.exists() or recorded.read_text().strip() != url:
        pytest.skip("the test server was not started by scripts/postgres.sh")
    again = subprocess.run(["bash", str(h.root / "scripts" / "postgres.sh")],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == url
    exported = subprocess.run(["bash", str(h.root / "scripts" / "postgres.sh"), "--export"],
                              capture_output=True, text=True, timeout=120)
    assert exported.stdout.strip() == f"export LDN_TRACKER_TEST_PG_URL='{url}'"


async def test_the_app_opens_on_either_database(db_target: str, tmp_path: Path,
                                                monkeypatch) -> None:
    """The Textual app on a file or a server URL: the demo diary is built, the patient's
    screen opens on it, and the audit chain of everything the demo wrote verifies."""
    from datetime import date

    from tracker.app import create_app
    from tracker.i18n import set_language
    from tracker.services.demo import build_demo

    monkeypatch.setenv("LDN_TRACKER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LDN_TRACKER_TODAY", "2026-03-10")
    monkeypatch.setenv("LDN_TRACKER_LANG", "en")
    set_language("en")
    app = create_app(db_target)
    try:
        pid = build_demo(app.clinic, date(2026, 3, 10))
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert app.patient_id == pid
        assert app.clinic.verify_audit().ok
    finally:
        app.clinic.db.dispose()
