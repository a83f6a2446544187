"""How long the plan takes: 3 years of plan over 3 years of a busy diary, in-process.

    .venv/bin/python bench/bench_plan.py [repeats]

The budget is 20 ms per plan (the TUI recomputes it on every diary save).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.clinical import (  # noqa: E402
    ChemoSession,
    Diary,
    DoseEntry,
    EffectEntry,
    Medication,
    ScoreEntry,
    compute_plan,
)
from tracker.clinical.protocols import build_settings  # noqa: E402

START = date(2026, 1, 1)
DAYS = 3 * 365
BUDGET_MS = 20.0


def busy_diary(seed: int = 1) -> Diary:
    rnd = random.Random(seed)
    doses, effects, scores = [], [], []
    clear = set()
    for n in range(DAYS):
        day = START + timedelta(days=n)
        doses.append(DoseEntry(day, rnd.random() > 0.05, 1.0))
        if rnd.random() < 0.25:
            for name in rnd.sample(["headache", "nausea", "vivid dreams", "insomnia"], 2):
                effects.append(EffectEntry(day, name, rnd.randint(0, 3)))
        else:
            clear.add(day)
        for symptom in ("pain", "fatigue", "low_mood", "sleep_problems"):
            scores.append(ScoreEntry(day, symptom, rnd.randint(0, 10)))
    chemo = tuple(ChemoSession(START + timedelta(days=n), START + timedelta(days=n + 1))
                  for n in range(40, DAYS, 60))
    meds = (Medication("Tramadol", START + timedelta(days=300), START + timedelta(days=305)),
            Medication("Levothyroxin"))
    return Diary(doses=tuple(doses), effects=tuple(effects), clear_days=frozenset(clear),
                 scores=tuple(scores), medications=meds, chemo=chemo)


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    diary = busy_diary()
    until = START + timedelta(days=DAYS - 1)
    results = {}
    for protocol, kwargs in (("cancer", {}), ("autoimmune_thyroid", {}),
                             ("pediatric", {"weight_kg": 20})):
        settings = build_settings(protocol, START, **kwargs)  # type: ignore[arg-type]
        compute_plan(settings, diary, until)  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            plan = compute_plan(settings, diary, until)
            times.append((time.perf_counter() - t0) * 1000)
        results[protocol] = (statistics.median(times), max(times))
        print(f"{protocol:20} {len(plan.days)} days, {len(diary.effects)} effects, "
              f"{len(diary.scores)} scores, {len(plan.reductions)} reductions, "
              f"{len(plan.alerts)} alerts: median {statistics.median(times):.2f} ms, "
              f"max {max(times):.2f} ms")
    worst = max(median for median, _ in results.values())
    print(f"worst median {worst:.2f} ms (budget {BUDGET_MS:.0f} ms)")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
