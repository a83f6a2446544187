"""One patient's review (SPEC §8): is the titration on track, did side effects force a
reduction, are the target symptoms improving, is the patient adherent?

Everything is read and computed in a worker (:func:`tracker.services.review.load_review` and the
pandas maths of :mod:`tracker.analysis`), then drawn: the status and adherence, a chart of the
dose and the symptom scores, and tabs with the alerts (dismissed with a reason, audited), the
episodes, the symptom trends and the mean scores per dose. ``e`` writes the CSV export, ``r``
the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from tracker.clinical.labels import alert_status_label, phase_label
from tracker.clinical.progress import MONTH_DAYS, TREND_WINDOW_DAYS, WEEK_DAYS
from tracker.i18n import N_, _, format_percent
from tracker.screens.base import TrackerScreen
from tracker.services.clinic import Clinic
from tracker.validation import problem_text as _problem
from tracker.validation import today as current_day
from tracker.widgets.chart_axes import bands_of
from tracker.widgets.clinic_chart import ChartData, ReviewChart
from tracker.widgets.footer import Footer


@dataclass(frozen=True)
class ReviewData:
    """What the screen shows, computed off the event loop."""

    summary: dict[str, Any]
    chart: ChartData
    # day, code, message, status (SPEC §13): the open ones first, then the resolved and the
    # dismissed, each newest first
    alerts: list[tuple[date, str, str, str]]
    # the upcoming reminders apart, soonest first: day, code, message
    upcoming: list[tuple[date, str, str]] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(1 for a in self.alerts if a[3] == "open")


def build_review(clinic: Clinic, pid: int) -> ReviewData:
    """The summary, the chart's series and the open alerts of one patient (pandas inside)."""
    import pandas as pd

    from tracker.analysis import plan_frame, scores_frame
    from tracker.analysis.series import symptom_series
    from tracker.services.review import _medications, load_review, summary_of

    review = load_review(clinic, pid)
    summary = summary_of(review, _medications(clinic, pid))
    plan = plan_frame(review.plan)
    scores = scores_frame(review.diary.scores)
    first_days = [d for d in (*plan["date"], *scores["date"])]
    start = min((pd.Timestamp(d).date() for d in first_days), default=review.today)

    def offset(value: Any) -> int:
        return (pd.Timestamp(value).date() - start).days

    dose = [(offset(d), float(mg)) for d, mg in zip(plan["date"], plan["dose_mg"], strict=True)]
    bands = bands_of((offset(d), phase) for d, phase in zip(plan["date"], plan["phase"],
                                                             strict=True))
    symptoms = {name: [(offset(d), v) for d, v in points]
                for name, points in symptom_series(scores).items()}
    chart = ChartData(start=start, today=(review.today - start).days, dose=dose,
                      symptoms=symptoms, bands=bands)
    newest = sorted(review.states, key=lambda a: (a.day, a.code), reverse=True)
    attention = sorted((a for a in newest if a.status != "upcoming"),
                       key=lambda a: a.status != "open")  # stable: newest first in each
    alerts: list[tuple[date, str, str, str]] = [
        (a.day, a.code, a.message.render(), a.status) for a in attention]
    upcoming = [(a.day, a.code, a.message.render()) for a in reversed(newest)
                if a.status == "upcoming"]
    return ReviewData(summary, chart, alerts, upcoming)


class PatientReviewScreen(TrackerScreen):
    """The clinician's view of one patient."""

    DEFAULT_CSS = """
    PatientReviewScreen #status { height: auto; padding: 0 1; }
    PatientReviewScreen ReviewChart { height: 12; }
    PatientReviewScreen TabbedContent { height: 1fr; }
    PatientReviewScreen TabPane { padding: 0; }
    PatientReviewScreen DataTable { height: 1fr; }
    PatientReviewScreen #alert-detail { height: auto; max-height: 4; padding: 0 1;
        background: $boost; }
    """
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("d", "dismiss_alert", N_("Dismiss alert")),
        Binding("e", "export", N_("Export CSV")),
        Binding("r", "report", N_("Report")),
        Binding("f5", "reload", N_("Refresh")),
        Binding("c", "back", N_("Back"), show=False),  # the clinic is one step back
    ]

    @dataclass
    class Loaded(Message):
        data: ReviewData | None
        error: str | None = None

    def __init__(self, clinic: Clinic, patient_id: int) -> None:
        super().__init__()
        self.clinic = clinic
        self.patient_id = patient_id
        self.data: ReviewData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading the review…"), id="status")
        yield ReviewChart(id="chart")
        with TabbedContent(id="tabs"):
            with TabPane(_("Alerts"), id="tab-alerts"):
                yield DataTable(id="alerts", cursor_type="row", zebra_stripes=True)
                yield Static("", id="alert-detail")
            with TabPane(_("Upcoming"), id="tab-upcoming"):
                yield DataTable(id="upcoming", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Episodes"), id="tab-episodes"):
                yield DataTable(id="episodes", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Symptoms"), id="tab-symptoms"):
                yield DataTable(id="symptoms", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Dose steps"), id="tab-steps"):
                yield DataTable(id="steps", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Dose response"), id="tab-response"):
                yield DataTable(id="response", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Review")
        self.add_columns()
        self.load()

    def after_relabel(self) -> None:
        self.title = _("Review")
        self.add_columns()
        self.load()

    def add_columns(self) -> None:
        n = TREND_WINDOW_DAYS
        columns = {
            "alerts": ((_("Date"), 10), (_("Code"), 24), (_("Status"), 9), (_("Alert"), None)),
            "upcoming": ((_("Date"), 10), (_("Code"), 24), (_("Alert"), None)),
            "episodes": ((_("Start"), 10), (_("End"), 10), (_("Days"), 4),
                         (_("Worst"), 5), (_("Side effects"), 30), (_("Dose halved"), 12)),
            "symptoms": ((_("Symptom"), 11), (_("Baseline"), 8), (_("Baseline window"), 27),
                         (_("Last 28 days"), 12), (_("Change"), 7), (_("Change (%)"), 10),
                         (_("Responder"), 9),
                         (_("{n}-day mean today").format(n=n), 10), (_("Per week"), 8)),
            "steps": ((_("Date"), 10), (_("Step"), 22), (_("Symptom"), 16),
                      (_("7 days before"), 13), (_("Days 8–14 after"), 15), (_("Change"), 7)),
            "response": ((_("Dose"), 9), (_("Symptom"), 18), (_("Mean score"), 10),
                         (_("Days"), 5)),
        }
        for table_id, headings in columns.items():
            table = self.query_one(f"#{table_id}", DataTable)
            for heading, width in headings:
                table.add_column(heading, width=width)

    # -- loading -------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="review")
    def load(self) -> None:
        try:
            data = build_review(self.clinic, self.patient_id)
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            self.post_message(self.Loaded(None, _problem(exc)))
            return
        self.post_message(self.Loaded(data))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        if message.data is None:
            self.query_one("#status", Static).update(
                _("Could not load the review: {error}").format(error=message.error))
            return
        self.data = message.data
        self.fill(message.data)

    def fill(self, data: ReviewData) -> None:
        # The summary's own formatting: the same figure reads the same on screen and in text.
        from tracker.analysis.summary import display_name
        from tracker.analysis.summary_text import mg_text, score_text, signed_text

        s = data.summary
        patient = s["patient"]
        self.sub_title = f"{patient['name']} ({patient['id']})"
        phase = _(phase_label(s["phase"]))
        next_step = (_("next step {date} to {dose}").format(date=s["next_step_date"],
                                                           dose=mg_text(s["next_step_mg"]))
                     if s["next_step_date"] else _("no step-up planned"))
        lines = [
            _("{name} · today {today} · dose {dose} · {phase} · {next}").format(
                name=patient["name"], today=s["today"], dose=mg_text(s["current_dose_mg"]),
                phase=phase, next=next_step),
            _("Adherence: {week_days} days {week} · {month_days} days {month} · overall "
              "{overall} · reductions: {n} · open alerts: {alerts}").format(
                week_days=WEEK_DAYS, month_days=MONTH_DAYS,
                week=format_percent(s["adherence_7d"]),
                month=format_percent(s["adherence_30d"]),
                overall=format_percent(s["adherence_overall"]), n=s["reductions"],
                alerts=data.open_count),
            _intake_line(s.get("intake") or {}),
        ]
        self.query_one("#status", Static).update("\n".join(lines))
        self.query_one(ReviewChart).show(data.chart)

        alerts = self.query_one("#alerts", DataTable)
        alerts.clear()
        for day, code, text, status in data.alerts:
            alerts.add_row(day.isoformat(), code, _(alert_status_label(status)), text,
                           key=f"{code}|{day.isoformat()}")
        upcoming = self.query_one("#upcoming", DataTable)
        upcoming.clear()
        for day, code, text in data.upcoming:
            upcoming.add_row(day.isoformat(), code, text, key=f"{code}|{day.isoformat()}")
        self.show_alert_detail()
        if self.focused is None or not isinstance(self.focused, DataTable):
            alerts.focus()
        episodes = self.query_one("#episodes", DataTable)
        episodes.clear()
        for e in reversed(s["episodes"]):
            episodes.add_row(e["start"], e["end"], str(e["duration"]), str(e["worst_severity"]),
                             ", ".join(display_name(n) for n in e["effects"]),
                             _("yes, {date}").format(date=e["fired_on"]) if e["fired"]
                             else _("no"))
        symptoms = self.query_one("#symptoms", DataTable)
        symptoms.clear()
        for sym in s["symptoms"]:
            responder = sym.get("responder")
            pct = sym.get("change_28d_pct")
            symptoms.add_row(
                display_name(sym["symptom"]), score_text(sym["baseline"]),
                _window(sym.get("baseline_from"), sym.get("baseline_to"),
                        sym.get("baseline_days")),
                score_text(sym.get("last_28d")), signed_text(sym.get("change_28d")),
                "–" if pct is None else f"{signed_text(pct)} %",
                "–" if responder is None else (_("yes") if responder else _("no")),
                score_text(sym.get("rolling_mean")), signed_text(sym["slope_per_week"]))
        steps = self.query_one("#steps", DataTable)
        steps.clear()
        for step in reversed(s.get("dose_steps", [])):
            kind = _("step up") if step["kind"] == "step_up" else _(phase_label("reduction"))
            what = f"{kind} {mg_text(step['from_mg'])} → {mg_text(step['to_mg'])}"
            for k, point in enumerate(step["symptoms"]):
                steps.add_row(step["date"] if k == 0 else "", what if k == 0 else "",
                              display_name(point["symptom"]),
                              f"{score_text(point['before'])} ({point['before_days']})",
                              f"{score_text(point['after'])} ({point['after_days']})",
                              signed_text(point["change"]))
        response = self.query_one("#response", DataTable)
        response.clear()
        for point in s["dose_response"]:
            response.add_row(mg_text(point["dose_mg"]), display_name(point["symptom"]),
                             score_text(point["mean"]), str(point["days"]))

    @on(DataTable.RowHighlighted, "#alerts")
    def show_alert_detail(self) -> None:
        """The whole message of the alert under the cursor (the table cuts long ones)."""
        chosen = self.selected_alert()
        detail = self.query_one("#alert-detail", Static)
        detail.display = chosen is not None
        detail.update("" if chosen is None else chosen[2])

    # -- actions -------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def selected_alert(self) -> tuple[str, date, str, str] | None:
        """The code, day, message and status of the alert under the Alerts tab's cursor."""
        table = self.query_one("#alerts", DataTable)
        if self.data is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        code, _sep, iso = key.partition("|")
        for day, c, text, status in self.data.alerts:
            if c == code and day.isoformat() == iso:
                return code, day, text, status
        return None

    def action_dismiss_alert(self) -> None:
        from tracker.screens.clinic_dialogs import DismissAlertDialog

        chosen = self.selected_alert()
        if chosen is None:
            self.notify(_("No open alert to dismiss."), severity="warning")
            return
        code, day, text, status = chosen
        if status == "dismissed":
            self.notify(_("This alert is dismissed already."), severity="warning")
            return
        self.query_one("#tabs", TabbedContent).active = "tab-alerts"

        def answered(reason: str | None) -> None:
            if reason:
                self.dismiss_alert(code, day, reason)

        self.app.push_screen(DismissAlertDialog(f"{day.isoformat()} · {code}\n{text}"),
                             answered)

    @work(thread=True, exit_on_error=False, group="dismiss", description="dismiss_alert")
    def dismiss_alert(self, code: str, day: date, reason: str) -> None:
        try:
            self.clinic.dismiss_alert(self.patient_id, code, day, reason)
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            self.app.call_from_thread(self.notify, _("The alert was not dismissed: {error}")
                                      .format(error=_problem(exc)), severity="error")
            return
        self.app.call_from_thread(self.notify, _("Alert dismissed; the reason is in the audit "
                                                 "trail."))
        self.app.call_from_thread(self.load)

    def default_name(self) -> str:
        today = self.data.summary["today"] if self.data else current_day().isoformat()
        return f"patient-{self.patient_id}-{today}"

    def action_export(self) -> None:
        from tracker.screens.clinic_dialogs import FileChoice, FileDialog

        def chosen(choice: FileChoice | None) -> None:
            if choice is not None:
                self.export(choice)

        self.app.push_screen(FileDialog(
            _("Export this patient"),
            _("Directory for doses, side effects, scores, plan, alerts and summary (CSV):"),
            Path.home() / "ldn-tracker-export" / self.default_name(),
            ok_label=_("Export")), chosen)

    @work(thread=True, exit_on_error=False, group="export", description="export")
    def export(self, choice: Any) -> None:
        from tracker.services.review import export_patients

        try:
            written = export_patients(self.clinic, [self.patient_id], choice.path,
                                      choice.dialect)
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            self.app.call_from_thread(self.notify, _("Export failed: {error}").format(
                error=_problem(exc)), severity="error")
            return
        self.app.call_from_thread(self.notify, _("Wrote {n} files to {path}").format(
            n=len(written), path=choice.path))

    def action_report(self) -> None:
        from tracker.screens.clinic_dialogs import FileChoice, FileDialog

        def chosen(choice: FileChoice | None) -> None:
            if choice is not None:
                self.report(choice.path)

        self.app.push_screen(FileDialog(
            _("Write the report"), _("HTML file for the patient's journal:"),
            Path.home() / "ldn-tracker-reports" / f"{self.default_name()}.html",
            with_dialect=False, ok_label=_("Write report")), chosen)

    @work(thread=True, exit_on_error=False, group="report", description="report")
    def report(self, path: Path) -> None:
        from tracker.services.review import write_report

        try:
            written = write_report(self.clinic, self.patient_id, path)
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            self.app.call_from_thread(self.notify, _("The report was not written: {error}")
                                      .format(error=_problem(exc)), severity="error")
            return
        self.app.call_from_thread(self.notify, _("Report written to {path}").format(
            path=written))


def _window(first: str | None, last: str | None, days: int | None) -> str:
    """A dated window of the summary, with its year, and the days scored in it."""
    if first is None or last is None:
        return "–"
    return f"{first} – {last} ({days or 0})"


def _intake_line(intake: dict[str, Any]) -> str:
    """What happened against the plan (SPEC §8), the summary's counts."""
    if not intake.get("planned_days"):
        return ""
    return _("Against the plan since {first}: {planned} days planned · {taken} taken as "
             "planned · {other} another dose · {skipped} skipped · {missing} not logged"
             ).format(first=intake["from"], planned=intake["planned_days"],
                      taken=intake["taken_planned"], other=intake["taken_other"],
                      skipped=intake["skipped"], missing=intake["not_logged"])
