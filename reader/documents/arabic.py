"""Arabic text as PDFs draw it, back to the text it was typed as: the repairs no PDF library does.

A PDF places glyphs; it does not say in which order they are read. Producers store Arabic in
visual order (fpdf2, LibreOffice, Word), as presentation-form glyphs (Chromium/Skia, jsPDF), with a
lam-alef ligature whose two letters come out swapped once the line is reversed naively (Word,
iText, and pdfminer.six #850), and with digit runs that a plain reversal turns around (pypdf #1296).

So the order is never taken from the file: ``logical_line`` gets a line's glyphs as the page shows
them, left to right, and undoes the Unicode bidi algorithm for a right-to-left paragraph. Each glyph
is a unit: a ligature's letters (ﻻ is "لا") stay in their own order whatever happens to the line,
which is what keeps lam-alef right. Latin runs and numbers are put back left to right, with the
separators the bidi algorithm would have kept inside them (UAX #9 rules W2, W4, W5 and W7).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
"""Control characters a broken ToUnicode map yields, and U+FFFD: never text (tab and newline are kept as spaces)."""
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_SWAPPED_LAM_ALEF = re.compile(r"(?<![\w])([وفبك]?)ا([أإآ])ل")
"""A word that starts with alef-hamza then lam: a reversed lam-alef ligature (اإلنتاجية for الإنتاجية),
never Arabic spelling. Only this unambiguous shape is repaired in text (سالم may be a name)."""


def letters(text: str) -> str:
    """Presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF) as the letters they draw, in their logical order."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def clean_glyph(text: str) -> str:
    """One glyph's text as a reader wants it: letters instead of forms, no replacement character (the kashida
    some producers stretch lines with comes out as U+FFFD, or as tatweel, which ``reader.documents.pdf`` drops
    between letters)."""
    return _CONTROLS.sub("", letters(text))


_JOINS_NEXT = re.compile(
    "[\u0626\u0628\u062a-\u062e\u0633-\u063f\u0641-\u0647\u0649\u064a\u066e\u066f\u0678-\u0687"
    "\u069a-\u06bf\u06c1\u06c2\u06cc\u06ce\u06d0\u06d1\u06fa-\u06fc\u06ff][\u064b-\u065f\u0670]*$"
)
"""A glyph ending in a dual-joining letter (Unicode's ArabicShaping.txt, joining type D: ب, ه, ك...): inside a
word it always joins the letter after it. Alef, dal, reh, waw, teh marbuta join only the letter before them."""
_JOINED = re.compile("^[\u0622-\u063f\u0641-\u064a\u0671-\u06d3]")
"""A glyph starting with a letter that joins the one before it (all but hamza, which joins nothing)."""


def joins(before: str, after: str) -> bool:
    """Whether, inside one word, glyph ``before`` would be joined to glyph ``after`` that follows it (logical
    order): then the two touch on the page, and a gap between them can only be a word space."""
    return bool(_JOINS_NEXT.search(before) and _JOINED.match(after))


def unswap_lam_alef(text: str) -> str:
    """Repair the one reversed lam-alef shape that cannot be a real word (اإلنتاجية -> الإنتاجية)."""
    return _SWAPPED_LAM_ALEF.sub(lambda m: f"{m.group(1)}ال{m.group(2)}", text)


def _kind(unit: str) -> str:
    """The bidi class that decides where a glyph goes: L, R, EN (digits), CS, ES, ET, or N (neutral)."""
    for ch in unit:
        kind = unicodedata.bidirectional(ch)
        if kind == "NSM":
            continue
        if kind in ("R", "AL"):
            return "R"
        if kind in ("EN", "AN"):
            return "EN"
        if kind in ("L", "CS", "ES", "ET"):
            return kind
        return "N"
    return "N"


def is_rtl_line(units: Sequence[str]) -> bool:
    """A line with any right-to-left letter is read as part of a right-to-left paragraph."""
    return any(_kind(u) == "R" for u in units)


BRACKETS = "()[]{}<>«»‹›"
"""The characters the bidi algorithm mirrors in right-to-left text, in pairs."""


_GLUED = frozenset(".,،;:!?؟؛")
"""Punctuation that a typesetter may draw stuck to the word it follows."""


def glued_punctuation(units: Sequence[str]) -> tuple[int, int]:
    """How many punctuation marks are drawn stuck to a Latin word's right and to its left (glyphs left to
    right, only one side Latin): a right-to-left line drawn by the Unicode bidi algorithm puts a Latin word's
    full stop at its left; XeTeX draws it at its right, as part of the word (see ``logical_line``)."""
    right = left = 0
    for i, unit in enumerate(units):
        if unit in _GLUED:
            before = i > 0 and _kind(units[i - 1]) == "L"
            after = i + 1 < len(units) and _kind(units[i + 1]) == "L"
            right += before and not after
            left += after and not before
    return right, left


def logical_line(units: Sequence[str], *, mirrored: str = "", islands: bool = False) -> str:
    """The typed text of one line of a right-to-left paragraph, from its glyphs as drawn left to right.

    The display order of an RTL paragraph is its logical order reversed, except for left-to-right
    runs (Latin words, numbers), which keep their own order. So: reverse the glyphs, then turn each
    such run around again. A run is the stretch from one Latin letter to the last one before any
    Arabic letter, digits and neutrals inside included (W7, N1); a number after Arabic text keeps
    only the common separators between its digits (an Arabic number: 1,250,000 and 27.25 and 10:30),
    while after Latin text it also keeps + - and % (a European number). A line starts as if after
    Arabic: the line before it, in the same paragraph, most likely ended in Arabic.

    ``mirrored``: the brackets (of ``BRACKETS``) that the file stores, when drawn in right-to-left text, as
    the character their mirrored glyph shows (Chromium does: "(" is drawn with the ")" glyph and stored as
    ")"), so those outside Latin runs are swapped back. ``islands``: the file was drawn as XeTeX draws
    Latin words typed into Arabic without markup, each word its own left-to-right island in the
    right-to-left line, the punctuation typed after it stuck to its right ("Dan Coats،" drawn
    "Coats، Dan"). Which way a file does each is decided over all its lines (``reader.documents.pdf``).
    """
    order = list(reversed(units))
    kinds = [_kind(u) for u in order]
    latin = _latin_runs(kinds)
    if mirrored:
        swap = str.maketrans(mirrored, "".join(mirrored[i + 1] + mirrored[i] for i in range(0, len(mirrored), 2)))
        inside = {i for start, end in latin for i in range(start, end)}
        order = [u if i in inside else u.translate(swap) for i, u in enumerate(order)]
    if islands:
        latin = [word for run in latin for word in _islands(order, *run)]
    for start, end in latin + _number_runs(kinds):
        order[start:end] = reversed(order[start:end])
    return "".join(order)


def _islands(order: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """A Latin run (glyphs right to left) as its words, each with the punctuation stuck to its right before it."""
    while start > 0 and order[start - 1] in _GLUED:
        start -= 1
    words, begin = [], start
    for i in range(start, end + 1):
        if i == end or not order[i].strip():
            if i > begin:
                words.append((begin, i))
            begin = i + 1
    return words


def _latin_runs(kinds: list[str]) -> list[tuple[int, int]]:
    runs = []
    i = 0
    while i < len(kinds):
        if kinds[i] != "L":
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(kinds) and kinds[j] != "R":
            if kinds[j] == "L":
                last = j
            j += 1
        runs.append((i, last + 1))
        i = j
    return runs


def _number_runs(kinds: list[str]) -> list[tuple[int, int]]:
    """Digit runs outside Latin runs, with the separators that join them (see ``logical_line``)."""
    runs = []
    # The last strong class before i, in logical order: a line's paragraph most likely had Arabic before it.
    strong = "R"
    i = 0
    inside_latin = set()
    for start, end in _latin_runs(kinds):
        inside_latin.update(range(start, end))
    while i < len(kinds):
        if kinds[i] in ("R", "L"):
            strong = kinds[i]
        if kinds[i] != "EN" or i in inside_latin:
            i += 1
            continue
        european = strong != "R"
        joiners = ("CS", "ES") if european else ("CS",)
        j = i + 1
        while j < len(kinds):
            if kinds[j] == "EN":
                j += 1
            elif kinds[j] in joiners and j + 1 < len(kinds) and kinds[j + 1] == "EN":
                j += 2
            else:
                break
        start = i
        if european:
            while start > 0 and kinds[start - 1] == "ET":
                start -= 1
            while j < len(kinds) and kinds[j] == "ET":
                j += 1
        if j - start > 1:
            runs.append((start, j))
        i = j
    return runs
