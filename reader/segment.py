"""Arabic-aware paragraph and sentence segmentation with offsets into the original text.

Every non-empty line is a paragraph and sentences never cross one, so headlines and list items
stand alone. Spans are trimmed; what lies between them is whitespace only, so ``pieces`` rebuilds
the input exactly and the app and exports can highlight or re-assemble the original article.

A sentence ends after ``. ! ? ؟ …`` (or a run of them, plus any closing quotes or brackets) when
whitespace follows and the next word can start a sentence. Agency and web text put a space before
the mark (``مستقر . وأضاف``) or around a closing quote (``قال ". وأضاف``, ``؟ " ثم``): the mark still
ends the sentence, and a closing quote standing after it belongs to it. Abbreviations (``د.`` ``أ.``
``U.S.`` ``أ.ف.ب`` single letters...), transliterated initials (``جون إف. كينيدي``, ``جي. بي.``),
list numbers at the start of a line and Latin glosses in parentheses do not end one. An ellipsis
usually pauses inside a sentence (``كان صعبا... لكنه تحسن``), so it ends one only before what
clearly starts a new sentence: a new quotation, a dash-led item, a capital letter. Agency copy writes
a full stop as two dots (``إلى ذلك.. وفي سياق``, ``595 ألف طن.. مقابل 443``): exactly two dots before an
Arabic word end a sentence. Text that looks like markup (``جديدة. <img …> تقرأ``) is still text, and a
full stop before it ends a sentence. Marks inside a
word (``27.25`` ``example.com`` ``3.11``) never end one, since whitespace must follow the mark;
``،`` ``؛`` ``:`` ``;`` are not sentence marks, but a colon before a dash-led item ends the words
that introduce an inline list (``ما يلي: - ارتفاع الأسعار. - تراجع الصادرات.``), and each item
is a sentence.
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
# A token of these alone, after a space, still belongs to the sentence before it: `مستقر " .`, `هذا . »`.
_TRAILERS = frozenset(_CLOSERS) | _INVISIBLE_CHARS
_QUOTE_OPENERS = "«“„‹「『"
_ELLIPSIS_MARKS = frozenset(".…")
_NON_DOT_MARKS = frozenset(_MARKS) - _ELLIPSIS_MARKS
_BULLETS = frozenset("-–—•*·▪")
_LIST_COLONS = (":", "：")
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
# Latin letter names as Arabic writes initials: جون إف. كينيدي، جورج دبليو. بوش، جيه.بي. مورجان.
_LETTER_NAMES = frozenset(
    {"إيه", "أيه", "إف", "اف", "جي", "إتش", "اتش", "إيتش", "ايتش", "آي", "جيه", "كيه", "إل", "إم", "كيو"}
    | {"آر", "إس", "اس", "تي", "يو", "دبليو", "زد"}
)
# Letter names that are also common words (بي "with me", في "in", إن "that", أو "or", دي "this")
# or that often end a sentence (منصة إكس.): initials only next to another initial (جي. بي. مورغان).
_AMBIGUOUS_LETTER_NAMES = frozenset(
    {"ايه", "بي", "سي", "دي", "إي", "اي", "جاي", "كاي", "ام", "إن", "ان", "أو", "في", "إكس", "اكس"}
    | {"واي", "زي", "ار"}
)
_ANY_LETTER_NAMES = _LETTER_NAMES | _AMBIGUOUS_LETTER_NAMES
# List numbers at the start of a line: 1. ١. 2.3. IV.
_LIST_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[IVXivx]{1,5}")
# Where a sentence may end: a run of marks, or a bullet after whitespace (an inline list item; not a
# minus sign, so no digit may follow it directly).
_BULLET = r"(?<=\s)(?P<bullet>[" + re.escape("".join(sorted(_BULLETS))) + r"])(?=\s|[^\W\d_])"
_BREAK = re.compile(_RUN.pattern + "|" + _BULLET)
_TAG_START = re.compile(r"</?[A-Za-z]|<!")
_GLOSS_LOOKBACK = 200
_LOOKBACK_TOKENS = 3  # the mark's own (empty) word, a closing quote or a mark standing apart, the word
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
    in_list = False  # after "ما يلي: - ...", while each sentence starts with a bullet
    for match in _BREAK.finditer(text, start, end):
        if match.group("bullet") is not None:
            bullet = match.start()
            if _starts_list_item(text, sentence_start, bullet, end, in_list):
                yield SentenceSpan(*_trim(text, sentence_start, bullet))
                sentence_start = bullet
                in_list = True
            continue
        stop = _after_closing_quote(text, match.end(), start, end)
        if stop >= end or not text[stop].isspace():
            continue
        if _is_boundary(text, match.start(), stop, sentence_start, start, end):
            yield SentenceSpan(*_trim(text, sentence_start, stop))
            sentence_start = stop
            in_list = in_list and text[_visible(text, stop, end) : end][:1] in _BULLETS
    yield SentenceSpan(*_trim(text, sentence_start, end))


def _starts_list_item(text: str, sentence_start: int, bullet: int, line_end: int, in_list: bool) -> bool:
    """Whether the bullet at ``bullet`` starts an item of an inline list, ending the sentence before it."""
    before = text[sentence_start:bullet].rstrip()
    if not before:
        return False  # the item already starts the sentence
    if before[-1].isdigit() and text[_visible(text, bullet + 1, line_end) : line_end][:1].isdigit():
        return False  # a range: "بين 3 - 5 سنوات"
    return in_list or before.endswith(_LIST_COLONS)


def _after_closing_quote(text: str, stop: int, line_start: int, line_end: int) -> int:
    """The end of a closing quote or bracket standing apart after the marks (`هذا . »`, `؟ " ثم`), else ``stop``."""
    if stop >= line_end or not text[stop].isspace():
        return stop
    token_start, token_end = _token_after(text, stop, line_end)
    token = text[token_start:token_end]
    if not token or not set(token) <= _TRAILERS:
        return stop
    quote = token.strip(_INVISIBLE)
    if quote in ('"', "'") and not _quote_open(text, line_start, stop, quote):
        return stop  # a straight quote that opens the next sentence's quotation
    return token_end


def _quote_open(text: str, line_start: int, pos: int, quote: str) -> bool:
    """Whether a straight quote is open at ``pos``: an odd number of them since the line began."""
    return text.count(quote, line_start, pos) % 2 == 1


def _visible(text: str, pos: int, line_end: int) -> int:
    """Where the first character at or after ``pos`` that is neither whitespace nor invisible is (or ``line_end``)."""
    while pos < line_end and (text[pos].isspace() or text[pos] in _INVISIBLE_CHARS):
        pos += 1
    return pos


def _is_boundary(text: str, mark: int, stop: int, sentence_start: int, line_start: int, line_end: int) -> bool:
    """Whether the run of marks text[mark:stop], followed by whitespace, ends a sentence."""
    word_start, word = _word_before(text, mark, sentence_start)
    if not any(ch.isalnum() for ch in word):
        return False  # "(...)", marks standing alone
    if text[mark] == "." and (mark + 1 == stop or text[mark + 1] not in _MARKS):
        bare = _bare(word)
        if _is_abbreviation(bare) or _is_initial(text, bare, word_start, stop, sentence_start, line_end):
            return False
        if _LIST_NUMBER.fullmatch(bare) and _only_bullets_before(text, line_start, word_start):
            return False
    if _closes_latin_gloss(text, mark, stop, sentence_start):
        return False
    if _is_ellipsis(text[mark:stop]):
        return _ellipsis_ends_sentence(text, mark, stop, line_start, line_end)
    return _starts_sentence(text, stop, line_end)


def _word_before(text: str, mark: int, sentence_start: int) -> tuple[int, str]:
    """The start and text of the word a mark ends.

    That is the word glued to the mark, or, where a space stands between (``مستقر .``), perhaps with a
    closing quote (``مستقر ".`` ``مستقر " .``) or another mark (``متى ؟ !``), the word before them.
    """
    end = mark
    for _ in range(_LOOKBACK_TOKENS):
        start = end
        while start > sentence_start and not text[start - 1].isspace():
            start -= 1
        word = text[start:end]
        standing_apart = not word or set(word) <= _TRAILERS or set(word) <= _NON_DOT_MARKS
        previous = start
        while previous > sentence_start and text[previous - 1].isspace():
            previous -= 1
        if not standing_apart or previous == start or previous <= sentence_start:
            break
        end = previous
    return start, word


def _is_ellipsis(run: str) -> bool:
    """Marks that are only dots, ``…`` or two or more: "..." "…" ".." (not "؟..." "!…")."""
    marks = [ch for ch in run if ch in _MARKS]
    return set(marks) <= _ELLIPSIS_MARKS and ("…" in marks or len(marks) >= 2)


def _ellipsis_ends_sentence(text: str, mark: int, stop: int, line_start: int, line_end: int) -> bool:
    """After an ellipsis, only a new quotation, a dash-led item or a capital letter starts a new sentence; after
    an agency's double dot, an Arabic word does too."""
    pos = _visible(text, stop, line_end)
    if pos >= line_end:
        return False
    ch = text[pos]
    if _is_double_dot(text[mark:stop]) and has_arabic_letters(ch):
        return True
    if ch in _QUOTE_OPENERS or (ch == '"' and not _quote_open(text, line_start, pos, ch)):
        return True
    if ch in _BULLETS:
        return pos + 1 < line_end and text[pos + 1].isspace()
    return unicodedata.category(ch) == "Lu"


def _is_double_dot(run: str) -> bool:
    """Exactly two full stops (closers after them allowed): agency copy's full stop, not a pause's "..."."""
    return run.count(".") == 2 and run.startswith("..") and not set(run) & _NON_DOT_MARKS and "…" not in run


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
        or _is_joined_initials(bare)
    )


def _is_joined_initials(bare: str) -> bool:
    """Initials written together, as in جيه.بي (J.P.): letter names or one or two letters between dots."""
    parts = bare.split(".")
    return len(parts) > 1 and all(
        part in _ANY_LETTER_NAMES or (0 < len(part) <= 2 and part.isalpha()) for part in parts
    )


def _is_initial(text: str, bare: str, word_start: int, stop: int, sentence_start: int, line_end: int) -> bool:
    """A transliterated Latin initial such as إف. in جون إف. كينيدي (the dot is not a sentence end).

    Letter names that are also words count only next to another initial, and none counts after a
    number (``شبكات 5 جي.``).
    """
    if bare not in _ANY_LETTER_NAMES:
        return False
    previous = _bare(_token_before(text, word_start, sentence_start))
    if previous[:1].isdigit():
        return False
    following = _bare(text[slice(*_token_after(text, stop, line_end))])
    return bare in _LETTER_NAMES or _is_initial_token(previous) or _is_initial_token(following)


def _token_before(text: str, pos: int, floor: int) -> str:
    """The whitespace-delimited token that ends before the whitespace before ``pos``."""
    end = pos
    while end > floor and text[end - 1].isspace():
        end -= 1
    start = end
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _token_after(text: str, pos: int, ceiling: int) -> tuple[int, int]:
    """The span of the whitespace-delimited token that starts after the whitespace at ``pos``."""
    while pos < ceiling and text[pos].isspace():
        pos += 1
    end = pos
    while end < ceiling and not text[end].isspace():
        end += 1
    return pos, end


def _is_initial_token(word: str) -> bool:
    """A letter name or a single letter followed by its dot: بي. ب. J."""
    if not word.endswith(".") or word.endswith(".."):
        return False
    name = word[:-1]
    return name in _ANY_LETTER_NAMES or (len(name) == 1 and name.isalpha())


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
    pos = _visible(text, pos, line_end)
    if pos >= line_end:
        return False
    ch = text[pos]
    if ch == "<":  # markup-looking text: a tag (<img …>, </p>, <!-- …) starts whatever follows
        return bool(_TAG_START.match(text, pos))
    return ch in _OPENERS or unicodedata.category(ch) in _STARTER_CATEGORIES
