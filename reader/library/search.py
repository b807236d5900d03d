"""Search queries and hits, apart from the database: what the user types becomes a safe FTS5 query,
and what FTS5 matched becomes marked words on both sides of a sentence pair.

**Queries.** Whatever is typed is searched for, and nothing typed can reach FTS5's query syntax:
every term is sent as a quoted string. Words separated by spaces must all be present; ``"two
words"`` is a phrase (an unbalanced quote runs to the end); ``word*`` is a prefix; ``OR`` and
``NOT`` between two terms are the operators, ``AND`` is what spaces mean anyway, and ``NEAR``,
parentheses and commas are read as spaces. Punctuation inside a word (``U.S.``, ``al-Sisi``)
is left to the tokenizer, which reads the word's parts as a phrase. Every term is folded as the
index is (``reader.chars.search_words``: Arabic diacritics, tatweel, hamza and final-letter forms,
digits), and FTS5's porter tokenizer stems English, so ``breach`` finds "breaches".

**Hits.** FTS5's ``highlight()`` brackets the matched tokens of the folded Arabic and of the
English; the words carrying them are the match, and the words the sentence's alignment pairs
with them on the other side are marked as their counterparts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reader.chars import search_words
from reader.document import word_spans
from reader.errors import LibraryError

OPEN, CLOSE = "\x02", "\x03"
"""What ``highlight()`` puts around a match: control characters no document text keeps (they are never indexed)."""
MATCH, ALIGNED = "match", "aligned"
MAX_TERMS = 32
MAX_QUERY_CHARS = 1000

_OPERATORS = {"OR", "NOT"}
_IGNORED = {"AND", "NEAR"}
_TOKEN = re.compile(r'"[^"]*"?|[^\s"]+')
_SEPARATORS = re.compile(r"[(),]")
_WORDLIKE = re.compile(r"\w")


@dataclass(frozen=True)
class Query:
    text: str
    """As typed."""
    fts: str
    """The FTS5 expression: quoted terms and the operators between them."""


def parse_query(text: str) -> Query:
    """A safe FTS5 query for what the user typed; LibraryError (one line) when there is nothing to search for."""
    typed = " ".join(str(text).split())
    if len(typed) > MAX_QUERY_CHARS:
        raise LibraryError(f"the search is too long ({len(typed)} characters; at most {MAX_QUERY_CHARS})")
    parts: list[str] = []  # alternating operand / operator, starting and ending with an operand
    for token in _TOKEN.findall(typed):
        if token.startswith('"'):
            operands = [_phrase(token.strip('"'))]
        elif token in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:
                parts.append(token)
            continue
        else:
            operands = [_word(word) for word in _SEPARATORS.sub(" ", token).split() if word not in _IGNORED]
        for operand in operands:
            if operand is None:
                continue
            if parts and parts[-1] not in _OPERATORS:
                parts.append("AND")
            parts.append(operand)
    while parts and parts[-1] in _OPERATORS | {"AND"}:
        parts.pop()
    if not parts:
        raise LibraryError(f"nothing to search for in {typed!r}: type a word in Arabic or English")
    if (len(parts) + 1) // 2 > MAX_TERMS:
        raise LibraryError(f"the search has too many terms (at most {MAX_TERMS})")
    return Query(typed, " ".join(parts))


def _word(word: str) -> str | None:
    prefix = word.endswith("*")
    term = _quoted(word.rstrip("*"))
    return None if term is None else term + ("*" if prefix else "")


def _phrase(text: str) -> str | None:
    return _quoted(text)


def _quoted(text: str) -> str | None:
    folded = search_words(text)
    if not _WORDLIKE.search(folded.replace("_", "")):
        return None  # punctuation only: nothing the tokenizer would keep
    return '"' + folded.replace('"', '""') + '"'


def marked_words(highlighted: str) -> set[int]:
    """Indices of the whitespace-separated words of ``highlighted`` that hold a bracketed (matched) character."""
    marked: set[int] = set()
    index, in_word, inside = -1, False, False
    for ch in highlighted:
        if ch == OPEN:
            inside = True
        elif ch == CLOSE:
            inside = False
        elif ch.isspace():
            in_word = False
        else:
            if not in_word:
                in_word, index = True, index + 1
            if inside:
                marked.add(index)
    return marked


Marks = tuple[tuple[int, int, str], ...]
"""(start, end, MATCH or ALIGNED) character spans, in order."""


@dataclass(frozen=True)
class Hit:
    """One matching sentence pair of a document, with the match marked on both sides."""

    id: str
    sentence: int | None
    """The sentence's index in the document; None when the match is in the title."""
    source: str
    translation: str
    source_marks: Marks = ()
    translation_marks: Marks = ()

    def source_segments(self) -> list[tuple[str, str]]:
        return segments(self.source, self.source_marks)

    def translation_segments(self) -> list[tuple[str, str]]:
        return segments(self.translation, self.translation_marks)


def mark_hit(
    id_: str,
    sentence: int | None,
    source: str,
    translation: str,
    *,
    source_highlighted: str,
    translation_highlighted: str,
    alignment: Iterable[tuple[int, int]] = (),
) -> Hit:
    """The hit for one sentence pair: the matched words of each side, and their aligned counterparts."""
    source_words, target_words = word_spans(source), word_spans(translation)
    source_match = {i for i in marked_words(source_highlighted) if i < len(source_words)}
    target_match = {i for i in marked_words(translation_highlighted) if i < len(target_words)}
    pairs = [(s, t) for s, t in alignment if 0 <= s < len(source_words) and 0 <= t < len(target_words)]
    source_aligned = {s for s, t in pairs if t in target_match} - source_match
    target_aligned = {t for s, t in pairs if s in source_match} - target_match
    return Hit(
        id_,
        sentence,
        source,
        translation,
        _spans(source_words, source_match, source_aligned),
        _spans(target_words, target_match, target_aligned),
    )


def _spans(words: Sequence[tuple[int, int]], match: set[int], aligned: set[int]) -> Marks:
    out = []
    for index, (start, end) in enumerate(words):
        if index in match:
            out.append((start, end, MATCH))
        elif index in aligned:
            out.append((start, end, ALIGNED))
    return tuple(out)


def segments(text: str, marks: Marks) -> list[tuple[str, str]]:
    """``text`` cut into (piece, kind) runs: kind is MATCH, ALIGNED or '' (for rendering, each piece escaped)."""
    out: list[tuple[str, str]] = []
    cursor = 0
    for start, end, kind in marks:
        if start > cursor:
            out.append((text[cursor:start], ""))
        out.append((text[start:end], kind))
        cursor = end
    if cursor < len(text):
        out.append((text[cursor:], ""))
    return out
