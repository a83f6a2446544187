"""The handlers of the commands that write or read files outside the database: ``export`` (CSV
files, or FHIR bundles), ``report`` (the printable HTML) and ``import`` (a patient's bundle),
with the checks of ``--out`` that keep a file from landing where the user did not mean
(SPEC §9, §11). The exporters are imported only when one runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracker.cli.errors import UsageError
from tracker.cli.opening import open_clinic
from tracker.i18n import N_, Message
from tracker.validation import ValidationError


def _out_path(text: str) -> Path:
    """Where to write: never an empty path (it would mean the current directory, silently)."""
    if not text.strip():
        raise ValidationError("--out", Message(N_("{field} must not be empty.")))
    return Path(text)


def _out_folder(text: str) -> Path:
    """``export --out``: a folder (made if missing), never an existing file."""
    out = _out_path(text)
    if out.exists() and not out.is_dir():
        raise ValidationError("--out", Message(N_(
            "{field}: {value} is a file, not a folder: give the folder to write the CSV files "
            "into (it is made if it does not exist)."), {"value": text}))
    return out


def _out_file(text: str) -> Path:
    """``report --out``: a file name, never an existing folder."""
    out = _out_path(text)
    if out.is_dir():
        raise ValidationError("--out", Message(N_(
            "{field}: {value} is a folder: give a file name for the report, e.g. {example}."),
            {"value": text, "example": str(out / "report.html")}))
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from tracker.export.bulk import default_workers
    from tracker.services.review import export_patients

    if args.format == "fhir":
        if args.dialect is not None:
            raise ValidationError("--dialect", Message(N_(
                "{field} applies to the CSV files only, not to --format fhir.")))
        return _export_fhir(args)
    out = _out_folder(args.out)
    clinic = open_clinic(args)
    ids = [p.id for p in clinic.list_patients()] if args.all else \
        [clinic.find_patient(args.patient)]
    written = export_patients(clinic, ids, out, args.dialect or "standard",
                              workers=default_workers(len(ids)))
    for path in written:
        print(path)
    return 0


def _export_fhir(args: argparse.Namespace) -> int:
    """``export --format fhir``: one bundle file for ``--patient``, one per patient in the
    folder for ``--all`` (SPEC §11)."""
    from tracker.export.bulk import default_workers
    from tracker.services.sharing import export_bundle, export_bundles

    if args.all:
        out = _out_folder(args.out)
        clinic = open_clinic(args)
        ids = [p.id for p in clinic.list_patients()]
        for path in export_bundles(clinic, ids, out, workers=default_workers(len(ids))):
            print(path)
        return 0
    target = _out_path(args.out)
    if target.is_dir():
        raise ValidationError("--out", Message(N_(
            "{field}: {value} is a folder: give a file name for the bundle, e.g. {example}."),
            {"value": args.out, "example": str(target / "patient.json")}))
    clinic = open_clinic(args)
    print(export_bundle(clinic, clinic.find_patient(args.patient), target))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """``import FILE.json [--dry-run] [--replace]`` (SPEC §11): the file is read and checked
    whole before the database is even opened, so a refused file writes nothing anywhere."""
    from tracker.services.fhir_import import BundleRefused, read_bundle
    from tracker.services.importing import import_bundle, summary_lines

    if not args.file.strip():
        raise ValidationError("FILE.json", Message(N_("{field} must not be empty.")))
    try:
        incoming = read_bundle(Path(args.file), args.file)
        clinic = open_clinic(args)
        result = import_bundle(clinic, incoming, args.file, role=args.role,
                               dry_run=args.dry_run, replace=args.replace)
    except BundleRefused as exc:
        raise UsageError(exc.message.render()) from None
    for line in summary_lines(result, args.dry_run):
        print(line.render())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from tracker.services.review import write_report

    out = _out_file(args.out)
    if args.from_date and args.to_date and args.to_date < args.from_date:
        raise ValidationError("--to", Message(N_(
            "{field} must be on or after --from {start} (got {value})."),
            {"start": args.from_date, "value": args.to_date}))
    clinic = open_clinic(args)
    pid = clinic.find_patient(args.patient)
    print(write_report(clinic, pid, out, args.from_date, args.to_date))
    return 0
