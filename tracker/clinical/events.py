"""Events that stop LDN for a while (SPEC §6): chemotherapy pauses and opioid holds.

* Chemotherapy from day C to day E: no LDN on C−2 … E, restart on E+1.
* An opioid (generic or brand name, Danish or international, any case, as a whole word of a
  longer product name too): no LDN from the opioid's first day (none: the plan's start) through
  the 7th day after its last day (none: open).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.clinical.model import Diary, Medication

_ONE = timedelta(days=1)
CHEMO_DAYS_BEFORE = 2
OPIOID_FREE_DAYS = 7

# Generic names (English and Danish spellings). A word that *starts* with one of these also
# matches, so salts and Danish compounds are caught: "morfinsulfat", "oxycodonhydrochlorid".
OPIOID_GENERICS: tuple[str, ...] = (
    "morphine", "morphin", "morfin",
    "codeine", "codein", "kodein",
    "loperamide", "loperamid",
    "tramadol",
    "oxycodone", "oxycodon", "oxykodon",
    "fentanyl", "sufentanil", "remifentanil", "alfentanil",
    "buprenorphine", "buprenorphin", "buprenorfin",
    "methadone", "methadon", "metadon",
    "tapentadol",
    "ketobemidone", "ketobemidon",
    "pethidine", "pethidin", "petidin", "meperidine",
    "hydromorphone", "hydromorphon", "hydromorfon",
    "dihydrocodeine", "dihydrocodein", "dihydrokodein",
    "ethylmorphine", "ethylmorphin", "ethylmorfin", "etylmorfin",
    "hydrocodone", "hydrocodon",
    "oxymorphone", "oxymorphon", "oxymorfon",
    "pholcodine", "pholcodin", "folkodin",
    "diphenoxylate", "diphenoxylat", "difenoxylat",
    "levorphanol", "tilidine", "tilidin", "dextropropoxyphene", "dextropropoxyfen",
    "diamorphine", "diamorfin", "heroin", "opium", "nicomorphine", "nicomorfin",
)

# Brand names (whole words, or whole word sequences). "Pinex" alone is paracetamol: only
# "Pinex Forte" (with codeine) is an opioid.
OPIOID_BRANDS: tuple[str, ...] = (
    "kodimagnyl", "codimagnyl", "pinex forte", "panodil codein", "contalgin", "dolcontin",
    "mst continus", "oramorph", "oxynorm", "oxycontin", "targin", "targiniq", "tradolan",
    "nobligan", "dolol", "mandolgin", "tramal", "zaldiar", "ultracet", "imodium", "norspan",
    "butrans", "transtec", "temgesic", "subutex", "suboxone", "durogesic", "matrifen",
    "abstral", "instanyl", "actiq", "effentora", "pecfent", "breakyl", "palexia", "nucynta",
    "ketogan", "metadon dak", "palladon", "jurnista", "lomotil",
)

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain.replace("ø", "o").replace("æ", "ae").replace("å", "a"))


_BRAND_WORDS: tuple[tuple[str, ...], ...] = tuple(tuple(_words(b)) for b in OPIOID_BRANDS)
_GENERIC_WORDS: tuple[str, ...] = tuple(sorted({w for g in OPIOID_GENERICS for w in _words(g)}))


def opioid_match(name: str) -> str | None:
    """The opioid term found in a medication name, or ``None``."""
    words = _words(name)
    for word in words:
        for generic in _GENERIC_WORDS:
            if word.startswith(generic):
                return generic
    for brand in _BRAND_WORDS:
        size = len(brand)
        for i in range(len(words) - size + 1):
            if tuple(words[i : i + size]) == brand:
                return " ".join(brand)
    return None


def is_opioid(name: str) -> bool:
    """Whether a medication name names an opioid (generic or brand, any case, whole word)."""
    return opioid_match(name) is not None


@dataclass(frozen=True)
class Pause:
    """A merged chemotherapy pause: no LDN ``first`` … ``last``, restart on ``last`` + 1."""

    first: date
    last: date

    @property
    def restart(self) -> date:
        return self.last + _ONE


@dataclass(frozen=True)
class Hold:
    """An opioid hold: no LDN ``first`` … ``last`` (``None``: open, no end date yet)."""

    medication: Medication
    first: date
    last: date | None


def chemo_pauses(diary: Diary) -> tuple[Pause, ...]:
    """Every chemotherapy pause, overlapping or adjacent ones merged, in date order."""
    spans = sorted(
        (s.start - timedelta(days=CHEMO_DAYS_BEFORE), max(s.start, s.end)) for s in diary.chemo
    )
    merged: list[list[date]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + _ONE:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return tuple(Pause(first, last) for first, last in merged)


def opioid_holds(diary: Diary, plan_start: date) -> tuple[Hold, ...]:
    """One hold per opioid medication, in the order of the diary."""
    holds = []
    for med in diary.medications:
        if not is_opioid(med.name):
            continue
        first = plan_start if med.start is None else med.start
        last = None if med.end is None else med.end + timedelta(days=OPIOID_FREE_DAYS)
        if last is not None and last < first:
            continue
        holds.append(Hold(med, first, last))
    return tuple(holds)


def pause_days(pauses: tuple[Pause, ...], first: date, last: date) -> dict[date, Pause]:
    """Day → its pause, for the days ``first`` … ``last``."""
    out: dict[date, Pause] = {}
    for pause in pauses:
        day = max(pause.first, first)
        while day <= min(pause.last, last):
            out[day] = pause
            day += _ONE
    return out


def hold_days(holds: tuple[Hold, ...], first: date, last: date) -> dict[date, list[Hold]]:
    """Day → the holds covering it, for the days ``first`` … ``last``."""
    out: dict[date, list[Hold]] = {}
    for hold in holds:
        day = max(hold.first, first)
        end = last if hold.last is None else min(hold.last, last)
        while day <= end:
            out.setdefault(day, []).append(hold)
            day += _ONE
    return out
