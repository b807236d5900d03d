"""Character classes: the one place that says which characters are Arabic letters, invisible, or right to left.

Segmentation, model-input normalization and every exporter ask these questions; they ask them here.
Two questions that sound alike are kept apart on purpose:

- ``has_arabic_letters``: is there Arabic text here (something to translate, a lang="ar" run)?
  Arabic-script letters only: digits, punctuation, marks and tatweel do not count.
- ``has_rtl`` / ``starts_rtl``: which way is this laid out? Any right-to-left script counts (Arabic,
  Hebrew, Syriac, Thaana...), by the characters' Unicode bidi class, as a browser or fpdf2 decides it.

``fold_arabic`` is the one folding of Arabic spelling variants, for matching words (the glossary,
and the library's search through ``search_words``) rather than for what the model sees
(``reader.normalize``).
"""

from __future__ import annotations

import re
import unicodedata

TATWEEL = "\u0640"
"""The Arabic elongation stroke: typography, not spelling."""
ARABIC_DIACRITICS = "".join(chr(c) for c in (*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)))
"""Harakat, tanween, shadda, sukun, superscript alef and the Quranic annotation marks."""

BIDI_MARKS = "\u200e\u200f\u061c"
"""LRM, RLM, ALM: invisible strong characters; harmless inside an isolated sentence."""
BIDI_EMBEDDINGS = "\u202a\u202b\u202c\u202d\u202e"
"""LRE, RLE, PDF, LRO, RLO: they reorder text visually, so hostile text can use them to disguise itself."""
BIDI_ISOLATES = "\u2066\u2067\u2068\u2069"
"""LRI, RLI, FSI, PDI."""
BIDI_CONTROLS = BIDI_MARKS + BIDI_EMBEDDINGS + BIDI_ISOLATES
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
"""Zero-width space, non-joiner, joiner, word joiner, and the byte order mark used as one."""
INVISIBLE_OPERATORS = "\u2061\u2062\u2063\u2064"
INVISIBLE = BIDI_CONTROLS + ZERO_WIDTH + INVISIBLE_OPERATORS
"""Format characters that show nothing: never part of a word as the model or a reader sees it."""

OPENING_MARKS = "\"'“‘„«‹([{〈「『"
"""Quotes and brackets that open (straight quotes open and close)."""
CLOSING_MARKS = "\"'”’»›)]}〉」』"
"""Quotes and brackets that close: they belong to the sentence or clause they end."""

EASTERN_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DECIMAL_SEPARATOR = "\u066b"
"""٫ as in ٣٫٥ (3.5)."""
ARABIC_THOUSANDS_SEPARATOR = "\u066c"
"""٬ as in ١٢٬٠٠٠ (12,000)."""
DIGITS_TO_ASCII = {ord(ch): str(d) for digits in (EASTERN_ARABIC_DIGITS, PERSIAN_DIGITS) for d, ch in enumerate(digits)}
"""``str.translate`` table: Eastern Arabic and Persian digits to ASCII (٢٠٢٤ -> 2024)."""
TERMINAL_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]}
"""``str.translate`` table: C0 controls (but tab and line feed), DEL and C1 controls as visible escapes,
so hostile text printed on a terminal cannot move the cursor or change colours."""
JSON_CONTROLS = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}
"""The same for JSON text: ``json.dumps`` escapes C0 itself, and ``\\u009b`` is as valid JSON as the control."""

# Blocks holding Arabic-script letters: Arabic, Supplement, Extended-A/B/C, presentation forms A/B,
# mathematical letters. Only category Lo counts (not digits, punctuation, marks or tatweel).
_ARABIC_BLOCKS = re.compile(
    "[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff\U00010ec0-\U00010eff\U0001ee00-\U0001eeff]"
)
_RTL_CLASSES = frozenset({"R", "AL"})
_INVISIBLE_SET = frozenset(INVISIBLE)


def has_arabic_letters(text: str) -> bool:
    """Whether ``text`` has an Arabic-script letter; text without one is passed through, not translated."""
    return any(unicodedata.category(m.group()) == "Lo" for m in _ARABIC_BLOCKS.finditer(text))


def undecorated(word: str) -> str:
    """``word`` without invisible controls, tatweel and combining marks (diacritics): its bare letters."""
    return "".join(ch for ch in word if ch not in _INVISIBLE_SET and ch != TATWEEL and not unicodedata.combining(ch))


_FOLDED_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ alef with hamza above
        "\u0625": "\u0627",  # إ alef with hamza below
        "\u0622": "\u0627",  # آ alef with madda
        "\u0671": "\u0627",  # ٱ alef wasla
        "\u0624": "\u0648",  # ؤ waw with hamza
        "\u0626": "\u064a",  # ئ yeh with hamza
        "\u0649": "\u064a",  # ى alef maqsura
        "\u06cc": "\u064a",  # ی Farsi yeh, typed on Persian keyboards
        "\u06a9": "\u0643",  # ک keheh, likewise
        "\u0629": "\u0647",  # ة ta marbuta
    }
)


def fold_arabic(text: str) -> str:
    """``text`` with the spelling variants Arabic writers mix folded together, to compare words.

    Presentation forms become letters (NFKC), diacritics, tatweel and invisible controls go, the
    hamza and madda forms of alef become bare alef, hamza on waw or yeh becomes the bare letter,
    alef maqsura and Farsi yeh become yeh, and ta marbuta becomes heh: أحمد, إحمد and احمد fold alike,
    as do مدرسة and مدرسه. Never for model input or display: the text loses real distinctions.
    """
    return undecorated(unicodedata.normalize("NFKC", undecorated(text))).translate(_FOLDED_LETTERS)


def search_words(text: str) -> str:
    """``text`` as the library's search index reads it: every word folded (``fold_arabic``, digits in ASCII).

    Word ``k`` of the result is word ``k`` of ``text`` (words are runs of non-whitespace, as in
    ``reader.document.word_spans``), so a match found in the folded text marks the word as written:
    a word that folds to several (a ligature such as ﷺ) is joined with ``-``, and one that folds to
    nothing (a lone tatweel or mark) becomes ``-``. The search query is folded the same way, so
    الرَّئِيسُ and الرئيس, or إعلان and اعلان, find each other. Applying it twice changes nothing.
    """
    return " ".join("-".join(fold_arabic(word).translate(DIGITS_TO_ASCII).split()) or "-" for word in text.split())


def bare_word(word: str) -> str:
    """``word`` without the punctuation, quotes and brackets around it: «الرئيس، -> الرئيس; "letter." -> letter."""
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    return word[start:end]


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds any right-to-left letter: then a source block's base direction is RTL.

    A source paragraph of Latin text or digits only stays left to right, or its final "?" or "."
    would be drawn at its left end.
    """
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def starts_rtl(text: str) -> bool:
    """The first-strong-character rule (as ``dir="auto"``): right to left when that character is R or AL."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return False
