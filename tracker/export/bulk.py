"""``export --all``: the six CSV files of SPEC §9 for a whole clinic, table by table.

The files are byte for byte those of the plain per-patient path (each patient's
``patient_frames``, concatenated, written by ``export_frames``: the oracle kept in
``tests/oracles/per_patient_export.py``; ``tests/integration/test_export_bulk.py`` holds the
two to that). What makes it fast (docs/performance.md, "Export"):

- each table is read once for all the patients (:mod:`tracker.storage.scans`), not once per patient;
- the rows are sorted and grouped with numpy, and every distinct value is formatted once: a
  diary line is the patient's prefix (``id,name,``) and the text of its other cells, which
  repeat (a few thousand dates, symptoms and values for millions of rows), so a patient's
  lines are ``prefix.join`` of texts picked by integer codes (:mod:`tracker.export.bulk_codes`,
  :mod:`tracker.export.bulk_diary`). The rules engine's diary values (immutable) are made once
  per distinct row, by the per-patient read's own converters, and shared the same way;
- the plan's reasons are rendered once per distinct sentence, not once per day
  (:mod:`tracker.export.bulk_plans`);
- the summary's trend figures are computed for all patients at once
  (:mod:`tracker.analysis.bulk`); where each patient's treatment stands (today's dose, the next
  step, adherence) is the one function every output uses
  (:func:`~tracker.analysis.summary.progress_entries`), on the plan computed anyway;
- the patients are split over worker processes (``patient_id % workers``), each reading and
  writing its own share (:mod:`tracker.export.bulk_share`); the parent puts every patient's
  pieces in order and writes the files. This module runs those processes; the modules named
  above build a share's files.

The cyclic garbage collector is paused while a share is built: it holds millions of small
objects that live until the end, and the collector kept scanning them (a third of the time).
"""

from __future__ import annotations

import gc
import mmap
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from tracker.analysis.bulk_arrays import CohortFrames
from tracker.export.bulk_diary import diary_files
from tracker.export.bulk_plans import plan_files, summary_file
from tracker.export.bulk_share import Chunks, Share
from tracker.export.columns import EXPORT_FILES
from tracker.export.csv_files import Cells
from tracker.export.spawning import spawn_context
from tracker.i18n import get_language, set_language
from tracker.storage.scans import ClinicReader

PATIENTS_PER_WORKER = 250  # below this a worker process costs more than it saves
MAX_WORKERS = 8

Piece = bytes | memoryview


def default_workers(patients: int) -> int:
    """How many processes to build ``patients`` patients' files in (1: this one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS, patients // PATIENTS_PER_WORKER))


@contextmanager
def export_parts(cursor: Any, target: str, ids: list[int], dialect: str, today: date,
                 workers: int = 1, scratch: Path | None = None,
                 ) -> Iterator[Callable[[int, int], Piece]]:
    """Every patient's part of each file, as ``part(patient_id, file_index)``, valid inside
    the ``with`` block.

    With ``workers`` > 1 the patients are split in that many shares (``patient_id %
    workers``): this process builds the first on ``cursor`` while worker processes build the
    others, each opening the database ``target`` itself and writing its parts to a file in a
    private directory made inside ``scratch`` (a pipe would copy every byte four times); the
    parts are read back from there, mapped, not copied, and the directory is removed when the
    block ends.
    """
    if workers <= 1:
        chunks = build_share(cursor, ids, 0, 1, dialect, today)
        yield lambda pid, k: chunks[pid][k]
        return
    language = get_language()
    shares = [[pid for pid in ids if pid % workers == k] for k in range(workers)]
    # The workers' parts are health data: they go to a private directory inside ``scratch``
    # (the export's own folder), never the shared temporary directory, so even an export
    # killed half-way leaves them only where the export itself was going.
    with tempfile.TemporaryDirectory(prefix=".ldn-tracker-export-", dir=scratch) as work, \
            ProcessPoolExecutor(workers - 1, mp_context=spawn_context()) as pool:
        futures = [pool.submit(_share_in_worker, target, shares[k], k, workers, dialect, today,
                               language, os.path.join(work, str(k)))
                   for k in range(1, workers) if shares[k]]
        try:
            chunks = build_share(cursor, shares[0], 0, workers, dialect, today)
            indexes = [future.result() for future in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        with ExitStack() as maps:
            where: dict[int, tuple[list[memoryview], list[tuple[int, int]]]] = {}
            for stem, index in indexes:
                views = []
                for k in range(len(EXPORT_FILES)):
                    with open(f"{stem}.{k}", "rb") as handle:
                        size = os.fstat(handle.fileno()).st_size
                        mapped = maps.enter_context(mmap.mmap(handle.fileno(), size,
                                                              access=mmap.ACCESS_READ)) \
                            if size else b""
                    views.append(maps.enter_context(memoryview(mapped)))
                for pid, spans in index.items():
                    where[pid] = (views, spans)

            def part(pid: int, k: int) -> Piece:
                if pid in chunks:
                    return chunks[pid][k]
                views, spans = where[pid]
                start, end = spans[k]
                return views[k][start:end]

            yield part


def _share_in_worker(target: str, ids: list[int], shard: int, shards: int, dialect: str,
                     today: date, language: str, stem: str
                     ) -> tuple[str, dict[int, list[tuple[int, int]]]]:
    """:func:`build_share` in a worker process: the parts of file ``k`` are written to
    ``<stem>.<k>`` (owner-only), one patient after the other; returns where each is."""
    from tracker.storage.database import Database

    set_language(language)
    db = Database(target, migrate=False, backup=False)
    try:
        with db.read() as session:
            connection = session.connection().connection.driver_connection
            assert connection is not None
            chunks = build_share(connection.cursor(), ids, shard, shards, dialect, today)
    finally:
        db.dispose()
    index: dict[int, list[tuple[int, int]]] = {pid: [] for pid in ids}
    for k in range(len(EXPORT_FILES)):
        fd = os.open(f"{stem}.{k}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            offset = 0
            for pid in ids:
                data = chunks[pid][k]
                handle.write(data)
                index[pid].append((offset, offset + len(data)))
                offset += len(data)
    return stem, index


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_share(cursor: Any, ids: list[int], shard: int, shards: int, dialect: str,
                today: date) -> Chunks:
    """The six files' parts of the patients ``ids`` (all in ``shard``), read on ``cursor``:
    the diary's files and diaries first, then the plans, then the summary of both."""
    with _no_cyclic_gc():
        share = Share(ClinicReader(cursor, ids, shard, shards), ids, Cells(dialect), today)
        diaries, dose_frame, score_frame = diary_files(share)
        plans, plan_frame = plan_files(share, diaries)
        steps = [plan.pop("steps") for plan in plans]
        summary_file(share, plans, CohortFrames(len(ids), plan_frame, dose_frame, score_frame,
                                                today, steps))
        return share.chunks()
