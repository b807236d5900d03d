"""What the LibreTranslate-compatible endpoints do with their texts: translate plain text or HTML, detect.

Every text goes through reader's own pipeline (segmentation, planning, the sentence cache), so an answer
is exactly the library's translation of it. The model inputs of all the texts of one request are
looked up in the cache together and their misses sent as one batch; the pipeline then assembles each
text from those answers without another model call.

HTML keeps its markup: the fragment is cut where the parser's events start, each text node (outside
``script``, ``style`` and the like) holding Arabic is translated sentence by sentence like plain text
and escaped, and everything else is copied byte for byte (tags, attributes, links, comments, entities,
even broken markup). A sentence cut by an inline tag (``<b>``) is translated as two pieces.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from reader.chars import has_arabic_letters
from reader.config import Settings
from reader.document import Document
from reader.pipeline import segment_document, translate_text
from reader.plan import plan_sentence
from reader.translate.base import Translation, Translator

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


def translate_html(fragments: Sequence[str], translate: Callable[[list[str]], list[str]]) -> list[str]:
    """Each HTML fragment with its text translated by ``translate`` (all fragments' texts in one call).

    Everything but the translated text is copied byte for byte from the fragment, so markup without
    Arabic comes back unchanged.
    """
    parsed = [_Markup.parse(fragment) for fragment in fragments]
    texts = [html.unescape(piece.core) for markup in parsed for piece in markup.pieces if piece.translated]
    answers = iter(translate(texts))
    return ["".join(piece.render(answers) for piece in markup.pieces) for markup in parsed]


SPACE = " \t\n\r\f"


@dataclass
class _Piece:
    """A stretch of the fragment as written: markup, or text to translate (``translated``)."""

    raw: str
    translated: bool = False

    @property
    def core(self) -> str:
        """The text without the spaces around it, and without markup the parser skipped after it."""
        return self.raw.split("<", 1)[0].strip(SPACE)

    def render(self, answers: Iterator[str]) -> str:
        if not self.translated:
            return self.raw
        text = self.raw.split("<", 1)[0]
        lead = text[: len(text) - len(text.lstrip(SPACE))]
        tail = text[len(text.rstrip(SPACE)) :]
        return lead + html.escape(next(answers), quote=False) + tail + self.raw[len(text) :]


class _Markup(HTMLParser):
    """An HTML fragment cut where the parser's events start: each piece is the fragment's own text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.pieces: list[_Piece] = []
        self._starts: list[tuple[int, bool]] = []
        self._open: list[str] = []
        self._lines = [0] + [i + 1 for i, c in enumerate(fragment) if c == "\n"]

    @classmethod
    def parse(cls, fragment: str) -> _Markup:
        markup = cls(fragment)
        markup.feed(fragment)
        markup.close()
        starts = markup._starts or [(0, False)]
        ends = [start for start, _ in starts[1:]] + [len(fragment)]
        if starts[0][0] > 0:
            markup.pieces.append(_Piece(fragment[: starts[0][0]]))
        markup.pieces += [
            _Piece(fragment[start:end], wanted) for (start, wanted), end in zip(starts, ends, strict=True)
        ]
        return markup

    def _event(self, wanted: bool = False) -> None:
        line, column = self.getpos()
        self._starts.append((self._lines[line - 1] + column, wanted))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._event()
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._event()

    def handle_endtag(self, tag: str) -> None:
        self._event()
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        skip = any(tag in UNTRANSLATED_ELEMENTS for tag in self._open)
        self._event(not skip and has_arabic_letters(data))

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
