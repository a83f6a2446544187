"""Forgiving search for the setup's condition picker.

A tired patient types "sklerose", "crohn" or "ms", in Danish or English, with or without
accents: each word typed must begin a word of one of the condition's names (Danish, English or a
common synonym), or, for Danish compound words ("kræft" in "Brystkræft"), lie inside one.
Letters are folded before comparing: case, accents, "æ" → "ae", "ø" → "o", and "c" → "k", so
the Latin and Danish spellings (sclerose/sklerose, colitis/kolitis) meet. The best matches come
first: a whole name, then names beginning with what was typed, then word prefixes, then
synonyms, then words found inside compounds.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.clinical.protocols import _ALIASES, CONDITIONS, Condition, _fold

# Synonyms a patient may know the condition by, properly spelt for showing: (English, Danish).
SYNONYMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ms": (("MS", "Sclerosis"), ("MS", "Sklerose", "Dissemineret sklerose")),
    "ibd": (("Crohn's disease", "Ulcerative colitis", "IBD"),
            ("Morbus Crohn", "Colitis ulcerosa", "IBD")),
    "cfs_me": (("Chronic fatigue syndrome", "Myalgic encephalomyelitis", "CFS", "ME"),
               ("Kronisk træthedssyndrom", "CFS", "ME")),
    "fibromyalgia": (("Fibromyalgi",), ("Fibromyalgia",)),
    "osteoarthritis": (("Arthrosis",), ("Slidgigt",)),
    "arthritis": (("Rheumatoid arthritis",), ("Leddegigt", "Reumatoid artrit")),
    "ankylosing_spondylitis": (("Bechterew's disease",), ("Bechterews sygdom",)),
    "nerve_pain": (("Neuropathic pain", "Neuropathy"), ("Neuropatiske smerter", "Neuropati")),
    "lyme": (("Borreliosis",), ("Borreliose", "Lyme")),
    "scleroderma": (("Systemic sclerosis",), ("Systemisk sklerose",)),
    "type1_diabetes": (("T1D",), ("Type 1-diabetes",)),
    "pcos": (("Polycystic ovary syndrome",), ("Polycystisk ovariesyndrom",)),
    "hashimoto": (("Hypothyroidism",), ("Stofskiftesygdom", "Lavt stofskifte")),
    "graves": (("Hyperthyroidism",), ("Basedows sygdom", "Højt stofskifte")),
    "ptsd": (("Post-traumatic stress disorder",), ("Posttraumatisk belastningsreaktion",)),
    "pmdd": (("Premenstrual dysphoric disorder",), ("Præmenstruel dysforisk lidelse",)),
    "renal_cell_cancer": (("Kidney cancer",), ("Nyrekræft",)),
    "colorectal_cancer": (("Bowel cancer", "Colon cancer"), ("Tarmkræft", "Tyktarmskræft")),
    "glioblastoma": (("Brain tumour",), ("Hjernesvulst",)),
    "multiple_myeloma": (("Myeloma",), ("Myelomatose",)),
    "duodenal_gastric_cancer": (("Stomach cancer",), ("Mavekræft",)),
    "nsclc": (("Lung cancer",), ("Lungekræft",)),
}

# Rank of a match, best first.
EXACT, NAME_START, NAME_WORDS, SYNONYM_WORDS, INSIDE = range(5)
_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "c": "k"})


@dataclass(frozen=True)
class Match:
    """A condition found, and the synonym it was found by (``None``: by its own name)."""

    condition: Condition
    synonym: str | None
    rank: int


def fold(text: str) -> str:
    """Case, accents, punctuation, Danish letters and c/k folded away."""
    return _fold(text.casefold().translate(_LETTERS))


def _rank(needle: str, words: list[str], name: str, synonym: bool) -> int | None:
    if name == needle:
        return EXACT
    parts = name.split()
    if all(any(p.startswith(w) for p in parts) for w in words):
        if synonym:
            return SYNONYM_WORDS
        return NAME_START if name.startswith(needle) else NAME_WORDS
    if all(len(w) >= 3 and any(w in p for p in parts) for w in words):
        return INSIDE
    return None


def _match(condition: Condition, needle: str, words: list[str], language: str) -> Match | None:
    own_names = (condition.da, condition.en) if language == "da" else (condition.en, condition.da)
    en, da = SYNONYMS.get(condition.key, ((), ()))
    shown_synonyms = (*da, *en) if language == "da" else (*en, *da)
    aliases = [a for a, key in _ALIASES.items() if key == condition.key]
    by_name = [r for n in own_names if (r := _rank(needle, words, fold(n), False)) is not None]
    by_synonym = sorted((r, i, s) for i, s in enumerate(shown_synonyms)
                        if (r := _rank(needle, words, fold(s), True)) is not None)
    by_alias = [r for a in aliases if (r := _rank(needle, words, fold(a), True)) is not None]
    ranks = by_name + [r for r, _i, _s in by_synonym] + by_alias
    if not ranks:
        return None
    shown = None if by_name or not by_synonym else by_synonym[0][2]
    return Match(condition, shown, min(ranks))


def match_conditions(text: str, language: str = "en") -> list[Match]:
    """The conditions ``text`` may mean, best first; every condition when nothing is typed."""
    needle = fold(text)
    if not needle:
        return [Match(c, None, NAME_START) for c in CONDITIONS]
    words = needle.split()
    found = [m for c in CONDITIONS if (m := _match(c, needle, words, language)) is not None]
    found.sort(key=lambda m: m.rank)  # stable: the guide's order within a rank
    return found


def search_conditions(text: str, language: str = "en") -> list[Condition]:
    """The conditions ``text`` may mean, best first."""
    return [m.condition for m in match_conditions(text, language)]
