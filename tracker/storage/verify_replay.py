"""Do the live tables hold what the audit trail says? The replay of the trail, compared.

The hash chain proves only that the trail itself was not edited; it says nothing about the rows
the trail describes: whoever can write the file can change a dose with plain SQL and leave the
trail alone. So the trail is replayed (each ``insert`` with its ``*`` values, each ``update``
field by field, each ``delete``) into what every audited row should hold, and that is compared
with the live tables; a row changed, added or removed behind the trail's back is named (table,
row id, patient, date, field, expected and found). The replay also checks that the trail agrees
with itself: an update's old value is what the trail had, a row is not inserted twice, nothing
changes a row the trail does not hold.

The replay streams: the trail sorted by table, row id and audit id, the live table by id, merged
side by side, so neither is held in memory (a clinic has millions of rows). How two values are
compared is :mod:`tracker.storage.verify_values`.

:class:`Findings` collects what every check of ``verify`` found; it lives here, below the entry
point, because only record differences are many: the first ``MAX_LISTED`` are listed, the rest
counted per table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from tracker.i18n import N_, Message
from tracker.models import AuditEntry
from tracker.storage import audit
from tracker.storage.verify_values import (
    ADDED_LATER,
    AUDITED_TABLES,
    UNRECORDED,
    TableSpec,
    agrees,
    from_table,
    from_trail,
    shown,
    texts_agree,
)

MAX_LISTED = 20  # record differences listed; the rest are counted per table
AUDIT_TABLE = AuditEntry.__tablename__


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
            return [UNRECORDED] * len(spec.columns)
        state = spec.texts(recorded)
        if len(recorded) < len(spec.columns) or UNRECORDED in state:
            for name, value in zip(spec.columns, state, strict=True):
                if value is UNRECORDED and name not in ADDED_LATER:
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
    if day is None or day is UNRECORDED:
        return Message(N_("{table} row {row} (patient {patient})"), params)
    return Message(N_("{table} row {row} (patient {patient}, {day})"),
                   {**params, "day": shown(day)})
