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

from tracker.clinical.flags import FLAG_ORDER, flag_rank
from tracker.clinical.labels import PHASE_LABELS, phase_label, protocol_label
from tracker.i18n import N_, _, format_mg, format_percent, ngettext
from tracker.screens.base import TrackerScreen
from tracker.services.clinic import Clinic
from tracker.services.roles import CLINICIAN
from tracker.services.status_refresh import BackgroundRefresh
from tracker.validation import problem_text, today
from tracker.widgets.fixed_table import FixedColumnsTable
from tracker.widgets.footer import Footer

# The cohort's flags (tracker/clinical/flags.py) in columns of their own, the opioid hold and
# the transplant caution first (SPEC §13): column key, heading, width, the flags it shows with
# their short labels (most urgent first), and the cell's style.
FLAG_COLUMNS: tuple[tuple[str, str, int, tuple[tuple[str, str], ...], str], ...] = (
    ("hold", N_("Hold"), 6, (("opioid_contraindication", N_("opioid")),), "bold red"),
    ("transplant", N_("Transpl."), 8, (("transplant_caution", N_("caution")),), "bold red"),
    ("side_effects", N_("Side eff."), 12, (
        ("side_effect_reduction", N_("reduction")),
        ("persists_despite_reduction", N_("persists")),
        ("plateau", N_("plateau")),
        ("dose_maybe_too_high", N_("dose high?")),
    ), "red"),
    ("doses", N_("Doses"), 15, (
        ("missed_doses", N_("missed")),
        ("no_entry_3d", N_("no entry 3 d")),
        ("low_adherence", N_("adh. < 80 %")),
    ), "yellow"),
    ("info", N_("Info"), 7, (("information_pending", N_("pending")),), "yellow"),
    ("other", N_("Other"), 10, (
        ("thyroid_blood_test", N_("thyroid")),
        ("needs_liquid", N_("liquid")),
    ), ""),
)
FLAG_LABELS = {flag: label for column in FLAG_COLUMNS for flag, label in column[3]}


@dataclass(frozen=True)
class CohortRow:
    """One patient's line, with the values the columns sort by."""

    id: int
    name: str
    protocol: str
    phase: str
    dose_mg: float
    adherence_30d: float | None
    last_entry: date | None
    next_step: date | None
    open_alerts: tuple[str, ...]  # the code of every open alert, most urgent first
    flags: tuple[str, ...]  # most urgent first
    next_upcoming: date | None = None

    def flagged(self, column: str) -> tuple[str, ...]:
        """This row's flags shown in a flag column, most urgent first."""
        shown = _COLUMN_FLAGS[column]
        return tuple(f for f in self.flags if f in shown)


_COLUMN_FLAGS = {column[0]: frozenset(f for f, _label in column[3]) for column in FLAG_COLUMNS}


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value)


def urgency(row: CohortRow) -> tuple[Any, ...]:
    """Most urgent first: by the most urgent flag (an opioid hold before a transplant caution
    before every other flag), then the number of flags and of open alerts; unflagged last."""
    top = flag_rank(row.flags[0]) if row.flags else len(FLAG_ORDER) + 1
    return (top, -len(row.flags), -len(row.open_alerts), row.name.casefold(), row.id)


def _flag_column_sort(key: str) -> Callable[[CohortRow], Any]:
    return lambda r: (not r.flagged(key), urgency(r))


# column key, heading, width, sort key (ascending). The hold's column sorts by urgency (the
# first order); another flag's puts the rows it flags first, the most urgent first.
COLUMNS: tuple[tuple[str, str, int, Callable[[CohortRow], Any]], ...] = (
    ("id", N_("Id"), 3, lambda r: r.id),
    ("name", N_("Name"), 12, lambda r: (r.name.casefold(), r.id)),
    ("open", N_("Open"), 4, lambda r: (-len(r.open_alerts), urgency(r))),
    ("hold", N_("Hold"), 6, urgency),
    *((key, heading, width, _flag_column_sort(key))
      for key, heading, width, _flags, _style in FLAG_COLUMNS[1:]),
    ("phase", N_("Phase"), 11, lambda r: (r.phase, r.id)),
    ("dose", N_("Dose"), 7, lambda r: (r.dose_mg, r.id)),
    ("adherence", N_("Adh. 30d"), 8, lambda r: (*_none_last(r.adherence_30d), r.id)),
    ("last_entry", N_("Last entry"), 10, lambda r: (*_none_last(r.last_entry), r.id)),
    ("protocol", N_("Protocol"), 16, lambda r: (r.protocol, r.id)),
    ("next_step", N_("Next step"), 10, lambda r: (*_none_last(r.next_step), r.id)),
    ("upcoming", N_("Upcoming"), 10, lambda r: (*_none_last(r.next_upcoming), r.id)),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)
URGENCY_COLUMNS = tuple(c[0] for c in FLAG_COLUMNS) + ("open",)
FIRST_SORT = "hold"
DRAW_WAIT_S = 5.0  # the stale rows' refresh waits this long at most for the first drawing


def cohort_rows(clinic: Clinic, refresh_stale: bool = True) -> list[CohortRow]:
    rows = []
    for info, status in clinic.cohort_status(refresh_stale=refresh_stale):
        rows.append(CohortRow(
            id=info.id, name=info.name, protocol=info.protocol, phase=status.phase,
            dose_mg=status.dose_mg, adherence_30d=status.adherence_30d,
            last_entry=status.last_entry, next_step=status.next_step_date,
            open_alerts=tuple(c for c in (status.open_alerts or "").split(",") if c),
            flags=tuple(sorted((f for f in (status.flags or "").split(",") if f),
                               key=flag_rank)),
            next_upcoming=status.next_upcoming))
    return rows


def flag_cell(row: CohortRow, key: str, style: str) -> Text | str:
    """The most urgent of the row's flags of one column, and how many more ("+1")."""
    shown = row.flagged(key)
    if not shown:
        return ""
    more = f" +{len(shown) - 1}" if len(shown) > 1 else ""
    return Text(_(FLAG_LABELS[shown[0]]) + more, style=style)


def flag_cells(row: CohortRow, cache: dict[tuple[str, ...], list[Text | str]]
               ) -> list[Text | str]:
    """The flag columns' cells of a row; rows with the same flags share them (a clinic has
    few distinct combinations, and the table only reads its cells)."""
    cells = cache.get(row.flags)
    if cells is None:
        cells = cache[row.flags] = [flag_cell(row, key, style)
                                    for key, _h, _w, _f, style in FLAG_COLUMNS]
    return cells


def _iso(value: date | None) -> str:
    return "–" if value is None else value.isoformat()


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
        self.title = _("Clinic")
        self.sub_title = _("Patients and flags")
        self.add_columns()
        self.load()

    def add_columns(self) -> None:
        table = self.query_one("#cohort", DataTable)
        for key, heading, width, _sort in COLUMNS:
            if key == "phase":  # every phase's label in full, in this language
                width = max(len(_(label)) for label in PHASE_LABELS.values())
            table.add_column(_(heading), key=key, width=width)

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
        table = self.query_one("#cohort", DataTable)
        selected = self.selected_id()
        table.clear()
        cache: dict[tuple[str, ...], list[Text | str]] = {}
        texts: dict[str, Text] = {}
        for row in self.sorted_rows():
            table.add_row(*self.cells(row, cache, texts), key=str(row.id))
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
              texts: dict[str, Text] | None = None) -> list[Text]:
        """The row's cells as ``Text``: the table takes a ``str`` for console markup (a name
        with "[" in it would be misread) and parses it, ~15 µs a cell, 32,000 cells for a
        clinic of 2,000; equal texts are one object (``texts``), as the flags are (``cache``)."""
        shared: dict[str, Text] = {} if texts is None else texts

        def text(value: Text | str) -> Text:
            if isinstance(value, Text):
                return value
            found = shared.get(value)
            if found is None:
                found = shared[value] = Text(value)
            return found

        count = len(row.open_alerts)
        return [text(c) for c in (
            str(row.id), row.name, str(count) if count else "",
            *flag_cells(row, {} if cache is None else cache),
            _(phase_label(row.phase)), format_mg(row.dose_mg),
            format_percent(row.adherence_30d), _iso(row.last_entry),
            _(protocol_label(row.protocol)), _iso(row.next_step),
            "" if row.next_upcoming is None else row.next_upcoming.isoformat(),
        )]

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

    @work(thread=True, exit_on_error=False, group="export")
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
