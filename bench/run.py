"""The benchmark: every figure measured beside its baseline in the same run, as a ratio.

    .venv/bin/python bench/run.py            # the 2,000-patient, 3-year clinic (made if missing)
    .venv/bin/python bench/run.py --quick    # a small clinic, fewer repeats (a smoke test)

The machine is shared and noisy, so absolute numbers drift from run to run; a figure and its
baseline are measured in the same run, interleaved (A, B, A, B, ...), and the ratio is what
travels between machines. Medians of repeated runs; whole processes are timed with
``time.perf_counter`` around ``subprocess.run``. The table is printed and written to
``bench/out/results.md`` (and ``results.json``); README.md "## Speed" quotes it.

Write benchmarks run on a copy of the clinic (``work.db``), so the generated clinic stays as
generated and every run starts from the same data.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PY = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))


@dataclass
class Figure:
    name: str
    measured: float
    baseline: float
    baseline_name: str
    unit: str  # "ms" or "s"
    target: str
    ok: bool | None  # None: informational, no target
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("nan")


@dataclass
class Setup:
    quick: bool
    clinic: Path
    patient_db: Path
    work: Path
    today: date
    patients: int
    days: int
    repeats: int
    env: dict[str, str]


# -- helpers -----------------------------------------------------------------------------------


def median_ms(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run_process(cmd: Sequence[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def interleaved(cmd_a: Callable[[int], Sequence[str]], cmd_b: Callable[[int], Sequence[str]],
                repeats: int, env: dict[str, str], warmup: int = 1) -> tuple[float, float]:
    """Median seconds of two commands run alternately (``cmd(i)`` may vary the arguments)."""
    a, b = [], []
    for i in range(-warmup, repeats):
        ta = run_process(cmd_a(i), env)
        tb = run_process(cmd_b(i), env)
        if i >= 0:
            a.append(ta)
            b.append(tb)
    return statistics.median(a), statistics.median(b)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def ldn(*args: str) -> list[str]:
    exe = Path(PY).with_name("ldn-tracker")
    head = [str(exe)] if exe.exists() else [PY, "-m", "tracker"]
    return [*head, *args]


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# -- setup ---------------------------------------------------------------------------------------


def prepare(quick: bool, clinic: Path | None) -> Setup:
    from generate import generate, sidecar

    patients, days = (100, 365) if quick else (2000, 1095)
    clinic = clinic or OUT / ("clinic-quick.db" if quick else "clinic.db")
    info_path = sidecar(clinic)
    if not clinic.exists() or not info_path.exists():
        print(f"generating {clinic} ({patients} patients x {days} days) ...", flush=True)
        generate(clinic, patients, days)
    info = json.loads(info_path.read_text())
    patient_db = OUT / ("patient-quick.db" if quick else "patient.db")
    if not patient_db.exists() or not sidecar(patient_db).exists():
        generate(patient_db, 1, info["days"], quiet=True)
    work = OUT / "work.db"
    _remove_db(work)
    conn = sqlite3.connect(clinic)  # fold any -wal into the file before copying it
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(clinic, work)
    os.chmod(work, 0o600)
    today = date.fromisoformat(info["today"])
    home = OUT / "home"
    env = dict(os.environ, LDN_TRACKER_TODAY=today.isoformat(), XDG_CONFIG_HOME=str(home),
               XDG_DATA_HOME=str(home), LANG="C.UTF-8", LDN_TRACKER_DB=str(work))
    env.pop("PYTHONSTARTUP", None)
    os.environ["LDN_TRACKER_TODAY"] = today.isoformat()
    return Setup(quick, clinic, patient_db, work, today, info["patients"], info["days"],
                 3 if quick else 7, env)


# -- the figures ---------------------------------------------------------------------------------


def diary_pass(diary: Any) -> tuple[dict, set, dict]:
    """The plan's baseline: one pass indexing the same diary by day (the least any plan does)."""
    effects: dict = {}
    for e in diary.effects:
        effects.setdefault(e.day, []).append(e)
    taken = {d.day for d in diary.doses if d.taken}
    scores: dict = {}
    for s in diary.scores:
        scores.setdefault(s.day, []).append(s)
    return effects, taken, scores


def figure_plan(s: Setup) -> list[Figure]:
    import bench_plan

    from tracker.clinical import compute_plan
    from tracker.clinical.protocols import build_settings
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    repeats = 20 if s.quick else 60
    diary = bench_plan.busy_diary()
    until = bench_plan.START + timedelta(days=bench_plan.DAYS - 1)
    worst, worst_name = 0.0, ""
    for protocol, kwargs in (("cancer", {}), ("autoimmune_thyroid", {}),
                             ("pediatric", {"weight_kg": 20})):
        settings = build_settings(protocol, bench_plan.START, **kwargs)  # type: ignore[arg-type]
        ms = median_ms(lambda st=settings: compute_plan(st, diary, until), repeats)
        if ms > worst:
            worst, worst_name = ms, protocol
    base = median_ms(lambda: diary_pass(diary), repeats)
    figures = [Figure("plan, 3 years of plan over 3 years of busy diary (bench_plan, worst "
                      f"protocol: {worst_name})", worst, base,
                      "one pass indexing the same diary by day", "ms", "< 20 ms",
                      worst < 20)]

    db = Database(str(s.clinic), migrate=False)
    with db.engine.connect() as conn:
        busiest = conn.exec_driver_sql(
            "SELECT patient_id FROM side_effect_report GROUP BY patient_id "
            "ORDER BY count(*) DESC LIMIT 1").scalar()
    settings, pdiary = Clinic(db).inputs(busiest)
    db.dispose()
    ms = median_ms(lambda: compute_plan(settings, pdiary, s.today + timedelta(days=28),
                                        today=s.today), repeats)
    base = median_ms(lambda: diary_pass(pdiary), repeats)
    figures.append(Figure(f"plan, busiest patient of the clinic ({len(pdiary.effects)} side-"
                          f"effect reports, {s.days} days)", ms, base,
                          "one pass indexing the same diary by day", "ms", "< 20 ms", ms < 20))
    return figures


def raw_cohort_read(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT p.*, s.* FROM patient p JOIN patient_status s "
                            "ON s.patient_id = p.id ORDER BY p.id").fetchall()
    finally:
        conn.close()
    return len(rows)


def figure_cohort(s: Setup) -> list[Figure]:
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    repeats = 3 if s.quick else 5
    figures = []
    # Today: every row current (a diary write keeps its patient's row current).
    db = Database(str(s.work))
    clinic = Clinic(db, actor="clinician")
    count = len(clinic.cohort_status(refresh_stale=True))
    ms = median_ms(lambda: clinic.cohort_status(refresh_stale=True), repeats)
    base = median_ms(lambda: raw_cohort_read(s.work), repeats)
    figures.append(Figure(f"cohort view, {count} patients with flags, rows current "
                          "(Clinic.cohort_status)", ms / 1000, base / 1000,
                          "sqlite3 module reading the same rows", "s", "< 2 s", ms < 2000))
    figures.extend(clinic_screen_figures(s, s.today, base / 1000))

    # The next morning every row is stale. The view shows the stored rows at once (after
    # computing any missing row) and refreshes the stale ones in the background.
    tomorrow = s.today + timedelta(days=1)
    os.environ["LDN_TRACKER_TODAY"] = tomorrow.isoformat()
    try:
        def open_view() -> None:
            clinic.refresh_status(clinic.stale_status(missing_only=True))
            clinic.cohort_status(refresh_stale=False)

        ms = median_ms(open_view, repeats)
        figures.append(Figure("cohort view the next day, every row stale: stored rows shown, "
                              "stale ones refreshed in the background", ms / 1000, base / 1000,
                              "sqlite3 module reading the same rows", "s", "< 2 s", ms < 2000))
        stale = clinic.stale_status()
        sample = stale[:40 if s.quick else 100]
        t0 = time.perf_counter()
        clinic.refresh_status(sample)
        per = (time.perf_counter() - t0) / len(sample)
        figures.append(Figure(f"background refresh of all {len(stale)} stale rows "
                              f"(extrapolated from {len(sample)}: {per * 1000:.0f} ms a "
                              "patient)", per * len(stale), base / 1000,
                              "sqlite3 module reading the same rows", "s", "in background",
                              None))
    finally:
        os.environ["LDN_TRACKER_TODAY"] = s.today.isoformat()
    db.dispose()
    figures.extend(clinic_screen_figures(s, tomorrow, base / 1000))
    return figures


CLINIC_SCREEN_TIMEOUT = 30.0


def clinic_screen_figures(s: Setup, day: date, base: float) -> list[Figure]:
    """The real ClinicScreen opening in a headless app, timed in a child process.

    A child process, because a screen still refreshing when the timeout strikes leaves a worker
    thread behind that only ending the process stops.
    """
    if not (ROOT / "tracker" / "screens" / "clinic.py").exists():
        return []
    env = dict(s.env, LDN_TRACKER_TODAY=day.isoformat())
    which = "rows current" if day == s.today else "the next day, every row stale"
    name = f"ClinicScreen opening with its rows on screen, {which} (headless app)"
    try:
        done = subprocess.run([PY, str(Path(__file__)), "--clinic-screen", str(s.work)],
                              env=env, capture_output=True, text=True, cwd=ROOT,
                              timeout=CLINIC_SCREEN_TIMEOUT + 30)
        seconds = float(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        seconds = float("inf")
    except (ValueError, IndexError):
        return [Figure(name, float("nan"), base, "sqlite3 module reading the same rows", "s",
                       "< 2 s", None, f"harness failed: {done.stderr.strip()[-300:]}")]
    if seconds == float("inf"):
        return [Figure(name, float("inf"), base, "sqlite3 module reading the same rows", "s",
                       "< 2 s", False, f"not loaded after {CLINIC_SCREEN_TIMEOUT:.0f} s")]
    return [Figure(name, seconds, base, "sqlite3 module reading the same rows", "s", "< 2 s",
                   seconds < 2)]


async def _open_clinic_screen(db: str) -> float:
    from tracker.app import create_app
    from tracker.screens.clinic import ClinicScreen

    app = create_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        t0 = time.perf_counter()
        screen = ClinicScreen(app.clinic)
        await app.push_screen(screen)
        while not getattr(screen, "loaded", False):
            if time.perf_counter() - t0 > CLINIC_SCREEN_TIMEOUT:
                return float("inf")
            await pilot.pause(0.01)
        await pilot.pause()
        elapsed = time.perf_counter() - t0
        # Told, and the process ended, here: the stale rows' refresh (~50 s for 2,000) goes on
        # in a child process, stopped first so that it does not run on beside later figures.
        print(elapsed, flush=True)
        screen.refresher.stop()
        os._exit(0)
    return elapsed


EXPORT_TABLES = {
    "doses": "SELECT p.id AS patient_id, p.name AS patient, d.day AS date, d.taken, d.mg, d.time "
             "FROM dose_entry d JOIN patient p ON p.id = d.patient_id ORDER BY d.patient_id, d.day",
    "side_effects": "SELECT p.id AS patient_id, p.name AS patient, e.day AS date, e.name, "
                    "e.severity FROM side_effect_report e JOIN patient p ON p.id = e.patient_id "
                    "ORDER BY e.patient_id, e.day",
    "scores": "SELECT p.id AS patient_id, p.name AS patient, s.day AS date, s.symptom, s.value "
              "FROM symptom_score s JOIN patient p ON p.id = s.patient_id "
              "ORDER BY s.patient_id, s.day",
    "summary": "SELECT p.*, s.* FROM patient p JOIN patient_status s ON s.patient_id = p.id",
}


def sqlite_dump_cmd(db: Path, out: Path) -> list[str]:
    script = " && ".join(
        f"sqlite3 -csv -header {db} \"{sql}\" > {out / (name + '.csv')}"
        for name, sql in EXPORT_TABLES.items())
    return ["sh", "-c", f"mkdir -p {out} && {script}"]


def figure_export(s: Setup) -> list[Figure]:
    if not (ROOT / "tracker" / "services" / "review.py").exists():
        return [Figure("export --all (whole process)", float("nan"), float("nan"),
                       "sqlite3 CLI dumping the same tables as CSV", "s", "<= 2x", None,
                       "not measured: tracker/services/review.py is missing")]
    if shutil.which("sqlite3") is None:
        return [Figure("export --all (whole process)", float("nan"), float("nan"),
                       "sqlite3 CLI", "s", "<= 2x", None, "sqlite3 command-line tool missing")]
    repeats = 1 if not s.quick else 3
    ours, theirs = OUT / "export-ours", OUT / "export-sqlite3"

    def cmd_ours(i: int) -> list[str]:
        shutil.rmtree(ours, ignore_errors=True)
        return ldn("--db", str(s.clinic), "--role", "clinician", "export", "--all", "--out",
                   str(ours))

    def cmd_theirs(i: int) -> list[str]:
        shutil.rmtree(theirs, ignore_errors=True)
        return sqlite_dump_cmd(s.clinic, theirs)

    a, b = interleaved(cmd_ours, cmd_theirs, repeats, s.env, warmup=0)
    size = sum(f.stat().st_size for f in ours.glob("*.csv")) / 1e6
    from tracker.export.bulk import default_workers

    workers = default_workers(s.patients)
    note = (f"built in {workers} processes (one per core), sqlite3 in one" if workers > 1
            else "built in one process")
    return [Figure(f"`ldn-tracker export --all` ({s.patients} patients, {size:.0f} MB of CSV)",
                   a, b, "`sqlite3 -csv` dumping the same tables", "s", "<= 2x",
                   a <= 2 * b, note)]


def figure_fhir_export(s: Setup) -> list[Figure]:
    """``export --all --format fhir`` (SPEC §11) on a sample of the clinic, extrapolated.

    Each bundle is validated by fhir.resources before it is written, and that is most of the
    work; the baseline is that validation alone, of the same bundles, per core, so the ratio is
    what the mapping, the reads and the writing add to the library's floor.
    """
    from fhir.resources.R4B.bundle import Bundle

    from tracker.export.bulk import default_workers
    from tracker.services.clinic import Clinic
    from tracker.services.sharing import export_bundles
    from tracker.storage.database import Database

    db = Database(str(s.clinic), migrate=False, backup=False)
    try:
        clinic = Clinic(db, actor="clinician:bench")
        ids = [p.id for p in clinic.list_patients()]
        sample = ids[:20 if s.quick else 60]
        workers = default_workers(len(ids))
        out = OUT / "export-fhir"
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        written = export_bundles(clinic, sample, out, workers=workers)
        seconds = time.perf_counter() - t0
    finally:
        db.dispose()
    size = sum(path.stat().st_size for path in written) / 1e6
    t0 = time.perf_counter()
    for path in written:
        Bundle.model_validate_json(path.read_bytes())
    floor = (time.perf_counter() - t0) / workers
    scale = len(ids) / len(sample)
    shutil.rmtree(out, ignore_errors=True)
    return [Figure(f"`ldn-tracker export --all --format fhir` ({len(ids)} patients, extrapolated "
                   f"from {len(sample)}: {seconds / len(sample):.2f} s and "
                   f"{size / len(sample):.1f} MB a patient)", seconds * scale, floor * scale,
                   "fhir.resources validating the same bundles, per core", "s", "–", None,
                   f"{workers} process{'es' if workers > 1 else ''}; every bundle validated "
                   "before it is written")]


def figure_cold_start(s: Setup) -> list[Figure]:
    app = BENCH / "minimal_app.py"
    repeats = s.repeats
    a, b = interleaved(lambda i: [PY, str(app), "--tracker", str(s.patient_db)],
                       lambda i: [PY, str(app)], repeats, s.env)
    screen = subprocess.run([PY, str(app), "--tracker", str(s.patient_db)], env=s.env,
                            capture_output=True, text=True, cwd=ROOT).stdout.strip()
    # What the cold start leaves for later: opening the write path (SQLAlchemy, the models, the
    # engine), which the app does in the background after Today is drawn, or at the first save.
    opening = ("import sys, time\n"
               "from tracker.app import create_app\n"
               "app = create_app(sys.argv[1])\n"
               "t = time.perf_counter()\n"
               "getattr(app.clinic, 'get', lambda: app.clinic)()\n"
               "print(time.perf_counter() - t)\n")
    seconds = sorted(float(subprocess.run([PY, "-c", opening, str(s.patient_db)], env=s.env,
                                          capture_output=True, text=True, check=True,
                                          cwd=ROOT).stdout)
                     for _ in range(max(3, repeats)))
    return [Figure(f"app cold start to a usable {screen} ({s.days}-day patient, headless)", a, b,
                   "minimal Textual app started the same way", "s", "<= 1.5x",
                   a <= 1.5 * b),
            Figure("opening the write path after that start (in the background, or at the first "
                   "save)", seconds[len(seconds) // 2], float("nan"), "–", "s", "–", None)]


def heavy_imports(cmd: Sequence[str], env: dict[str, str]) -> list[str]:
    done = subprocess.run([PY, "-X", "importtime", "-m", "tracker", *cmd[1:]],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    found = set()
    for line in done.stderr.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        top = name.split(".")[0]
        if top in ("pandas", "numpy", "textual", "alembic", "rich"):
            found.add(top)
    return sorted(found)


def figure_dose(s: Setup) -> list[Figure]:
    day = s.today.isoformat()
    step = max(1, s.patients // 40)

    def ours(i: int) -> list[str]:
        pid = 1 + ((i + 1) * step) % s.patients
        return ldn("--db", str(s.work), "dose", "--patient", str(pid), "--date", day,
                   "--mg", "0.75")

    a, b = interleaved(ours, lambda i: [PY, "-c", "import sqlalchemy"], s.repeats, s.env)
    heavy = heavy_imports(ldn("--db", str(s.work), "dose", "--patient", "2", "--date", day,
                              "--skipped"), s.env)
    note = f"imports {', '.join(heavy)}" if heavy else "no pandas, numpy, Textual or alembic"
    return [Figure(f"headless `ldn-tracker dose` (whole process, {s.patients}-patient clinic)",
                   a, b,
                   "`python -c \"import sqlalchemy\"`", "s", "<= 2x", a <= 2 * b, note)]


def commit_floor(path: Path) -> Callable[[], None]:
    """A durable commit of four small rows: WAL, synchronous=FULL, BEGIN IMMEDIATE."""
    _remove_db(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, patient_id, day, name, value)")
    counter = iter(range(10**9))

    def commit() -> None:
        n = next(counter)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO t (patient_id, day, name, value) VALUES (?, ?, ?, ?)",
                         [(n, "2029-06-30", name, 1) for name in ("dose", "a", "b", "pain")])
        conn.execute("COMMIT")

    return commit


def figure_check_in(s: Setup) -> list[Figure]:
    from tracker.services.clinic import CheckIn, Clinic
    from tracker.storage.database import Database

    db = Database(str(s.work))
    clinic = Clinic(db, actor="patient")
    repeats = 10 if s.quick else 25
    pids = iter(range(s.patients, 0, -1))  # the dose figure takes patients from the front

    from sqlalchemy import event

    commits: list[float] = []
    event.listen(db.sessions, "after_commit", lambda _session: commits.append(
        time.perf_counter()))
    to_commit: list[float] = []

    def check_in() -> None:
        commits.clear()
        began = time.perf_counter()
        clinic.check_in(next(pids), CheckIn(day=s.today, taken=True, mg=0.75, time="21:00",
                                            effects={"headache": 1, "nausea": 2},
                                            scores={"pain": 4}))
        to_commit.append((commits[0] - began) * 1000)  # the diary's own transaction

    whole = median_ms(check_in, repeats, warmup=2)
    committed = statistics.median(to_commit[2:])
    floor = commit_floor(OUT / "floor.db")
    base = median_ms(floor, repeats, warmup=2)
    db.dispose()
    what = f"dose + 2 effects + 1 score, Clinic.check_in, {s.patients}-patient clinic"
    return [
        Figure(f"check-in committed ({what})", committed, base,
               "sqlite3 durable commit of 4 rows (WAL, FULL)", "ms", "< 20 ms", committed < 20),
        Figure(f"check-in call returned, with the cohort status refreshed and the alerts to "
               f"show ({what})", whole, base,
               "sqlite3 durable commit of 4 rows (WAL, FULL)", "ms", "–", None,
               "a second transaction after the commit; not a target"),
    ]


FIGURES: dict[str, Callable[[Setup], list[Figure]]] = {
    "plan": figure_plan,
    "cohort": figure_cohort,
    "check_in": figure_check_in,
    "dose": figure_dose,
    "cold_start": figure_cold_start,
    "export": figure_export,
    "fhir_export": figure_fhir_export,
}


# -- the table -----------------------------------------------------------------------------------


def fmt(value: float, unit: str) -> str:
    if value != value:  # nan
        return "–"
    if value == float("inf"):
        return f"> {CLINIC_SCREEN_TIMEOUT:.0f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(figures: list[Figure]) -> list[str]:
    lines = ["| figure | measured | baseline | ratio | target | result |",
             "|---|---|---|---|---|---|"]
    for f in figures:
        result = "–" if f.ok is None else ("pass" if f.ok else "**FAIL**")
        if f.note:
            result += f" ({f.note})"
        ratio = "–" if f.ratio != f.ratio or f.ratio == float("inf") else f"{f.ratio:.2f}×"
        lines.append(f"| {f.name} | {fmt(f.measured, f.unit)} | {fmt(f.baseline, f.unit)} "
                     f"({f.baseline_name}) | {ratio} | {f.target} | {result} |")
    return lines


def write_results(s: Setup, figures: list[Figure], info: dict[str, str]) -> Path:
    md = [f"# Benchmark results ({'quick' if s.quick else 'full'})", "",
          f"Clinic: {s.patients} patients × {s.days} days ({s.clinic.name}); "
          f"today pinned to {s.today}.", "",
          f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
          f"SQLite {info['sqlite']}, {info['os']}; load average at start {info['load']}.", "",
          *table(figures), ""]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.md"
    path.write_text("\n".join(md))
    (OUT / "results.json").write_text(json.dumps(
        {"machine": info, "quick": s.quick, "patients": s.patients, "days": s.days,
         "figures": [asdict(f) | {"ratio": f.ratio} for f in figures]}, indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small clinic, fewer repeats")
    parser.add_argument("--clinic", type=Path, help="a clinic made by bench/generate.py")
    parser.add_argument("--only", nargs="*", choices=list(FIGURES), help="some figures only")
    parser.add_argument("--clinic-screen", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clinic_screen:  # the child process of clinic_screen_figures
        import asyncio

        seconds = asyncio.run(_open_clinic_screen(args.clinic_screen))
        print(seconds, flush=True)
        os._exit(0)  # do not wait for a refresh still running in a worker thread
    info = machine()
    # Measure the app as installed: a wheel's modules are byte-compiled by pip, while an
    # editable checkout under PYTHONDONTWRITEBYTECODE would compile every module on every start.
    compileall.compile_dir(str(ROOT / "tracker"), quiet=1)
    s = prepare(args.quick, args.clinic)
    figures: list[Figure] = []
    for name, measure in FIGURES.items():
        if args.only and name not in args.only:
            continue
        print(f"measuring {name} ...", flush=True)
        got = measure(s)
        for line in table(got)[2:]:
            print("  " + line, flush=True)
        figures.extend(got)
    path = write_results(s, figures, info)
    print()
    print(path.read_text())
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
