"""A synthetic clinic for the benchmark: N patients, each with D days of diary.

    .venv/bin/python bench/generate.py --patients 2000 --days 1095 --out bench/out/clinic.db

The file is created through :class:`tracker.storage.database.Database`, so the schema comes from the
migrations exactly as a user's does. The diary is then written in bulk (``sqlite3``
``executemany`` in large transactions, not through ``Clinic`` row by row: 2,000 patients × 3
years is about 13 million rows) to a staging file, and copied into the clinic in day order, as a
real clinic's diary grows (every patient's rows spread over the whole table, not one patient's
rows side by side); finally the derived ``patient_status`` rows are computed once through the
services code (``Clinic.cohort_status``), as the product would.

What a patient looks like (all seeded, so the same arguments give the same file):

- a condition from SPEC §3's list and its protocol (cancer patients get chemotherapy sessions);
- one dose entry a day, mostly taken at the planned dose (the plan is computed from the rest of
  the diary first), some patients much less adherent; pause and hold days are logged skipped;
- side-effect episodes: mostly 1–3 days, now and then 5–9 days (longer than the 4-day tolerance,
  so the reduction rule fires); the other days are mostly explicit "no side effects" (clear
  days), a few are left unknown;
- four symptom scores (pain, fatigue, low mood, sleep problems) every day, improving slowly;
- one or two concomitant medications; about one patient in ten had a short opioid course (with
  an end date, so LDN was held and restarted);
- a note now and then;
- every row its stable identity (``uuid``, SPEC §11), a version-4 UUID drawn from a generator
  of its own (seeded too, so adding them left every other value as it was);
- an audit row for every row, as the product writes it (``services/audited.py``: an ``insert``
  with the whole row in ``*``, hashed into the one chain): first the patients, medications
  and chemotherapy sessions, then the diary day by day in the evening. The product's promise
  is that every patient, diary, medication and chemotherapy row is in the audit trail, and
  ``ldn-tracker verify`` replays the trail against the tables, so a clinic without them would
  be a clinic whose every row was added behind the trail's back. (This makes the trail as long
  as the diary: 12.9 M more rows at 2,000 patients x 3 years.)

The diary runs up to the day before the clinic's "today" (written to ``<out>.json`` beside the
database), so the benchmark's check-in on "today" is a new entry, not a correction.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2029, 6, 30)  # the clinic's "today" (LDN_TRACKER_TODAY when benchmarking)
SYMPTOMS = ("pain", "fatigue", "low_mood", "sleep_problems")
EFFECTS = ("vivid_dreams", "headache", "restlessness", "insomnia", "nausea",
           "loss_of_appetite", "loose_stool", "hard_stool")
OTHER_MEDS = ("Levothyroxin", "Metformin", "Ibuprofen", "Paracetamol", "Sertralin",
              "Omeprazol", "Cetirizin", "Vitamin D")
OPIOIDS = ("Tramadol", "Kodimagnyl", "Oxycodon", "Imodium", "Morfin")
NOTES = ("Slept badly", "Good day", "Forgot the dose until late", "=ask about dose",
         "Travelling", "Bad flare today", "Felt much better")
BATCH_PATIENTS = 50


def sidecar(out: Path) -> Path:
    return out.with_name(out.name + ".json")


def _remove(out: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".json", ".stage"):
        Path(str(out) + suffix).unlink(missing_ok=True)


def _conditions() -> list[tuple[str, str]]:
    from tracker.clinical.protocols import CONDITIONS

    return [(c.key, c.protocol) for c in CONDITIONS]


class PatientDiary:
    """One synthetic patient: settings and diary as plain values, before any row is written."""

    def __init__(self, pid: int, rnd: random.Random, start: date, days: int,
                 conditions: list[tuple[str, str]]) -> None:
        from tracker.clinical import ChemoSession, Diary, EffectEntry, Medication, ScoreEntry
        from tracker.clinical.protocols import build_settings

        self.pid = pid
        self.condition, protocol = rnd.choice(conditions)
        liquid = rnd.random() < 0.2
        weight = None
        if protocol == "pediatric" or rnd.random() < 0.03:
            protocol, weight = "pediatric", round(rnd.uniform(15, 38), 1)
        self.settings = build_settings(
            protocol, start, weight_kg=weight,
            formulation="liquid" if liquid else "capsule",
            concentration_mg_ml=rnd.choice((1.0, 0.5)) if liquid else None,
            step_mg=1.0 if protocol != "cancer" and rnd.random() < 0.2 else None,
            tolerance_days=3 if rnd.random() < 0.1 else 4,
            transplant=rnd.random() < 0.01,
            informed_on=start if rnd.random() < 0.97 else None,
        )
        self.days = [start + timedelta(days=n) for n in range(days)]

        # Side effects: episodes with clear days between them, a few unknown days.
        effects: list[EffectEntry] = []
        clear: set[date] = set()
        n = 0
        while n < days:
            early = n < 120  # more side effects while titrating
            if rnd.random() < (0.04 if early else 0.02):
                long_odds = 0.25 if early else 0.04
                length = rnd.randint(5, 9) if rnd.random() < long_odds else rnd.randint(1, 3)
                names = rnd.sample(EFFECTS, rnd.randint(1, 2))
                for k in range(n, min(n + length, days)):
                    for name in names:
                        effects.append(EffectEntry(self.days[k], name, rnd.randint(1, 3)))
                n += length
                continue
            if rnd.random() < 0.85:
                clear.add(self.days[n])
            n += 1

        # Scores: a baseline per symptom that improves over the months, with noise.
        scores: list[ScoreEntry] = []
        base = [rnd.uniform(4, 8) for _ in SYMPTOMS]
        gain = rnd.uniform(0.0, 3.0)
        for k, day in enumerate(self.days):
            trend = gain * min(1.0, k / 365)
            for s, symptom in enumerate(SYMPTOMS):
                value = round(base[s] - trend + rnd.gauss(0, 1.2))
                scores.append(ScoreEntry(day, symptom, max(0, min(10, value))))

        meds = [Medication(name) for name in rnd.sample(OTHER_MEDS, rnd.randint(0, 2))]
        if rnd.random() < 0.1:
            first = self.days[rnd.randrange(30, max(31, days - 30))]
            meds.append(Medication(rnd.choice(OPIOIDS), first,
                                   first + timedelta(days=rnd.randint(2, 10))))
        chemo: list[ChemoSession] = []
        if protocol == "cancer":
            k = rnd.randint(20, 40)
            while k < min(days, 400):
                length = rnd.randint(0, 2)
                chemo.append(ChemoSession(self.days[k], self.days[min(k + length, days - 1)]))
                k += 21
        self.adherence = 0.97 if rnd.random() < 0.85 else rnd.uniform(0.6, 0.85)
        self.diary = Diary(effects=tuple(effects), clear_days=frozenset(clear),
                           scores=tuple(scores), medications=tuple(meds), chemo=tuple(chemo))

    def doses(self, rnd: random.Random) -> list[tuple[date, bool, float | None]]:
        """One entry a day: the planned dose, taken or not; 0 mg days logged as skipped."""
        from tracker.clinical import compute_plan

        plan = compute_plan(self.settings, self.diary, self.days[-1], today=self.days[-1])
        out = []
        for planned in plan.days:
            if planned.dose_mg > 0 and rnd.random() < self.adherence:
                out.append((planned.day, True, planned.dose_mg))
            else:
                out.append((planned.day, False, None))
        return out


class Identities:
    """The rows' uuids: random version-4 UUIDs, from their own seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(f"{seed}:uuid")

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rnd.getrandbits(128), version=4))


def _patient_row(p: PatientDiary, name: str, identity: str) -> tuple:
    s = p.settings
    return (p.pid, name, p.condition, s.protocol, s.start_date.isoformat(), s.start_mg,
            s.start_days, s.step_mg, s.interval_days, s.target_mg, s.max_mg, s.tolerance_days,
            s.min_severity, s.formulation, s.concentration_mg_ml, s.weight_kg,
            int(s.transplant), s.informed_on.isoformat() if s.informed_on else None,
            s.thyroid_interval_days, identity)


PATIENT_SQL = (
    "INSERT INTO patient (id, name, condition, protocol, start_date, start_mg, start_days, "
    "step_mg, interval_days, target_mg, max_mg, tolerance_days, min_severity, formulation, "
    "concentration_mg_ml, weight_kg, transplant, informed_on, thyroid_interval_days, uuid) "
    "VALUES (" + ", ".join("?" * 20) + ")"
)


class AuditChain:
    """Audit rows for inserts, hashed exactly as the services code hashes them."""

    def __init__(self) -> None:
        from tracker.storage.audit import GENESIS_HASH

        self.prev = GENESIS_HASH
        self.rows: list[tuple] = []
        self.at = datetime(TODAY.year - 3, 1, 1, 9, 0)

    def insert(self, table: str, row_id: int, patient_id: int, values: dict,
               at: datetime | None = None) -> None:
        """``values``: the row's columns but its id, as ``audit.row_values`` writes them."""
        from tracker.storage.audit import _content_hash

        at = at or self.at
        new_value = json.dumps(values, ensure_ascii=False)
        digest = _content_hash(self.prev, at, "import", "insert", table, row_id, patient_id,
                               "*", None, new_value, "bench import")
        self.rows.append((at.isoformat(sep=" ", timespec="microseconds"), "import", "insert",
                          table, row_id, patient_id, "*", None, new_value, "bench import",
                          self.prev, digest))
        self.prev = digest

    def take(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        return rows


def _audit_text(kind: str, value: object) -> str | None:
    """A stored value as ``tracker.storage.audit._plain`` writes it (0/1 as false/true)."""
    if value is None:
        return None
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))  # type: ignore[arg-type]
    return str(value)


@functools.cache
def _column_kinds(table: str) -> dict[str, str]:
    from sqlalchemy.types import Boolean, Float

    from tracker.models import Base

    return {c.name: "bool" if isinstance(c.type, Boolean) else
            "float" if isinstance(c.type, Float) else "other"
            for c in Base.metadata.tables[table].columns}


def _values(table: str, columns: tuple[str, ...], row: tuple) -> dict[str, str | None]:
    kinds = _column_kinds(table)
    return {c: _audit_text(kinds[c], v) for c, v in zip(columns, row, strict=True)}


DIARY_TABLES = {
    "dose_entry": ("patient_id", "day", "taken", "mg", "time", "above_max_confirmed", "uuid"),
    "side_effect_report": ("patient_id", "day", "name", "severity", "uuid"),
    "clear_day": ("patient_id", "day", "uuid"),
    "symptom_score": ("patient_id", "day", "symptom", "value", "uuid"),
    "note": ("patient_id", "day", "text", "uuid"),
}
MEDICATION_COLUMNS = ("patient_id", "name", "start_date", "end_date", "uuid")
CHEMO_COLUMNS = ("patient_id", "start_date", "end_date", "uuid")

PATIENT_COLUMNS = ("name", "condition", "protocol", "start_date", "start_mg", "start_days",
                   "step_mg", "interval_days", "target_mg", "max_mg", "tolerance_days",
                   "min_severity", "formulation", "concentration_mg_ml", "weight_kg",
                   "transplant", "informed_on", "thyroid_interval_days", "uuid")
EVENING = 21  # the hour of the diary's audit rows
AUDIT_BATCH = 100_000

AUDIT_SQL = ("INSERT INTO audit_entry (at, actor, action, table_name, row_id, patient_id, field, "
             "old_value, new_value, reason, prev_hash, hash) VALUES (" + ", ".join("?" * 12) + ")")


def _audit_diary(conn: sqlite3.Connection, audit: AuditChain) -> int:
    """One audit row per diary row, as the check-ins wrote them: day by day, each evening."""
    tables = list(DIARY_TABLES)
    width = max(len(columns) for columns in DIARY_TABLES.values())
    selects = []
    for tag, (table, columns) in enumerate(DIARY_TABLES.items()):
        padded = list(columns) + ["NULL"] * (width - len(columns))
        selects.append(f"SELECT {tag} AS tag, id, {', '.join(padded)} FROM {table}")
    # columns start with patient_id, day: ordered by day, then patient, as the evenings went
    order = conn.execute(" UNION ALL ".join(selects) + " ORDER BY 4, 3, 1, 2")
    written = 0
    evening: dict[str, datetime] = {}
    while chunk := order.fetchmany(AUDIT_BATCH):
        for tag, row_id, *rest in chunk:
            table = tables[tag]
            columns = DIARY_TABLES[table]
            row = tuple(rest[:len(columns)])
            day = row[1]
            at = evening.get(day)
            if at is None:
                at = evening.setdefault(day, datetime.fromisoformat(day).replace(hour=EVENING))
            audit.insert(table, row_id, row[0], _values(table, columns, row), at)
        conn.execute("BEGIN")
        conn.executemany(AUDIT_SQL, audit.take())
        conn.execute("COMMIT")
        written += len(chunk)
    return written


def generate(out: Path, patients: int, days: int, seed: int = 2026,
             today: date = TODAY, quiet: bool = False) -> dict[str, int]:
    """Write the clinic to ``out`` (replacing it); returns the rows written per table."""
    from tracker.services.clinic import Clinic
    from tracker.storage.database import Database

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove(out)
    db = Database(str(out))  # the schema from the migrations
    db.dispose()

    conditions = _conditions()
    start = today - timedelta(days=days)  # the diary ends yesterday
    rnd = random.Random(seed)
    counts = dict.fromkeys(("patient", "medication", "chemo_session", "dose_entry",
                            "side_effect_report", "clear_day", "symptom_score", "note",
                            "audit_entry", "patient_status"), 0)
    audit = AuditChain()
    identity = Identities(seed)
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    stage = out.with_name(out.name + ".stage")
    stage.unlink(missing_ok=True)
    conn.execute("ATTACH DATABASE ? AS stage", (str(stage),))
    conn.execute("PRAGMA stage.synchronous = OFF")
    conn.execute("PRAGMA stage.journal_mode = OFF")
    for table, columns in DIARY_TABLES.items():
        conn.execute(f"CREATE TABLE stage.{table} ({', '.join(columns)})")
    med_id = chemo_id = 0
    for first in range(1, patients + 1, BATCH_PATIENTS):
        rows: dict[str, list[tuple]] = {k: [] for k in counts}
        for pid in range(first, min(first + BATCH_PATIENTS, patients + 1)):
            p = PatientDiary(pid, rnd, start, days, conditions)
            name = f"Patient {pid:05d}"
            rows["patient"].append(_patient_row(p, name, identity()))
            audit.insert("patient", pid, pid,
                         _values("patient", PATIENT_COLUMNS, rows["patient"][-1][1:]))
            for m in p.diary.medications:
                med_id += 1
                rows["medication"].append((med_id, pid, m.name,
                                           m.start.isoformat() if m.start else None,
                                           m.end.isoformat() if m.end else None, identity()))
                audit.insert("medication", med_id, pid, _values(
                    "medication", MEDICATION_COLUMNS, rows["medication"][-1][1:]))
            for c in p.diary.chemo:
                chemo_id += 1
                rows["chemo_session"].append((chemo_id, pid, c.start.isoformat(),
                                              c.end.isoformat(), identity()))
                audit.insert("chemo_session", chemo_id, pid, _values(
                    "chemo_session", CHEMO_COLUMNS, rows["chemo_session"][-1][1:]))
            iso = {d: d.isoformat() for d in p.days}
            for day, taken, mg in p.doses(rnd):
                rows["dose_entry"].append(
                    (pid, iso[day], int(taken), mg,
                     f"{rnd.randint(19, 22):02d}:{rnd.choice((0, 15, 30, 45)):02d}"
                     if taken else None, 0, identity()))
            rows["side_effect_report"].extend((pid, iso[e.day], e.name, e.severity, identity())
                                              for e in p.diary.effects)
            rows["clear_day"].extend((pid, iso[d], identity())
                                     for d in sorted(p.diary.clear_days))
            rows["symptom_score"].extend((pid, iso[s.day], s.symptom, s.value, identity())
                                         for s in p.diary.scores)
            rows["note"].extend((pid, iso[d], rnd.choice(NOTES), identity()) for d in p.days
                                if rnd.random() < 0.02)
        rows["audit_entry"] = audit.take()
        conn.execute("BEGIN")
        conn.executemany(PATIENT_SQL, rows["patient"])
        conn.executemany(f"INSERT INTO medication (id, {', '.join(MEDICATION_COLUMNS)}) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows["medication"])
        conn.executemany(f"INSERT INTO chemo_session (id, {', '.join(CHEMO_COLUMNS)}) "
                         "VALUES (?, ?, ?, ?, ?)", rows["chemo_session"])
        for table, columns in DIARY_TABLES.items():
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO stage.{table} ({', '.join(columns)}) "
                             f"VALUES ({marks})", rows[table])
        conn.executemany(AUDIT_SQL, rows["audit_entry"])
        conn.execute("COMMIT")
        for key, value in rows.items():
            counts[key] += len(value)
        done = min(first + BATCH_PATIENTS - 1, patients)
        if done % 500 == 0 or done == patients:
            say(f"  {done} patients, {sum(counts.values()):,} rows, "
                f"{time.perf_counter() - started:.0f} s")
    # A real clinic's diary grows day by day for every patient at once, so one patient's rows
    # are spread over the whole table; copying the staged rows in day order lays them out so
    # (a patient-by-patient layout would make reading one diary unrealistically cheap).
    say("  laying the diary out day by day ...")
    for table, columns in DIARY_TABLES.items():
        cols = ", ".join(columns)
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM stage.{table} "
                     f"ORDER BY day, patient_id, rowid")
        conn.execute("COMMIT")
    conn.execute("DETACH DATABASE stage")
    stage.unlink(missing_ok=True)
    say("  writing the diary's audit rows ...")
    counts["audit_entry"] += _audit_diary(conn, audit)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    bulk = time.perf_counter() - started

    # The derived status, once, through the product's own code.
    os.environ["LDN_TRACKER_TODAY"] = today.isoformat()
    t0 = time.perf_counter()
    db = Database(str(out))
    status = Clinic(db, actor="import").cohort_status(refresh_stale=True)
    with db.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    counts["patient_status"] = len(status)
    derived = time.perf_counter() - t0
    info = {"patients": patients, "days": days, "seed": seed, "today": today.isoformat(),
            "rows": counts, "seconds_bulk": round(bulk, 1),
            "seconds_status": round(derived, 1)}
    sidecar(out).write_text(json.dumps(info, indent=2) + "\n")
    diary = sum(counts[k] for k in ("dose_entry", "side_effect_report", "clear_day",
                                    "symptom_score", "note"))
    say(f"wrote {out}: {sum(counts.values()):,} rows ({diary:,} diary rows) in {bulk:.1f} s, "
        f"patient_status for {len(status)} patients in {derived:.1f} s, "
        f"{out.stat().st_size / 1e6:.0f} MB")
    for key, value in counts.items():
        say(f"  {key:20} {value:>12,}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY,
                        help="the clinic's today; the diary ends the day before")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "clinic.db")
    args = parser.parse_args(argv)
    if args.patients < 1 or args.days < 30:
        parser.error("at least 1 patient and 30 days")
    generate(args.out, args.patients, args.days, args.seed, args.today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
