"""PostgreSQL logins: the login -> patient map, the chain's head for logins, the actor is the login

Revision ID: 0003_login_roles
Revises: 0002_patient_status
Create Date: 2026-12-01 09:00:00.000000

Both engines get the ``patient_login`` table (the schema matches the models everywhere; on
SQLite it stays empty). On PostgreSQL three functions, owned by whoever migrates (the tables'
owner), serve the roles that ``ldn-tracker admin init`` sets up:

- ``audit_chain_head()`` (SECURITY DEFINER): takes the chain's advisory lock and returns the
  newest audit row's hash, so a patient's login, which row-level security lets see only its own
  patient's audit rows, still extends the one chain.
- ``ldn_login_patient()`` (SECURITY DEFINER): the patient mapped to ``session_user``; the
  row-level security policies compare against it, and nobody but the owner reads the table.
- ``audit_entry_actor_is_login()``: a trigger refusing an audit row whose actor is not
  ``session_user``, so the trail names the database login, not what the app claims.

The functions have fixed search paths (``pg_temp`` last) and no EXECUTE for PUBLIC.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_login_roles'
down_revision: str | None = '0002_patient_status'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAIN_LOCK = 7_041_966  # tracker.storage.audit.PG_CHAIN_LOCK
NOT_THE_LOGIN = "an audit row''s actor must be the database login (%), not %"


def upgrade() -> None:
    op.create_table('patient_login',
    sa.Column('login', sa.String(length=63), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_login_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_patient_login'))
    )
    with op.batch_alter_table('patient_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_login_patient_id'), ['patient_id'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    path = f"SET search_path = {schema}, pg_temp"
    op.execute(
        "CREATE FUNCTION audit_chain_head() RETURNS varchar LANGUAGE plpgsql VOLATILE "
        f"SECURITY DEFINER {path} AS $$ BEGIN "
        f"PERFORM pg_advisory_xact_lock({CHAIN_LOCK}); "
        "RETURN (SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1); END $$"
    )
    op.execute(
        "CREATE FUNCTION ldn_login_patient() RETURNS integer LANGUAGE sql STABLE "
        f"SECURITY DEFINER {path} AS "
        "$$ SELECT patient_id FROM patient_login WHERE login = session_user $$"
    )
    op.execute(
        "CREATE FUNCTION audit_entry_actor_is_login() RETURNS trigger LANGUAGE plpgsql "
        f"{path} AS $$ BEGIN "
        "IF NEW.actor IS DISTINCT FROM session_user::text THEN "
        f"RAISE EXCEPTION '{NOT_THE_LOGIN}', session_user, NEW.actor "
        "USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_actor_is_login BEFORE INSERT ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_actor_is_login()"
    )
    op.execute("REVOKE ALL ON FUNCTION audit_chain_head(), ldn_login_patient(), "
               "audit_entry_actor_is_login() FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_actor_is_login ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_actor_is_login()")
        # CASCADE: the policies of `admin init` go too, and a login then sees no rows at all.
        op.execute("DROP FUNCTION IF EXISTS ldn_login_patient() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head()")
    with op.batch_alter_table('patient_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_login_patient_id'))

    op.drop_table('patient_login')
