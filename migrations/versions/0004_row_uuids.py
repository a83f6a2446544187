"""Stable identity: a UUID on every patient row, unique per table, never changed (SPEC §11)

Revision ID: 0004_row_uuids
Revises: 0003_login_roles
Create Date: 2026-12-08 09:00:00.000000

Each audited table gets ``uuid`` (``VARCHAR(36)``, the canonical lowercase 8-4-4-4-12 text of a
version-4 UUID), NOT NULL, with the unique constraint ``uq_<table>_uuid``. Every existing row
gets a fresh random one, generated in the database, one statement per table (a clinic's diary
has millions of rows; no row goes through Python):

- PostgreSQL: ``ADD COLUMN ... NOT NULL DEFAULT gen_random_uuid()::text`` (PG 13+). A volatile
  default rewrites the table once, each row with its own value (no second pass, no dead
  tuples); the default is dropped again (the app gives the value, ``models.base.new_uuid``).
  The tables keep their owner, grants, row-level security and the audit trail's triggers:
  nothing is recreated.
- SQLite: the column is added nullable (``ALTER TABLE ADD COLUMN``, no copy), filled with an
  SQL expression built from ``randomblob()`` (version nibble 4, variant 8-b), then batch mode
  rebuilds the table once for NOT NULL and the constraint. A table that had planner statistics
  (``ANALYZE``; the benchmark's clinic) is analysed again, as dropping the old table lost them.

The whole upgrade is one transaction (``storage.database``), so a failure leaves the old schema.

The audit trail is not touched: an insert written before this revision does not record the
uuid, and ``verify`` then treats the column as unrecorded for that row
(``storage.verify_values.ADDED_LATER``). Only one case restores rather than invents: a row whose
last insert in the trail *does* record a uuid (the database was at this revision before, went
down and comes up again) gets that uuid back, so identity survives the round trip and the trail
still agrees with the table.

Downgrade drops the constraints and the columns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0004_row_uuids'
down_revision: str | None = '0003_login_roles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("patient", "medication", "chemo_session", "dose_entry", "side_effect_report",
          "clear_day", "symptom_score", "note", "alert_dismissal")
UUID_LENGTH = 36
# A random version-4 UUID in SQLite's SQL: 122 random bits, "4" as the version nibble and one
# of 8, 9, a, b as the variant's (``random() & 3``: never abs(), which overflows on one value).
SQLITE_UUID4 = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1) || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
)
CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RESTORE_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    analysed = _analysed_tables(bind) if sqlite else set()
    for table in TABLES:
        if sqlite:
            op.add_column(table, sa.Column('uuid', sa.String(length=UUID_LENGTH), nullable=True))
            op.execute(f"UPDATE {table} SET uuid = {SQLITE_UUID4}")
        else:
            op.execute(f"ALTER TABLE {table} ADD COLUMN uuid varchar({UUID_LENGTH}) NOT NULL "
                       "DEFAULT gen_random_uuid()::text")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN uuid DROP DEFAULT")
    _restore_recorded(bind)
    for table in TABLES:
        if sqlite:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.alter_column('uuid', existing_type=sa.String(length=UUID_LENGTH),
                                      nullable=False)
                batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_uuid'), ['uuid'])
            if table in analysed:
                op.execute(f"ANALYZE {table}")
        else:
            op.create_unique_constraint(op.f(f'uq_{table}_uuid'), table, ['uuid'])


def _analysed_tables(bind: Any) -> set[str]:
    """The tables SQLite has planner statistics for (none unless someone ran ANALYZE)."""
    if bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'sqlite_stat1'")).first() is None:
        return set()
    return set(bind.execute(sa.text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars())


def _restore_recorded(bind: Any) -> None:
    """Give a row back the uuid its last insert in the audit trail recorded, if it recorded one.

    Only a database that was at this revision before and was downgraded has such rows; the
    probe (one scan of the trail, no sort) finds none in every other, and nothing more is read.
    A recorded value that is not a canonical UUID, or one another row of the table already got
    back, is left alone (the fresh one stays; ``verify`` will name the row).
    """
    names = ", ".join(f"'{t}'" for t in TABLES)
    where = f"action = 'insert' AND field = '*' AND table_name IN ({names})"
    probe = sa.text(f"SELECT 1 FROM audit_entry WHERE {where} "
                    "AND new_value LIKE '%\"uuid\"%' LIMIT 1")
    if bind.execute(probe).first() is None:
        return
    inserts = bind.execute(sa.text(
        f"SELECT table_name, row_id, new_value FROM audit_entry WHERE {where} "
        "ORDER BY table_name, row_id, id").execution_options(yield_per=RESTORE_BATCH))
    for table, rows in groupby(inserts, key=itemgetter(0)):
        update = sa.text(f"UPDATE {table} SET uuid = :uuid WHERE id = :id")
        batch: list[dict[str, Any]] = []
        for params in _recorded(rows):
            batch.append(params)
            if len(batch) == RESTORE_BATCH:
                bind.execute(update, batch)
                batch = []
        if batch:
            bind.execute(update, batch)


def _recorded(rows: Iterator[Any]) -> Iterator[dict[str, Any]]:
    """``{"id", "uuid"}`` for each row whose last insert recorded a usable uuid."""
    given: set[str] = set()
    for row_id, history in groupby(rows, key=itemgetter(1)):
        *_, (_table, _row, new_value) = history
        try:
            value = json.loads(new_value).get("uuid") if new_value else None
        except (ValueError, AttributeError):
            continue
        if isinstance(value, str) and CANONICAL.fullmatch(value) and value not in given:
            given.add(value)
            yield {"id": row_id, "uuid": value}


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in reversed(TABLES):
        if sqlite:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(batch_op.f(f'uq_{table}_uuid'), type_='unique')
                batch_op.drop_column('uuid')
        else:
            op.drop_constraint(op.f(f'uq_{table}_uuid'), table, type_='unique')
            op.drop_column(table, 'uuid')
