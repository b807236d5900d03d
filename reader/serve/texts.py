"""What the LibreTranslate-compatible endpoints do with their texts: translate plain text or HTML, detect.

Every text goes through reader's own pipeline (segmentation, planning, the sentence cache), so an answer
is exactly the library's translation of it. The model inputs of all the texts of one request are
looked up in the cache together and their misses sent as one batch; the pipeline then assembles each
text from those answers without another model call.

HTML keeps its markup: the fragment is cut where the parser's events start, each text node (outside
``script``, ``style`` and the like) holding Arabic is translated sentence by sentence like plain text
and escaped, and everything else is copied byte for byte (tags, attributes, links, comments, entities,
even broken markup). Text cut by inline tags (``<b>``, ``<a href>``, ``<span>``) is translated as one text,
and each inline element is put back around the English words aligned to its Arabic words; where the
alignment says nothing (or the result would not nest), around the whole sentences it was in; where even
that would not nest, the pieces are translated apart, as text between other tags is.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from reader.chars import has_arabic_letters
from reader.config import Settings
from reader.document import Document, SentencePair, word_spans
from reader.pipeline import segment_document, translate_text
from reader.plan import plan_sentence
from reader.translate.base import Translation, Translator

INLINE_ELEMENTS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark", "q",
     "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
)  # fmt: skip
"""Elements inside a sentence: the text around them is one text to translate."""
UNTRANSLATED_ELEMENTS = frozenset({"script", "style", "code", "pre", "textarea", "noscript", "template", "svg", "math"})
"""Elements whose text is code or data, never prose: copied as it is."""


def detect(text: str) -> tuple[str, float]:
    """('ar' or 'en', confidence 0-100): the share of the letters that are Arabic-script, or the rest.

    The server translates Arabic only, so this tells Arabic from anything else; 'en' stands for the latter.
    """
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return "en", 0.0
    arabic = sum(1 for c in letters if has_arabic_letters(c)) / len(letters)
    return ("ar", round(arabic * 100, 1)) if arabic >= 0.5 else ("en", round((1 - arabic) * 100, 1))


def english(document: Document) -> str:
    """The document's English laid out like its source: each paragraph where it was, the text between kept."""
    out = []
    at = 0
    for paragraph in document.paragraphs:
        out.append(document.text[at : paragraph.start])
        out.append(paragraph.translation)
        at = paragraph.end
    out.append(document.text[at:])
    return "".join(out)


@dataclass
class _Answered:
    """The request's translator, with the answers already fetched for its texts offered as cache hits."""

    inner: Translator
    answers: dict[str, Translation]

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    @property
    def model_fingerprint(self) -> str:
        return self.inner.model_fingerprint

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def lookup(self, sentences: Sequence[str]) -> dict[str, Translation]:
        return {s: self.answers[s] for s in sentences if s in self.answers}

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        return self.inner.translate_batch(sentences)


def translate_documents(texts: Sequence[str], translator: Translator, settings: Settings) -> list[Document]:
    """Each text as a translated document; the model sees all their inputs as one batch (module docstring)."""
    wanted: dict[str, None] = {}
    for text in texts:
        for pair in segment_document(text).sentences:
            for part in plan_sentence(pair.source, translator, settings).parts:
                if not part.passthrough:
                    wanted[part.text] = None
    lookup = getattr(translator, "lookup", None)
    answers: dict[str, Translation] = dict(lookup(list(wanted))) if lookup else {}
    missing = [s for s in wanted if s not in answers]
    if missing:
        answers.update(zip(missing, translator.translate_batch(missing), strict=True))
    answered = _Answered(translator, answers)
    return [translate_text(text, answered, settings=settings) for text in texts]


def translate_html(fragments: Sequence[str], translate: Callable[[list[str]], list[Document]]) -> list[str]:
    """Each HTML fragment with its text translated by ``translate`` (all fragments' texts in one call).

    Everything but the translated text is copied byte for byte from the fragment (inline tags are moved
    with the words they hold, see the module docstring), so markup without Arabic comes back unchanged.
    """
    units = [list(_units(_Markup.parse(fragment).pieces)) for fragment in fragments]
    documents = iter(translate([unit.core for each in units for unit in each if unit.wanted]))
    return ["".join(unit.render(next(documents)) if unit.wanted else unit.raw for unit in each) for each in units]


@dataclass
class _Unit:
    """Pieces rendered together: one piece of markup or text, or a run of text and inline tags (``tags``)."""

    pieces: list[_Piece]
    tags: list[tuple[int, int, str, str]]
    """(start, end) of each inline element in ``core``, with its opening and closing tag, in source order."""
    text: str

    @property
    def wanted(self) -> bool:
        return any(piece.translated for piece in self.pieces)

    @property
    def raw(self) -> str:
        return "".join(piece.raw for piece in self.pieces)

    @property
    def lead(self) -> str:
        return self.text[: len(self.text) - len(self.text.lstrip(SPACE))]

    @property
    def core(self) -> str:
        return self.text.strip(SPACE)

    def render(self, document: Document) -> str:
        if not self.tags:
            return self.pieces[0].render(english(document))
        english_text, places = _laid_out(document)
        ranges = _placed(self.tags, document, places, aligned=True)
        if not _nested(ranges):
            ranges = _placed(self.tags, document, places, aligned=False)
        if not _nested(ranges):
            ranges = [(0, len(english_text))] * len(self.tags)  # every element around the whole text
        tail = self.text[len(self.text.rstrip(SPACE)) :]
        return self.lead + _with_tags(english_text, ranges, self.tags) + tail


def _units(pieces: list[_Piece]) -> Iterator[_Unit]:
    """The pieces, with each run of text and balanced inline tags holding Arabic made one unit."""
    at = 0
    while at < len(pieces):
        end = at
        while end < len(pieces) and (pieces[end].inline or pieces[end].prose):
            end += 1
        while end > at and pieces[end - 1].prose and not pieces[end - 1].translated:
            end -= 1  # text after the run with no Arabic in it is no part of its sentences: copied as it is
        run = _run(pieces[at:end]) if end > at else None
        if run is not None:
            yield run
            at = end
            continue
        for piece in pieces[at : max(end, at + 1)]:
            yield _Unit([piece], [], html.unescape(piece.core))
        at = max(end, at + 1)


def _run(pieces: list[_Piece]) -> _Unit | None:
    """One unit of these pieces when they hold inline tags, Arabic, and every tag they open is closed."""
    if not any(p.inline for p in pieces) or not any(p.translated for p in pieces):
        return None
    text = ""
    opened: list[tuple[str, int, str, int]] = []
    found: list[tuple[int, int, int, str, str]] = []
    for piece in pieces:
        if piece.prose:
            text += html.unescape(piece.raw)
        elif piece.closing:
            if not opened or opened[-1][0] != piece.tag:
                return None
            _, start, raw, order = opened.pop()
            found.append((order, start, len(text), raw, piece.raw))
        else:
            opened.append((piece.tag, len(text), piece.raw, len(found) + len(opened)))
    if opened:
        return None
    shift = len(text) - len(text.lstrip(SPACE))
    core = len(text.strip(SPACE))
    tags = [
        (min(max(start - shift, 0), core), min(max(end - shift, 0), core), opening, closing)
        for _, start, end, opening, closing in sorted(found)
    ]
    return _Unit(pieces, tags, text)


def _laid_out(document: Document) -> tuple[str, dict[int, int]]:
    """The document's English as ``english`` lays it out, and where each sentence's (by its start) begins in it."""
    out = []
    places = {}
    at = length = 0
    for paragraph in document.paragraphs:
        between = document.text[at : paragraph.start]
        out.append(between)
        length += len(between)
        shown = [s for s in paragraph.sentences if s.shown]
        for n, sentence in enumerate(shown):
            if n:
                out.append(" ")
                length += 1
            places[sentence.start] = length
            out.append(sentence.shown)
            length += len(sentence.shown)
        at = paragraph.end
    out.append(document.text[at:])
    return "".join(out), places


def _placed(
    tags: list[tuple[int, int, str, str]], document: Document, places: dict[int, int], *, aligned: bool
) -> list[tuple[int, int]]:
    """Where each element goes in the English: around the words aligned to its own (``aligned``), else
    around the sentences it touches; an element around no text stays empty, at its sentence's nearer edge."""
    sentences = [s for s in document.sentences if s.shown and s.start in places]
    ranges = []
    for start, end, _, _ in tags:
        touched = [s for s in sentences if s.start < end and s.end > start]
        if start == end or not touched:
            edge = _edge(sentences, places, start)
            ranges.append((edge, edge))
            continue
        first, last = touched[0], touched[-1]
        ranges.append((places[first.start], places[last.start] + len(last.shown)))
        if aligned and len(touched) == 1 and not (start <= first.start and end >= first.end):
            words = _aligned(first, document.text, start, end)
            if words is not None:
                ranges[-1] = (places[first.start] + words[0], places[first.start] + words[1])
    return ranges


def _edge(sentences: list[SentencePair], places: dict[int, int], at: int) -> int:
    """The place in the English for something at ``at`` in the source that holds no text: the nearer edge of
    its sentence's English, else the start of the next sentence's, else the end of the last."""
    for sentence in sentences:
        if at <= sentence.end:
            nearer_end = at > sentence.start and at - sentence.start > sentence.end - at
            return places[sentence.start] + (len(sentence.shown) if nearer_end else 0)
    return places[sentences[-1].start] + len(sentences[-1].shown) if sentences else 0


def _aligned(sentence: SentencePair, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span, in the sentence's English, of the words aligned to its source words in [start, end)."""
    if text[sentence.start : sentence.end] != sentence.source:
        return None
    inside = {  # the words the element holds, whole or in part
        n
        for n, (a, b) in enumerate(word_spans(sentence.source))
        if sentence.start + a < end and sentence.start + b > start
    }
    english_words = word_spans(sentence.shown)
    targets = sorted({t for s, t in sentence.shown_alignment if s in inside and 0 <= t < len(english_words)})
    if not targets:
        return None
    return english_words[targets[0]][0], english_words[targets[-1]][1]


def _nested(ranges: list[tuple[int, int]]) -> bool:
    """Whether the elements' ranges nest (each pair apart or one inside the other): else the HTML would not."""
    return all(
        b1 <= a2 or b2 <= a1 or (a1 <= a2 and b2 <= b1) or (a2 <= a1 and b1 <= b2)
        for i, (a1, b1) in enumerate(ranges)
        for a2, b2 in ranges[i + 1 :]
    )


def _with_tags(text: str, ranges: list[tuple[int, int]], tags: list[tuple[int, int, str, str]]) -> str:
    """``text`` escaped, with each element's opening and closing tags at its range (outer ones outside)."""
    marks: list[tuple[int, int, tuple[int, ...], str]] = []
    for order, ((start, end), (_, _, opening, closing)) in enumerate(zip(ranges, tags, strict=True)):
        if start == end:
            marks.append((start, 1, (order,), opening + closing))
        else:
            marks.append((start, 2, (-end, order), opening))
            marks.append((end, 0, (-start, -order), closing))
    out = []
    at = 0
    for place, _, _, tag in sorted(marks):
        out.append(html.escape(text[at:place], quote=False))
        out.append(tag)
        at = place
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)


SPACE = " \t\n\r\f"


@dataclass
class _Piece:
    """A stretch of the fragment as written: markup, or text to translate (``translated``)."""

    raw: str
    translated: bool = False
    prose: bool = False
    """Text outside code and the like, with no markup the parser skipped: it may be part of a sentence."""
    tag: str = ""
    """An inline element's name, when this is its opening or closing tag."""
    closing: bool = False

    @property
    def inline(self) -> bool:
        return bool(self.tag)

    @property
    def core(self) -> str:
        """The text without the spaces around it, and without markup the parser skipped after it."""
        return self.raw.split("<", 1)[0].strip(SPACE)

    def render(self, answer: str) -> str:
        text = self.raw.split("<", 1)[0]
        lead = text[: len(text) - len(text.lstrip(SPACE))]
        tail = text[len(text.rstrip(SPACE)) :]
        return lead + html.escape(answer, quote=False) + tail + self.raw[len(text) :]


class _Markup(HTMLParser):
    """An HTML fragment cut where the parser's events start: each piece is the fragment's own text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.pieces: list[_Piece] = []
        self._starts: list[tuple[int, dict]] = []
        self._open: list[str] = []
        self._lines = [0] + [i + 1 for i, c in enumerate(fragment) if c == "\n"]

    @classmethod
    def parse(cls, fragment: str) -> _Markup:
        markup = cls(fragment)
        markup.feed(fragment)
        markup.close()
        starts = markup._starts or [(0, {})]
        ends = [start for start, _ in starts[1:]] + [len(fragment)]
        if starts[0][0] > 0:
            markup.pieces.append(_Piece(fragment[: starts[0][0]]))
        for (start, kind), end in zip(starts, ends, strict=True):
            piece = _Piece(fragment[start:end], **kind)
            if piece.tag and (piece.raw.count("<") != 1 or not piece.raw.endswith(">")):
                piece = _Piece(piece.raw)  # the tag with something the parser skipped: not moved
            if piece.prose and "<" in piece.raw:
                piece = replace(piece, prose=False)
            markup.pieces.append(piece)
        return markup

    def _event(self, **kind: object) -> None:
        line, column = self.getpos()
        self._starts.append((self._lines[line - 1] + column, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._event(tag=tag if tag in INLINE_ELEMENTS else "")
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._event()

    def handle_endtag(self, tag: str) -> None:
        self._event(tag=tag if tag in INLINE_ELEMENTS else "", closing=True)
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        skip = any(tag in UNTRANSLATED_ELEMENTS for tag in self._open)
        self._event(translated=not skip and has_arabic_letters(data), prose=not skip)

    def handle_comment(self, data: str) -> None:
        self._event()

    def handle_decl(self, decl: str) -> None:
        self._event()

    def handle_pi(self, data: str) -> None:
        self._event()

    def unknown_decl(self, data: str) -> None:
        self._event()


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
