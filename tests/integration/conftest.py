"""Storage tests: every database test runs on SQLite and on a real PostgreSQL server.

``db_target`` is parametrised over ``sqlite`` (a fresh file in ``tmp_path``) and ``postgres``
(a fresh database made with ``CREATE DATABASE`` on the server named by
``LDN_TRACKER_TEST_PG_URL``, dropped afterwards). Locally the postgres half is skipped when the
variable is unset; in CI (``CI=true``) a missing server is a failure, never a silent skip:
``.ci/run`` starts one with ``scripts/postgres.sh``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tracker.services.clinic import Clinic
from tracker.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PG_ENV = "LDN_TRACKER_TEST_PG_URL"


def pg_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true but {PG_ENV} is not set: the PostgreSQL tests must run in CI "
                    "(.ci/run starts a server with scripts/postgres.sh).", pytrace=False)
    return None


class PgServer:
    """An admin connection to the test server that hands out fresh databases."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1)

    def create(self) -> str:
        name = f"ldn_test_{uuid.uuid4().hex[:16]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def dispose(self) -> None:
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    url = pg_url()
    if url is None:
        yield None
        return
    server = PgServer(url)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - say which server, then fail
        pytest.fail(f"{PG_ENV} is set but the server does not answer: {exc}", pytrace=False)
    yield server
    server.dispose()


@pytest.fixture
def pg_database(pg_server: PgServer | None) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database (skipped without a server, locally)."""
    if pg_server is None:
        pytest.skip(f"{PG_ENV} is not set (run: eval \"$(bash scripts/postgres.sh --export)\")")
    url = pg_server.create()
    yield url
    pg_server.drop(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nobody has opened yet: a SQLite file path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "tracker.db")
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def open_db(db_target: str) -> Iterator[Callable[..., Database]]:
    """Open ``db_target`` (migrating it); every Database opened is disposed afterwards."""
    opened: list[Database] = []

    def opener(**kwargs: Any) -> Database:
        db = Database(db_target, **kwargs)
        opened.append(db)
        return db

    yield opener
    for db in opened:
        db.dispose()


@pytest.fixture
def clinic(open_db: Callable[..., Database]) -> Clinic:
    return Clinic(open_db(), actor="patient:test")


def add_patient(clinic: Clinic, name: str = "Anna", **kwargs: Any) -> int:
    kwargs.setdefault("condition", "fibromyalgia")
    kwargs.setdefault("start", date(2026, 1, 1))
    return clinic.add_patient(name=name, **kwargs)


def table_counts(db: Database) -> dict[str, int]:
    """Rows in every table (alembic_version included): the "nothing written" yardstick."""
    with db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()
                for n in sorted(names)}


def table_contents(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every application table, ordered, as plain tuples."""
    with db.engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        out = {}
        for n in sorted(names):
            rows = conn.execute(text(f'SELECT * FROM "{n}" ORDER BY 1')).all()
            out[n] = [tuple(r) for r in rows]
        return out


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python: the repository importable, no stray DB setting."""
    env = {k: v for k, v in os.environ.items() if k != "LDN_TRACKER_DB"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("LDN_TRACKER_TODAY", "2026-03-01")
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``ldn-tracker ARGS`` in a child process (``python -m tracker``)."""
    return subprocess.run([sys.executable, "-m", "tracker", *args], capture_output=True,
                          text=True, env=env or child_env(), timeout=timeout, cwd=ROOT)


class Helpers:
    """Plain functions the test modules share (import-mode independent)."""

    add_patient = staticmethod(add_patient)
    table_counts = staticmethod(table_counts)
    table_contents = staticmethod(table_contents)
    child_env = staticmethod(child_env)
    run_cli = staticmethod(run_cli)
    root = ROOT
    here = HERE


@pytest.fixture(scope="session")
def h() -> type[Helpers]:
    return Helpers
