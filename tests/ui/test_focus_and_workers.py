"""Two things the evening's keys cost that a patient never sees, held to what they should be.

- Textual names a worker after its method and the ``repr`` of its arguments unless told
  otherwise: the Today screen's worker would carry the patient's whole day (name, doses, the
  note) into Textual's log, and building that text took ~12 ms of the cold start.
- A ``:focus-within`` rule makes Textual restyle the whole subtree of every widget it could
  match at each focus move; the check-in form's rule matched the form itself (a ``Vertical``),
  so every Tab restyled its ~20 widgets. The highlighted box must still follow the focus.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import Vertical
from textual.worker import Worker

from tests.ui.conftest import TODAY, settle
from tracker.app import create_app
from tracker.services.clinic import Clinic
from tracker.widgets.check_in_form import CheckInForm

NOTE = "slept badly after the party"


async def test_no_worker_is_named_after_the_patient_s_data(
        ui_clinic: Clinic, patient_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    named: list[str] = []
    start = Worker.__init__

    def recording(self: Worker[Any], *args: Any, **kwargs: Any) -> None:
        start(self, *args, **kwargs)
        named.append(self.description)

    monkeypatch.setattr(Worker, "__init__", recording)
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e", *NOTE, "escape", "t", "s")
        await settle(pilot)
    assert ui_clinic.day_entries(patient_id, TODAY).note == NOTE  # it was saved
    # The workers that hold the day ran.
    assert all(any(d.startswith(name) for d in named) for name in ("count_adherence", "save"))
    for description in named:
        assert "Test Patient" not in description and NOTE not in description
        assert "DayView(" not in description and "CheckIn(" not in description


async def test_the_highlighted_box_follows_the_focus_and_only_it_is_restyled(
        ui_clinic: Clinic, patient_id: int) -> None:
    app = create_app(clinic=ui_clinic)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = app.screen.query_one(CheckInForm)
        effects, scores = form.query_one("#effects-box", Vertical), \
            form.query_one("#scores-box", Vertical)

        def border(box: Vertical) -> Any:
            return box.styles.border_top[1]

        assert app.focused is not None and effects in app.focused.ancestors
        highlighted, plain = border(effects), border(scores)
        assert highlighted != plain
        # The two boxes and what is inside them, not the whole form.
        inside = len(list(effects.walk_children(with_self=True))) + \
            len(list(scores.walk_children(with_self=True)))
        assert inside < len(list(form.walk_children(with_self=True)))

        restyled: list[int] = []
        update_nodes = app.stylesheet.update_nodes

        def counting(nodes: Any, animate: bool = False) -> None:
            nodes = list(nodes)
            restyled.append(len(nodes))
            update_nodes(nodes, animate=animate)

        app.stylesheet.update_nodes = counting  # type: ignore[method-assign]
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is not None and scores in app.focused.ancestors
        assert border(scores) == highlighted and border(effects) == plain
    assert restyled and max(restyled) <= inside
