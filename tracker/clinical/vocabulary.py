"""The names patients pick from: known LDN side effects and the scored symptoms.

Names are stored under a canonical key (``vivid_dreams``, ``low_mood``) whichever language or
spelling was typed, so a Danish and an English entry of the same thing count as one; a
patient's own side effects and target symptoms are kept as typed (trimmed, single-spaced).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tracker.i18n import N_


@dataclass(frozen=True)
class Term:
    key: str
    label: str  # English, marked for translation
    da: str  # the Danish label, for matching what a Danish user types


SIDE_EFFECTS: tuple[Term, ...] = (
    Term("vivid_dreams", N_("Vivid dreams"), "Livlige drømme"),
    Term("headache", N_("Headache"), "Hovedpine"),
    Term("restlessness", N_("Restlessness"), "Uro"),
    Term("insomnia", N_("Insomnia"), "Søvnløshed"),
    Term("nausea", N_("Nausea"), "Kvalme"),
    Term("loss_of_appetite", N_("Loss of appetite"), "Madlede"),
    Term("loose_stool", N_("Loose stool"), "Løs afføring"),
    Term("hard_stool", N_("Hard stool"), "Hård afføring"),
    Term("increased_fatigue", N_("Increased fatigue (MS)"), "Øget træthed (MS)"),
    Term("spasticity", N_("Spasticity (MS)"), "Spasticitet (MS)"),
    Term("flu_like", N_("Flu-like symptoms (CFS/ME)"), "Influenzalignende symptomer (CFS/ME)"),
)

SYMPTOMS: tuple[Term, ...] = (
    Term("pain", N_("Pain"), "Smerter"),
    Term("fatigue", N_("Fatigue"), "Træthed"),
    Term("low_mood", N_("Low mood"), "Nedtrykthed"),
    Term("sleep_problems", N_("Sleep problems"), "Søvnproblemer"),
)

SEVERITY_LABELS: tuple[str, ...] = (
    N_("none"),
    N_("mild"),
    N_("moderate"),
    N_("severe"),
    N_("very severe"),
)

_EXTRA_SPELLINGS = {
    "dreams": "vivid_dreams",
    "drømme": "vivid_dreams",
    "øget drømmeaktivitet": "vivid_dreams",
    "restless": "restlessness",
    "sleeplessness": "insomnia",
    "søvnbesvær": "insomnia",
    "appetite loss": "loss_of_appetite",
    "diarrhoea": "loose_stool",
    "diarrhea": "loose_stool",
    "diarré": "loose_stool",
    "constipation": "hard_stool",
    "forstoppelse": "hard_stool",
    "fatigue increase": "increased_fatigue",
    "flu like symptoms": "flu_like",
    "influenza": "flu_like",
    "smerte": "pain",
    "træthed": "fatigue",
    "tiredness": "fatigue",
    "mood": "low_mood",
    "humør": "low_mood",
    "depressed mood": "low_mood",
    "sleep": "sleep_problems",
    "søvn": "sleep_problems",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKC", text.strip().casefold())
    return " ".join(decomposed.replace("_", " ").replace("-", " ").split())


def _index(terms: tuple[Term, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    keys = {t.key for t in terms}
    for term in terms:
        for spelling in (term.key, term.label, term.da):
            index[_fold(spelling)] = term.key
    for spelling, key in _EXTRA_SPELLINGS.items():
        if key in keys:
            index.setdefault(_fold(spelling), key)
    return index


_SIDE_EFFECT_INDEX = _index(SIDE_EFFECTS)
_SYMPTOM_INDEX = _index(SYMPTOMS)
MAX_NAME_LENGTH = 100


def clean_name(text: str) -> str:
    """Trimmed and single-spaced; control characters removed."""
    printable = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(printable.split())


def side_effect_key(text: str) -> str:
    """The canonical key of a known side effect, or the patient's own name as typed."""
    return _SIDE_EFFECT_INDEX.get(_fold(text), clean_name(text))


def symptom_key(text: str) -> str:
    """``"Low mood"``, ``"low_mood"`` and ``"nedtrykthed"`` are all ``low_mood``."""
    return _SYMPTOM_INDEX.get(_fold(text), clean_name(text))


def label_of(key: str) -> str:
    """The English label of a known key (translate with ``_``), else the key itself."""
    for term in SIDE_EFFECTS + SYMPTOMS:
        if term.key == key:
            return term.label
    return key
