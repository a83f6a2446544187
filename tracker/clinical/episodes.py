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

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from tracker.clinical.model import Diary, Episode, episode

SIDE_EFFECT = 1
CLEAR = 0
UNKNOWN = -1

_ONE = timedelta(days=1)


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
            reported.add(entry.day)
            if entry.severity >= threshold:
                worst[entry.day] = max(worst.get(entry.day, 0), entry.severity)
                names.setdefault(entry.day, set()).add(entry.name.strip())
        self._days: dict[date, EffectDay] = {
            day: EffectDay(worst[day], frozenset(names[day])) for day in worst
        }
        self._reported = frozenset(reported)

    def status(self, day: date) -> int:
        if day in self._days:
            return SIDE_EFFECT
        if day in self._reported:
            return CLEAR
        return UNKNOWN

    def is_side_effect_day(self, day: date) -> bool:
        return day in self._days

    def effect_day(self, day: date) -> EffectDay | None:
        return self._days.get(day)

    def side_effect_days(self) -> Iterable[date]:
        return self._days.keys()


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
    se_days = sorted(d for d in index.side_effect_days() if first <= d <= last)
    episodes: list[Episode] = []
    run: list[date] = []

    effect_days = index._days

    def close() -> None:
        if not run:
            return
        start, end = run[0], run[-1]
        infos = [effect_days[day] for day in run]
        effects = frozenset().union(*(info.names for info in infos))
        fired = next((t for t in triggers if start <= t <= end), None)
        episodes.append(episode(start, end, (end - start).days + 1, max(i.worst for i in infos),
                                tuple(sorted(effects, key=str.casefold)), fired is not None,
                                fired))
        run.clear()

    for day in se_days:
        if run:
            gap = (day - run[-1]).days
            bridged = gap == 2 and index.status(day - _ONE) == UNKNOWN
            if gap != 1 and not bridged:
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
