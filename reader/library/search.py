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

**Arabic through its clitics.** An Arabic word (and the first word of a phrase) is searched in every
form it is written in with the proclitics و ف ب ل ك ال and their combinations (``reader.clitics``,
the glossary matcher's rules): رئيس, الرئيس, والرئيس, بالرئيس and للرئيس find one another. The
word typed may carry clitics itself: a sequence with the article (وال, بال, لل) is taken off for
sure; a lone و ف ب ل ك only when the index knows the rest as a word at least as often (``known``:
وتشتري is و + تشتري, but وزير is not و + زير). A quoted single word (``"الملكة"``) is the exact form.

**Hits.** FTS5's ``highlight()`` brackets the matched tokens of the folded Arabic and of the
English; the words carrying them are the match, and the words the sentence's alignment pairs
with them on the other side are marked as their counterparts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reader.chars import has_arabic_letters, search_words
from reader.clitics import ARTICLE, WITH_ARTICLE, article_variants, split_readings, written_forms
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
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")

STRIPPED_STEM = 3
"""Letters a stem needs for a typed word to be searched without its clitics: two-letter stems are mostly
particles (الله is not ال + له, nor التي ال + تي)."""

Known = Callable[[Collection[str]], Mapping[str, int]]
"""How many indexed sentences hold each of these folded words (the index's vocabulary)."""


@dataclass(frozen=True)
class Query:
    text: str
    """As typed."""
    fts: str
    """The FTS5 expression: quoted terms and the operators between them."""


def parse_query(text: str, known: Known | None = None) -> Query:
    """A safe FTS5 query for what the user typed; LibraryError (one line) when there is nothing to search for.

    ``known`` (the index's word counts) decides whether a typed word's leading و ف ب ل ك is a clitic;
    without it only the article's sequences are taken off.
    """
    typed = " ".join(str(text).split())
    if len(typed) > MAX_QUERY_CHARS:
        raise LibraryError(f"the search is too long ({len(typed)} characters; at most {MAX_QUERY_CHARS})")
    parts: list[str] = []  # alternating operand / operator, starting and ending with an operand
    for token in _TOKEN.findall(typed):
        if token.startswith('"'):
            operands = [_phrase(token.strip('"'), known)]
        elif token in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:
                parts.append(token)
            continue
        else:
            operands = [_word(word, known) for word in _SEPARATORS.sub(" ", token).split() if word not in _IGNORED]
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


def _word(word: str, known: Known | None) -> str | None:
    prefix = word.endswith("*")
    folded = search_words(word.rstrip("*"))
    if not _searchable(folded):
        return None
    star = "*" if prefix else ""
    return _any_of([_literal(form) + star for form in _forms(folded, known)])


def _phrase(text: str, known: Known | None) -> str | None:
    folded = search_words(text)
    if not _searchable(folded):
        return None
    first, _, rest = folded.partition(" ")
    if not rest:
        return _literal(folded)  # a quoted word: the exact form
    return _any_of([_literal(f"{form} {rest}") for form in _forms(first, known)])


def _any_of(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def _forms(folded: str, known: Known | None) -> list[str]:
    """The written forms a folded word is searched in: itself when it is not one Arabic word, else every
    clitic form of every stem it may be (``query_stems``)."""
    if not has_arabic_letters(folded) or not _ARABIC_WORD.fullmatch(folded):
        return [folded]
    forms = dict.fromkeys([folded])
    for stem in query_stems(folded, known):
        forms.update(dict.fromkeys(written_forms(stem)))
    return list(forms)


def query_stems(word: str, known: Known | None = None) -> list[str]:
    """The stems a typed (folded) Arabic word stands for: without its article, and without the proclitics
    written on it when they carry the article, or when the index knows the rest as a word (``known``)."""
    split = {stem: clitics for stem, clitics in split_readings(word).items() if len(stem) >= STRIPPED_STEM}
    stems = {word: None}
    for stem, clitics in split.items():
        if clitics in WITH_ARTICLE:
            stems.setdefault(stem)
    unsure = [stem for stem, clitics in split.items() if clitics and stem not in stems]
    if unsure and known is not None:
        counts = known({word, *unsure, *(ARTICLE + stem for stem in unsure)})
        enough = max(1, counts.get(word, 0))  # the rest (bare or with ال) at least as often as the word typed
        for stem in unsure:
            if counts.get(stem, 0) + counts.get(ARTICLE + stem, 0) >= enough:
                stems.setdefault(stem)
    for stem in list(stems):
        for variant in article_variants(stem)[1:]:
            if len(variant) >= STRIPPED_STEM:
                stems.setdefault(variant)
    # a stem that is another one with the article on it (or وال, بال, لل...) adds no form of its own
    return [s for s in stems if not any(t in stems for t, c in split_readings(s).items() if c in WITH_ARTICLE)]


def _searchable(folded: str) -> bool:
    """Whether the tokenizer would keep something of it (punctuation only: nothing to search for)."""
    return bool(_WORDLIKE.search(folded.replace("_", "")))


def _literal(folded: str) -> str:
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
