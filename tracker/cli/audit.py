"""The handler of ``verify``: the audit trail's hash chain, every record against the trail, the
append-only triggers, and the anchor file, each told on stdout; the exit status says which
(SPEC §9)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracker.cli.opening import open_clinic
from tracker.i18n import N_, Message, _
from tracker.validation import ValidationError


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 intact, 1 broken (what and where, on stdout), 2 could not check (SPEC §9)."""
    anchor = None
    if args.anchor is not None:
        if not args.anchor.strip():
            raise ValidationError("--anchor", Message(N_("{field} must not be empty.")))
        anchor = Path(args.anchor)
    result = open_clinic(args).verify_audit(anchor)
    if result.ok:
        print(_("Audit trail intact: {rows} rows, hash chain verified.").format(rows=result.rows))
        print(_("Every record agrees with the audit trail: {records} rows in {tables} tables "
                "(patient_status is derived from them, not audited).").format(
                    records=result.records, tables=result.tables))
        print(_("The append-only triggers are in place and enabled."))
        if result.anchor is not None:
            now = result.anchor.current
            if result.anchor.recorded is None:
                print(_("Anchor {path} created: it records {rows} rows, head {head}. Keep it "
                        "where the database's users cannot write.").format(
                            path=anchor, rows=now.rows, head=now.head_hash))
            else:
                print(_("Anchor {path}: the trail still begins with the {recorded} rows it "
                        "recorded; it now records {rows} rows, head {head}.").format(
                            path=anchor, recorded=result.anchor.recorded.rows, rows=now.rows,
                            head=now.head_hash))
        return 0
    print(_("Not intact. Problems found: {count}.").format(count=result.problem_count))
    for problem in result.problems:
        print(f"- {problem.render()}")
    if result.unlisted:
        counts = ", ".join(f"{table} {n}" for table, n in result.differences_per_table.items())
        print(_("... and {more} more records that differ from the audit trail (per table: "
                "{counts}).").format(more=result.unlisted, counts=counts))
    if result.anchor is not None:
        print(_("The anchor {path} was left as it was.").format(path=anchor))
    return 1
