"""Writing FHIR bundles for the clinic: one patient's file, or one file per patient (SPEC §11).

The mapping is :mod:`tracker.export.fhir`; here the records are read in one read transaction
(the record set with its uuids, and the alerts computed from the same rows), and for a whole
clinic split over worker processes, each opening the database itself, as the CSV export does.
Every bundle is validated with ``fhir.resources`` before its file is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any

from tracker.export.spawning import spawn_context
from tracker.i18n import get_language, set_language
from tracker.services.clinic import Clinic
from tracker.storage.record_set import read_record_set
from tracker.storage.records import Records
from tracker.validation import today as current_day

BUNDLE_SUFFIX = ".json"


def bundle_file_name(patient_id: int) -> str:
    """The file of one patient in ``export --all --format fhir``: the id, never the name."""
    return f"patient-{int(patient_id)}{BUNDLE_SUFFIX}"


def bundle_for(connection: Any, patient_id: int, today: date) -> dict[str, Any]:
    """The bundle of one patient, read on an open DB-API connection (one transaction)."""
    from tracker.clinical.alert_status import open_alerts
    from tracker.export.fhir import bundle_of

    record = read_record_set(connection, patient_id)
    states = Records(connection).alert_states(patient_id)
    return bundle_of(record, open_alerts(states), today)


def export_bundle(clinic: Clinic, patient_id: int, out: Path) -> Path:
    """Write one patient's bundle to ``out`` (owner-only), validated first."""
    from tracker.export.csv_files import make_private_dir
    from tracker.export.fhir import write_bundle

    with clinic.db.read() as session:
        connection = session.connection().connection.driver_connection
        bundle = bundle_for(connection, patient_id, current_day())
    make_private_dir(Path(out).parent)  # as the report: its folder is made owner-only
    return write_bundle(out, bundle)


def export_bundles(clinic: Clinic, ids: Sequence[int], out_dir: Path,
                   workers: int = 1) -> list[Path]:
    """One bundle per patient in ``out_dir``; ``workers`` processes share the patients.

    A failure leaves no file of this export behind (the files written before it are removed,
    and the folder too when the export made it).
    """
    from tracker.export.csv_files import make_private_dir

    if not ids:
        from tracker.i18n import N_
        from tracker.validation import fail

        raise fail("patient", N_("{field}: there are no patients to export."))
    directory = Path(out_dir)
    created = not directory.exists()
    make_private_dir(directory)
    distinct = list(dict.fromkeys(int(pid) for pid in ids))
    shares = [distinct[k::workers] for k in range(max(1, workers))]
    today = current_day()
    written: list[Path] = []
    try:
        if workers <= 1:
            written = _write_share(clinic, shares[0], directory, today)
        else:
            with ProcessPoolExecutor(workers - 1, mp_context=spawn_context()) as pool:
                futures = [pool.submit(_share_in_worker, clinic.db.target, share,
                                       str(directory), today, get_language())
                           for share in shares[1:] if share]
                try:
                    written = _write_share(clinic, shares[0], directory, today)
                    for future in futures:
                        written.extend(Path(p) for p in future.result())
                except BaseException:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    except BaseException:
        for pid in distinct:
            with suppress(OSError):
                (directory / bundle_file_name(pid)).unlink()
        if created:
            with suppress(OSError):
                directory.rmdir()
        raise
    order = {bundle_file_name(pid): k for k, pid in enumerate(distinct)}
    return sorted(written, key=lambda path: order[path.name])


def _write_share(clinic: Clinic, ids: Sequence[int], directory: Path, today: date
                 ) -> list[Path]:
    from tracker.export.fhir import write_bundle

    written = []
    with clinic.db.read() as session:
        connection = session.connection().connection.driver_connection
        for pid in ids:
            bundle = bundle_for(connection, pid, today)
            written.append(write_bundle(directory / bundle_file_name(pid), bundle))
    return written


def _share_in_worker(target: str, ids: list[int], directory: str, today: date,
                     language: str) -> list[str]:
    from tracker.storage.database import Database

    set_language(language)
    os.environ.setdefault("LDN_TRACKER_TODAY", today.isoformat())
    db = Database(target, migrate=False, backup=False)
    try:
        return [str(p) for p in _write_share(Clinic(db), ids, Path(directory), today)]
    finally:
        db.dispose()
