"""Alerts over time (SPEC §13): the cohort's status row counts only open alerts

Revision ID: 0005_alert_status
Revises: 0004_row_uuids
Create Date: 2026-12-10 09:00:00.000000

``patient_status`` is a derived cache (never audited). Its ``open_alerts`` and ``flags`` now
hold the open alerts only (one code per alert) and the flags of ``clinical/flags.py``
(``FLAG_ORDER``), and the new column ``next_upcoming`` holds the day of the first upcoming
alert. Every stored row is marked stale (``computed_for`` = 1900-01-01, as
``services.status.mark_stale`` does), so rows written by an earlier version are recomputed
the next time the cohort is read, also on the day of the upgrade.

Downgrade drops the column; the rows are left as they are (the older version shows a flag it
does not know by its name until the next day's refresh).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = '0005_alert_status'
down_revision: str | None = '0004_row_uuids'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('patient_status', sa.Column('next_upcoming', sa.Date(), nullable=True))
    op.execute(sa.text("UPDATE patient_status SET computed_for = :stale").bindparams(
        sa.bindparam("stale", date(1900, 1, 1), type_=sa.Date())))


def downgrade() -> None:
    with op.batch_alter_table('patient_status') as batch:
        batch.drop_column('next_upcoming')
