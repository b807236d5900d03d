"""What the LibreTranslate-compatible endpoints do with their texts: translate plain text or HTML, detect.

Every text goes through reader's own pipeline (segmentation, planning, the sentence cache), so an answer
is exactly the library's translation of it. The model inputs of all the texts of one request are
looked up in the cache together and their misses sent as one batch; the pipeline then assembles each
text from those answers without another model call.

HTML keeps its markup: the document is parsed into tags and text, each text node (outside
``script``, ``style`` and the like) is translated sentence by sentence like plain text, escaped, and
put back between the tags, which are written back as they came (attributes and links untouched). A
sentence cut by an inline tag (``<b>``) is translated as two pieces.
"""

from __future__ import annotations

import html
import itertools
import unicodedata
from collections.abc import Callable, Sequence
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
    """Each HTML fragment with its text translated by ``translate`` (all fragments' texts in one call)."""
    parsed = [_Markup.parse(fragment) for fragment in fragments]
    texts = [piece for markup in parsed for piece in markup.texts()]
    translated = iter(translate([text.strip() for text in texts]))
    return [markup.render(translated) for markup in parsed]


class _Markup(HTMLParser):
    """An HTML fragment as ('raw', markup) and ('text', text, translate?) pieces, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str, bool]] = []
        self._open: list[str] = []

    @classmethod
    def parse(cls, fragment: str) -> _Markup:
        markup = cls()
        markup.feed(fragment)
        markup.close()
        return markup

    def texts(self) -> list[str]:
        return [text for kind, text, wanted in self.pieces if kind == "text" and wanted]

    def render(self, translated: itertools.Iterator[str] | Sequence[str]) -> str:
        answers = iter(translated)
        out = []
        for kind, text, wanted in self.pieces:
            if kind == "raw" or kind == "cdata":
                out.append(text)
            elif wanted:
                core = text.strip()
                lead = text[: len(text) - len(text.lstrip())]
                tail = text[len(text.rstrip()) :]
                out.append(lead + html.escape(next(answers) if core else "", quote=False) + tail)
            else:
                out.append(html.escape(text, quote=False))
        return "".join(out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(("raw", self.get_starttag_text() or f"<{tag}>", False))
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pieces.append(("raw", self.get_starttag_text() or f"<{tag}/>", False))

    def handle_endtag(self, tag: str) -> None:
        self.pieces.append(("raw", f"</{tag}>", False))
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] in ("script", "style"):
            self.pieces.append(("cdata", data, False))  # not escaped: the browser reads it raw
            return
        skip = any(tag in UNTRANSLATED_ELEMENTS for tag in self._open)
        self.pieces.append(("text", data, not skip and has_arabic_letters(data)))

    def handle_comment(self, data: str) -> None:
        self.pieces.append(("raw", f"<!--{data}-->", False))

    def handle_decl(self, decl: str) -> None:
        self.pieces.append(("raw", f"<!{decl}>", False))

    def handle_pi(self, data: str) -> None:
        self.pieces.append(("raw", f"<?{data}>", False))

    def unknown_decl(self, data: str) -> None:
        self.pieces.append(("raw", f"<![{data}]>", False))


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
