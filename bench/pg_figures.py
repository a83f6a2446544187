"""The PostgreSQL figures: the cohort view, the check-in and ``export --all`` on a server.

    .venv/bin/python bench/run.py --only postgres [--pg URL] [--pg-clinic PATH]

The same figures as the SQLite ones of ``run.py`` (same method: medians, figure and baseline
interleaved or side by side in the same run), measured on the server's 2,000-patient, 1-year
clinic, each beside its PostgreSQL analogue of the SQLite baseline:

- the cohort view (``Clinic.cohort_status`` on a PostgreSQL ``Database``, rows current and the
  next day, every row stale) beside psycopg reading the same rows over an open connection;
- the check-in (``Clinic.check_in``, committed and returned) beside a durable psycopg commit of
  four rows (``synchronous_commit`` on, the server's ``fsync = on``);
- ``ldn-tracker --db URL export --all``, whole process, beside ``psql`` dumping the same tables
  with ``\\copy (...) TO ... CSV HEADER`` (the PostgreSQL analogue of ``sqlite3 -csv``).

Each connects as the login a person uses, not as the owner and not as a superuser: the cohort
view and the export as a clinician's login (``ldn_clinician``), each check-in as the checking-in
patient's own login (``ldn_patient``, row-level security binding it to that patient). The
baselines read as the same logins; the commit floor writes as the owner, into a scratch
database of its own (a login may create no table).

The server: ``--pg URL`` (a role that may CREATE DATABASE and CREATE ROLE), else
``LDN_TRACKER_TEST_PG_URL``, else the URL ``bash scripts/postgres.sh`` prints (it starts one).
The clinic (``--pg-clinic``, default ``bench/out/clinic-2000x365.db``, generated if missing) is
loaded by ``pg_load.py`` into ``ldn_bench`` once, and again only when the file's fingerprint
(the database's comment) differs. Write figures run on ``ldn_bench_work``, made afresh each run
from it (``CREATE DATABASE ... TEMPLATE``, the server's copy of ``work.db``), with the
product's ``admin init`` and logins applied again (a database's CONNECT grants are not copied).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pg_load

if TYPE_CHECKING:
    from run import Figure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PG_ENV = "LDN_TRACKER_TEST_PG_URL"
PRISTINE, FLOOR = "ldn_bench", "ldn_bench_floor"  # the quick run's: ldn_bench_quick
OPTIONS: dict[str, Any] = {"pg": None, "pg_clinic": None}


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server for the postgres "
                        f"figures (else ${PG_ENV}, else scripts/postgres.sh starts one)")
    parser.add_argument("--pg-clinic", type=Path, metavar="PATH", help="the clinic loaded "
                        "into PostgreSQL (default bench/out/clinic-2000x365.db, made if missing)")


def configure(args: argparse.Namespace) -> None:
    OPTIONS.update(pg=args.pg, pg_clinic=args.pg_clinic)


def server_url() -> str:
    url = OPTIONS["pg"] or os.environ.get(PG_ENV, "").strip()
    if url:
        return str(url)
    done = subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh")], capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"scripts/postgres.sh failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip().splitlines()[-1]


def pg_clinic(s: Any) -> tuple[Path, dict[str, Any]]:
    """The SQLite clinic to load (generated if missing, as ``run.prepare`` does)."""
    from generate import generate, sidecar
    from run import OUT

    patients, days = (100, 365) if s.quick else (2000, 365)
    clinic = OPTIONS["pg_clinic"] or (s.clinic if s.quick else OUT / "clinic-2000x365.db")
    if not clinic.exists() or not sidecar(clinic).exists():
        print(f"generating {clinic} ({patients} patients x {days} days) ...", flush=True)
        generate(clinic, patients, days)
    return clinic, json.loads(sidecar(clinic).read_text())


def _work_copy(url: str, pristine: str, ids: list[int]) -> tuple[str, str, dict[int, str]]:
    """``<pristine>_work`` made afresh from ``pristine``, its roles set by the product's code."""
    from psycopg import sql

    from tracker.storage.admin import add_login, init_roles
    from tracker.storage.database import Database

    work = f"{pristine}_work"
    with pg_load._connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(work)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(work), sql.Identifier(pristine)))
    owner = pg_load._url(url, database=work)
    db = Database(owner)
    try:
        init_roles(db)
        clinician, patients = pg_load.login_urls(url, pristine, ids)
        add_login(db, f"{pristine}_clinician", "clinician", pg_load.DEFAULT_PASSWORD)
        for pid in ids:
            add_login(db, f"{pristine}_p{pid}", "patient", pg_load.DEFAULT_PASSWORD,
                      patient_id=pid)
    finally:
        db.dispose()
    clinician = pg_load._url(clinician, database=work)
    return owner, clinician, {pid: pg_load._url(u, database=work) for pid, u in patients.items()}


def figure_postgres(s: Any) -> list[Figure]:
    from run import Figure

    try:
        url = server_url()
    except (RuntimeError, OSError) as exc:
        return [Figure("PostgreSQL figures", float("nan"), float("nan"), "–", "s", "–", None,
                       f"not measured: no server ({exc})")]
    clinic, info = pg_clinic(s)
    pristine = PRISTINE + ("_quick" if s.quick else "")
    source = pg_load.fingerprint(clinic)
    if pg_load.loaded_from(url, pristine) == source:
        print(f"  {pristine} already holds {clinic.name}", flush=True)
    else:
        t0 = time.perf_counter()
        report = pg_load.load(clinic, url, pristine)
        print(f"  loaded in {time.perf_counter() - t0:.0f} s "
              f"({report.rows_per_second:,.0f} rows/s)", flush=True)
    t0 = time.perf_counter()
    ids = sorted(pg_load.login_ids(clinic), reverse=True)
    _owner, clinician, patients = _work_copy(url, pristine, ids)
    print(f"  {pristine}_work copied from {pristine} in {time.perf_counter() - t0:.0f} s",
          flush=True)
    today = date.fromisoformat(info["today"])
    saved = os.environ.get("LDN_TRACKER_TODAY")
    os.environ["LDN_TRACKER_TODAY"] = today.isoformat()
    try:
        figures = cohort(s, clinician, today, info["patients"])
        figures += check_in(s, url, patients, clinician, today, info["patients"])
        figures += export(s, clinician, today, info["patients"])
    finally:
        if saved is None:
            os.environ.pop("LDN_TRACKER_TODAY", None)
        else:
            os.environ["LDN_TRACKER_TODAY"] = saved
    return figures


# -- the cohort view -------------------------------------------------------------------------

COHORT_SQL = ("SELECT p.*, s.* FROM patient p JOIN patient_status s ON s.patient_id = p.id "
              "ORDER BY p.id")
LOGIN = {"clinician": "as a clinician's login", "patient": "as the patient's own login"}


def cohort(s: Any, clinician: str, today: date, patients: int) -> list[Figure]:
    from run import Figure, median_ms

    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    repeats = 3 if s.quick else 5
    raw = pg_load._connect(clinician)
    base_name = "psycopg reading the same rows, same login"

    def raw_read() -> int:
        rows = raw.execute(COHORT_SQL).fetchall()
        raw.commit()
        return len(rows)

    db = Database(clinician)
    clinic = Clinic(db, actor="clinician")
    figures = []
    try:
        count = len(clinic.cohort_status(refresh_stale=True))
        ms = median_ms(lambda: clinic.cohort_status(refresh_stale=True), repeats)
        base = median_ms(raw_read, repeats)
        figures.append(Figure(f"PostgreSQL: cohort view, {count} patients with flags, rows "
                              f"current (Clinic.cohort_status, {LOGIN['clinician']})",
                              ms / 1000, base / 1000, base_name, "s", "< 2 s", ms < 2000))
        os.environ["LDN_TRACKER_TODAY"] = (today + timedelta(days=1)).isoformat()

        def open_view() -> None:
            clinic.refresh_status(clinic.stale_status(missing_only=True))
            clinic.cohort_status(refresh_stale=False)

        ms = median_ms(open_view, repeats)
        figures.append(Figure("PostgreSQL: cohort view the next day, every row stale: stored "
                              "rows shown, stale ones refreshed in the background",
                              ms / 1000, base / 1000, base_name, "s", "< 2 s", ms < 2000))
        stale = clinic.stale_status()
        sample = stale[:40 if s.quick else 100]
        t0 = time.perf_counter()
        clinic.refresh_status(sample)
        per = (time.perf_counter() - t0) / max(1, len(sample))
        figures.append(Figure(f"PostgreSQL: background refresh of all {len(stale)} stale rows "
                              f"(extrapolated from {len(sample)}: {per * 1000:.0f} ms a "
                              "patient)", per * len(stale), base / 1000, base_name, "s",
                              "in background", None))
    finally:
        os.environ["LDN_TRACKER_TODAY"] = today.isoformat()
        db.dispose()
        raw.close()
    return figures


# -- the check-in ----------------------------------------------------------------------------

def commit_floor(url: str) -> tuple[Any, Any]:
    """A durable commit of four small rows, as the owner, in a scratch database of its own."""
    from psycopg import sql

    with pg_load._connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(FLOOR)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(FLOOR)))
    pg = pg_load._connect(pg_load._url(url, database=FLOOR))
    pg.execute("CREATE TABLE t (id serial PRIMARY KEY, patient_id int, day date, name text, "
               "value int)")
    pg.commit()
    counter = iter(range(10**9))

    def commit() -> None:
        n = next(counter)
        with pg.cursor() as cur:
            cur.executemany("INSERT INTO t (patient_id, day, name, value) "
                            "VALUES (%s, %s, %s, %s)",
                            [(n, "2029-06-30", name, 1) for name in ("dose", "a", "b", "pain")])
        pg.commit()

    return commit, pg


def _time_check_ins(databases: list[Any], clinics: list[Any], pids: list[int], today: date,
                    repeats: int, warmup: int) -> tuple[float, float]:
    """Median ms of ``Clinic.check_in`` returned and committed, ``clinics[i]`` for ``pids[i]``."""
    from run import median_ms
    from sqlalchemy import event, text

    from tracker.services.clinic import CheckIn

    commits: list[float] = []
    for db in {id(d): d for d in databases}.values():
        event.listen(db.sessions, "after_commit", lambda _s: commits.append(time.perf_counter()))
        with db.engine.connect() as conn:  # connected beforehand, as an open app is
            conn.execute(text("SELECT 1"))
    turns = iter(zip(clinics, pids, strict=True))
    to_commit: list[float] = []

    def one() -> None:
        commits.clear()
        clinic, pid = next(turns)
        began = time.perf_counter()
        clinic.check_in(pid, CheckIn(day=today, taken=True, mg=0.75, time="21:00",
                                     effects={"headache": 1, "nausea": 2}, scores={"pain": 4}))
        to_commit.append((commits[0] - began) * 1000)  # its one transaction committed

    whole = median_ms(one, repeats, warmup=warmup)
    return whole, statistics.median(to_commit[warmup:])


def check_in(s: Any, url: str, logins: dict[int, str], clinician: str, today: date,
             patients: int) -> list[Figure]:
    """Each patient checking in through its own login (its own engine: the app's process), and,
    for the SQLite figure's method, one clinician's login's engine checking in for patients
    without a login (warm: SQLAlchemy compiles a statement once per engine)."""
    from run import CHECK_IN_MS, Figure, median_ms

    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    repeats = 10 if s.quick else 25
    warmup = 2
    pids = sorted(logins, reverse=True)[:repeats + warmup]
    if len(pids) < repeats + warmup:
        raise RuntimeError(f"{repeats + warmup} patient logins needed, {len(pids)} made")
    opened = [Database(logins[pid]) for pid in pids]
    try:
        whole, committed = _time_check_ins(
            opened, [Clinic(db, actor="patient") for db in opened], pids, today, repeats,
            warmup)
    finally:
        for db in opened:
            db.dispose()
    shared = Database(clinician)
    try:
        clinic = Clinic(shared, actor="clinician")
        others = [i for i in range(1, patients + 1) if i not in logins][:repeats + warmup]
        others += pids[:repeats + warmup - len(others)]  # a tiny clinic: corrections
        _whole, warm = _time_check_ins([shared], [clinic] * len(others), others, today,
                                       repeats, warmup)
    finally:
        shared.dispose()
    floor, conn = commit_floor(url)
    try:
        base = median_ms(floor, repeats, warmup=2)
    finally:
        conn.close()
    base_name = "psycopg durable commit of 4 rows (synchronous_commit on)"
    what = f"dose + 2 effects + 1 score, Clinic.check_in, {patients}-patient clinic"
    return [
        Figure(f"PostgreSQL: check-in committed ({what}, {LOGIN['patient']})", committed,
               base, base_name, "ms", "–", None,
               "each patient its own login and engine, connected beforehand"),
        Figure(f"PostgreSQL: check-in call returned, with the cohort status refreshed and the "
               f"alerts to show ({what}, {LOGIN['patient']})", whole, base, base_name, "ms",
               f"< {CHECK_IN_MS:.0f} ms", whole < CHECK_IN_MS,
               "the SQLite figure's target"),
        Figure(f"PostgreSQL: check-in committed, one warm engine for every patient ({what}, "
               f"{LOGIN['clinician']})", warm, base, base_name, "ms", "–", None,
               "the SQLite figure's method; not a target"),
    ]


# -- export --all ----------------------------------------------------------------------------

def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (psql) reads it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def psql_dump_cmd(url: str, out: Path) -> list[str]:
    from run import EXPORT_TABLES

    script = "".join(f"\\copy ({sql}) TO '{out / (name + '.csv')}' WITH (FORMAT csv, HEADER)\n"
                     for name, sql in EXPORT_TABLES.items())
    return ["sh", "-c", 'mkdir -p "$1" && printf "%s" "$2" | psql -X -q -v ON_ERROR_STOP=1 '
            '-d "$3" -f -', "psql-dump", str(out), script, libpq_url(url)]


def export(s: Any, clinician: str, today: date, patients: int) -> list[Figure]:
    from run import EXPORT_CORES_X, OUT, Figure, interleaved, ldn

    from tracker.export.bulk import default_workers

    if shutil.which("psql") is None:
        return [Figure("PostgreSQL: export --all (whole process)", float("nan"), float("nan"),
                       "psql", "s", "<= 2x", None, "psql command-line tool missing")]
    ours, theirs = OUT / "export-pg-ours", OUT / "export-pg-psql"
    env = dict(s.env, LDN_TRACKER_TODAY=today.isoformat())
    env.pop("LDN_TRACKER_DB", None)

    def cmd_ours(i: int) -> list[str]:
        shutil.rmtree(ours, ignore_errors=True)
        return ldn("--db", clinician, "--role", "clinician", "export", "--all", "--out",
                   str(ours))

    def cmd_theirs(i: int) -> list[str]:
        shutil.rmtree(theirs, ignore_errors=True)
        return psql_dump_cmd(clinician, theirs)

    a, b = interleaved(cmd_ours, cmd_theirs, 3 if s.quick else 1, env, warmup=0)
    size = sum(f.stat().st_size for f in ours.glob("*.csv")) / 1e6
    workers = default_workers(patients)
    note = (f"built in {workers} processes (one per core), psql in one" if workers > 1
            else "built in one process")
    return [Figure(f"PostgreSQL: `ldn-tracker --db URL export --all` ({patients} patients, "
                   f"{size:.0f} MB of CSV, {LOGIN['clinician']})", a, b,
                   "`psql \\copy ... CSV` dumping the same tables, same login", "s",
                   f"<= {EXPORT_CORES_X}x", a <= EXPORT_CORES_X * b, note)]

