"""The tamper matrix: every kind of direct change to a clinic's SQLite file, and what verify says.

A clinic is made by the product (``tracker.cli.main``: patients, doses, a correction, side
effects, clear days, scores, a medication ended, chemotherapy, a dismissal, a settings edit;
the note through the Clinic, as the app writes it: there is no note command). For each kind the
file is copied, an anchor is recorded (``verify --anchor``), the copy is changed with plain
``sqlite3`` behind the app's back, then ``verify`` runs without the anchor and with it.

Each kind states what ``verify`` must do: exit 1 naming the table and row (or the audit row, the
trigger, the anchor), or exit 0 where it honestly cannot see the change. The counts are
asserted at the end and stated in docs/storage.md ("What verify catches").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from tracker.cli import main
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.audit import GENESIS_HASH, audit_hash
from tracker.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-02-01"
ANNA, BO = 1, 2
FORGED_UUID = "00000000-0000-4000-8000-000000000000"  # a row's identity, made up
# The append-only triggers exactly as migration 0001 creates them, put back by a careful forger.
TRIGGERS = [
    f"CREATE TRIGGER audit_entry_no_{action.lower()} BEFORE {action} ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
    for action in ("UPDATE", "DELETE")
]


def _cli(*argv: str, role: str | None = None) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if role:
            mp.setenv("LDN_TRACKER_ROLE", role)
        assert main(list(argv)) == 0, argv


def _seed(path: Path) -> None:
    db = str(path)
    _cli("--db", db, "patient", "add", "--name", "Anna", "--condition", "fibromyalgia",
         "--start", "2026-01-01")
    _cli("--db", db, "patient", "add", "--name", "Bo", "--condition", "melanoma",
         "--start", "2026-01-01")
    for day in range(1, 7):  # dose_entry 1..6, one a day
        _cli("--db", db, "dose", "--patient", "Anna", "--date", f"2026-01-0{day}", "--mg", "0.75")
    for day, value in ((1, 5), (2, 4), (3, 3)):  # symptom_score 1..3
        _cli("--db", db, "score", "--patient", "Anna", "--date", f"2026-01-0{day}", "--symptom",
             "pain", "--value", str(value))
    _cli("--db", db, "effect", "--patient", "Anna", "--date", "2026-01-02", "--name", "headache",
         "--severity", "2")  # side_effect_report 1
    for day in (4, 5):  # clear_day 1, 2
        _cli("--db", db, "effect", "--patient", "Anna", "--date", f"2026-01-0{day}", "--none")
    database = Database(db)
    Clinic(database, actor="patient:test").check_in(ANNA, CheckIn(day=date(2026, 1, 3),
                                                                  note="slept badly"))  # note 1
    database.dispose()
    _cli("--db", db, "med", "add", "--patient", "Anna", "--name", "sertraline", "--from",
         "2025-12-01")  # medication 1
    _cli("--db", db, "med", "end", "--patient", "Anna", "--name", "sertraline", "--to",
         "2026-01-20")
    _cli("--db", db, "chemo", "add", "--patient", "Bo", "--date", "2026-01-10")  # chemo 1
    _cli("--db", db, "dose", "--patient", "Anna", "--date", "2026-01-02", "--mg", "1.5",
         "--reason", "typed the wrong dose")  # the correction: dose 2, 0.75 -> 1.5
    _cli("--db", db, "dismiss", "--patient", "Anna", "--code", "information_pending", "--date",
         "2026-01-01", "--reason", "told at the visit", role="clinician")  # alert_dismissal 1
    _cli("--db", db, "patient", "edit", "--patient", "Anna", "--target-mg", "3", "--reason",
         "slow responder", role="clinician")
    _cli("--db", db, "score", "--patient", "Bo", "--date", "2026-01-11", "--symptom", "pain",
         "--value", "6")  # symptom_score 4: the last write


# -- changes made behind the app's back --------------------------------------------------

def _one(db: sqlite3.Connection, sql: str, *params: object) -> int:
    row = db.execute(sql, params).fetchone()
    assert row is not None, sql
    return int(row[0])


@contextmanager
def _unlocked(db: sqlite3.Connection) -> Iterator[None]:
    """Drop the append-only triggers, do the change, put them back exactly as they were."""
    db.execute("DROP TRIGGER audit_entry_no_update")
    db.execute("DROP TRIGGER audit_entry_no_delete")
    yield
    for sql in TRIGGERS:
        db.execute(sql)


def _entry(row: tuple) -> SimpleNamespace:
    names = ("id", "at", "actor", "action", "table_name", "row_id", "patient_id", "field",
             "old_value", "new_value", "reason", "prev_hash", "hash")
    entry = SimpleNamespace(**dict(zip(names, row, strict=True)))
    entry.at = datetime.fromisoformat(entry.at)
    return entry


AUDIT_COLUMNS = ("id, at, actor, action, table_name, row_id, patient_id, field, old_value, "
                 "new_value, reason, prev_hash, hash")


def _rehash(db: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from row ``first`` on, so the chain is consistent again."""
    rows = [_entry(r) for r in db.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_entry "
                                          "ORDER BY id")]
    prev = GENESIS_HASH
    for entry in rows:
        if entry.id >= first:
            entry.prev_hash = prev
            entry.hash = audit_hash(prev, entry)
            db.execute("UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE id = ?",
                       (entry.prev_hash, entry.hash, entry.id))
        prev = entry.hash


def _forge(db: sqlite3.Connection, table: str, row_id: int, patient_id: int, field: str,
           old: str | None, new: str | None) -> int:
    """Append an update row to the trail with a correct hash (no trigger refuses an insert)."""
    prev = db.execute("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()[0]
    entry = SimpleNamespace(at=datetime(2026, 1, 25, 20, 0), actor="clinician:dr-jensen",
                            action="update", table_name=table, row_id=row_id,
                            patient_id=patient_id, field=field, old_value=old, new_value=new,
                            reason="pharmacy label")
    digest = audit_hash(prev, entry)
    cur = db.execute(
        "INSERT INTO audit_entry (at, actor, action, table_name, row_id, patient_id, field, "
        "old_value, new_value, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)", (entry.at.isoformat(sep=" ", timespec="microseconds"), entry.actor,
                  entry.action, table, row_id, patient_id, field, old, new, entry.reason, prev,
                  digest))
    assert cur.lastrowid is not None
    return cur.lastrowid


def _correction(db: sqlite3.Connection) -> int:
    return _one(db, "SELECT id FROM audit_entry WHERE action = 'update' AND table_name = "
                    "'dose_entry' AND field = 'mg'")


def _edit(sql: str, expected: str) -> Callable[[sqlite3.Connection], str]:
    def tamper(db: sqlite3.Connection) -> str:
        assert db.execute(sql).rowcount == 1, sql
        return expected
    return tamper


def _audit_edit(column: str, value: str) -> Callable[[sqlite3.Connection], str]:
    def tamper(db: sqlite3.Connection) -> str:
        victim = _correction(db)
        with _unlocked(db):
            db.execute(f"UPDATE audit_entry SET {column} = ? WHERE id = ?", (value, victim))
        return f"audit row {victim} was changed (its content no longer matches its hash)"
    return tamper


def audit_edit_rehashed(db: sqlite3.Connection) -> str:
    victim = _correction(db)
    with _unlocked(db):
        db.execute("UPDATE audit_entry SET reason = 'routine' WHERE id = ?", (victim,))
        entry = _entry(db.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_entry WHERE id = ?",
                                  (victim,)).fetchone())
        db.execute("UPDATE audit_entry SET hash = ? WHERE id = ?",
                   (audit_hash(entry.prev_hash, entry), victim))
    return f"audit row {victim} was changed and its hash recomputed"


def audit_row_deleted(db: sqlite3.Connection) -> str:
    victim = _one(db, "SELECT id FROM audit_entry WHERE table_name = 'symptom_score' AND "
                      "row_id = 2")
    with _unlocked(db):
        db.execute("DELETE FROM audit_entry WHERE id = ?", (victim,))
    return f"audit row {victim} before row {victim + 1} was removed"


def audit_rows_swapped(db: sqlite3.Connection) -> str:
    a = _one(db, "SELECT id FROM audit_entry WHERE table_name = 'dose_entry' AND row_id = 5")
    b = _one(db, "SELECT id FROM audit_entry WHERE table_name = 'dose_entry' AND row_id = 6")
    with _unlocked(db):
        db.execute("UPDATE audit_entry SET id = -1 WHERE id = ?", (a,))
        db.execute("UPDATE audit_entry SET id = ? WHERE id = ?", (a, b))
        db.execute("UPDATE audit_entry SET id = ? WHERE id = -1", (b,))
    return f"audit row {a} is out of order"


def forged_row_alone(db: sqlite3.Connection) -> str:
    _forge(db, "dose_entry", 3, ANNA, "mg", "0.75", "9.0")
    return ("dose_entry row 3 (patient 1, 2026-01-03): mg is 0.75, but the audit trail "
            "says 9.0")


def forged_row_wrong_old_value(db: sqlite3.Connection) -> str:
    forged = _forge(db, "dose_entry", 3, ANNA, "mg", "5.0", "9.0")
    db.execute("UPDATE dose_entry SET mg = 9 WHERE id = 3")
    return (f"audit row {forged} says mg of dose_entry row 3 was 5.0, but the trail had 0.75 "
            "(the trail contradicts itself)")


def forged_row_consistent(db: sqlite3.Connection) -> str:
    _forge(db, "dose_entry", 3, ANNA, "mg", "0.75", "9.0")
    db.execute("UPDATE dose_entry SET mg = 9 WHERE id = 3")
    return ""


def _uuid_changed(table: str, row_id: int, where: str) -> Callable[[sqlite3.Connection], str]:
    """A row's stable identity (SPEC §11) replaced: its insert recorded the old one."""
    def tamper(db: sqlite3.Connection) -> str:
        (old,) = db.execute(f"SELECT uuid FROM {table} WHERE id = ?", (row_id,)).fetchone()
        assert db.execute(f"UPDATE {table} SET uuid = ? WHERE id = ?",
                          (FORGED_UUID, row_id)).rowcount == 1
        return f'{where}: uuid is "{FORGED_UUID}", but the audit trail says "{old}"'
    return tamper


def triggers_dropped(db: sqlite3.Connection) -> str:
    db.execute("DROP TRIGGER audit_entry_no_update")
    db.execute("DROP TRIGGER audit_entry_no_delete")
    return "the append-only trigger audit_entry_no_update on audit_entry is missing"


def trigger_neutered(db: sqlite3.Connection) -> str:
    db.execute("DROP TRIGGER audit_entry_no_delete")
    db.execute("CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry WHEN 0 "
               "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
    return "the append-only trigger audit_entry_no_delete on audit_entry was changed"


def _last_write(db: sqlite3.Connection) -> int:
    last = _one(db, "SELECT max(id) FROM audit_entry")
    assert db.execute("SELECT table_name, row_id FROM audit_entry WHERE id = ?",
                      (last,)).fetchone() == ("symptom_score", 4)
    return last


def tail_cut(db: sqlite3.Connection) -> str:
    last = _last_write(db)
    with _unlocked(db):
        db.execute("DELETE FROM audit_entry WHERE id = ?", (last,))
    return "symptom_score row 4 (patient 2, 2026-01-11) is not in the audit trail"


def tail_cut_and_undone(db: sqlite3.Connection) -> str:
    last = _last_write(db)
    with _unlocked(db):
        db.execute("DELETE FROM audit_entry WHERE id = ?", (last,))
    db.execute("DELETE FROM symptom_score WHERE id = 4")
    return "rows it recorded are gone"


def trail_rewritten(db: sqlite3.Connection) -> str:
    """The careful forger: a dose changed in its insert row and in the table, every hash from
    there on recomputed, the triggers put back. Chain, rows and triggers all agree."""
    victim = _one(db, "SELECT id FROM audit_entry WHERE table_name = 'dose_entry' AND "
                      "row_id = 3 AND action = 'insert'")
    values = json.loads(db.execute("SELECT new_value FROM audit_entry WHERE id = ?",
                                   (victim,)).fetchone()[0])
    values["mg"] = "9.0"
    with _unlocked(db):
        db.execute("UPDATE audit_entry SET new_value = ? WHERE id = ?",
                   (json.dumps(values), victim))
        _rehash(db, victim)
    db.execute("UPDATE dose_entry SET mg = 9 WHERE id = 3")
    return "the trail was rewritten up to there"


def everything_emptied(db: sqlite3.Connection) -> str:
    with _unlocked(db):
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                   "name NOT IN ('alembic_version', 'sqlite_sequence')"
                                   ).fetchall():
            db.execute(f'DELETE FROM "{table}"')
    return "the audit trail has 0 rows, but the anchor"


@dataclass(frozen=True)
class Kind:
    name: str
    tamper: Callable[[sqlite3.Connection], str]  # returns what verify names when it catches it
    without_anchor: bool  # caught by the chain, the replay or the triggers
    with_anchor: bool  # caught once an anchor was recorded before the change


def _replay(name: str, sql: str, expected: str) -> Kind:
    return Kind(name, _edit(sql, expected), True, True)


KINDS = [
    # the diary, edited, deleted, inserted, moved
    _replay("dose mg edited", "UPDATE dose_entry SET mg = 9 WHERE id = 3",
            "dose_entry row 3 (patient 1, 2026-01-03): mg is 9.0, but the audit trail says "
            "0.75"),
    _replay("score value edited", "UPDATE symptom_score SET value = 9 WHERE id = 2",
            "symptom_score row 2 (patient 1, 2026-01-02): value is 9, but the audit trail says "
            "4"),
    _replay("side-effect severity edited", "UPDATE side_effect_report SET severity = 0",
            "side_effect_report row 1 (patient 1, 2026-01-02): severity is 0, but the audit "
            "trail says 2"),
    _replay("note text edited", "UPDATE note SET text = 'all fine'",
            'note row 1 (patient 1, 2026-01-03): text is "all fine", but the audit trail says '
            '"slept badly"'),
    _replay("dose deleted", "DELETE FROM dose_entry WHERE id = 4",
            "dose_entry row 4 (patient 1, 2026-01-04) is missing, but the audit trail never "
            "deleted it"),
    _replay("clear day deleted", "DELETE FROM clear_day WHERE id = 1",
            "clear_day row 1 (patient 1, 2026-01-04) is missing"),
    _replay("dose inserted on a new day",
            "INSERT INTO dose_entry (patient_id, day, taken, mg, time, above_max_confirmed, "
            f"uuid) VALUES (1, '2026-01-20', 1, 0.75, NULL, 0, '{FORGED_UUID}')",
            "dose_entry row 7 (patient 1, 2026-01-20) is not in the audit trail"),
    _replay("score inserted",
            "INSERT INTO symptom_score (patient_id, day, symptom, value, uuid) "
            f"VALUES (1, '2026-01-04', 'fatigue', 2, '{FORGED_UUID}')",
            "symptom_score row 5 (patient 1, 2026-01-04) is not in the audit trail"),
    _replay("dose moved to another day", "UPDATE dose_entry SET day = '2026-01-09' WHERE id = 5",
            "dose_entry row 5 (patient 1, 2026-01-09): day is 2026-01-09, but the audit trail "
            "says 2026-01-05"),
    _replay("dose moved to another patient", "UPDATE dose_entry SET patient_id = 2 WHERE id = 6",
            "dose_entry row 6 (patient 2, 2026-01-06): patient_id is 2, but the audit trail "
            "says 1"),
    _replay("a correction undone in the table", "UPDATE dose_entry SET mg = 0.75 WHERE id = 2",
            "dose_entry row 2 (patient 1, 2026-01-02): mg is 0.75, but the audit trail says "
            "1.5"),
    # the patient's settings, medications, chemotherapy, dismissals
    _replay("patient target_mg edited", "UPDATE patient SET target_mg = 12 WHERE id = 1",
            "patient row 1 (patient 1): target_mg is 12.0, but the audit trail says 3.0"),
    _replay("patient tolerance_days edited", "UPDATE patient SET tolerance_days = 3 WHERE id = 1",
            "patient row 1 (patient 1): tolerance_days is 3, but the audit trail says 4"),
    _replay("patient start_date edited",
            "UPDATE patient SET start_date = '2025-12-01' WHERE id = 2",
            "patient row 2 (patient 2): start_date is 2025-12-01, but the audit trail says "
            "2026-01-01"),
    _replay("medication end date changed", "UPDATE medication SET end_date = '2026-03-01'",
            "medication row 1 (patient 1, 2025-12-01): end_date is 2026-03-01, but the audit "
            "trail says 2026-01-20"),
    _replay("chemotherapy session deleted", "DELETE FROM chemo_session WHERE id = 1",
            "chemo_session row 1 (patient 2, 2026-01-10) is missing"),
    _replay("dismissal inserted",
            "INSERT INTO alert_dismissal (patient_id, code, day, reason, actor, at, uuid) "
            "VALUES (1, 'missed_doses', '2026-01-09', 'x', 'clinician:x', "
            f"'2026-01-20 10:00:00.000000', '{FORGED_UUID}')",
            "alert_dismissal row 2 (patient 1, 2026-01-09) is not in the audit trail"),
    _replay("dismissal deleted", "DELETE FROM alert_dismissal WHERE id = 1",
            "alert_dismissal row 1 (patient 1, 2026-01-01) is missing"),
    _replay("patient deleted (no cascade)", "DELETE FROM patient WHERE id = 2",
            "patient row 2 (patient 2) is missing"),
    # the stable identities the FHIR bundle's fullUrls are made of
    Kind("dose uuid changed", _uuid_changed("dose_entry", 3, "dose_entry row 3 (patient 1, "
                                                             "2026-01-03)"), True, True),
    Kind("patient uuid changed", _uuid_changed("patient", 2, "patient row 2 (patient 2)"), True,
         True),
    # the audit trail itself
    Kind("audit new value edited", _audit_edit("new_value", "0.75"), True, True),
    Kind("audit old value edited", _audit_edit("old_value", "1.5"), True, True),
    Kind("audit actor edited", _audit_edit("actor", "patient:anna"), True, True),
    Kind("audit reason edited", _audit_edit("reason", "no reason"), True, True),
    Kind("audit row edited, its hash recomputed", audit_edit_rehashed, True, True),
    Kind("audit row deleted in the middle", audit_row_deleted, True, True),
    Kind("audit rows reordered (ids swapped)", audit_rows_swapped, True, True),
    Kind("forged audit row appended, rows untouched", forged_row_alone, True, True),
    Kind("forged audit row with a wrong old value", forged_row_wrong_old_value, True, True),
    # the triggers
    Kind("append-only triggers dropped", triggers_dropped, True, True),
    Kind("append-only trigger made to never fire", trigger_neutered, True, True),
    # what only an anchor kept elsewhere can see
    Kind("tail of the trail cut, its rows left", tail_cut, True, True),
    Kind("tail of the trail cut and its rows undone", tail_cut_and_undone, False, True),
    Kind("whole trail rewritten consistently", trail_rewritten, False, True),
    Kind("everything deleted, trail included", everything_emptied, False, True),
    # what nothing can see: a forged row that agrees with everything (it is a write like any)
    Kind("forged audit row appended with the matching change", forged_row_consistent, False,
         False),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("tamper") / "clinic.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LDN_TRACKER_TODAY", TODAY)
        mp.delenv("LDN_TRACKER_DB", raising=False)
        _seed(path)
    yield path


@pytest.fixture
def clinic_file(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY)
    path = tmp_path / "clinic.db"
    src, dst = sqlite3.connect(template), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return path


def _verify(path: Path, capsys: pytest.CaptureFixture[str],
            anchor: Path | None = None) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", str(path), "verify", *(["--anchor", str(anchor)] if anchor else [])])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_kind_of_tampering(kind: Kind, clinic_file: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    anchor = tmp_path / "elsewhere" / "clinic.anchor"
    anchor.parent.mkdir()
    code, out = _verify(clinic_file, capsys, anchor)
    assert code == 0 and "intact" in out, out
    kept = anchor.read_bytes()

    db = sqlite3.connect(clinic_file, isolation_level=None)
    db.execute("BEGIN")
    named = kind.tamper(db)
    db.execute("COMMIT")
    db.close()

    code, out = _verify(clinic_file, capsys)
    if kind.without_anchor:
        assert code == 1, out
        assert named in out, out
    else:
        assert code == 0, out

    code, out = _verify(clinic_file, capsys, anchor)
    if kind.with_anchor:
        assert code == 1, out
        assert named in out, out
        assert anchor.read_bytes() == kept, "a broken trail must not move the anchor"
    else:
        assert code == 0, out


def test_the_counts_the_docs_state() -> None:
    caught = sum(k.without_anchor for k in KINDS)
    with_anchor = sum(k.with_anchor for k in KINDS)
    assert len(KINDS) >= 20
    assert all(k.with_anchor for k in KINDS if k.without_anchor)
    assert (caught, with_anchor, len(KINDS)) == (33, 36, 37)
    docs = (ROOT / "docs" / "storage.md").read_text(encoding="utf-8")
    assert (f"`verify` catches {caught} of {len(KINDS)} kinds without an anchor, "
            f"{with_anchor} with one") in docs


def test_the_copy_is_intact_before_any_change(clinic_file: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The product's own writes (every kind the matrix touches) replay without a difference."""
    code, out = _verify(clinic_file, capsys)
    assert code == 0, out
    db = sqlite3.connect(clinic_file)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("patient", "dose_entry", "symptom_score", "side_effect_report",
                        "clear_day", "note", "medication", "chemo_session", "alert_dismissal")}
    updates = db.execute("SELECT count(*) FROM audit_entry WHERE action = 'update'").fetchone()
    db.close()
    assert counts == {"patient": 2, "dose_entry": 6, "symptom_score": 4,
                      "side_effect_report": 1, "clear_day": 2, "note": 1, "medication": 1,
                      "chemo_session": 1, "alert_dismissal": 1}
    assert updates[0] >= 3  # the medication's end, the correction, the settings edit
    assert f"{sum(counts.values())} rows in 9 tables" in out
