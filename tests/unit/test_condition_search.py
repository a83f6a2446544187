"""The setup picker's forgiving search: the words its own hint suggests find their condition."""

from __future__ import annotations

import pytest

from tracker.clinical.condition_search import fold, match_conditions


def keys(text: str, language: str = "en") -> list[str]:
    return [m.condition.key for m in match_conditions(text, language)]


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize(("typed", "key"), [
    ("sklerose", "ms"), ("sclerose", "ms"), ("SKLEROSE", "ms"), ("Multipel skl", "ms"),
    ("multiple scl", "ms"), ("MS", "ms"), ("crohn", "ibd"), ("Crohns", "ibd"),
    ("morbus cr", "ibd"), ("fibromyalgi", "fibromyalgia"), ("CFS", "cfs_me"),
    ("ME", "cfs_me"), ("kronisk træt", "cfs_me"), ("sjogren", "sjogren"),
    ("SJÖGREN", "sjogren"), ("hashimoto", "hashimoto"), ("spiseror", "oesophageal_oral_cancer"),
    ("bechterew", "ankylosing_spondylitis"), ("leddegigt", "arthritis"),
])
def test_what_patients_type_finds_the_condition_first(typed: str, key: str,
                                                      language: str) -> None:
    assert keys(typed, language)[0] == key


def test_any_word_may_begin_the_search() -> None:
    assert keys("sclerosis")[0] == "ms"  # the second word of "Multiple sclerosis"
    assert "renal_cell_cancer" in keys("cell cancer")


def test_danish_compound_words_are_searched_inside() -> None:
    cancers = keys("kræft", "da")
    assert {"breast_cancer", "liver_cancer", "colorectal_cancer"} <= set(cancers)
    assert "nerve_pain" in keys("smerter", "da")  # Nervesmerter


def test_a_synonym_is_shown_in_the_active_language() -> None:
    [en] = match_conditions("crohn", "en")
    [da] = match_conditions("crohn", "da")
    assert en.synonym == "Crohn's disease" and da.synonym == "Morbus Crohn"
    assert match_conditions("sklerose", "en")[0].synonym is None  # found by its own name


def test_nothing_typed_lists_every_condition_and_nonsense_lists_none() -> None:
    assert len(keys("")) == len(keys("  ")) > 40
    assert keys("long covid") == []
    assert keys("zz") == []


def test_folding_ignores_case_accents_danish_letters_and_c_or_k() -> None:
    assert fold("Sjögren's") == fold("sjogrens")
    assert fold("Spiserør") == fold("spiseror")
    assert fold("Sclerose") == fold("SKLEROSE")
