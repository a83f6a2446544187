"""Load a bench clinic (a SQLite file made by ``generate.py``) into a fresh PostgreSQL database.

    .venv/bin/python bench/pg_load.py --sqlite bench/out/clinic-2000x365.db \\
        --pg postgresql+psycopg://ldn_tracker:ldn_tracker@127.0.0.1:54329/ldn_tracker

``--pg`` is the URL of a role that may ``CREATE DATABASE`` and ``CREATE ROLE`` (the one
``scripts/postgres.sh`` prints); the clinic goes into the database ``--database`` (default
``ldn_bench``) on the same server, which that role then owns, as the owner of a clinic's
database owns its tables. Idempotent: the database is dropped (``WITH (FORCE)``) and made again.

The database is made the way the product makes a clinic's:

1. ``CREATE DATABASE``, then :class:`tracker.storage.database.Database` on its URL runs the
   migrations (the schema, the audit trail's triggers and functions, as on any clinic);
2. ``ldn-tracker admin init``'s own code (:func:`tracker.storage.admin.init_roles`): the group
   roles ``ldn_clinician`` / ``ldn_patient``, their grants and the row-level security;
3. the rows, with psycopg's ``COPY ... FROM STDIN`` (``Copy.write_row``, text format, the
   server parsing SQLite's text dates and 0/1 booleans), table by table in foreign-key order
   (``Base.metadata.sorted_tables``), all in one transaction with the fingerprint (below), so
   the database holds either the whole clinic or none of it; then every ``id`` sequence is
   moved past the largest id (``setval``) so new rows get fresh ids, and ``VACUUM (ANALYZE)``
   leaves the tables as autovacuum leaves a running clinic's;
4. the logins (``ldn-tracker admin clinician`` / ``admin patient``'s code,
   :func:`tracker.storage.admin.add_login`): one clinician's login ``<database>_clinician`` and
   one patient's login ``<database>_p<ID>`` for each of the last ``--patient-logins`` patients
   (the check-in figure checks in as them), password ``--login-password``.

The audit trail. On PostgreSQL the table refuses UPDATE, DELETE and TRUNCATE (triggers
``audit_entry_no_change`` / ``audit_entry_no_truncate``; COPY only inserts, so they stay as they
are) and refuses a new row whose actor is not the database login (``audit_entry_actor_is_login``,
migration 0003). The bench clinic's rows were written by the generator as ``import`` on SQLite,
and each row's hash covers its actor, so the rows cannot be given another actor without breaking
the chain. The loader, as the tables' owner (the only role that may), disables that one trigger,
COPYs the trail exactly as it is (ids, actors, times, values, ``prev_hash`` and ``hash`` copied
byte for byte, in id order), and enables the trigger again, all inside the load's one
transaction: ``ALTER TABLE`` holds the table's ACCESS EXCLUSIVE lock until the commit, so no
other session ever sees or writes through the table with the trigger off, and the committed
catalogue is the product's (``ldn-tracker verify`` checks the triggers are enabled, and the
chain verifies on the server as it did in the file). No login, clinician or patient, can do the
same: they do not own the table.

The fingerprint of the source (its path, size and mtime) is the database's comment
(``COMMENT ON DATABASE``), so the schema stays the product's; :func:`loaded_from` reads it, and
``pg_figures.py`` skips the load when it matches.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACTOR_TRIGGER = "audit_entry_actor_is_login"
DEFAULT_DATABASE = "ldn_bench"
DEFAULT_PASSWORD = "ldn_bench"  # a loopback benchmark server's throw-away logins
SKIP_TABLES = ("alembic_version",)  # the migrations wrote it


@dataclass
class LoadReport:
    database: str
    url: str  # the owner's URL of the loaded database
    clinician_url: str
    patient_urls: dict[int, str]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        copied = sum(self.seconds.get(t, 0.0) for t in self.rows)
        return sum(self.rows.values()) / copied if copied else 0.0


def fingerprint(sqlite_path: Path) -> str:
    stat = sqlite_path.stat()
    return json.dumps({"bench_source": str(sqlite_path.resolve()), "size": stat.st_size,
                       "mtime_ns": stat.st_mtime_ns}, sort_keys=True)


def _url(base: str, **parts: Any) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base).set(**parts).render_as_string(hide_password=False)


def _connect(url: str, **kwargs: Any) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port, dbname=u.database, user=u.username,
                           password=u.password, **kwargs)


def loaded_from(url: str, database: str) -> str | None:
    """The fingerprint the database ``database`` was loaded from; None if it has none (or is
    not there)."""
    with _connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", (database,)).fetchone()
    return row[0] if row else None


def login_ids(sqlite_path: Path, count: int = 30) -> list[int]:
    """The patients :func:`load` gives a login: the last ``count`` of the clinic."""
    lite = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        return [r[0] for r in lite.execute("SELECT id FROM patient ORDER BY id DESC LIMIT ?",
                                           (count,))]
    finally:
        lite.close()


def login_urls(url: str, database: str, patient_ids: list[int],
               password: str = DEFAULT_PASSWORD) -> tuple[str, dict[int, str]]:
    """The clinician's login's URL and each patient's login's URL (named as :func:`load` names
    them)."""
    clinician = _url(url, database=database, username=f"{database}_clinician",
                     password=password)
    patients = {pid: _url(url, database=database, username=f"{database}_p{pid}",
                          password=password) for pid in patient_ids}
    return clinician, patients


def _recreate(url: str, database: str) -> None:
    from psycopg import sql

    with _connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _copy_tables(sqlite_path: Path, owner_url: str, report: LoadReport, source: str,
                 say: Any) -> None:
    from psycopg import sql

    from tracker.models import Base

    lite = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    lite_tables = {r[0] for r in lite.execute("SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")}
    with _connect(owner_url) as pg, pg.cursor() as cur:
        for table in Base.metadata.sorted_tables:  # foreign-key order
            name = table.name
            if name in SKIP_TABLES or name not in lite_tables:
                continue
            columns = [c.name for c in table.columns]
            is_audit = name == "audit_entry"
            if is_audit:
                cur.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                    sql.Identifier(name), sql.Identifier(ACTOR_TRIGGER)))
            quoted = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            select = (f"SELECT {', '.join(chr(34) + c + chr(34) for c in columns)} "
                      f'FROM "{name}" ORDER BY rowid')
            t0 = time.perf_counter()
            count = 0
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(name), quoted)) as copy:
                rows = lite.execute(select)
                while batch := rows.fetchmany(10_000):
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            if is_audit:
                cur.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(
                    sql.Identifier(name), sql.Identifier(ACTOR_TRIGGER)))
            seconds = time.perf_counter() - t0
            report.rows[name], report.seconds[name] = count, seconds
            if count:
                say(f"  {name:20} {count:>11,} rows {seconds:7.1f} s "
                    f"{count / seconds:>10,.0f} rows/s")
            if "id" in columns and table.c.id.primary_key and table.c.id.autoincrement:
                cur.execute(sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                    "coalesce(max(id), 0) + 1, false) FROM {}").format(
                    sql.Literal(name), sql.Identifier(name)))
        cur.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(report.database), sql.Literal(source)))
        pg.commit()
    lite.close()


def load(sqlite_path: Path, url: str, database: str = DEFAULT_DATABASE, *,
         patient_logins: int = 30, password: str = DEFAULT_PASSWORD,
         quiet: bool = False) -> LoadReport:
    """Load ``sqlite_path`` into the database ``database`` on ``url``'s server (replacing it)."""
    from tracker.storage.admin import add_login, init_roles
    from tracker.storage.database import Database

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    started = time.perf_counter()
    source = fingerprint(sqlite_path)
    owner_url = _url(url, database=database)
    _recreate(url, database)
    db = Database(owner_url)  # the migrations
    try:
        init_roles(db)  # `ldn-tracker admin init`
    finally:
        db.dispose()
    ids = login_ids(sqlite_path, patient_logins)
    clinician_url, patient_urls = login_urls(url, database, ids, password)
    report = LoadReport(database, owner_url, clinician_url, patient_urls)
    say(f"loading {sqlite_path} into {database} ...")
    _copy_tables(sqlite_path, owner_url, report, source, say)
    t0 = time.perf_counter()
    with _connect(owner_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    report.seconds["vacuum"] = time.perf_counter() - t0
    db = Database(owner_url)
    try:
        add_login(db, f"{database}_clinician", "clinician", password)
        for pid in ids:
            add_login(db, f"{database}_p{pid}", "patient", password, patient_id=pid)
    finally:
        db.dispose()
    report.total_seconds = time.perf_counter() - started
    say(f"loaded {sum(report.rows.values()):,} rows at {report.rows_per_second:,.0f} rows/s "
        f"(COPY); VACUUM (ANALYZE) {report.seconds['vacuum']:.1f} s; "
        f"{report.total_seconds:.1f} s in all, {len(ids) + 1} logins")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", type=Path, required=True, help="a clinic from generate.py")
    parser.add_argument("--pg", required=True,
                        help="URL of a role that may CREATE DATABASE and CREATE ROLE")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--patient-logins", type=int, default=30)
    parser.add_argument("--login-password", default=DEFAULT_PASSWORD)
    args = parser.parse_args(argv)
    load(args.sqlite, args.pg, args.database, patient_logins=args.patient_logins,
         password=args.login_password)
    return 0


if __name__ == "__main__":
    sys.exit(main())
