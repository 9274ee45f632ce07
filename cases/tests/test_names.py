"""Name keys across scripts and spellings, on real names as families write them."""

from __future__ import annotations

import pytest

from cases.names import SAME_NAME, name_key, name_similarity

ONE_NAME = {
    "arav": ["Aarav", "Arav", "AARAV", "आरव", "আরভ", "આરવ"],
    "arav sarma": ["Aarav Sharma", "Arav Sharma", "आरव शर्मा", "  aarav   SHARMA "],
    "isita": ["Ishita", "ইশিতা", "इशिता", "ઈશિતા", "ਇਸ਼ਿਤਾ"],
    "sita": ["Seetha", "Sita", "Seeta", "सीता", "সীতা", "சீதா", "ಸೀತಾ", "సీత"],
    "priya": ["Priya", "प्रिया", "প্রিয়া"],
    "mohamad": ["Mohammad", "मोहम्मद", "Md", "Mohd"],
    "laksmi": ["Lakshmi", "Laxmi", "लक्ष्मी", "লক্ষ্মী"],
    "ravi": ["Ravi", "Rabi", "रवि", "রবি"],
    "puja": ["Pooja", "Puja", "पूजा"],
    "saurav": ["Saurabh", "Sourabh", "सौरभ"],
    "sinh": ["Singh", "सिंह", "ਸਿੰਘ"],
    "gurmit": ["Gurmeet", "ਗੁਰਮੀਤ"],
    "chandra": ["Chandra", "चंद्र"],
    "ranjana": ["Ranjana", "रंजना"],
    "risi": ["Rishi", "ऋषि"],
    "fatima": ["Fatima", "फ़ातिमा", "ഫാത്തിമ"],
    "joya": ["Zoya", "ज़ोया"],
    "arjun": ["Arjun", "अर्जुन", "അർജുൻ"],
    "selvi": ["Selvi", "செல்வி"],
    "patel": ["Patel", "પટેલ"],
}


@pytest.mark.parametrize(("key", "spelling"), [(key, spelling) for key, spellings in ONE_NAME.items()
                                               for spelling in spellings])
def test_one_name_in_any_script_or_spelling_has_one_key(key, spelling):
    assert name_key(spelling) == key


@pytest.mark.parametrize(("a", "b"), [("Aarav Sharma", "आरव शर्मा"), ("Seetha", "सीता"), ("Ishita", "ইশিতা"),
                                      ("Lakshmi", "लक्ष्मी"), ("Mohammad", "मोहम्मद")])
def test_one_name_is_fully_similar(a, b):
    assert name_similarity(a, b) == 1.0


@pytest.mark.parametrize(("a", "b", "score"), [
    ("Mohammed", "Mohammad", 0.943),
    ("Muhammad", "मोहम्मद", 0.943),
    ("Mohammed", "Muhammad", 0.886),
    ("Harpreet", "ਹਰਪ੍ਰੀਤ", 0.938),  # the Gurmukhi keeps the medial "a" of Har-preet
])
def test_spellings_that_differ_in_a_vowel_are_still_the_same_name(a, b, score):
    assert name_similarity(a, b) == score
    assert name_similarity(a, b) >= SAME_NAME


@pytest.mark.parametrize(("a", "b", "score"), [
    ("Ravi", "Rani", 0.75),
    ("Sita", "Gita", 0.75),
    ("Aarav", "Aryan", 0.6),
    ("Ishita", "Ishika", 0.8),
    ("Arjun", "Arun", 0.8),
    ("Aarav Sharma", "Aarav Verma", 0.844),
])
def test_different_names_do_not_collide(a, b, score):
    assert name_key(a) != name_key(b)
    assert name_similarity(a, b) == score
    assert name_similarity(a, b) < SAME_NAME


def test_word_order_does_not_matter():
    assert name_similarity("Sharma Aarav", "आरव शर्मा") == 1.0


def test_a_missing_surname_lowers_the_score():
    assert name_similarity("Aarav", "Aarav Sharma") == 0.615


def test_punctuation_digits_and_empty_input_give_no_token():
    assert name_key("Aarav-Sharma (7)") == "arav sarma"
    assert name_key("") == name_key("  123 ") == ""
    assert name_similarity("", "Aarav") == name_similarity("123", "456") == 0.0


def test_scripts_without_transliteration_match_only_themselves():
    assert name_key("محمد") == "محمد"
    assert name_similarity("محمد", "محمد") == 1.0
    assert name_similarity("محمد", "Mohammad") < SAME_NAME


def test_mixed_scripts_in_one_name():
    assert name_key("Aarav शर्मा") == "arav sarma"
