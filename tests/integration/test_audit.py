"""The audit trail: corrections keep the old value, the table is append-only, the chain verifies.

Tampering is simulated as someone with access to the database file or server would do it: drop
the append-only triggers, then change, remove or reorder rows with plain SQL. ``ldn-tracker
verify`` must then exit 1 and name the first row that was touched.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tracker.cli import main
from tracker.models import AuditEntry
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.audit import GENESIS_HASH, audit_hash
from tracker.storage.database import Database

DAY = date(2026, 1, 3)


def _entries(clinic: Clinic, pid: int) -> list:
    return clinic.audit_trail(pid)


def _actor(clinic: Clinic, name: str) -> str:
    """Who the trail names: the app's actor on SQLite, the database login on PostgreSQL."""
    return name if clinic.db.is_sqlite else str(clinic.db.url.username)


def _seed(clinic: Clinic, h) -> int:
    """A patient with a few days of diary, corrections and a deletion: ~20 audit rows."""
    pid = h.add_patient(clinic)
    for i in range(4):
        clinic.check_in(pid, CheckIn(day=DAY + timedelta(days=i), taken=True, mg=0.75,
                                     scores={"pain": 5 - i}))
    clinic.check_in(pid, CheckIn(day=DAY, taken=True, mg=1.5, reason="typed the wrong dose"))
    clinic.check_in(pid, CheckIn(day=DAY, no_side_effects=True))
    clinic.check_in(pid, CheckIn(day=DAY, effects={"headache": 2}, reason="remembered it"))
    return pid


def _drop_triggers(db: Database) -> None:
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_change ON audit_entry"))


def _verify_cli(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", target, "verify"])
    out, err = capsys.readouterr()
    return code, out, err


def _ids(db: Database) -> list[int]:
    with db.engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM audit_entry ORDER BY id")).scalars())


# -- what a correction keeps ---------------------------------------------------------------

def test_correction_keeps_old_value_who_when_why(clinic: Clinic, h) -> None:
    pid = h.add_patient(clinic)
    clinic.check_in(pid, CheckIn(day=DAY, taken=True, mg=0.75, time="21:00"))
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    corrector = Clinic(clinic.db, actor="clinician:dr-jensen")
    corrector.check_in(pid, CheckIn(day=DAY, taken=True, mg=1.5, time="21:00",
                                    reason="pharmacy label said 1.5 mg"))
    after = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)

    updates = [e for e in _entries(clinic, pid)
               if e.action == "update" and e.table_name == "dose_entry"]
    assert len(updates) == 1
    change = updates[0]
    assert change.field == "mg"
    assert float(change.old_value) == 0.75 and float(change.new_value) == 1.5
    assert change.actor == _actor(clinic, "clinician:dr-jensen")
    assert change.reason == "pharmacy label said 1.5 mg"
    assert before <= change.at <= after
    # The first value is still there too, in the insert row.
    inserts = [e for e in _entries(clinic, pid)
               if e.action == "insert" and e.table_name == "dose_entry"]
    assert json.loads(inserts[0].new_value)["mg"] == "0.75"
    assert clinic.day_entries(pid, DAY).mg == 1.5


def test_every_kind_of_correction_is_audited(clinic: Clinic, h) -> None:
    pid = h.add_patient(clinic)
    clinic.check_in(pid, CheckIn(day=DAY, effects={"headache": 3}, scores={"pain": 7},
                                 note="slept badly"))
    clinic.check_in(pid, CheckIn(day=DAY, effects={"headache": 1}, scores={"pain": 4},
                                 note="slept badly, then well", reason="evening update"))
    changes = {(e.table_name, e.field): (e.old_value, e.new_value, e.reason)
               for e in _entries(clinic, pid) if e.action == "update"}
    assert changes[("side_effect_report", "severity")] == ("3", "1", "evening update")
    assert changes[("symptom_score", "value")] == ("7", "4", "evening update")
    assert changes[("note", "text")] == ("slept badly", "slept badly, then well",
                                         "evening update")
    clinic.update_patient(pid, reason="weighed at visit", weight_kg=61.5)
    weight = [e for e in _entries(clinic, pid) if e.field == "weight_kg"]
    assert weight[0].old_value is None and float(weight[0].new_value) == 61.5
    assert weight[0].reason == "weighed at visit"
    med = clinic.add_medication(pid, "sertraline", date(2025, 6, 1))
    clinic.end_medication(med, date(2026, 2, 1), reason="stopped by GP")
    ended = [e for e in _entries(clinic, pid) if e.field == "end_date"]
    assert (ended[0].old_value, ended[0].new_value, ended[0].reason) == (
        None, "2026-02-01", "stopped by GP")
    # "No side effects today" after a report sets the report to 0, audited with the old value.
    clinic.check_in(pid, CheckIn(day=DAY, no_side_effects=True, reason="it passed"))
    zeroed = [e for e in _entries(clinic, pid)
              if e.table_name == "side_effect_report" and e.action == "update"]
    assert (zeroed[-1].old_value, zeroed[-1].new_value, zeroed[-1].reason) == (
        "1", "0", "it passed")
    assert all(e.actor == _actor(clinic, "patient:test") and e.at is not None
               for e in _entries(clinic, pid))


def test_deletion_keeps_the_whole_row(clinic: Clinic, h) -> None:
    pid = h.add_patient(clinic)
    clinic.check_in(pid, CheckIn(day=DAY, no_side_effects=True))
    (inserted,) = [e for e in _entries(clinic, pid) if e.table_name == "clear_day"]
    clear_id = inserted.row_id
    # A side effect reported later the same day removes the "no side effects" mark.
    Clinic(clinic.db, actor="patient:anna").check_in(
        pid, CheckIn(day=DAY, effects={"nausea": 2}, reason="felt sick after dinner"))
    assert not clinic.day_entries(pid, DAY).no_side_effects
    deletions = [e for e in _entries(clinic, pid) if e.action == "delete"]
    assert len(deletions) == 1
    gone = deletions[0]
    assert gone.table_name == "clear_day" and gone.row_id == clear_id
    old = json.loads(gone.old_value)
    assert old == {"id": str(clear_id), "patient_id": str(pid), "day": DAY.isoformat(),
                   "uuid": json.loads(inserted.new_value)["uuid"]}  # its identity, as inserted
    assert gone.new_value is None
    assert gone.actor == _actor(clinic, "patient:anna") and gone.reason == "felt sick after dinner"


def test_a_refused_write_leaves_no_audit_row(clinic: Clinic, h) -> None:
    pid = h.add_patient(clinic)
    before = h.table_counts(clinic.db)
    with pytest.raises(ValueError):
        clinic.check_in(pid, CheckIn(day=DAY, taken=True, mg=45))
    assert h.table_counts(clinic.db) == before
    assert clinic.verify_audit().ok


# -- the chain -------------------------------------------------------------------------------

def test_each_row_is_chained_to_the_previous(clinic: Clinic, h) -> None:
    _seed(clinic, h)
    with clinic.db.read() as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert len(rows) >= 12
    prev = GENESIS_HASH
    for row in rows:
        assert row.prev_hash == prev
        assert row.hash == audit_hash(prev, row)
        prev = row.hash
    result = clinic.verify_audit()
    assert result.ok and result.rows == len(rows)


def test_verify_cli_passes_on_an_intact_trail(clinic: Clinic, h, capsys) -> None:
    _seed(clinic, h)
    code, out, err = _verify_cli(clinic.db.target, capsys)
    assert code == 0, err
    assert "intact" in out


# -- append-only in the database itself ----------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET new_value = 'forged' WHERE id = 2",
    "UPDATE audit_entry SET reason = NULL",
    "DELETE FROM audit_entry WHERE id = 2",
    "DELETE FROM audit_entry",
])
def test_audit_table_refuses_update_and_delete(clinic: Clinic, h, statement: str) -> None:
    _seed(clinic, h)
    before = h.table_contents(clinic.db)["audit_entry"]
    with pytest.raises(DBAPIError, match="append-only"), clinic.db.engine.begin() as conn:
        conn.execute(text(statement))
    assert h.table_contents(clinic.db)["audit_entry"] == before
    assert clinic.verify_audit().ok


def test_postgres_refuses_truncate(clinic: Clinic, h) -> None:
    if clinic.db.is_sqlite:
        pytest.skip("TRUNCATE is a PostgreSQL statement")
    _seed(clinic, h)
    with pytest.raises(DBAPIError, match="append-only"), clinic.db.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_entry"))
    assert clinic.verify_audit().ok


def test_inserting_is_still_allowed(clinic: Clinic, h) -> None:
    """The triggers refuse changes, not new rows: the app keeps writing after a refusal."""
    pid = _seed(clinic, h)
    with pytest.raises(DBAPIError), clinic.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
    clinic.check_in(pid, CheckIn(day=DAY + timedelta(days=10), taken=False))
    assert clinic.verify_audit().ok


# -- tampering, detected -------------------------------------------------------------------

def test_changed_row_is_named(clinic: Clinic, h, capsys) -> None:
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    victim = _ids(clinic.db)[7]
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET new_value = '0.5' WHERE id = :i"),
                     {"i": victim})
    result = clinic.verify_audit()
    assert not result.ok and result.first_bad_id == victim
    code, out, err = _verify_cli(clinic.db.target, capsys)
    assert code == 1
    assert f"row {victim}" in out and "changed" in out  # what and where: on stdout (SPEC §9)
    assert "Traceback" not in err


@pytest.mark.parametrize("column", ["actor", "reason", "at", "old_value"])
def test_changed_who_when_why_is_named(clinic: Clinic, h, column: str) -> None:
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    victim = _ids(clinic.db)[-3]
    value = {"actor": "'clinician:nobody'", "reason": "'no reason'",
             "at": "at", "old_value": "'1'"}[column]
    if column == "at":
        with clinic.db.read() as session:
            at = session.get(AuditEntry, victim).at
        with clinic.db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET at = :at WHERE id = :i"),
                         {"at": at - timedelta(days=3), "i": victim})
    else:
        with clinic.db.engine.begin() as conn:
            conn.execute(text(f"UPDATE audit_entry SET {column} = {value} WHERE id = :i"),
                         {"i": victim})
    result = clinic.verify_audit()
    assert not result.ok and result.first_bad_id == victim, result


def test_changed_row_with_recomputed_hash_is_named(clinic: Clinic, h, capsys) -> None:
    """A careful forger recomputes the row's own hash: the next row still betrays it."""
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    ids = _ids(clinic.db)
    victim = ids[5]
    with clinic.db.read() as session:
        row = session.get(AuditEntry, victim)
        row.new_value = "forged"
        forged = audit_hash(row.prev_hash, row)
        session.rollback()
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET new_value = 'forged', hash = :h WHERE id = :i"),
                     {"h": forged, "i": victim})
    code, out, _err = _verify_cli(clinic.db.target, capsys)
    assert code == 1
    assert clinic.verify_audit().first_bad_id == victim
    assert f"row {victim} was changed" in out


@pytest.mark.parametrize("position", ["first", "middle"])
def test_removed_row_is_named(clinic: Clinic, h, capsys, position: str) -> None:
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    ids = _ids(clinic.db)
    victim = ids[0] if position == "first" else ids[len(ids) // 2]
    with clinic.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :i"), {"i": victim})
    result = clinic.verify_audit()
    assert not result.ok and result.first_bad_id == victim, result
    code, out, _err = _verify_cli(clinic.db.target, capsys)
    assert code == 1
    assert f"row {victim} " in out and "removed" in out


def test_removed_rows_are_named_as_a_range(clinic: Clinic, h) -> None:
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    ids = _ids(clinic.db)
    with clinic.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id IN (:a, :b)"),
                     {"a": ids[3], "b": ids[4]})
    result = clinic.verify_audit()
    assert result.first_bad_id == ids[3]
    assert f"rows {ids[3]} to {ids[4]}" in (result.problem or "")


@pytest.mark.parametrize("gap", [1, 4])
def test_reordered_rows_are_named(clinic: Clinic, h, capsys, gap: int) -> None:
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    ids = _ids(clinic.db)
    a, b = ids[6], ids[6 + gap]
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET id = -1 WHERE id = :a"), {"a": a})
        conn.execute(text("UPDATE audit_entry SET id = :a WHERE id = :b"), {"a": a, "b": b})
        conn.execute(text("UPDATE audit_entry SET id = :b WHERE id = -1"), {"b": b})
    result = clinic.verify_audit()
    assert not result.ok and result.first_bad_id == a, result
    code, out, _err = _verify_cli(clinic.db.target, capsys)
    assert code == 1
    assert f"row {a} " in out and "order" in out


def test_verify_subprocess_exit_status(clinic: Clinic, h) -> None:
    """The real command, in its own process: exit 1, the row id on stdout, no traceback."""
    _seed(clinic, h)
    _drop_triggers(clinic.db)
    victim = _ids(clinic.db)[2]
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'x' WHERE id = :i"), {"i": victim})
    clinic.db.dispose()
    done = h.run_cli("--db", clinic.db.target, "verify")
    assert done.returncode == 1, done.stderr
    assert f"row {victim}" in done.stdout
    assert "Traceback" not in done.stderr
