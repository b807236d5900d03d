"""Arabic-aware paragraph and sentence segmentation with offsets into the original text.

Every non-empty line is a paragraph and sentences never cross one, so headlines and list items
stand alone. Spans are trimmed; what lies between them is whitespace only, so ``pieces`` rebuilds
the input exactly and the app and exports can highlight or re-assemble the original article.

A sentence ends after ``. ! ? ؟ …`` (or a run of them, plus any closing quotes or brackets) when
whitespace follows and the next word can start a sentence. Abbreviations (``د.`` ``أ.`` ``U.S.``
single letters...), list numbers at the start of a line and Latin glosses in parentheses do not
end one. Marks inside a word (``27.25`` ``example.com`` ``3.11``) never do, since whitespace must
follow the mark; ``،`` ``؛`` ``:`` ``;`` are not sentence marks at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from reader.chars import CLOSING_MARKS, INVISIBLE, has_arabic_letters


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence as a trimmed half-open span [start, end) of the original text."""

    start: int
    end: int


@dataclass(frozen=True)
class ParagraphSpan:
    """A non-empty line, trimmed, with its sentences."""

    start: int
    end: int
    sentences: tuple[SentenceSpan, ...]


# Line breaks as str.splitlines sees them; a whitespace-only line is no paragraph, so "\r\n" needs no case.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

_MARKS = ".!?؟…۔‼⁇⁈⁉。！？．"
_CLOSERS = CLOSING_MARKS
# Invisible format characters (bidi controls, zero-width) that may sit between a mark and a closer.
_INVISIBLE_CHARS = frozenset(INVISIBLE)
_INVISIBLE = "".join(sorted(_INVISIBLE_CHARS))
_RUN = re.compile("[" + re.escape(_MARKS) + "][" + re.escape(_MARKS + _CLOSERS + _INVISIBLE) + "]*")
_OPENERS = "\"'“‘„«‹([{〈「『¡¿#@•*"
_BULLETS = frozenset("-–—•*·▪")
# Categories that can begin a sentence: capital/caseless letters, digits, opening punctuation, dashes,
# symbols (emoji, currency). Lowercase Latin is left out: "etc. and", "... then" continue a sentence.
_STARTER_CATEGORIES = frozenset({"Lu", "Lt", "Lo", "Lm", "Nd", "Nl", "No", "Ps", "Pi", "Pd", "So", "Sc"})

# Compared after stripping diacritics and tatweel; single letters (د. أ. م. ص. ج. هـ. J.) are handled apart.
_ARABIC_ABBREVIATIONS = frozenset({"إلخ", "الخ", "مج", "تح"})
_LATIN_ANY_CASE = frozenset({"etc", "vs", "cf", "al", "approx", "pp"})
# Only when capitalized, so that "he said no. The" still ends a sentence.
_LATIN_CAPITALIZED = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "capt", "sgt", "gov"}
    | {"sen", "rep", "rev", "hon", "pres", "no", "nos", "vol", "fig", "figs", "dept", "univ"}
    | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
# Dotted abbreviations: U.S, e.g, i.e, a.m, Ph.D, ق.م, أ.د, ش.م.م (the final dot is the mark itself).
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
# List numbers at the start of a line: 1. ١. 2.3. IV.
_LIST_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[IVXivx]{1,5}")
_GLOSS_LOOKBACK = 200
_BULLET_PREFIX = 8


def segment(text: str) -> list[ParagraphSpan]:
    """Paragraphs (non-empty lines) and their sentences, as spans of ``text``."""
    return [ParagraphSpan(s, e, tuple(_sentences(text, s, e))) for s, e in _lines(text, 0, len(text))]


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[SentenceSpan]:
    """Sentences of ``text[start:end]`` with absolute offsets; line breaks inside the range still end one."""
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise ValueError(f"range {start}:{stop} is outside a text of length {len(text)}")
    return [sentence for s, e in _lines(text, start, stop) for sentence in _sentences(text, s, e)]


def pieces(text: str, paragraphs: list[ParagraphSpan]) -> list[str]:
    """The text cut into sentence slices and the non-empty whitespace gaps between them, in order.

    ``"".join(pieces(text, segment(text))) == text``; a gap is whitespace only, a sentence never is.
    """
    out: list[str] = []
    pos = 0
    for paragraph in paragraphs:
        for sentence in paragraph.sentences:
            if sentence.start < pos or sentence.end < sentence.start or sentence.end > len(text):
                raise ValueError(f"sentence span {sentence.start}:{sentence.end} is out of order or range")
            if sentence.start > pos:
                out.append(text[pos : sentence.start])
            out.append(text[sentence.start : sentence.end])
            pos = sentence.end
    if pos < len(text):
        out.append(text[pos:])
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Trimmed spans of the non-empty lines of text[start:end]."""
    pos = start
    for match in _LINE_BREAK.finditer(text, start, end):
        s, e = _trim(text, pos, match.start())
        if s < e:
            yield s, e
        pos = match.end()
    s, e = _trim(text, pos, end)
    if s < e:
        yield s, e


def _sentences(text: str, start: int, end: int) -> Iterator[SentenceSpan]:
    """Sentences of one trimmed line."""
    sentence_start = start
    for run in _RUN.finditer(text, start, end):
        stop = run.end()
        if stop >= end or not text[stop].isspace():
            continue
        if _is_boundary(text, run.start(), stop, sentence_start, start, end):
            yield SentenceSpan(*_trim(text, sentence_start, stop))
            sentence_start = stop
    yield SentenceSpan(*_trim(text, sentence_start, end))


def _is_boundary(text: str, mark: int, stop: int, sentence_start: int, line_start: int, line_end: int) -> bool:
    """Whether the run of marks text[mark:stop], followed by whitespace, ends a sentence."""
    word_start = mark
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:mark]
    if not any(ch.isalnum() for ch in word):
        return False  # "(...)", a spaced ellipsis, marks standing alone
    if text[mark] == "." and (mark + 1 == stop or text[mark + 1] not in _MARKS):
        bare = _bare(word)
        if _is_abbreviation(bare):
            return False
        if _LIST_NUMBER.fullmatch(bare) and _only_bullets_before(text, line_start, word_start):
            return False
    if _closes_latin_gloss(text, mark, stop, sentence_start):
        return False
    return _starts_sentence(text, stop, line_end)


def _only_bullets_before(text: str, line_start: int, word_start: int) -> bool:
    """Whether the word opens its line, perhaps after a bullet ("- 1." "• 2.")."""
    return word_start - line_start <= _BULLET_PREFIX and set(text[line_start:word_start].split()) <= _BULLETS


def _bare(word: str) -> str:
    """The word without leading openers, invisible characters, diacritics and tatweel."""
    kept = "".join(ch for ch in word if ch not in _INVISIBLE_CHARS and ch != "ـ" and not unicodedata.combining(ch))
    return kept.lstrip(_OPENERS)


def _is_abbreviation(bare: str) -> bool:
    if len(bare) <= 1:
        return bare.isalpha()
    low = bare.lower()
    return (
        bare in _ARABIC_ABBREVIATIONS
        or low in _LATIN_ANY_CASE
        or (bare[0].isupper() and low in _LATIN_CAPITALIZED)
        or bool(_DOTTED.fullmatch(bare))
    )


def _closes_latin_gloss(text: str, mark: int, stop: int, sentence_start: int) -> bool:
    """A Latin aside in brackets inside Arabic text, as in "شركة أبل (Apple Inc.) عن", ends nothing."""
    closer = next((ch for ch in text[mark:stop] if ch in ")]"), None)
    if closer is None:
        return False
    opener = "(" if closer == ")" else "["
    depth = 0
    for pos in range(mark - 1, max(sentence_start, mark - _GLOSS_LOOKBACK) - 1, -1):
        ch = text[pos]
        if ch == closer:
            depth += 1
        elif ch == opener:
            if depth == 0:
                inner = text[pos + 1 : mark]
                outer = text[max(sentence_start, pos - _GLOSS_LOOKBACK) : pos]
                return not has_arabic_letters(inner) and has_arabic_letters(outer)
            depth -= 1
    return False


def _starts_sentence(text: str, pos: int, line_end: int) -> bool:
    """Whether the first visible character after text[pos] can begin a sentence."""
    while pos < line_end and (text[pos].isspace() or text[pos] in _INVISIBLE_CHARS):
        pos += 1
    if pos >= line_end:
        return False
    ch = text[pos]
    return ch in _OPENERS or unicodedata.category(ch) in _STARTER_CATEGORIES
