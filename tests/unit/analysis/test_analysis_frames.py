from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tracker.analysis import (
    alerts_frame,
    doses_frame,
    effects_frame,
    episodes_frame,
    plan_frame,
    scores_frame,
)
from tracker.clinical.model import (
    Alert,
    DoseEntry,
    EffectEntry,
    Episode,
    Plan,
    PlannedDay,
    ScoreEntry,
)
from tracker.i18n import Message

D = date(2026, 3, 2)


def test_plan_frame_renders_each_day_with_stable_columns() -> None:
    plan = Plan(
        days=(
            PlannedDay(D, 0.5, 0.5, "reduction", Message("Reduced"), True, 0.5, 2),
            PlannedDay(date(2026, 3, 3), 1.0, 1.25, "titration", Message("Step"), step=1),
        )
    )
    expected = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-02", "2026-03-03"]).astype("datetime64[s]"),
            "dose_mg": [0.5, 1.0],
            "nominal_mg": [0.5, 1.25],
            "phase": pd.Series(["reduction", "titration"], dtype="str"),
            "reason": pd.Series(["Reduced", "Step"], dtype="str"),
            "needs_liquid": [True, False],
            "volume_ml": [0.5, float("nan")],
            "step": pd.Series([2, 1], dtype="int64"),
        }
    )
    assert_frame_equal(plan_frame(plan), expected)


EMPTY_BUILDERS = {
    "plan": lambda items: plan_frame(items),
    "episodes": lambda items: episodes_frame(items),
    "alerts": lambda items: alerts_frame(items),
    "doses": lambda items: doses_frame(items),
    "effects": lambda items: effects_frame(items, ()),
    "scores": lambda items: scores_frame(items),
}
ONE_ITEM = {
    "plan": [PlannedDay(D, 1.0, 1.0, "start", Message("x"))],
    "episodes": [Episode(D, D, 1, 2, ("headache",))],
    "alerts": [Alert(D, "missed_doses", Message("x"))],
    "doses": [DoseEntry(D, True, 1.0)],
    "effects": [EffectEntry(D, "nausea", 2)],
    "scores": [ScoreEntry(D, "pain", 4)],
}


@pytest.mark.parametrize("kind", sorted(EMPTY_BUILDERS))
def test_empty_input_gives_the_same_columns_and_dtypes(kind: str) -> None:
    empty = EMPTY_BUILDERS[kind]([])
    full = EMPTY_BUILDERS[kind](ONE_ITEM[kind])
    assert len(empty) == 0 and len(full) == 1
    assert list(empty.columns) == list(full.columns)
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_dates_are_calendar_days_without_time() -> None:
    frame = doses_frame([DoseEntry(D, True, 1.0)])
    assert frame["date"].dtype == "datetime64[s]"
    assert frame["date"].iloc[0] == pd.Timestamp("2026-03-02")


def test_episodes_join_effect_names_and_keep_the_firing_day() -> None:
    frame = episodes_frame(
        [Episode(D, date(2026, 3, 6), 5, 3, ("headache", "vivid dreams"), True, date(2026, 3, 6))]
    )
    row = frame.iloc[0]
    assert row["effects"] == "headache; vivid dreams"
    assert row["fired"] and row["fired_on"] == pd.Timestamp("2026-03-06")
    assert row["duration"] == 5 and row["worst_severity"] == 3


def test_clear_days_are_rows_with_an_empty_name_and_the_clear_flag() -> None:
    frame = effects_frame([EffectEntry(D, "nausea", 2)], [date(2026, 3, 3)])
    assert frame[["name", "severity", "clear"]].values.tolist() == [
        ["nausea", 2, False],
        ["", 0, True],
    ]


def test_doses_without_mg_are_nan_and_time_comes_from_a_richer_entry() -> None:
    class TimedDose:
        day = D
        taken = True
        mg = 0.75
        time = "21:30"

    frame = doses_frame([DoseEntry(date(2026, 3, 3), False), TimedDose()])  # type: ignore[list-item]
    assert frame["mg"].isna().tolist() == [False, True]
    assert frame["time"].tolist()[0] == "21:30"
    assert frame["taken"].tolist() == [True, False]


def test_alert_messages_are_rendered_in_date_order() -> None:
    frame = alerts_frame(
        [
            Alert(date(2026, 3, 5), "plateau", Message("Plateau at {dose_mg}", {"dose_mg": 2.0})),
            Alert(D, "missed_doses", Message("Three doses missed")),
        ]
    )
    assert frame["code"].tolist() == ["missed_doses", "plateau"]
    assert frame["message"].tolist() == ["Three doses missed", "Plateau at 2 mg"]
