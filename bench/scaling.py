"""The scaling figure (issue 15): how each size-dependent figure grows with the clinic.

    .venv/bin/python bench/run.py --only scaling                   # after the main figures
    .venv/bin/python bench/run.py --only scaling --scaling-dir DIR # clinics made elsewhere

Four clinics made by ``bench/generate.py``: 500 and 2,000 patients, each with 1 and 3 years of
diary (``clinic-{P}x{D}.db`` in ``--scaling-dir``, default ``bench/out``; a missing one is
generated as ``prepare()`` does, and the main run's own clinic is used for its size). On each,
run.py's own measuring functions (``FIGURES``) are run on a scratch copy (``out/scaling/``): the
same code, fewer repeats where a figure is slow. For each figure the table gives its value on
the four clinics, the growth factor per 4x patients and per 3x years (the geometric mean of the
two pairs that differ only in that), and a verdict (:func:`verdict`): ``linear`` when the figure
grows by the data's factor within +-25 %, ``flat`` when it stays within +-25 % of where it was,
``sub-linear`` between the two, ``super-linear`` above, ``falls`` below flat. The table goes to
``bench/out/scaling.md`` (and ``scaling.json``); results.md gets one line pointing at it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from run import Figure, Setup

PATIENTS = (500, 2000)
DAYS = (365, 1095)
QUICK_PATIENTS = (25, 100)  # --quick: the same factors (4x, 3x) on clinics made in seconds
QUICK_DAYS = (60, 180)
TOLERANCE = 0.25
REPEATS = 3  # Setup.repeats of every clinic: the whole-process `dose` figure
DIARY_TABLES = ("dose_entry", "side_effect_report", "clear_day", "symptom_score", "note")

OPTIONS: dict[str, Path | None] = {"scaling_dir": None}


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scaling-dir", type=Path, metavar="DIR", help="where the scaling "
                        "figure's clinic-{P}x{D}.db are (default bench/out; made if missing)")


def configure(args: argparse.Namespace) -> None:
    OPTIONS.update(scaling_dir=args.scaling_dir)


# -- the verdict (pure logic, tested in tests/unit/test_bench_scaling.py) -----------------------


def growth(small: float, big: float) -> float:
    """How many times ``big`` is ``small``; NaN when either is not a positive finite number."""
    if not (math.isfinite(small) and math.isfinite(big)) or small <= 0 or big <= 0:
        return float("nan")
    return big / small


def mean_growth(factors: Sequence[float]) -> float:
    """The geometric mean of growth factors (NaN if any is NaN or there are none)."""
    if not factors or any(not math.isfinite(f) or f <= 0 for f in factors):
        return float("nan")
    return math.exp(sum(math.log(f) for f in factors) / len(factors))


def verdict(factor: float, data_factor: float, tolerance: float = TOLERANCE) -> str:
    """How a figure that grew by ``factor`` while the data grew by ``data_factor`` scales.

    ``linear``: within +-tolerance of the data's growth; ``flat``: within +-tolerance of 1 (it
    does not depend on the data); ``sub-linear`` between the two; ``super-linear`` above linear;
    ``falls`` below flat (faster on more data: noise or a cache, look again); ``–`` when the
    figure was not measured. The data must grow enough for flat and linear not to overlap.
    """
    if not (math.isfinite(data_factor) and (1 + tolerance) < (1 - tolerance) * data_factor):
        raise ValueError(f"data growth {data_factor} too small to tell flat from linear")
    if not math.isfinite(factor) or factor <= 0:
        return "–"
    if factor < 1 - tolerance:
        return "falls"
    if factor <= 1 + tolerance:
        return "flat"
    if factor < (1 - tolerance) * data_factor:
        return "sub-linear"
    if factor <= (1 + tolerance) * data_factor:
        return "linear"
    return "super-linear"


# -- what is measured ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    source: str  # the run.py FIGURES entry that measures it ("" for the data itself)
    prefix: str  # the start of its Figure's name in that entry's list
    runs: tuple[str, str]  # how many runs make the value: (full, --quick)
    suffix: str = ""  # and its end, where two Figures share the start


DIARY_ROWS, FILE_MB = "diary rows (the data)", "clinic file, MB (the data)"
EXPORT_MB = "`export --all`, MB of CSV"
ROWS = (
    Row(DIARY_ROWS, "", "", ("–", "–")),
    Row(FILE_MB, "", "", ("–", "–")),
    Row("cohort view, rows current", "cohort", "cohort view, ", ("median of 5", "median of 3")),
    Row("cohort view the next day, every row stale", "cohort", "cohort view the next day",
        ("median of 5", "median of 3")),
    Row("background refresh of every stale row the next day (extrapolated)", "cohort",
        "background refresh of all", ("100 patients, once", "40 patients, once")),
    Row("ClinicScreen opening, rows current", "cohort",
        "ClinicScreen opening with its rows on screen, rows current",
        ("median of 5", "median of 3")),
    Row("ClinicScreen opening the next day, every row stale", "cohort",
        "ClinicScreen opening with its rows on screen, the next day",
        ("median of 5", "median of 3")),
    Row("check-in committed", "check_in", "check-in committed", ("median of 25", "median of 10")),
    Row("check-in returned (cohort status refreshed, alerts)", "check_in",
        "check-in call returned", ("median of 25", "median of 10")),
    Row("`export --all`, one process (pinned to one core)", "export",
        "`ldn-tracker export --all`", ("1 run", "median of 3"), ", in one process"),
    Row("`export --all`, one process per core", "export", "`ldn-tracker export --all`",
        ("1 run", "median of 3"), ", one process per core"),
    Row(EXPORT_MB, "export", "", ("1 run", "median of 3")),
    Row("`dose`, whole process", "dose", "headless `ldn-tracker dose`",
        (f"median of {REPEATS}", f"median of {REPEATS}")),
    Row("plan of the clinic's busiest patient (most side-effect reports)", "plan",
        "plan, busiest patient", ("median of 60", "median of 20")),
    Row("plan of bench_plan's busy diary (the same on every clinic: the noise)", "plan",
        "plan, 3 years of plan over 3 years of busy diary", ("median of 60", "median of 20")),
)
SOURCES = ("plan", "export", "cohort", "check_in", "dose")  # export before the writes


@dataclass
class Clinic:
    patients: int
    days: int
    path: Path | None  # None: not there (see note)
    note: str = ""
    values: dict[str, tuple[float, str]] | None = None  # row label -> (value, unit)
    seconds: float = 0.0
    load: str = ""


def clinic_sizes(quick: bool) -> list[tuple[int, int]]:
    patients, days = (QUICK_PATIENTS, QUICK_DAYS) if quick else (PATIENTS, DAYS)
    return [(p, d) for d in days for p in patients]  # 500x1y, 2000x1y, 500x3y, 2000x3y


def find_clinic(s: Setup, directory: Path, patients: int, days: int) -> Clinic:
    """The clinic of that size: in ``directory``, else the main run's, else generated there."""
    from generate import generate, sidecar

    path = directory / f"clinic-{patients}x{days}.db"
    if path.exists() and not sidecar(path).exists():
        # A generation still under way (or one that failed): never write over it.
        return Clinic(patients, days, None, f"{path} has no {sidecar(path).name} yet: still "
                      "being generated, or a failed generation (delete it to make it again)")
    if path.exists():
        return Clinic(patients, days, path)
    main_info = sidecar(s.clinic)
    if main_info.exists():
        info = json.loads(main_info.read_text())
        if (info["patients"], info["days"]) == (patients, days):
            return Clinic(patients, days, s.clinic)
    print(f"generating {path} ({patients} patients x {days} days) ...", flush=True)
    directory.mkdir(parents=True, exist_ok=True)
    generate(path, patients, days)
    return Clinic(patients, days, path)


def scratch_copy(clinic: Path, work: Path) -> None:
    """Copy the clinic (and any -wal) to ``work`` without writing to the clinic, then fold."""
    from run import _remove_db

    _remove_db(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(clinic, work)
    wal = Path(str(clinic) + "-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(str(work) + "-wal"))
    os.chmod(work, 0o600)
    conn = sqlite3.connect(work)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def measure(s: Setup, clinic: Clinic) -> None:
    """Measure ``clinic`` in a fresh process of its own (:func:`measure_here`).

    One process per clinic: measured one after another in the same process, the later clinics
    paid for what the earlier ones left on the heap (bench_plan's fixed diary, the same work on
    every clinic, came out ~1.7x slower on the last one in two runs out of two).
    """
    import run

    assert clinic.path is not None
    result = run.OUT / "scaling" / f"values-{clinic.patients}x{clinic.days}.json"
    result.parent.mkdir(parents=True, exist_ok=True)
    result.unlink(missing_ok=True)
    t0 = time.perf_counter()
    clinic.load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    done = subprocess.run([run.PY, str(Path(__file__)), "--one", str(clinic.path),
                           "--patient-db", str(s.patient_db), "--result", str(result),
                           *(["--quick"] if s.quick else [])], env=s.env, cwd=run.ROOT)
    clinic.seconds = time.perf_counter() - t0
    if done.returncode != 0 or not result.exists():
        clinic.note = f"measuring failed (exit status {done.returncode}; its output is above)"
        return
    clinic.values = {label: (v["value"], v["unit"])
                     for label, v in json.loads(result.read_text()).items()}
    result.unlink()


def measure_here(clinic: Path, patient_db: Path, quick: bool) -> dict[str, tuple[float, str]]:
    """Run the size-dependent figures of run.py on a scratch copy of ``clinic``."""
    import run
    from generate import sidecar

    info = json.loads(sidecar(clinic).read_text())
    patients, days, today = info["patients"], info["days"], info["today"]
    work = run.OUT / "scaling" / f"work-{patients}x{days}.db"
    scratch_copy(clinic, work)
    run.at_head(work)  # a clinic from an earlier version: upgraded, as prepare() does
    values: dict[str, tuple[float, str]] = {
        DIARY_ROWS: (float(sum(info["rows"].get(t, 0) for t in DIARY_TABLES)), "rows"),
        FILE_MB: (work.stat().st_size / 1e6, "MB"),
    }
    env = dict(os.environ, LDN_TRACKER_DB=str(work), LDN_TRACKER_TODAY=today)
    setup = run.Setup(quick, work, patient_db, work, date.fromisoformat(today), patients, days,
                      REPEATS, env)
    os.environ["LDN_TRACKER_TODAY"] = today
    try:
        for source in SOURCES:
            print(f"  {patients} x {days}: {source} ...", flush=True)
            figures = run.FIGURES[source](setup)
            for row in ROWS:
                if row.source != source or not row.prefix:
                    continue
                found = [f for f in figures
                         if f.name.startswith(row.prefix) and f.name.endswith(row.suffix)]
                if found and found[0].measured == found[0].measured:  # inf: timed out
                    values[row.label] = (found[0].measured, found[0].unit)
            if source == "export":
                ours = run.OUT / "export-ours"
                size = sum(f.stat().st_size for f in ours.glob("*.csv")) / 1e6
                if size:
                    values[EXPORT_MB] = (size, "MB")
                shutil.rmtree(ours, ignore_errors=True)
                shutil.rmtree(run.OUT / "export-sqlite3", ignore_errors=True)
    finally:
        run._remove_db(work)
    return values


# -- the table ----------------------------------------------------------------------------------


def cell(value: float, unit: str) -> str:
    from run import fmt

    if value != value:
        return "–"
    if unit == "rows":
        return f"{value / 1e6:.2f} M"
    if unit == "MB":
        return f"{value:,.0f} MB" if value >= 10 else f"{value:.1f} MB"
    return fmt(value, unit)


def growths(clinics: Sequence[Clinic], label: str) -> tuple[float, float]:
    """The figure's growth per more patients and per more days.

    Each is the geometric mean of the two pairs of clinics that differ only in that size, or of
    the one pair measured when a clinic (or the figure on it) is missing.
    """
    by_size = {(c.patients, c.days): (c.values or {}).get(label, (float("nan"), ""))[0]
               for c in clinics}
    (p1, p2), (d1, d2) = sorted({c.patients for c in clinics}), sorted({c.days for c in clinics})
    nan = float("nan")

    def pairs(factors: list[float]) -> float:  # the pairs measured (a clinic may be missing)
        return mean_growth([f for f in factors if math.isfinite(f)])

    per_patients = pairs([growth(by_size.get((p1, d), nan), by_size.get((p2, d), nan))
                          for d in (d1, d2)])
    per_days = pairs([growth(by_size.get((p, d1), nan), by_size.get((p, d2), nan))
                      for p in (p1, p2)])
    return per_patients, per_days


def judged(factor: float, data_factor: float) -> str:
    if factor != factor:
        return "–"
    return f"{factor:.2f}× {verdict(factor, data_factor)}"


def scaling_table(clinics: Sequence[Clinic], quick: bool) -> list[str]:
    (p1, p2), (d1, d2) = sorted({c.patients for c in clinics}), sorted({c.days for c in clinics})
    fp, fd = p2 / p1, d2 / d1

    def size(c: Clinic) -> str:
        years = c.days / 365
        when = f"{years:.0f} y" if years == int(years) else f"{c.days} d"
        return f"{c.patients:,} × {when}"

    lines = ["| figure | runs | " + " | ".join(size(c) for c in clinics)
             + f" | per {fp:.0f}× patients | per {fd:.0f}× days |",
             "|---|---|" + "---|" * len(clinics) + "---|---|"]
    for row in ROWS:
        cells = []
        for c in clinics:
            value, unit = (c.values or {}).get(row.label, (float("nan"), ""))
            cells.append(cell(value, unit))
        per_p, per_d = growths(clinics, row.label)
        lines.append(f"| {row.label} | {row.runs[1 if quick else 0]} | " + " | ".join(cells)
                     + f" | {judged(per_p, fp)} | {judged(per_d, fd)} |")
    return lines


def write_scaling(clinics: Sequence[Clinic], quick: bool, seconds: float) -> Path:
    import run

    info = run.machine()
    measured = [c for c in clinics if c.values is not None]
    md = [f"# Scaling ({'quick' if quick else 'full'})", "",
          "How each size-dependent figure of `bench/run.py` grows with the clinic: measured "
          "with run.py's own functions on scratch copies of four clinics from "
          "`bench/generate.py`. Growth per more patients (or days) is the geometric mean of the "
          "two pairs of clinics that differ only in that. Verdict: **linear** within ±25 % of "
          "the data's growth, **flat** within ±25 % of 1, **sub-linear** between, "
          "**super-linear** above, **falls** below flat (noise or a cache). One run of a slow "
          "figure on a shared machine can be off by tens of per cent: read a verdict near a "
          "border with that in mind.", "",
          *scaling_table(measured, quick), "",
          "Clinics: " + "; ".join(
              f"{c.patients} × {c.days} days, {c.seconds:.0f} s with its copy (load {c.load})"
              if c.values is not None else f"{c.patients} × {c.days} days NOT MEASURED: {c.note}"
              for c in clinics) + ".", "",
          f"Whole scaling run: {seconds / 60:.1f} min. Machine: {info['cpu']}, {info['cores']} "
          f"cores, Python {info['python']}, SQLite {info['sqlite']}.", ""]
    run.OUT.mkdir(parents=True, exist_ok=True)
    path = run.OUT / "scaling.md"
    path.write_text("\n".join(md))
    (run.OUT / "scaling.json").write_text(json.dumps(
        {"quick": quick, "seconds": seconds, "clinics": [
            {"patients": c.patients, "days": c.days, "note": c.note, "seconds": c.seconds,
             "load": c.load, "values": {k: {"value": v, "unit": u}
                                        for k, (v, u) in (c.values or {}).items()}}
            for c in clinics]}, indent=2) + "\n")
    return path


def summary(clinics: Sequence[Clinic]) -> str:
    measured = [c for c in clinics if c.values is not None]
    if len({c.patients for c in measured}) < 2 or len({c.days for c in measured}) < 2:
        return "too few clinics measured to compare"
    (p1, p2), (d1, d2) = sorted({c.patients for c in measured}), sorted({c.days for c in measured})
    parts = []
    for i, (what, data) in enumerate(((f"{p2 / p1:.0f}× patients", p2 / p1),
                                      (f"{d2 / d1:.0f}× days", d2 / d1))):
        counts = {word: 0 for word in ("linear", "sub-linear", "super-linear", "flat", "falls")}
        for row in ROWS:
            factor = growths(measured, row.label)[i]
            if row.source and factor == factor:
                counts[verdict(factor, data)] += 1
        if any(counts.values()):
            parts.append(f"per {what}: " + ", ".join(f"{n} {word}"
                                                       for word, n in counts.items() if n))
    return "; ".join(parts) or "nothing measured"


def figure_scaling(s: Setup, directory: Path | None = None) -> list[Figure]:
    """Measure the four clinics, write bench/out/scaling.md, and return one line for results."""
    import run

    directory = directory or OPTIONS["scaling_dir"] or run.OUT
    t0 = time.perf_counter()
    clinics = [find_clinic(s, directory, p, d) for p, d in clinic_sizes(s.quick)]
    for clinic in clinics:
        if clinic.path is not None:
            measure(s, clinic)
    seconds = time.perf_counter() - t0
    path = write_scaling(clinics, s.quick, seconds)
    print(path.read_text(), flush=True)
    sizes = " and ".join(f"{p:,}" for p in sorted({c.patients for c in clinics}))
    days = " and ".join(f"{d:,}" for d in sorted({c.days for c in clinics}))
    missing = [f"{c.patients}x{c.days}" for c in clinics if c.path is None]
    note = summary(clinics) + (f"; not measured: {', '.join(missing)}" if missing else "")
    return [run.Figure(f"scaling: the size-dependent figures on {sizes} patients × {days} "
                       f"days (table in bench/out/{path.name}); whole run", seconds, float("nan"),
                       "–", "s", "–", None, note)]


def main(argv: list[str] | None = None) -> int:
    """The child process of :func:`measure`: one clinic's values, as JSON, to ``--result``."""
    parser = argparse.ArgumentParser(description="one clinic of the scaling figure")
    parser.add_argument("--one", type=Path, required=True, metavar="CLINIC")
    parser.add_argument("--patient-db", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    values = measure_here(args.one, args.patient_db, args.quick)
    args.result.write_text(json.dumps({label: {"value": v, "unit": u}
                                       for label, (v, u) in values.items()}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
