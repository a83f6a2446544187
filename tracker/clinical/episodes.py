"""Side-effect days and episodes (SPEC §4).

* A **side-effect day** has at least one side effect of severity ≥ ``min_severity``.
* A **clear day** has reports, all below ``min_severity`` (0 = "absent"), or an explicit
  "no side effects today"; a side effect at or above the threshold wins over that tick.
* An **unknown day** has no report at all.
* An **episode** is a run of side-effect days; one unknown day between two side-effect days is
  bridged, a clear day or two unknown days in a row end it. Its duration counts calendar days
  from its first to its last side-effect day inclusive.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from tracker.clinical.model import Diary, Episode, episode

SIDE_EFFECT = 1
CLEAR = 0
UNKNOWN = -1

_ONE = timedelta(days=1)
_TWO = timedelta(days=2)


class EffectDay(NamedTuple):
    """What the diary says about side effects on one day (only effects ≥ the threshold).

    A named tuple, not a frozen dataclass: the index makes one per side-effect day of the
    diary on every plan, and a tuple is made in a fifth of the time."""

    worst: int
    names: frozenset[str]


class SideEffectIndex:
    """Per-day side-effect status of a diary, looked up in O(1)."""

    def __init__(self, diary: Diary, min_severity: int = 1) -> None:
        threshold = max(1, int(min_severity))
        reported: set[date] = set(diary.clear_days)
        worst: dict[date, int] = {}
        names: dict[date, set[str]] = {}
        for entry in diary.effects:
            day = entry.day
            reported.add(day)
            severity = entry.severity
            if severity >= threshold:
                if day in worst:
                    if severity > worst[day]:
                        worst[day] = severity
                    names[day].add(entry.name.strip())
                else:
                    worst[day] = severity
                    names[day] = {entry.name.strip()}
        self._days: dict[date, EffectDay] = {
            day: EffectDay(worst[day], frozenset(names[day])) for day in worst
        }
        self._reported = frozenset(reported)
        self._in_order: list[date] | None = None

    def side_effect_days_in_order(self) -> list[date]:
        """The side-effect days, sorted (made once, on first use)."""
        if self._in_order is None:
            self._in_order = sorted(self._days)
        return self._in_order

    def status(self, day: date) -> int:
        if day in self._days:
            return SIDE_EFFECT
        if day in self._reported:
            return CLEAR
        return UNKNOWN

    def is_side_effect_day(self, day: date) -> bool:
        return day in self._days


def find_episodes(
    index: SideEffectIndex,
    first: date,
    last: date,
    fired_on: Iterable[date] = (),
) -> tuple[Episode, ...]:
    """The episodes whose side-effect days fall in ``first`` … ``last``.

    ``fired_on`` are the days the rule fired (T); an episode containing one is marked fired,
    with its first firing day.
    """
    if last < first:
        return ()
    triggers = sorted(fired_on)
    in_order = index.side_effect_days_in_order()
    se_days = in_order[bisect_left(in_order, first):bisect_right(in_order, last)]
    episodes: list[Episode] = []
    run: list[date] = []

    effect_days = index._days

    def close() -> None:
        if not run:
            return
        start, end = run[0], run[-1]
        if len(run) == 1:  # most episodes are one day long
            info = effect_days[start]
            worst, names = info.worst, info.names
        else:
            infos = [effect_days[day] for day in run]
            worst = max(info.worst for info in infos)
            names = frozenset().union(*(info.names for info in infos))
        fired = next((t for t in triggers if start <= t <= end), None) if triggers else None
        episodes.append(episode(start, end, (end - start).days + 1, worst,
                                tuple(sorted(names, key=str.casefold)), fired is not None,
                                fired))
        run.clear()

    for day in se_days:
        if run:
            gap = day - run[-1]
            # One unknown day between two side-effect days is bridged.
            if gap != _ONE and not (gap == _TWO and index.status(day - _ONE) == UNKNOWN):
                close()
        run.append(day)
    close()
    return tuple(episodes)


class EpisodeCounter:
    """The running count the side-effect rule looks at, fed one day at a time.

    It follows the diary's episodes (with bridging) but only counts side-effect days on or after
    ``count_from``: after a firing counting starts afresh on T+8, and after a day without LDN
    (pause, hold) on the next day with LDN.
    """

    def __init__(self, index: SideEffectIndex, count_from: date) -> None:
        self._index = index
        self.count_from = count_from
        self._last_se: date | None = None  # last side-effect day of the open diary episode
        self._counted_first: date | None = None

    def restart(self, count_from: date) -> None:
        self.count_from = count_from
        self._counted_first = None

    def feed(self, day: date) -> int:
        """Process ``day``; the counted duration if it is a side-effect day, else 0."""
        index = self._index  # once a day for every day of the plan: the status read inline
        status = SIDE_EFFECT if day in index._days else \
            CLEAR if day in index._reported else UNKNOWN
        if status == SIDE_EFFECT:
            if self._last_se is None or (day - self._last_se).days > 2:
                self._counted_first = None
            self._last_se = day
            if day >= self.count_from and self._counted_first is None:
                self._counted_first = day
            if self._counted_first is None:
                return 0
            return (day - self._counted_first).days + 1
        if status == CLEAR or (self._last_se is not None and (day - self._last_se).days >= 2):
            self._last_se = None
            self._counted_first = None
        return 0

    def feed_through(self, first: date, stop: date, tolerance: float) -> tuple[date, int] | None:
        """Feed the days from ``first`` until ``stop`` (exclusive), as :meth:`feed` one by one,
        up to the first whose count exceeds ``tolerance``: that day and its count, else ``None``.

        While no episode is open (no side-effect day in the last two days), a day without side
        effects changes nothing, so the walk jumps to the next side-effect day.
        """
        in_order = self._index.side_effect_days_in_order()
        feed = self.feed
        day = first
        while day < stop:
            if self._last_se is None:
                at = bisect_left(in_order, day)
                if at == len(in_order) or in_order[at] >= stop:
                    return None
                day = in_order[at]
            counted = feed(day)
            if counted > tolerance:
                return day, counted
            day += _ONE
        return None
