"""Normalization of model input, and the Arabic-letter test that decides passthrough."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.chars import has_arabic_letters
from reader.normalize import model_text

INVISIBLE = (
    "\u0640\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﻻ ﺍﻟﻌﺮﺑﻴﺔ", "لا العربية"),  # presentation forms fold under NFKC
        ("ﷲ", "الله"),
        ("ا\u0654 ا\u0653", "أ آ"),  # decomposed hamza and madda compose before marks are stripped
        ("العـــربيـة", "العربية"),  # tatweel
        ("مر\u200bح\u200cب\u200dا\u2060\ufeff", "مرحبا"),  # zero-width characters
        ("\u200fنعم\u200e \u202bلا\u202c \u2066x\u2069\u061c \u202a\u202d\u202ey", "نعم لا x y"),  # bidi controls
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),  # Eastern Arabic digits
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),  # Persian digits
        ("٣٫٥ و١٢٬٠٠٠", "3.5 و12,000"),  # Arabic decimal and thousands separators between digits
        ("٢٠٫ ٫٥ ٬x", "20٫ ٫5 ٬x"),  # ... and only between digits
        ("  قال \t\n\u00a0 الوزير \u2028 ", "قال الوزير"),  # whitespace collapsed and stripped
        ("ｘ１", "x1"),  # NFKC fullwidth forms
        ("", ""),
        ("\u200f\u0640 \u200b", ""),
    ],
)
def test_normalize_rules(raw: str, expected: str) -> None:
    assert model_text(raw) == expected


def test_diacritics_are_stripped_by_default_and_kept_on_request() -> None:
    text = "مُحَمَّدٌ هٰذا ذٰلِكَ ۖ"
    assert model_text(text) == "محمد هذا ذلك"
    assert model_text(text, strip_diacritics=False) == "مُحَمَّدٌ هٰذا ذٰلِكَ ۖ"


def test_tatweel_from_presentation_forms_is_removed_after_nfkc() -> None:
    # U+FE71 is tatweel + fathatan in one character; NFKC splits it back out.
    assert model_text("بﹱ") == "ب"
    assert model_text("بﹱ", strip_diacritics=False) == "بً"


def test_removing_a_control_lets_nfkc_compose_and_the_result_is_stable() -> None:
    assert model_text("e\u0640\u064b\u0301") == "é"
    assert model_text("é") == "é"


TEXT = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from(list(INVISIBLE + "ابتثجحخدﻻﺍﷲﹱ٠١٩۰۹٫٬ًٌٍَُِّْٰۖ ٓٔ\t\n\u00a0\u2028eé\u0301")),
    ),
    max_size=200,
)


@given(TEXT, st.booleans())
@settings(max_examples=300, deadline=None)
def test_normalize_is_idempotent_and_removes_controls(text: str, strip: bool) -> None:
    out = model_text(text, strip_diacritics=strip)
    assert model_text(out, strip_diacritics=strip) == out
    assert not set(out) & set(INVISIBLE)
    assert out == out.strip() and "  " not in out
    assert not any("\u0660" <= ch <= "\u0669" or "\u06f0" <= ch <= "\u06f9" for ch in out)
    if strip:
        assert not any("\u064b" <= ch <= "\u065f" or ch == "\u0670" for ch in out)


@given(TEXT)
@settings(max_examples=200, deadline=None)
def test_has_arabic_letters_never_crashes_and_survives_normalization(text: str) -> None:
    if has_arabic_letters(model_text(text)):
        assert has_arabic_letters(text) or any("\ufb50" <= ch <= "\ufeff" for ch in text)
