"""The guide's conditions, in Danish and English, mapped onto their default protocols."""

from __future__ import annotations

import pytest

from tracker.clinical.condition_search import search_conditions
from tracker.clinical.protocols import (
    CONDITIONS,
    PROTOCOLS,
    Condition,
    find_condition,
)

# SPEC §3, condition by condition, with the guide's Danish names.
SPEC_MAPPING = {
    "chronic_pain": ["Nervesmerter", "Kroniske smerter", "Artrose", "Fibromyalgi",
                     "Kompleks regionalt smertesyndrom (CRPS)"],
    "autoimmune_thyroid": ["Hashimotos thyreoiditis", "Graves sygdom"],
    "cfs_me": ["CFS/ME"],
    "mental_health": ["Angst", "Depression", "PTSD", "Hjernerystelse", "PMDD"],
    "fertility": ["Fertilitet"],
    "cancer": ["Melanom", "Glioblastom", "Spiserør og mundkræft", "Ikke-småcellet kræft",
               "Brystkræft", "Multipelt myelom", "Lymfom", "Livmoderhalskræft",
               "Nyrecellekræft", "Kolorektal kræft", "Duodenal og mavekræft", "Leverkræft"],
    "autoimmune": ["Inflammatorisk tarmsygdom", "Autoimmun hepatitis", "Sjögrens syndrom",
                   "Artrit", "Psoriasis artrit", "Morbus Bechterew", "Multipel sclerose",
                   "Parkinsons sygdom", "Diabetes type I", "Vitiligo", "Sklerodermi", "PCOS",
                   "Psoriasis", "Hailey-Hailey", "Borrelia"],
}


@pytest.mark.parametrize(("protocol", "name"),
                         [(p, n) for p, names in SPEC_MAPPING.items() for n in names])
def test_every_condition_of_the_guide_maps_to_its_protocol(protocol: str, name: str) -> None:
    found = find_condition(name)
    assert found is not None, name
    assert found.protocol == protocol


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: c.key)
def test_english_danish_and_key_any_case_find_the_same_condition(condition: Condition) -> None:
    for spelling in (condition.en, condition.da, condition.key, condition.en.upper(),
                     condition.da.lower()):
        assert find_condition(spelling) is condition, spelling
    assert condition.protocol in PROTOCOLS


@pytest.mark.parametrize(("typed", "key"), [
    ("Graves disease", "graves"), ("sjogrens syndrome", "sjogren"),
    ("ME/CFS", "cfs_me"), ("chronic fatigue syndrome", "cfs_me"),
    ("Non small cell lung cancer", "nsclc"), ("Crohn's disease", "ibd"),
    ("Complex regional pain syndrome", "crps"), ("multiple sclerosis", "ms"),
])
def test_common_spellings_are_understood(typed: str, key: str) -> None:
    found = find_condition(typed)
    assert found is not None and found.key == key


def test_unknown_conditions_are_not_guessed() -> None:
    assert find_condition("Long covid") is None
    assert find_condition("") is None


def test_the_setup_picker_searches_both_languages() -> None:
    assert {c.key for c in search_conditions("sclero")} >= {"ms", "scleroderma"}
    cancers = search_conditions("kræft")
    assert {"breast_cancer", "liver_cancer", "colorectal_cancer"} <= {c.key for c in cancers}
    assert all("kræft" in c.da.lower() for c in cancers)
