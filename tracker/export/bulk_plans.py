"""plan.csv, alerts.csv and summary.csv of ``export --all``: every patient's plan, computed from
the diary :mod:`tracker.export.bulk_diary` read, and what the summary says of it
(:mod:`tracker.export.bulk`).

A plan is thousands of days whose cells repeat (a few doses and phases, the same reasons day
after day), so the cells before and after the reason are looked up, and each distinct reason
is rendered once (:class:`Reasons`); the plans themselves are let go patient by patient.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import date, timedelta
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np
import pandas as pd

from tracker.analysis.bulk import summaries
from tracker.analysis.bulk_arrays import CohortFrames
from tracker.analysis.summary import progress_entries, summary_rows
from tracker.analysis.windows import dose_steps
from tracker.clinical import compute_plan, is_opioid
from tracker.clinical.alert_status import DISMISSED, alert_states
from tracker.clinical.horizons import OUTLOOK_DAYS, PLAN_HORIZON_DAYS, within
from tracker.clinical.model import PlannedDay
from tracker.export.bulk_diary import Diaries
from tracker.export.bulk_share import Share, chunk
from tracker.export.columns import EXPORT_FILES
from tracker.i18n import Message, _

_DOSE = attrgetter("dose_mg")


def plan_files(share: Share, diaries: Diaries) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """The share's parts of plan.csv and alerts.csv (every alert with its status, SPEC §13),
    from every patient's plan (until four weeks after today, computed as
    :func:`tracker.services.review.load_review` does); what the
    summary reads of each plan (where the treatment stands, the episodes, reductions and alerts
    not dismissed, the dose steps under ``steps``, and the days' doses as a frame). The plans
    themselves are let go patient by patient (~500 bytes a day)."""
    sep, nl, cell = share.sep, share.nl, share.cell
    reason = Reasons(cell).render
    dismissed: dict[int, set[tuple[str, date]]] = {}
    for p, alert_code, d in share.reader.dismissed():
        dismissed.setdefault(p, set()).add((alert_code, d))

    heads: dict[Any, str] = {}
    tails: dict[Any, str] = {}
    outlook_until = share.today + timedelta(days=OUTLOOK_DAYS)
    plan_until = share.today + timedelta(days=PLAN_HORIZON_DAYS)
    plans: list[dict[str, Any]] = []
    columns: dict[str, list[Any]] = {"patient": [], "day": [], "dose_mg": []}
    plan_k, alerts_k = EXPORT_FILES.index("plan"), EXPORT_FILES.index("alerts")
    for i, patient_id in enumerate(share.ids):
        diary = diaries.of(i, patient_id)
        outlook = compute_plan(share.patients[patient_id].settings, diary, outlook_until,
                               today=share.today, scores_in=diaries.scores.in_windows(i))
        plan = within(outlook, plan_until)
        gone = dismissed.get(patient_id, set())
        states = sorted(alert_states(plan, diary, share.today, gone),
                        key=lambda s: (s.day, s.code))
        alerts = [s.alert for s in states if s.status != DISMISSED]
        lines = _plan_lines(share, reason, plan.days, heads, tails)
        share.out[i][plan_k] = chunk(share.prefixes[i], lines)
        share.out[i][alerts_k] = chunk(share.prefixes[i], [
            f"{cell(s.day)}{sep}{cell(s.code)}{sep}{reason(s.message)}{sep}{cell(s.status)}{nl}"
            for s in states])
        plans.append({**progress_entries(outlook, diary, share.today),
                      "alerts": alerts,  # counted
                      "steps": dose_steps(plan, share.today)})  # taken out for the figures
        if plan.days:
            first = plan.days[0].day.toordinal()
            columns["patient"].append(np.full(len(plan.days), i, dtype=np.int64))
            columns["day"].append(np.arange(first, first + len(plan.days), dtype=np.int64))
            columns["dose_mg"].extend(map(_DOSE, plan.days))
    frame = pd.DataFrame({
        "patient": np.concatenate(columns["patient"]) if columns["patient"]
        else np.zeros(0, dtype=np.int64),
        "day": np.concatenate(columns["day"]) if columns["day"]
        else np.zeros(0, dtype=np.int64),
        "dose_mg": np.asarray(columns["dose_mg"], dtype=np.float64),
    })
    return plans, frame


def _plan_lines(share: Share, reason: Callable[[Message], str],
                days: Sequence[PlannedDay], heads: dict[Any, str], tails: dict[Any, str]
                ) -> list[str]:
    """plan.csv's lines of one plan (after the patient): the cells before the reason and
    after it repeat, and are looked up. Most days give the reason of the day before as the
    same object (a stretch at the target dose, planned at once): its cell is taken again
    without working out the sentence's key."""
    sep, nl, cell = share.sep, share.nl, share.cell
    lines: list[str] = []
    append, head_of, tail_of = lines.append, heads.get, tails.get
    last_reason: Message | None = None
    reason_cell = ""
    for planned in days:
        head_key = (planned.day, planned.dose_mg, planned.nominal_mg, planned.phase)
        head = head_of(head_key)
        if head is None:
            head = heads[head_key] = (
                f"{cell(planned.day)}{sep}{cell(float(planned.dose_mg))}{sep}"
                f"{cell(float(planned.nominal_mg))}{sep}{cell(planned.phase)}{sep}")
        tail_key = (planned.needs_liquid, planned.volume_ml, planned.step)
        tail = tail_of(tail_key)
        if tail is None:
            volume = None if planned.volume_ml is None else float(planned.volume_ml)
            tail = tails[tail_key] = (
                f"{sep}{cell(bool(planned.needs_liquid))}{sep}{cell(volume)}{sep}"
                f"{cell(int(planned.step))}{nl}")
        if planned.reason is not last_reason:
            last_reason = planned.reason
            reason_cell = reason(last_reason)
        append(head + reason_cell + tail)
    return lines


def summary_file(share: Share, plans: list[dict[str, Any]], frames: CohortFrames) -> None:
    """The share's parts of summary.csv: :func:`~tracker.analysis.summary.summary_frame`'s
    rows of every patient, then their medications."""
    sep, nl, cell = share.sep, share.nl, share.cell
    medications: dict[int, list[tuple[str, Any, Any, bool]]] = {}
    for p, name, start, end in share.medications:
        medications.setdefault(p, []).append(
            (name, start.isoformat() if start else None, end.isoformat() if end else None,
             is_opioid(name)))
    figures = summaries(frames)
    today = share.today.isoformat()
    k = EXPORT_FILES.index("summary")
    for i, patient_id in enumerate(share.ids):
        info = share.patients[patient_id]
        summary = {
            "patient": {"id": info.id, "name": info.name, "condition": info.condition,
                        "protocol": info.protocol},
            "today": today,
            **figures[i],
            **plans[i],
        }
        rows = summary_rows(summary)
        for n, (name, start, end, opioid) in enumerate(medications.get(patient_id, ()), 1):
            rows += [(f"medication.{n}.name", name), (f"medication.{n}.from", start),
                     (f"medication.{n}.to", end), (f"medication.{n}.opioid", opioid)]
        share.out[i][k] = chunk(share.prefixes[i],
                                [f"{cell(m)}{sep}{cell(v)}{nl}" for m, v in rows])


class Reasons:
    """Messages rendered as cells, each distinct sentence once."""

    def __init__(self, cell: Callable[[Any], str]) -> None:
        self.cell = cell
        self._reasons: dict[Any, str] = {}
        self._shown: dict[str, Callable[[Any], tuple[Any, ...]]] = {}

    def render(self, message: Message) -> str:
        """A message rendered, as a cell; rendered once per distinct sentence."""
        try:
            return self._reasons[self._message_key(message)]
        except (KeyError, TypeError):  # not yet, or a parameter missing or no key
            pass
        text = self.cell(message.render())
        with suppress(KeyError, TypeError):
            self._reasons[self._message_key(message)] = text
        return text

    def _message_key(self, message: Message) -> Any:
        """What a rendering depends on: the template and the parameters it shows (in the
        language's template too), each with its type (a bool renders unlike an int), nested
        messages by their own key."""
        template = message.template
        shown = self._shown.get(template) or self._shown_by(template)
        values = shown(message.params)
        types = tuple(map(type, values))
        if Message in types:
            values = tuple(self._message_key(v) if isinstance(v, Message) else v for v in values)
        return template, values, types

    def _shown_by(self, template: str) -> Callable[[Any], tuple[Any, ...]]:
        names = set()
        for text in (template, _(template)):
            for _literal, name, _spec, _conversion in string.Formatter().parse(text):
                if name is not None:
                    names.add(name.split(".")[0].split("[")[0])
        shown = self._shown[template] = _getter(sorted(names))
        return shown


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """``mapping -> (mapping[name] for name in names)``, at C speed."""
    if not names:
        return lambda _mapping: ()
    if len(names) == 1:
        one = itemgetter(names[0])
        return lambda mapping: (one(mapping),)
    return itemgetter(*names)
