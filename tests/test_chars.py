"""Character classes: Arabic letters, right-to-left direction, invisible controls (reader.chars)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import chars
from reader.chars import has_arabic_letters, has_rtl, starts_rtl


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", False),
        ("The minister said 12,000.", False),
        ("١٢٣ ۴۵۶ 789", False),  # digits only
        ("، ؛ ؟ ٪ ٫", False),  # Arabic punctuation only
        ("\u064e\u064f\u0651 \u0670", False),  # diacritics alone
        ("\u0640\u0640", False),  # tatweel alone
        ("\u200f https://example.com \u200e", False),
        ("😀 ok", False),
        ("ok ب", True),
        ("ﻻ", True),  # a presentation form is still a letter
        ("ڤيديو", True),  # extended Arabic letters
        ("پ", True),
    ],
)
def test_has_arabic_letters(text: str, expected: bool) -> None:
    assert has_arabic_letters(text) is expected


@pytest.mark.parametrize(
    ("text", "arabic", "rtl"),
    [
        ("قال الوزير", True, True),
        ("שלום", False, True),  # Hebrew: laid out right to left, but nothing for an Arabic model
        ("ܫܠܡܐ", False, True),  # Syriac
        ("The minister", False, False),
        ("١٢٣ ٪", False, False),  # Arabic digits and percent are weak: no direction of their own
        ("GDP 3.5% في", True, True),
    ],
)
def test_arabic_letters_and_right_to_left_are_different_questions(text: str, arabic: bool, rtl: bool) -> None:
    assert (has_arabic_letters(text), has_rtl(text)) == (arabic, rtl)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("قال Microsoft", True), ("Microsoft قال", False), ("2024 قال", True), ("١٢٣", False), ("", False)],
)
def test_starts_rtl_follows_the_first_strong_character(text: str, expected: bool) -> None:
    assert starts_rtl(text) is expected


def test_invisible_characters_are_format_controls_and_the_sets_nest() -> None:
    assert all(unicodedata.category(ch) == "Cf" for ch in chars.INVISIBLE)
    assert set(chars.BIDI_EMBEDDINGS) | set(chars.BIDI_ISOLATES) | set(chars.BIDI_MARKS) == set(chars.BIDI_CONTROLS)
    assert set(chars.BIDI_CONTROLS) | set(chars.ZERO_WIDTH) <= set(chars.INVISIBLE)
    assert len(chars.INVISIBLE) == len(set(chars.INVISIBLE))
    assert all(unicodedata.name(ch).startswith("ARABIC") for ch in chars.ARABIC_DIACRITICS)
    assert [unicodedata.decimal(d) for d in chars.EASTERN_ARABIC_DIGITS + chars.PERSIAN_DIGITS] == [*range(10)] * 2


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("أَحْمَد", "احمد"),
        ("إحمد", "احمد"),
        ("آمن", "امن"),
        ("ٱلله", "الله"),
        ("مسؤول", "مسوول"),
        ("رئيس", "رييس"),
        ("مصطفى", "مصطفي"),
        ("مدرسة", "مدرسه"),
        ("کتاب", "كتاب"),  # keheh, from a Persian keyboard
        ("ﺍﻟﺮﺋﻴﺲ", "الرييس"),  # presentation forms
        ("ﻻ", "لا"),
        ("وبـــالرئيس\u200c", "وبالرييس"),  # tatweel, an invisible joiner
        ("ا\u0654", "ا"),  # a combining hamza goes with the marks
        ("Ahmad 12", "Ahmad 12"),
    ],
)
def test_fold_arabic_folds_spelling_variants_together(written: str, folded: str) -> None:
    assert chars.fold_arabic(written) == folded
    assert chars.fold_arabic(folded) == folded


@pytest.mark.parametrize(
    ("word", "bare"),
    [("«الرئيس،", "الرئيس"), ('"letter."', "letter"), ("(12)", "12"), ("—", ""), ("al-Sisi's", "al-Sisi's")],
)
def test_bare_word_drops_the_punctuation_around_a_word_only(word: str, bare: str) -> None:
    assert chars.bare_word(word) == bare


# ---- search folding (the library's index and its queries) ------------------------------------

ARABIC_WORD = st.text(alphabet=st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةٱ"), min_size=1, max_size=8)
MARK = st.sampled_from([*chars.ARABIC_DIACRITICS[:8], chars.TATWEEL, "\u200c", "\u200f"])
ANY_TEXT = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from(" \n\t\u00a0ـﷺ٢")),
    max_size=40,
)


@pytest.mark.parametrize(
    ("written", "indexed"),
    [
        ("الرَّئِيسُ", "الرييس"),
        ("الرئيس", "الرييس"),
        ("إعلان اعلان أعلن", "اعلان اعلان اعلن"),
        ("مستشفى  المدينة\u00a0الكبيرة", "مستشفي المدينه الكبيره"),  # one space between words, whatever they were
        ("عام ٢٠٢٤ و۱۴۰۳", "عام 2024 و1403"),
        ("قال ـ ﷺ", "قال - صلي-الله-عليه-وسلم"),  # nothing left: "-"; a ligature's words stay one word
        ("Breaches rose 3%", "Breaches rose 3%"),  # English is the tokenizer's (porter) business
    ],
)
def test_search_words_fold_each_word_in_place(written: str, indexed: str) -> None:
    assert chars.search_words(written) == indexed


@given(ANY_TEXT)
@settings(max_examples=300)
def test_search_words_keep_one_folded_word_per_word_and_are_idempotent(text: str) -> None:
    folded = chars.search_words(text)
    assert folded.split(" ") == folded.split() or not text.split()
    assert len(folded.split()) == len(text.split())  # word k of the index is word k as written
    assert chars.search_words(folded) == folded


@given(st.lists(ARABIC_WORD, min_size=1, max_size=5), st.data())
@settings(max_examples=200)
def test_marks_tatweel_and_invisible_controls_never_change_what_is_indexed(words: list[str], data) -> None:
    decorated = []
    for word in words:
        letters = list(word)
        for _ in range(data.draw(st.integers(0, 3))):
            letters.insert(data.draw(st.integers(1, len(letters))), data.draw(MARK))
        decorated.append("".join(letters))
    assert chars.search_words(" ".join(decorated)) == chars.search_words(" ".join(words))


@given(ARABIC_WORD)
def test_hamza_and_final_letter_variants_index_alike(word: str) -> None:
    plain = word.translate(str.maketrans("أإآٱ", "اااا"))
    assert chars.search_words(word) == chars.search_words(plain)
    assert chars.search_words(word + "ة") == chars.search_words(word + "ه")
    assert chars.search_words(word + "ى") == chars.search_words(word + "ي")
