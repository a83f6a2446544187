"""The alerts the patient should see, in the patient's words
(:func:`tracker.clinical.patient_words.patient_alert`, not the clinician's wording)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from tracker.clinical.model import Alert
from tracker.clinical.patient_words import patient_alert
from tracker.i18n import _, format_date


class AlertPanel(Static):
    DEFAULT_CSS = """
    AlertPanel {
        height: auto;
        max-height: 8;
        border: round $warning;
        padding: 0 1;
        display: none;
    }
    AlertPanel.shown { display: block; }
    """

    def show_alerts(self, alerts: Sequence[Alert]) -> None:
        self.border_title = _("Please note")
        self.set_class(bool(alerts), "shown")
        text = Text()
        for index, alert in enumerate(alerts):
            if index:
                text.append("\n")
            text.append(f"{format_date(alert.day)}: ", style="bold")
            text.append(patient_alert(alert).render())
        self.update(text)
