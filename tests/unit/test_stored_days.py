"""The process-wide conversion of stored days (``diary_rows.stored_day``): always the right day,
and never holding more than its bound, however many reads and distinct days go through it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.storage import diary_rows

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@settings(max_examples=200, deadline=None)
@given(reads=st.lists(st.lists(st.tuples(days, st.booleans()), max_size=40), max_size=8))
def test_each_read_gets_its_own_days_and_the_cache_stays_bounded(
        reads: list[list[tuple[date, bool]]]) -> None:
    kept = 16
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(diary_rows, "STORED_DAYS_KEPT", kept)
        for read in reads:
            day = diary_rows.stored_day()  # one read: SQLite gives text, a server dates
            got = [day(d.isoformat() if as_text else d) for d, as_text in read]
            assert got == [d for d, _ in read]
            assert all(type(g) is date for g in got)
            assert len(diary_rows._STORED_DAYS) <= kept + len(read)
        diary_rows.stored_day()
        assert len(diary_rows._STORED_DAYS) <= kept


def test_a_stored_value_that_is_no_day_is_refused_and_not_remembered() -> None:
    day = diary_rows.stored_day()
    with pytest.raises(ValueError):
        day("2026-02-30")
    assert "2026-02-30" not in diary_rows._STORED_DAYS
