"""The schema's version, known without alembic.

`tests/integration/test_migrations.py` checks it against the scripts in ``migrations/``, so
opening an up-to-date database never has to import alembic (start-up time).
"""

from __future__ import annotations

SCHEMA_REVISION = "0006_diary_read_indexes"  # the newest alembic revision
