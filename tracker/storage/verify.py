"""Does the database still hold what its audit trail says? The checks of ``ldn-tracker verify``.

The hash chain (:func:`tracker.storage.audit.verify`) proves only that the trail itself was not
edited in the middle. It says nothing about the rows the trail describes: whoever can write the
file can change a dose with plain SQL and leave the trail alone, or drop the append-only
triggers first. So ``verify`` checks four things, each in the same read snapshot:

1. **the chain**: every audit row still gives its hash and points at the row before it;
2. **the records**: the trail is replayed (each ``insert`` with its ``*`` values, each
   ``update`` field by field, each ``delete``) into what every audited row should hold, and
   that is compared with the live tables; a row changed, added or removed behind the trail's
   back is named (table, row id, patient, date, field, expected and found). The replay also
   checks that the trail agrees with itself: an update's old value is what the trail had, a
   row is not inserted twice, nothing changes a row the trail does not hold;
3. **the triggers** that make the trail append-only are present, unchanged and enabled;
4. **the anchor** (``--anchor FILE``, optional): the trail still begins with the rows the file
   recorded last time (their number and the last one's hash), so a trail cut at its end or
   rewritten whole, which a consistent chain cannot reveal, is seen; on success the file then
   records the current length and head.

The replay streams: the trail sorted by table, row id and audit id, the live table by id, merged
side by side, so neither is held in memory (a clinic has millions of rows). Values are compared
as the column's type reads them (``"12"`` in the trail and ``12.0`` in a float column agree),
from the driver's own values, so a value no ORM type would accept is a difference, not a crash.

``patient_status`` is not audited: it is derived (recomputed from the diary whenever it is
stale), so it is not compared. ``patient.created_at`` is set by the server and not recorded.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.types import Boolean, Date, DateTime, Float, Integer

from tracker.i18n import N_, Message
from tracker.models import AuditEntry, Base
from tracker.storage import audit
from tracker.storage.audit import GENESIS_HASH, VerifyResult
from tracker.validation import ValidationError

# The tables whose every change goes through the audit trail (services/audited.py), in the
# order they are reported. patient_status is derived and deliberately absent.
AUDITED_TABLES = ("patient", "medication", "chemo_session", "dose_entry", "side_effect_report",
                  "clear_day", "symptom_score", "note", "alert_dismissal")
DERIVED_TABLES = ("patient_status",)
NOT_RECORDED = {"patient": ("created_at",)}  # the server's timestamp, never in the trail
DATE_COLUMN = {"medication": "start_date", "chemo_session": "start_date"}  # else "day"
MAX_LISTED = 20  # record differences listed; the rest are counted per table

AUDIT_TABLE = AuditEntry.__tablename__
# The append-only triggers of migration 0001, as each engine stores them.
SQLITE_TRIGGERS = {"audit_entry_no_update": "UPDATE", "audit_entry_no_delete": "DELETE"}
PG_TRIGGERS = {  # name: pg_trigger.tgtype (ROW 1, BEFORE 2, DELETE 8, UPDATE 16, TRUNCATE 32)
    "audit_entry_no_change": 1 | 2 | 8 | 16,
    "audit_entry_no_truncate": 2 | 32,
}
_SQLITE_TRIGGER_SQL = (r'create trigger "?{name}"? before {action} on "?audit_entry"? '
                       r"begin select raise\(abort, '[^']*'\); end;?")
_PG_FUNCTION_BODY = re.compile(r"begin raise exception '[^']*'; end;?")

ANCHOR_KIND = "ldn-tracker audit anchor"
_HASH = re.compile(r"[0-9a-f]{64}")


# -- the values, as the column's type reads them ---------------------------------------------

class Odd(NamedTuple):
    """A value the column's type cannot hold (``"abc"`` in a float column), kept as found."""

    raw: Any


_UNRECORDED = object()  # a column an insert's audit row does not record (told once, there)


def _iso_date(value: str) -> date | Odd:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return Odd(value)
    return day if day.isoformat() == value else Odd(value)


def _trail_bool(value: str) -> Any:
    return {"true": True, "1": True, "false": False, "0": False}.get(value, Odd(value))


def _trail_int(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return Odd(value)


def _trail_float(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return Odd(value)


def _trail_datetime(value: str) -> Any:
    return audit.stored_datetime(value) or Odd(value)


def _trail_text(value: str) -> Any:
    return value


_FROM_TRAIL = {"bool": _trail_bool, "int": _trail_int, "float": _trail_float,
               "date": _iso_date, "datetime": _trail_datetime, "text": _trail_text}


def from_trail(kind: str, value: Any) -> Any:
    """An audit value (text, as ``audit._plain`` wrote it) as the column's type reads it."""
    if value is None:
        return None
    return _FROM_TRAIL[kind](value) if type(value) is str else Odd(value)


def _table_bool(value: Any) -> Any:
    if value is True or value is False:
        return value
    return bool(value) if type(value) is int and value in (0, 1) else Odd(value)


def _table_int(value: Any) -> Any:
    return value if type(value) is int else Odd(value)


def _table_float(value: Any) -> Any:
    kind = type(value)
    return value if kind is float else float(value) if kind is int else Odd(value)


def _table_date(value: Any) -> Any:
    if type(value) is str:
        return _iso_date(value)
    return value if type(value) is date else Odd(value)


def _table_datetime(value: Any) -> Any:
    if type(value) is datetime:
        return value
    return audit.stored_datetime(value) or Odd(value) if type(value) is str else Odd(value)


def _table_text(value: Any) -> Any:
    return value if type(value) is str else Odd(value)


_FROM_TABLE = {"bool": _table_bool, "int": _table_int, "float": _table_float,
               "date": _table_date, "datetime": _table_datetime, "text": _table_text}


def from_table(kind: str, value: Any) -> Any:
    """A value as the driver gives it (SQLite: ISO text and 0/1; a server: dates, booleans)."""
    return None if value is None else _FROM_TABLE[kind](value)


# The fast path: a live value as the trail would write it, where that is cheap. When it gives
# the trail's text the two agree; when not, both are read as the column's type and compared
# (``"12"`` and ``12.0`` agree; so do ``"2026-01-03"`` and a server's ``date``).
_BOOL_TEXT = {0: "false", 1: "true"}


def _fast_bool(value: Any) -> Any:
    return _BOOL_TEXT.get(value, value)


def _fast_int(value: Any) -> Any:
    return str(value) if type(value) is int else value


def _fast_float(value: Any) -> Any:
    return repr(value) if type(value) is float else value


def _fast_date(value: Any) -> Any:
    return value.isoformat() if type(value) is date else value


def _fast_same(value: Any) -> Any:
    return value


_AS_TEXT = {"bool": _fast_bool, "int": _fast_int, "float": _fast_float, "date": _fast_date,
            "datetime": _fast_same, "text": _fast_same}


def agrees(kind: str, live: Any, text: Any) -> bool:
    """Does the live value ``live`` hold what the trail's ``text`` says?"""
    if text is _UNRECORDED:
        return True  # told once, at the insert that left it out
    if _AS_TEXT[kind](live) == text:
        return True
    return from_table(kind, live) == from_trail(kind, text)


def texts_agree(kind: str, one: Any, other: Any) -> bool:
    """Do two of the trail's texts say the same (``"12"`` and ``"12.0"`` in a float column)?"""
    if one is _UNRECORDED or other is _UNRECORDED or one == other:
        return True
    return from_trail(kind, one) == from_trail(kind, other)


def shown(value: Any) -> str:
    """A value in a message: as the trail writes it, text quoted, nothing as ``NULL``."""
    if value is None:
        return "NULL"
    if isinstance(value, Odd):
        return repr(value.raw)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        quoted = json.dumps(value, ensure_ascii=False)
        return quoted if len(quoted) <= 60 else quoted[:57] + '…"'
    return str(value)


def _kind(column: Any) -> str:
    kind = column.type
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, Float):
        return "float"
    return "text"


@dataclass(frozen=True)
class TableSpec:
    """An audited table: the columns the trail records, in order, and how each one reads."""

    name: str
    columns: tuple[str, ...]  # the id left out
    kinds: tuple[str, ...]
    position: dict[str, int]
    date_column: str | None
    fast: tuple[Callable[[Any], Any], ...]

    @classmethod
    def of(cls, name: str) -> TableSpec:
        table = Base.metadata.tables[name]
        skip = {"id", *NOT_RECORDED.get(name, ())}
        columns = tuple(c for c in table.columns if c.name not in skip)
        day = None if name == "patient" else DATE_COLUMN.get(name, "day")
        kinds = tuple(_kind(c) for c in columns)
        return cls(name, tuple(c.name for c in columns), kinds,
                   {c.name: k for k, c in enumerate(columns)}, day,
                   tuple(_AS_TEXT[k] for k in kinds))

    def select(self) -> str:
        names = ", ".join(f'"{c}"' for c in self.columns)
        return f'SELECT "id", {names} FROM "{self.name}" ORDER BY "id"'

    def texts(self, recorded: dict[str, Any]) -> list[Any]:
        """An insert's ``*`` values in column order (``_UNRECORDED`` where one is missing)."""
        return [recorded.get(name, _UNRECORDED) for name in self.columns]

    def as_text(self, row: tuple[Any, ...]) -> list[Any]:
        """A live row (its id first) in column order, as the trail would write it (cheaply)."""
        return [fast(v) for fast, v in zip(self.fast, row[1:], strict=True)]

    def named(self, values: list[Any], live: bool) -> dict[str, Any]:
        """Values (live, or the trail's texts) by column name, read as the column's type."""
        read = from_table if live else from_trail
        return {c: v if v is _UNRECORDED else read(k, v)
                for c, k, v in zip(self.columns, self.kinds, values, strict=True)}


# -- what was found ------------------------------------------------------------------------

@dataclass
class Findings:
    """The problems found, in order; record differences beyond ``MAX_LISTED`` only counted."""

    listed: list[Message] = field(default_factory=list)
    differences: int = 0
    per_table: dict[str, int] = field(default_factory=dict)
    others: int = 0

    def add(self, message: Message) -> None:
        """A problem with the chain, the triggers, the anchor: always listed."""
        self.listed.append(message)
        self.others += 1

    def wants(self) -> bool:
        return self.differences < MAX_LISTED

    def difference(self, table: str, message: Message | None) -> None:
        """A record that disagrees with the trail (``message`` may be None once enough)."""
        if message is not None and self.differences < MAX_LISTED:
            self.listed.append(message)
        self.differences += 1
        self.per_table[table] = self.per_table.get(table, 0) + 1

    @property
    def count(self) -> int:
        return self.others + self.differences


@dataclass(frozen=True)
class Anchor:
    """What an anchor file records: the trail's length and the hash of its last row."""

    rows: int
    head_id: int | None
    head_hash: str
    recorded_at: str = ""


@dataclass(frozen=True)
class AnchorCheck:
    path: Path
    recorded: Anchor | None  # None: the file did not exist yet
    current: Anchor
    written: bool = False


@dataclass(frozen=True)
class Verification:
    """The verdict of every check; ``ok`` only if none found anything."""

    chain: VerifyResult
    rows: int  # audit rows
    records: int  # live rows compared with the trail
    tables: int
    problems: tuple[Message, ...]  # what to list, in order: chain, triggers, anchor, records
    problem_count: int
    differences_per_table: dict[str, int]
    anchor: AnchorCheck | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def first_bad_id(self) -> int | None:
        """The first audit row the chain check named (None: the chain is whole)."""
        return self.chain.first_bad_id

    @property
    def problem(self) -> str | None:
        """The first problem, in the user's language."""
        return self.problems[0].render() if self.problems else None

    @property
    def unlisted(self) -> int:
        return self.problem_count - len(self.problems)


# -- the checks ------------------------------------------------------------------------------

def check(session: Session, anchor_path: Path | None = None) -> Verification:
    """Every check, in one read snapshot of a fresh ``session``.

    A damaged or unreadable anchor file is refused before anything is read (ValidationError,
    exit status 2); a database that cannot be read is a DatabaseError (exit status 2).
    """
    recorded = read_anchor(anchor_path) if anchor_path is not None else None
    from tracker.storage.database import DatabaseError

    # The big reads go to the driver itself (audit.stream), so its errors come unwrapped.
    driver_error = session.get_bind().dialect.loaded_dbapi.Error
    try:
        return _check(session, anchor_path, recorded)
    except (SQLAlchemyError, driver_error) as exc:
        orig = getattr(exc, "orig", None) or exc
        problem = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        raise DatabaseError(N_("Could not check the audit trail: {problem}"),
                            problem=problem) from exc


def _check(session: Session, anchor_path: Path | None,
           recorded: Anchor | None) -> Verification:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # One snapshot for every query: the trail and the tables as of one instant, while the
        # patients go on writing (READ COMMITTED would show each query a newer state).
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    conn = session.connection()
    found = Findings()
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    if AUDIT_TABLE not in present:
        found.add(Message(N_("the table {table} is missing"), {"table": AUDIT_TABLE}))
        chain = VerifyResult(False, 0)
        rows = 0
    else:
        chain = audit.verify(session)
        if chain.message is not None:
            found.add(chain.message)
        rows = int(conn.exec_driver_sql(f"SELECT count(*) FROM {AUDIT_TABLE}").scalar_one())
    for message in check_triggers(conn, dialect):
        found.add(message)
    current = Anchor(chain.rows, chain.head_id, chain.head_hash) if chain.ok else \
        Anchor(rows, None, GENESIS_HASH)
    anchor = None
    if anchor_path is not None:
        anchor = AnchorCheck(anchor_path, recorded, current)
        if recorded is not None and AUDIT_TABLE in present:
            for message in check_anchor(conn, recorded, rows, anchor_path):
                found.add(message)
    specs = []
    for name in AUDITED_TABLES:
        spec = TableSpec.of(name)
        if name not in present:
            found.add(Message(N_("the table {table} is missing"), {"table": name}))
            continue
        columns = {c["name"] for c in inspector.get_columns(name)}
        missing = [c for c in spec.columns if c not in columns]
        if missing:
            found.add(Message(N_("the column {column} of the table {table} is missing"),
                              {"column": missing[0], "table": name}))
            continue
        specs.append(spec)
    records = replay(session, specs, found) if AUDIT_TABLE in present else 0
    return Verification(chain, rows, records, len(specs), tuple(found.listed), found.count,
                        found.per_table, anchor)


def check_triggers(conn: Any, dialect: str) -> list[Message]:
    """The append-only triggers of ``audit_entry``: present, unchanged and enabled."""
    problems = []
    if dialect == "sqlite":
        stored = dict(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name = '{AUDIT_TABLE}'").all())
        for name, action in SQLITE_TRIGGERS.items():
            sql = stored.get(name)
            if sql is None:
                problems.append(_trigger_missing(name))
            elif not re.fullmatch(_SQLITE_TRIGGER_SQL.format(name=name, action=action.lower()),
                                  " ".join(sql.split()).lower()):
                problems.append(_trigger_changed(name))
        return problems
    if dialect != "postgresql":
        return [Message(N_("the append-only triggers cannot be checked on {engine}"),
                        {"engine": dialect})]
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, t.tgenabled, t.tgtype, p.proname, p.prosrc FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid "
        f"WHERE t.tgrelid = '{AUDIT_TABLE}'::regclass AND NOT t.tgisinternal").all()
    triggers = {row.tgname: row for row in rows}
    for name, kind in PG_TRIGGERS.items():
        row = triggers.get(name)
        if row is None:
            problems.append(_trigger_missing(name))
            continue
        enabled = row.tgenabled.decode() if isinstance(row.tgenabled, bytes) else \
            str(row.tgenabled)
        if enabled == "D":
            problems.append(Message(N_("the append-only trigger {name} on audit_entry is "
                                       "disabled"), {"name": name}))
        elif enabled == "R":
            problems.append(Message(N_("the append-only trigger {name} on audit_entry fires "
                                       "only on a replica: it is disabled here"),
                                    {"name": name}))
        if int(row.tgtype) != kind:
            problems.append(_trigger_changed(name))
        elif not _PG_FUNCTION_BODY.fullmatch(" ".join(str(row.prosrc).split()).lower()):
            problems.append(Message(
                N_("the function {function} behind the append-only trigger {name} was "
                   "changed: it no longer refuses every change"),
                {"function": row.proname, "name": name}))
    return problems


def _trigger_missing(name: str) -> Message:
    return Message(N_("the append-only trigger {name} on audit_entry is missing (the audit "
                      "trail can be changed without the database refusing it)"),
                   {"name": name})


def _trigger_changed(name: str) -> Message:
    return Message(N_("the append-only trigger {name} on audit_entry was changed: it no longer "
                      "refuses every change"), {"name": name})


# -- the replay --------------------------------------------------------------------------------

@dataclass
class Expected:
    """What the trail says one row holds after its last audit row (``values`` None: deleted)."""

    row_id: int
    values: list[Any] | None  # in the TableSpec's column order
    last_audit: int


def replay(session: Session, specs: Iterable[TableSpec], found: Findings) -> int:
    """Compare every audited table with the trail; returns how many live rows were compared."""
    by_name = {s.name: s for s in specs}
    audited = set(AUDITED_TABLES)
    seen: set[str] = set()
    compared = 0
    trail = audit.stream(session, (
        "SELECT id, action, table_name, row_id, field, old_value, new_value "
        f"FROM {AUDIT_TABLE} ORDER BY table_name, row_id, id"))
    with closing(trail):
        for table, entries in groupby(trail, key=itemgetter(2)):
            seen.add(table)
            spec = by_name.get(table)
            if spec is None:
                if table not in audited:  # (an audited table that is missing is told already)
                    found.add(Message(N_("audit row {audit} changes the table {table}, which "
                                         "is not audited"),
                                      {"audit": next(entries)[0], "table": table}))
                continue
            compared += _compare(session, spec, _expected(spec, entries, found), found)
    for table, spec in by_name.items():
        if table not in seen:
            compared += _compare(session, spec, iter(()), found)
    return compared


def _where(table: str, row_id: Any) -> Message:
    return Message(N_("{table} row {row}"), {"table": table, "row": row_id})


def _contradiction(found: Findings, table: str, template: str, /, **params: Any) -> None:
    found.difference(table, Message(template, params) if found.wants() else None)


def _expected(spec: TableSpec, entries: Iterable[tuple[Any, ...]],
              found: Findings) -> Iterator[Expected]:
    """Replay one table's audit rows (sorted by row id, then id) into each row's last state."""
    for row_id, history in groupby(entries, key=itemgetter(3)):
        if type(row_id) is not int:
            _contradiction(found, spec.name, N_("audit row {audit} does not name a row of "
                                                "{table} ({row})"),
                           audit=next(history)[0], table=spec.name, row=repr(row_id))
            continue
        values: list[Any] | None = None
        last = 0
        for entry in history:
            last = entry[0]
            values = _apply(spec, row_id, values, entry, found)
        yield Expected(row_id, values, last)


def _apply(spec: TableSpec, row_id: int, values: list[Any] | None, entry: tuple[Any, ...],
           found: Findings) -> list[Any] | None:
    """The row's state (the trail's texts) after one audit row; a contradiction is told."""
    audit_id, action, _table, _row, column, old, new = entry
    if action == "insert":
        if values is not None:
            _contradiction(found, spec.name, N_("audit row {audit} inserts {where} again, "
                                                "without deleting it first (the trail "
                                                "contradicts itself)"),
                           audit=audit_id, where=_where(spec.name, row_id))
        recorded = _recorded(new) if column == "*" else None
        if recorded is None:
            _contradiction(found, spec.name, N_("audit row {audit} inserts {where} without "
                                                "saying what it holds"),
                           audit=audit_id, where=_where(spec.name, row_id))
            return [_UNRECORDED] * len(spec.columns)
        state = spec.texts(recorded)
        if len(recorded) < len(spec.columns) or _UNRECORDED in state:
            for name, value in zip(spec.columns, state, strict=True):
                if value is _UNRECORDED:
                    _contradiction(found, spec.name, N_("audit row {audit} inserts {where} "
                                                        "without recording {field}"),
                                   audit=audit_id, where=_where(spec.name, row_id), field=name)
        return state
    if action not in ("update", "delete"):
        _contradiction(found, spec.name, N_("audit row {audit} has an unknown action "
                                            "{action}"), audit=audit_id, action=action)
        return values
    if values is None:
        _contradiction(found, spec.name, N_("audit row {audit} changes {where}, which the trail "
                                            "does not hold at that point (the trail "
                                            "contradicts itself)"),
                       audit=audit_id, where=_where(spec.name, row_id))
        return None
    if action == "update":
        k = spec.position.get(column)
        if k is None:
            _contradiction(found, spec.name, N_("audit row {audit} changes {field}, which "
                                                "{table} does not have"),
                           audit=audit_id, field=column, table=spec.name)
            return values
        _check_old(found, spec, row_id, audit_id, k, values[k], old)
        values[k] = new
        return values
    recorded = _recorded(old) if column == "*" else None
    if recorded is not None:
        for k, said in enumerate(spec.texts(recorded)):
            _check_old(found, spec, row_id, audit_id, k, values[k], said)
    return None


def _check_old(found: Findings, spec: TableSpec, row_id: int, audit_id: int, k: int,
               had: Any, says: Any) -> None:
    """An update's or a delete's old value must be what the trail had until then."""
    if not texts_agree(spec.kinds[k], had, says):
        _contradiction(found, spec.name, N_("audit row {audit} says {field} of {where} was "
                                            "{old}, but the trail had {expected} (the trail "
                                            "contradicts itself)"),
                       audit=audit_id, field=spec.columns[k], where=_where(spec.name, row_id),
                       old=shown(from_trail(spec.kinds[k], says)),
                       expected=shown(from_trail(spec.kinds[k], had)))


def _recorded(value: str | None) -> dict[str, Any] | None:
    """An insert's or a delete's ``*`` values (JSON of text values), None if unreadable."""
    if value is None:
        return None
    try:
        values = json.loads(value)
    except ValueError:
        return None
    return values if isinstance(values, dict) else None


def _compare(session: Session, spec: TableSpec, expected: Iterator[Expected],
             found: Findings) -> int:
    """Merge the trail's rows with the live table's, both by row id; returns rows compared."""
    compared = 0
    with closing(audit.stream(session, spec.select())) as live:
        want = next(expected, None)
        have = next(live, None)
        while want is not None or have is not None:
            if have is None or (want is not None and want.row_id < have[0]):
                assert want is not None
                if want.values is not None:
                    found.difference(spec.name, Message(
                        N_("{where} is missing, but the audit trail never deleted it (removed "
                           "behind its back)"),
                        {"where": _located(spec, want.row_id, spec.named(want.values, False))})
                        if found.wants() else None)
                want = next(expected, None)
                continue
            compared += 1
            if want is None or have[0] < want.row_id:
                found.difference(spec.name, Message(
                    N_("{where} is not in the audit trail (added behind its back)"),
                    {"where": _located(spec, have[0], spec.named(list(have[1:]), True))})
                    if found.wants() else None)
                have = next(live, None)
                continue
            if want.values is None:
                found.difference(spec.name, Message(
                    N_("{where} is there, but the audit trail deleted it (audit row {audit})"),
                    {"where": _located(spec, have[0], spec.named(list(have[1:]), True)),
                     "audit": want.last_audit}) if found.wants() else None)
            elif spec.as_text(have) != want.values:
                _differences(spec, have, want.values, found)
            want = next(expected, None)
            have = next(live, None)
    return compared


def _differences(spec: TableSpec, have: tuple[Any, ...], texts: list[Any],
                 found: Findings) -> None:
    """Each field of the live row ``have`` that does not hold what the trail says."""
    where = None
    for name, kind, live, said in zip(spec.columns, spec.kinds, have[1:], texts, strict=True):
        if agrees(kind, live, said):
            continue
        message = None
        if found.wants():
            where = where or _located(spec, have[0], spec.named(list(have[1:]), True))
            message = Message(N_("{where}: {field} is {found}, but the audit trail says "
                                 "{expected}"),
                              {"where": where, "field": name,
                               "found": shown(from_table(kind, live)),
                               "expected": shown(from_trail(kind, said))})
        found.difference(spec.name, message)


def _located(spec: TableSpec, row_id: int, named: dict[str, Any]) -> Message:
    """The row, its patient and its date: ``dose_entry row 7 (patient 1, 2026-01-03)``."""
    patient = row_id if spec.name == "patient" else named.get("patient_id")
    day = named.get(spec.date_column) if spec.date_column else None
    params = {"table": spec.name, "row": row_id, "patient": shown(patient)}
    if day is None or day is _UNRECORDED:
        return Message(N_("{table} row {row} (patient {patient})"), params)
    return Message(N_("{table} row {row} (patient {patient}, {day})"),
                   {**params, "day": shown(day)})


# -- the anchor ----------------------------------------------------------------------------

def read_anchor(path: Path) -> Anchor | None:
    """The anchor ``path`` records; None if there is no such file yet.

    A file that exists but cannot be read, or is not an anchor (empty, cut short, edited), is
    refused with exit status 2: treating it as new would let whoever damaged it start over.
    """
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError("--anchor", Message(
            N_("{field}: the anchor file {path} cannot be read: {problem}."),
            {"path": str(path), "problem": problem})) from None
    try:
        data = json.loads(content)
    except ValueError:
        raise _damaged(path, Message(N_("it is empty")) if not content.strip()
                       else Message(N_("it is not JSON"))) from None
    if not isinstance(data, dict) or data.get("kind") != ANCHOR_KIND:
        raise _damaged(path, Message(N_("it is not an ldn-tracker anchor")))
    rows, head_id, head_hash = data.get("rows"), data.get("head_id"), data.get("head_hash")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise _damaged(path, Message(N_("{key} is missing or not valid"), {"key": "rows"}))
    if not isinstance(head_hash, str) or not _HASH.fullmatch(head_hash) \
            or (rows == 0) != (head_hash == GENESIS_HASH):
        raise _damaged(path, Message(N_("{key} is missing or not valid"),
                                     {"key": "head_hash"}))
    if head_id is not None and (isinstance(head_id, bool) or not isinstance(head_id, int)):
        raise _damaged(path, Message(N_("{key} is missing or not valid"), {"key": "head_id"}))
    return Anchor(rows, head_id, head_hash, str(data.get("recorded_at", "")))


def _damaged(path: Path, problem: Message) -> ValidationError:
    return ValidationError("--anchor", Message(
        N_("{field}: the anchor file {path} is damaged ({problem}); it was left as it is and "
           "nothing was checked"), {"path": str(path), "problem": problem}))


def check_anchor(conn: Any, recorded: Anchor, rows: int, path: Path) -> list[Message]:
    """Does the trail still begin with the ``recorded.rows`` rows the anchor saw?"""
    if recorded.rows == 0:
        return []
    if rows < recorded.rows:
        return [Message(N_("the audit trail has {rows} rows, but the anchor {path} recorded "
                           "{recorded} on {when}: rows it recorded are gone (cut from the end, "
                           "removed, or the whole trail replaced)"),
                        {"rows": rows, "path": str(path), "recorded": recorded.rows,
                         "when": recorded.recorded_at or "?"})]
    there = conn.execute(text(f"SELECT id, hash FROM {AUDIT_TABLE} ORDER BY id LIMIT 1 "
                              "OFFSET :skip"), {"skip": recorded.rows - 1}).one()
    if there.hash != recorded.head_hash:
        return [Message(N_("audit row number {position} (id {row}) is not the row the anchor "
                           "{path} recorded on {when}: the trail was rewritten up to there"),
                        {"position": recorded.rows, "row": there.id, "path": str(path),
                         "when": recorded.recorded_at or "?"})]
    return []


def record_anchor(result: Verification, database: str) -> Verification:
    """Write the current length and head into the anchor file, atomically (intact trails only).

    A new file is created owner-only (0600); an existing one is replaced by a new file with the
    same mode (the existing file is never chmodded). Never called on a broken trail: recording
    it would erase the evidence the next ``verify`` needs.
    """
    assert result.ok and result.anchor is not None
    path = result.anchor.path
    current = result.anchor.current
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    content = json.dumps({"kind": ANCHOR_KIND, "version": 1, "rows": current.rows,
                          "head_id": current.head_id, "head_hash": current.head_hash,
                          "recorded_at": now, "database": database},
                         ensure_ascii=False, indent=1) + "\n"
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            if mode != 0o600:
                os.chmod(temporary, mode)  # the new file, never the one it replaces
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_directory(target.parent)
    except OSError as exc:
        raise ValidationError("--anchor", Message(
            N_("{field}: the anchor file {path} cannot be written: {problem}. The audit trail "
               "itself is intact."), {"path": str(path), "problem": exc.strerror or str(exc)})
        ) from None
    anchor = AnchorCheck(path, result.anchor.recorded,
                         Anchor(current.rows, current.head_id, current.head_hash, now), True)
    return Verification(result.chain, result.rows, result.records, result.tables,
                        result.problems, result.problem_count, result.differences_per_table,
                        anchor)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
