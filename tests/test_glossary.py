"""Glossary matching (reader.postedit.glossary): whole Arabic words through clitics, diacritics, spelling variants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.chars import ARABIC_DIACRITICS, TATWEEL, fold_arabic
from reader.clitics import PROCLITICS
from reader.document import Document, Flag, Metadata, Paragraph, SentencePair
from reader.errors import InputError
from reader.export.marks import FLAG_MARKS, printed_legend
from reader.postedit.glossary import Match, Term, check, find_terms, has_rendering, missing_terms

PRESIDENT = Term("الرئيس", "president")
HEAD = Term("رئيس", "head")
MINISTER = Term("وزير الخارجية", "foreign minister")


def spans(source: str, *terms: Term) -> list[tuple[str, int, int]]:
    return [(m.term.arabic, m.start, m.end) for m in find_terms(source, terms)]


@pytest.mark.parametrize(
    "written",
    [
        "الرئيس",
        "رئيس",
        "والرئيس",
        "فالرئيس",
        "بالرئيس",
        "كالرئيس",
        "للرئيس",  # ل + ال: the article's alef is dropped
        "وبالرئيس",
        "فبالرئيس",
        "وللرئيس",
        "فللرئيس",
        "وكالرئيس",
        "ورئيس",
        "برئيس",
        "لرئيس",
        "ولرئيس",
        "الرَّئِيسُ",  # diacritics
        "الرئـــيس",  # tatweel
        "ﺍﻟﺮﺋﻴﺲ",  # presentation forms
        "«الرئيس»",
        "(وبالرئيس،",
        "الرئيس.",
    ],
)
def test_a_term_is_found_through_clitics_marks_and_punctuation(written: str) -> None:
    assert spans(f"قال {written} اليوم", PRESIDENT) == [("الرئيس", 1, 2)]


@pytest.mark.parametrize(
    "written",
    [
        "الرئيسة",  # another word (the feminine)
        "رئيسه",  # an enclitic pronoun: "his president" is not looked through
        "مرئيس",  # a letter that is no clitic
        "الرئيسي",
        "وو",
        "رئ",
    ],
)
def test_only_whole_words_match(written: str) -> None:
    assert spans(f"قال {written} اليوم", PRESIDENT, HEAD) == []


@pytest.mark.parametrize(
    ("term", "written"),
    [
        ("أحمد", "احمد"),
        ("احمد", "إحمد"),
        ("آمن", "امن"),
        ("مسؤول", "مسوول"),
        ("مدرسة", "بالمدرسه"),
        ("مصطفى", "لمصطفي"),
        ("الإمارات", "والامارات"),
    ],
)
def test_hamza_alef_ta_marbuta_and_alef_maqsura_forms_fold_together(term: str, written: str) -> None:
    assert spans(f"زار {written} أمس", Term(term, "x")) == [(term, 1, 2)]


def test_multi_word_terms_take_clitics_on_the_first_word_and_only_the_article_after() -> None:
    assert spans("وقال ووزير الخارجية إن", MINISTER) == [("وزير الخارجية", 1, 3)]
    assert spans("قال لوزير الخارجيّة", MINISTER) == [("وزير الخارجية", 1, 3)]
    assert spans("قال وزير خارجية البلاد", MINISTER) == [("وزير الخارجية", 1, 3)]
    assert spans("قال وزير والخارجية", MINISTER) == []  # "minister and the foreign...": two phrases
    assert spans("قال وزير", MINISTER) == []


def test_every_occurrence_is_reported_in_word_order_longest_first() -> None:
    terms = (Term("البيت", "house"), Term("البيت الأبيض", "White House"))
    found = spans("البيت الأبيض قال إن البيت جميل وللبيت الأبيض", *terms)
    assert found == [
        ("البيت الأبيض", 0, 2),
        ("البيت", 0, 1),
        ("البيت", 4, 5),
        ("البيت الأبيض", 6, 8),
        ("البيت", 6, 7),
    ]


@pytest.mark.parametrize(
    ("translation", "english", "present"),
    [
        ("The President said", "president", True),
        ("the presidents met", "president", True),
        ("the president's plane", "president", True),
        ("the Ministers' meeting", "minister", True),
        ("the parties agreed", "party", True),
        ("a box and two boxes", "boxes", True),
        ("Foreign Minister Safadi", "foreign minister", True),
        ("the foreign affairs minister", "foreign minister", False),
        ("al-Sīsī said", "Sisi", True),
        ("the presidency said", "president", False),
        ("mankind", "man", False),
        ("", "president", False),
    ],
)
def test_the_rendering_is_found_as_whole_words_any_case_plural_or_possessive(
    translation: str, english: str, present: bool
) -> None:
    assert has_rendering(translation, english) is present


def test_missing_terms_names_the_terms_whose_rendering_is_absent() -> None:
    terms = [PRESIDENT, MINISTER]
    source = "قال الرئيس لوزير الخارجية"
    assert missing_terms(source, "The president told the foreign minister", terms) == []
    assert missing_terms(source, "The head told the foreign minister", terms) == [Match(PRESIDENT, 1, 2)]


def test_check_sets_and_clears_the_glossary_flag() -> None:
    pair = SentencePair(0, 10, "قال الرئيس", "The head said", flags=(Flag.CACHED,))
    flagged = check(pair, [PRESIDENT])
    assert flagged.flags == (Flag.CACHED, Flag.GLOSSARY)
    fixed = check(SentencePair(0, 10, "قال الرئيس", "The president said", flags=flagged.flags), [PRESIDENT])
    assert fixed.flags == (Flag.CACHED,)
    assert check(pair, []) is pair
    pending = SentencePair(0, 10, "قال الرئيس", flags=(Flag.PENDING,))
    assert check(pending, [PRESIDENT]) is pending


def test_the_glossary_flag_survives_json_and_has_a_mark_and_a_legend() -> None:
    pair = check(SentencePair(0, 10, "قال الرئيس", "The head said"), [PRESIDENT])
    document = Document("قال الرئيس", (Paragraph(0, 10, (pair,)),), Metadata())
    assert Document.from_json(document.to_json()).sentences[0].flags == (Flag.GLOSSARY,)
    mark = FLAG_MARKS[Flag.GLOSSARY]
    assert mark.warning and mark.printed
    assert printed_legend(document) == [mark]


@pytest.mark.parametrize(
    ("arabic", "english"),
    [("president", "president"), ("", "x"), ("الرئيس 2", "x"), ("الرئيس", ""), ("الرئيس", " - ")],
)
def test_a_term_must_be_arabic_words_with_an_english_rendering(arabic: str, english: str) -> None:
    with pytest.raises(InputError, match="glossary term"):
        Term(arabic, english)


# ---- properties: any clitic sequence, diacritics, tatweel and spelling variant ------------------

LETTERS = "بتثجحخدذرسشصضطظعغفقكلمنهوي"
"""Letters a random stem is made of (alef and its forms are added by VARIANTS)."""
NOT_CLITICS = "تثجحخدذرزسشصضطظعغقمنه"
"""Letters that are never a proclitic (nor alef): one of them in front makes another word."""
VARIANTS = {"ا": "اأإآٱ", "ي": "يىئی", "و": "وؤ", "ه": "هة", "ك": "كک"}
FILLER = ["قال", "إن", "في", "المدينة", "اليوم", "صباح"]


def stems() -> st.SearchStrategy[str]:
    return st.text(alphabet=LETTERS + "ا", min_size=3, max_size=6).filter(lambda s: s[0] != "ا")


@st.composite
def spelled(draw: st.DrawFn, stem: str) -> str:
    """``stem`` as a writer might spell it: any variant of each letter, diacritics and tatweel here and there."""
    out = []
    for letter in stem:
        out.append(draw(st.sampled_from(VARIANTS.get(letter, letter))))
        out.append(draw(st.sampled_from(["", "", TATWEEL, *ARABIC_DIACRITICS[:8]])))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), stem=stems(), article=st.booleans(), where=st.integers(0, 3))
def test_property_a_term_matches_under_any_proclitics_marks_and_variants(
    data: st.DataObject, stem: str, article: bool, where: int
) -> None:
    term = Term(data.draw(spelled("ال" + stem if article else stem)), "x")
    clitics = data.draw(st.sampled_from(PROCLITICS))
    word = clitics + data.draw(spelled(stem))
    words = [*FILLER[:where], word, *FILLER[where:]]
    assert (where, where + 1) in [(m.start, m.end) for m in find_terms(" ".join(words), [term])]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), stem=stems(), front=st.sampled_from(NOT_CLITICS), back=st.sampled_from(NOT_CLITICS))
def test_property_a_stem_inside_a_longer_word_never_matches(
    data: st.DataObject, stem: str, front: str, back: str
) -> None:
    term = Term(stem, "x")
    fronted = data.draw(st.sampled_from(PROCLITICS)) + front + data.draw(spelled(stem))
    assert find_terms(f"قال {fronted} اليوم", [term]) == []
    if back not in stem:  # a letter of the stem at the end could make the word clitic + stem again
        assert find_terms(f"قال {data.draw(spelled(stem))}{back} اليوم", [term]) == []


@settings(max_examples=200, deadline=None)
@given(data=st.data(), stem=stems())
def test_property_folding_is_idempotent_and_ignores_marks(data: st.DataObject, stem: str) -> None:
    written = data.draw(spelled(stem))
    assert fold_arabic(fold_arabic(written)) == fold_arabic(written) == fold_arabic(stem)
