"""The clinic's patients at a glance (SPEC §8 "per clinic: every patient with their flags,
sortable"): whom to look at first, and Enter to review one.

The rows come from ``Clinic.cohort_status()`` (a derived status kept current by every diary
write), read in a worker thread. Everything done here is recorded under the actor of the
Clinic the screen is given: only the clinician's app (``--role clinician``, SPEC §10) opens
this screen, with a Clinic whose audit rows say ``clinician:<login name>``. The screen never
makes a clinician of whoever opened it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import ColumnKey

from tracker.clinical.labels import PHASE_LABELS, phase_label, protocol_label
from tracker.i18n import N_, _, format_mg, format_percent, ngettext
from tracker.memory import collection_paused, freeze_long_lived
from tracker.screens.base import TrackerScreen
from tracker.screens.clinic_rows import (
    COLUMN_KEYS,
    COLUMNS,
    URGENCY_COLUMNS,
    CohortRow,
    cohort_rows,
    flag_cells,
    iso_day,
)
from tracker.services.clinic import Clinic
from tracker.services.roles import CLINICIAN
from tracker.services.status_refresh import BackgroundRefresh
from tracker.validation import problem_text, today
from tracker.widgets.fixed_table import FixedColumnsTable
from tracker.widgets.footer import Footer

FIRST_SORT = "hold"
NAME_WIDTH_MAX = 24  # the Name column fits the longest name up to this; a longer one ends "…"
DRAW_WAIT_S = 5.0  # the stale rows' refresh waits this long at most for the first drawing


def _count_cell(count: int) -> str:
    return str(count) if count else ""


def _phase_cell(phase: str) -> str:
    return _(phase_label(phase))


def _protocol_cell(protocol: str) -> str:
    return _(protocol_label(protocol))


def _column_width(key: str) -> int:
    """The width a column of :data:`COLUMNS` has at the least."""
    return next(width for k, _heading, width, _sort in COLUMNS if k == key)


def _upcoming(day: date | None) -> str:
    return "" if day is None else day.isoformat()


class ClinicScreen(TrackerScreen):
    """Every patient with their flags; sortable; Enter reviews the patient under the cursor."""

    DEFAULT_CSS = """
    ClinicScreen #cohort-info { height: 1; padding: 0 1; color: $text-muted; }
    ClinicScreen #cohort { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("enter", "open", N_("Review"), show=True, priority=False),
        Binding("s", "sort_next", N_("Sort")),
        Binding("o", "reverse", N_("Reverse")),
        Binding("e", "export", N_("Export all")),
        Binding("i", "import_file", N_("Import file")),
        Binding("f5", "reload", N_("Refresh")),
        Binding("c", "nothing", show=False),  # already in the clinic
    ]

    @dataclass
    class Loaded(Message):
        rows: list[CohortRow]
        error: str | None = None
        refreshing: int = 0  # rows from an earlier day, being recomputed in the background

    def __init__(self, clinic: Clinic, *, home: bool = False) -> None:
        """``home``: the clinician's app's base screen, with nothing behind it to go back to
        (Escape does nothing there, and the footer does not offer it)."""
        super().__init__()
        self.clinic = clinic
        self.home = home
        self.rows: list[CohortRow] = []
        self.sort_key = FIRST_SORT
        self.reverse = False
        self.loaded = False
        self.refreshing = 0
        # Set once the stored rows are drawn: only then does the worker recompute the stale
        # ones, which holds the interpreter (the GIL) for seconds and would slow the drawing.
        self.drawn = threading.Event()
        # Stale rows are recomputed in a process of their own (the GIL stays the screen's),
        # stopped when the screen goes.
        self.refresher = BackgroundRefresh()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading the clinic's patients…"), id="cohort-info")
        yield FixedColumnsTable(id="cohort", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_unmount(self) -> None:
        self.refresher.stop()
        self.drawn.set()  # a worker still waiting for the drawing goes on, and finds it stopped

    def on_mount(self) -> None:
        # The 2,000 rows set off full collections that walked every object of the app,
        # ~100–140 ms each (docs/performance.md "second step"): frozen once a process.
        freeze_long_lived("clinic")
        self.title = _("Clinic")
        self.sub_title = _("Patients and flags")
        self.add_columns()
        self.load()

    def add_columns(self, fitted: dict[str, int] | None = None) -> None:
        table = self.query_one("#cohort", DataTable)
        for key, heading, width, _sort in COLUMNS:
            if key == "phase":  # every phase's label in full, in this language
                width = max(len(_(label)) for label in PHASE_LABELS.values())
            table.add_column(_(heading), key=key, width=(fitted or {}).get(key, width))

    def fit_columns(self) -> None:
        """The Id column as wide as the longest id and the Name column as the longest name
        (up to NAME_WIDTH_MAX, a longer one ends in "…"): a cut id or name could pass for
        another patient's ("124" for 1244; "Patient 0069" for 00690 and 00691)."""
        table = self.query_one("#cohort", DataTable)
        fitted = {"id": max([len(str(r.id)) for r in self.rows], default=0),
                  "name": min(NAME_WIDTH_MAX, max([len(r.name) for r in self.rows], default=0))}
        now = {key: column.width for key, column in
               ((k, table.columns.get(ColumnKey(k))) for k in fitted) if column is not None}
        wanted = {key: max(width, _column_width(key)) for key, width in fitted.items()}
        if now != wanted:
            table.clear(columns=True)
            self.add_columns(wanted)

    def after_relabel(self) -> None:
        self.title = _("Clinic")
        self.sub_title = _("Patients and flags")
        self.add_columns()
        self.fill()

    # -- loading -------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="cohort")
    def load(self) -> None:
        # The stored rows at once (only patients without any row are computed first); rows
        # from an earlier day are recomputed afterwards, here in the worker, and shown again.
        self.drawn.clear()
        try:
            self.clinic.refresh_status(self.clinic.stale_status(missing_only=True))
            stale = self.clinic.stale_status()
            self.post_message(self.Loaded(cohort_rows(self.clinic, refresh_stale=False),
                                          refreshing=len(stale)))
            if stale:
                self.drawn.wait(timeout=DRAW_WAIT_S)
                self.refresher.run(self.clinic, stale)
                self.post_message(self.Loaded(cohort_rows(self.clinic, refresh_stale=False)))
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            self.post_message(self.Loaded([], error=f"{type(exc).__name__}: {exc}"))

    @on(Loaded)
    def show_rows(self, message: Loaded) -> None:
        if message.error is not None:
            self.query_one("#cohort-info", Static).update(
                _("Could not read the clinic: {error}").format(error=message.error))
            return
        self.rows = message.rows
        self.refreshing = message.refreshing
        self.loaded = True
        self.fill()
        self.call_after_refresh(self.drawn.set)

    def sorted_rows(self) -> list[CohortRow]:
        key = dict((c[0], c[3]) for c in COLUMNS)[self.sort_key]
        return sorted(self.rows, key=key, reverse=self.reverse)

    def fill(self) -> None:
        table = self.query_one("#cohort", FixedColumnsTable)
        selected = self.selected_id()
        table.clear()
        self.fit_columns()
        cache: dict[tuple[str, ...], list[Text | str]] = {}
        texts: dict[Any, Text] = {}
        with collection_paused():  # 2,000 rows of ~16 cells: objects the table keeps
            table.add_keyed_rows((str(row.id), self.cells(row, cache, texts))
                                 for row in self.sorted_rows())
            # The first rows live as long as the screen shows them (~25,000 objects for
            # 2,000 patients): left out of the collections that would otherwise walk them two
            # or three times while the first frame is drawn (~20 ms, now and then a full
            # collection of ~100 ms; docs/performance.md). Once a process, as at mounting.
            freeze_long_lived("clinic rows")
        if selected is not None and str(selected) in {str(r.id) for r in self.rows}:
            table.move_cursor(row=table.get_row_index(str(selected)))
        flagged = sum(1 for r in self.rows if r.flags)
        heading = dict((c[0], c[1]) for c in COLUMNS)[self.sort_key]
        order = _("descending") if self.reverse else _("ascending")
        if self.sort_key in URGENCY_COLUMNS:
            order = _("least urgent first") if self.reverse else _("most urgent first")
        info = _("{n} patients, {flagged} flagged · sorted by {column} ({order}) · "
                 "Enter reviews a patient").format(
                    n=len(self.rows), flagged=flagged, column=_(heading), order=order)
        if self.refreshing:
            info += " · " + _("updating {n} rows from an earlier day…").format(
                n=self.refreshing)
        self.query_one("#cohort-info", Static).update(info)

    @staticmethod
    def cells(row: CohortRow, cache: dict[tuple[str, ...], list[Text | str]] | None = None,
              texts: dict[Any, Text] | None = None) -> list[Text]:
        """The row's cells as ``Text``: the table takes a ``str`` for console markup (a name
        with "[" in it would be misread) and parses it, ~15 µs a cell, 32,000 cells for a
        clinic of 2,000. Equal cells are one object, formatted once (``texts``, by column and
        value: a clinic has few doses, days, phases, protocols), as the flags are (``cache``)."""
        shared: dict[Any, Text] = {} if texts is None else texts

        def text(value: Text | str) -> Text:
            if isinstance(value, Text):
                return value
            found = shared.get(value)
            if found is None:
                found = shared[value] = Text(value)
            return found

        def once(kind: str, value: Any, shown: Callable[[Any], str]) -> Text:
            found = shared.get((kind, value))
            if found is None:
                found = shared[(kind, value)] = text(shown(value))
            return found

        count = len(row.open_alerts)
        return [
            Text(str(row.id)), Text(row.name, overflow="ellipsis", no_wrap=True),
            once("open", count, _count_cell),
            *(text(c) for c in flag_cells(row, {} if cache is None else cache)),
            once("phase", row.phase, _phase_cell), once("dose", row.dose_mg, format_mg),
            once("adherence", row.adherence_30d, format_percent),
            once("day", row.last_entry, iso_day), once("protocol", row.protocol, _protocol_cell),
            once("day", row.next_step, iso_day), once("upcoming", row.next_upcoming, _upcoming),
        ]

    def selected_id(self) -> int | None:
        table = self.query_one("#cohort", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - no cursor yet
            return None
        return int(key.value) if key.value is not None else None

    # -- actions -------------------------------------------------------------------------------

    def sort_by(self, key: str) -> None:
        if key == self.sort_key:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = key, False
        self.fill()

    @on(DataTable.HeaderSelected, "#cohort")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value in COLUMN_KEYS:
            self.sort_by(event.column_key.value)

    def action_sort_next(self) -> None:
        index = COLUMN_KEYS.index(self.sort_key)
        self.sort_key, self.reverse = COLUMN_KEYS[(index + 1) % len(COLUMN_KEYS)], False
        self.fill()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.fill()

    def action_reload(self) -> None:
        self.load()

    def action_nothing(self) -> None:
        """``c`` leads to the clinic from a patient's screens; here it is open already."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "back" and self.home)

    def action_back(self) -> None:
        if not self.home:
            self.app.pop_screen()

    @on(DataTable.RowSelected, "#cohort")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_review(int(event.row_key.value))

    def action_open(self) -> None:
        pid = self.selected_id()
        if pid is not None:
            self.open_review(pid)

    def open_review(self, pid: int) -> None:
        def back(_result: object) -> None:
            self.load()  # dismissals change the flags

        self.tracker.show_review(self.clinic, pid, back)

    def action_export(self) -> None:
        if not self.rows:
            self.notify(_("There are no patients to export."), severity="warning")
            return
        from tracker.screens.clinic_dialogs import FileChoice, FileDialog

        default = Path.home() / "ldn-tracker-export" / f"clinic-{today().isoformat()}"

        def chosen(choice: FileChoice | None) -> None:
            if choice is not None:
                self.export([r.id for r in self.rows], choice)

        self.app.push_screen(FileDialog(
            _("Export every patient"),
            _("Directory for doses, side effects, scores, plan, alerts and summary (CSV):"),
            default, ok_label=_("Export")), chosen)

    @work(thread=True, exit_on_error=False, group="export", description="export")
    def export(self, ids: list[int], choice: Any) -> None:
        from tracker.export.bulk import default_workers
        from tracker.services.review import export_patients

        try:  # in worker processes for a big clinic, as the command line's export --all
            written = export_patients(self.clinic, ids, choice.path, choice.dialect,
                                      workers=default_workers(len(ids)))
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            self.app.call_from_thread(self.notify, _("Export failed: {error}").format(
                error=problem_text(exc)), severity="error")
            return
        self.app.call_from_thread(self.notify, _("Wrote {n} files to {path}").format(
            n=len(written), path=choice.path))

    def action_import_file(self) -> None:
        """A patient's FHIR file taken in (SPEC §11): previewed first, then imported; the new
        or updated patient is in the list once it is."""
        from tracker.screens.import_dialog import ImportDialog

        def done(result: Any) -> None:
            if result is None:
                return
            text = ngettext("Imported patient {patient}: {count} entry added",
                            "Imported patient {patient}: {count} entries added",
                            result.entries_added).format(patient=result.patient_id,
                                                         count=result.entries_added)
            if result.entries_corrected:
                text += ", " + _("{count} corrected").format(count=result.entries_corrected)
            self.notify(text, timeout=10)
            self.load()

        # Only the clinician's app opens this screen (the docstring above).
        self.app.push_screen(ImportDialog(self.clinic, CLINICIAN), done)
