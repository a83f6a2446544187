"""The clinic's flags for one patient (tracker/clinical/flags.py). Its adherence and next step
are tracker/clinical/progress.py's, held to the pandas reference in
tests/unit/clinical/test_progress.py."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.clinical.flags import status_values
from tracker.clinical.model import Alert, Diary, DoseEntry, Plan, PlannedDay
from tracker.i18n import Message

START = date(2026, 1, 1)
TODAY = date(2026, 1, 20)


def plan_of(phases: dict[int, str] | None = None, days: int = 40, zero: set[int] = frozenset(),
            alerts: tuple[Alert, ...] = ()) -> Plan:
    phases = phases or {}
    return Plan(days=tuple(
        PlannedDay(START + timedelta(days=n), 0.0 if n in zero else 1.0,
                   0.0 if n in zero else 1.0, phases.get(n, "titration"), Message("x"))
        for n in range(days)), alerts=alerts)


def taken(*days: int) -> Diary:
    return Diary(doses=tuple(DoseEntry(START + timedelta(days=n), True, 1.0) for n in days))


def test_flags_whom_to_look_at() -> None:
    missed = Alert(TODAY - timedelta(days=3), "missed_doses", Message("x"))
    today = (TODAY - START).days
    # An open missed-dose run, 15 of 19 days taken, last entry four days ago.
    status = status_values(plan_of({today: "reduction"}, alerts=(missed,)),
                           taken(*range(0, 15)), TODAY, set())
    assert status["flags"].split(",") == ["missed_doses", "no_entry_3d", "low_adherence"]
    assert status["open_alerts"] == "missed_doses"
    # The same alert dismissed by a clinician no longer flags.
    quiet = status_values(plan_of(alerts=(missed,)), taken(*range(0, today)), TODAY,
                          {("missed_doses", missed.day)})
    assert quiet["flags"] == "" and quiet["adherence_30d"] == 1.0
    # Nor once doses were taken again after it: resolved, not counted.
    resolved = status_values(plan_of(alerts=(missed,)), taken(*range(0, today)), TODAY, set())
    assert resolved["flags"] == "" and resolved["open_alerts"] == ""
    # The phase is the Phase column's: a plateau or a reduction week is no flag of its own.
    assert status_values(plan_of({today: "plateau"}), taken(*range(0, today)), TODAY,
                         set())["flags"] == ""
    nothing = status_values(plan_of(), Diary(), TODAY, set())
    assert nothing["flags"] == "no_entry_3d,low_adherence" and nothing["last_entry"] is None


def test_the_hold_and_the_transplant_caution_come_first_and_only_open_alerts_count() -> None:
    alerts = (
        Alert(START, "information_pending", Message("x")),
        Alert(START, "transplant_caution", Message("x")),
        Alert(TODAY - timedelta(days=2), "opioid_contraindication", Message("x")),
        Alert(TODAY - timedelta(days=1), "missed_doses", Message("x")),
        Alert(TODAY + timedelta(days=9), "thyroid_blood_test", Message("x")),
        Alert(TODAY + timedelta(days=3), "thyroid_blood_test", Message("x")),
    )
    status = status_values(plan_of(alerts=alerts), taken(*range(0, 18)), TODAY,
                           {("information_pending", START)})
    assert status["open_alerts"].split(",") == ["opioid_contraindication",
                                                "transplant_caution", "missed_doses"]
    assert status["flags"].split(",") == ["opioid_contraindication", "transplant_caution",
                                          "missed_doses"]
    assert status["next_upcoming"] == TODAY + timedelta(days=3)


def test_no_entry_for_three_whole_days_before_today() -> None:
    plan = plan_of()
    three_empty = status_values(plan, taken((TODAY - START).days - 4), TODAY, set())
    two_empty = status_values(plan, taken((TODAY - START).days - 3), TODAY, set())
    assert "no_entry_3d" in three_empty["flags"].split(",")
    assert "no_entry_3d" not in two_empty["flags"].split(",")
