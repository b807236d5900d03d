"""The document model: Document -> Paragraph -> SentencePair, and its JSON round trip.

This JSON is the one interchange format between the app, the exports and batch
(see docs/format.md). Offsets always index into ``Document.text``, the original
article text, which is kept unchanged so any view can rebuild or highlight it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
"""Version 1 files (no ``edit`` objects) load as documents without edits."""


class Flag(StrEnum):
    """What is known about one sentence pair; stored in the JSON as these strings.

    The quality flags are set by reader.quality, the others by the pipeline. A document may carry
    flags this version does not know (a newer writer): they load as plain strings and are kept.
    """

    CACHED = "cached"
    """The translation came from the sentence cache."""
    PASSTHROUGH = "passthrough"
    """No Arabic letters: copied, never sent to the model."""
    SUB_SPLIT = "sub-split"
    """Too long for the model: translated in parts."""
    PENDING = "pending"
    """Not translated yet (a document still filling in)."""
    LOW_SCORE = "low-score"
    REPETITION = "repetition"
    LENGTH_RATIO = "length-ratio"
    NUMBER_MISMATCH = "number-mismatch"
    GLOSSARY = "glossary"
    """A glossary term in the source has not got its rendering in the translation (reader.postedit.glossary)."""
    EDITED = "edited"
    """The reader's version is shown (``SentencePair.edit``); never stored: ``shown_flags`` derives it."""


WARNINGS_OF_THE_MACHINE = frozenset({Flag.LOW_SCORE, Flag.REPETITION, Flag.LENGTH_RATIO, Flag.NUMBER_MISMATCH})
"""Quality warnings about the machine version: a sentence the reader edited does not show them."""


class How(StrEnum):
    """How the reader's version was made."""

    TYPED = "typed"
    ALTERNATIVE = "alternative"
    """One of the model's whole-sentence alternatives, chosen."""
    COMPLETION = "completion"
    """The model's continuation of the reader's own first words."""
    GLOSSARY = "glossary"
    """The glossary fix (``reader.postedit.fix.fix_term``)."""


def _member(kind: type[StrEnum], value: object) -> str:
    """A known value as its member of ``kind`` (Flag, How), anything else (a newer writer's) as the string it is."""
    text = str(value)
    try:
        return kind(text)
    except ValueError:
        return text


def _flag(value: object) -> str:
    return _member(Flag, value)


_WORD = re.compile(r"\S+")


def same_text(a: str, b: str) -> bool:
    """Whether two texts say the same, whitespace aside (a title and the paragraph that repeats it)."""
    return a.split() == b.split()


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text``; word indices in alignments refer to these."""
    return [m.span() for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Edit:
    """The reader's version of one sentence's translation: the human version, shown instead of the machine's."""

    text: str
    alignment: tuple[tuple[int, int], ...] = ()
    """(source word, target word) pairs of ``text``, as ``SentencePair.alignment`` (``postedit.engine.align``)."""
    how: str = How.TYPED
    at: str = ""
    """When it was made: ISO 8601 in UTC, to the second (``2026-12-02T01:02:03Z``)."""
    by: str = ""
    """Who made it: the ``editor`` setting (READER_EDITOR, --editor), empty when not set."""
    replaced_model: str = ""
    """The model whose translation it replaced, and that model's weights (``Metadata.model_fingerprint``)."""
    replaced_fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "alignment": [list(pair) for pair in self.alignment],
            "how": str(self.how),
            "at": self.at,
            "by": self.by,
            "replaced_model": self.replaced_model,
            "replaced_fingerprint": self.replaced_fingerprint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        """An edit from its JSON; KeyError, TypeError or ValueError when it is not one."""
        return cls(
            text=str(data["text"]),
            alignment=tuple((int(a), int(b)) for a, b in data.get("alignment", [])),
            how=_how(data.get("how", How.TYPED)),
            at=str(data.get("at", "")),
            by=str(data.get("by", "")),
            replaced_model=str(data.get("replaced_model", "")),
            replaced_fingerprint=str(data.get("replaced_fingerprint", "")),
        )


def _how(value: object) -> str:
    return _member(How, value)


@dataclass(frozen=True)
class SentencePair:
    """One source sentence, its translation, and how the two correspond word by word."""

    start: int
    end: int
    source: str
    translation: str = ""
    alignment: tuple[tuple[int, int], ...] = ()
    """(source word index, target word index) pairs over ``word_spans`` of each side."""
    score: float | None = None
    """Mean token log-probability of the translation; None when no model was involved."""
    flags: tuple[str, ...] = ()
    edit: Edit | None = None
    """The reader's version, when they edited the sentence; ``translation`` stays the machine's."""
    glossary: tuple[str, ...] = ()
    """The glossary terms (their Arabic) the source holds and ``shown`` lacks the rendering of (flag ``glossary``)."""

    @property
    def shown(self) -> str:
        """The text a reader sees: the human version when there is one, else the machine translation.

        The one accessor the view, every export and search use.
        """
        return self.edit.text if self.edit is not None else self.translation

    @property
    def shown_alignment(self) -> tuple[tuple[int, int], ...]:
        """The word alignment of ``shown``."""
        return self.edit.alignment if self.edit is not None else self.alignment

    @property
    def shown_flags(self) -> tuple[str, ...]:
        """The flags of what is shown: an edited sentence is marked ``edited`` and loses the machine's warnings."""
        if self.edit is None:
            return self.flags
        return tuple(sorted({f for f in self.flags if f not in WARNINGS_OF_THE_MACHINE} | {Flag.EDITED}))

    def has(self, flag: str) -> bool:
        return flag in self.shown_flags

    def with_flags(self, *extra: str) -> SentencePair:
        return replace(self, flags=tuple(sorted(set(self.flags) | set(extra))))


KINDS = ("heading", "list-item", "table-cell", "note", "image", "caption")
"""What a paragraph read from a document (PDF, DOCX, EPUB) can be besides body text (``Paragraph.kind``)."""


@dataclass(frozen=True)
class Block:
    """What a document reader knows of the paragraph that starts at ``start`` in ``Document.text``.

    Text and HTML have none; PDF, DOCX and EPUB input (``reader.documents``) give one per paragraph,
    and the pipeline copies it onto the ``Paragraph`` (kind, level, page, ocr).
    """

    start: int
    kind: str = ""
    level: int = 0
    page: int | None = None
    ocr: bool = False


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    sentences: tuple[SentencePair, ...] = ()
    kind: str = ""
    """Body text (""), or what a document's structure says it is (``KINDS``); the exports keep it."""
    level: int = 0
    """A heading's level: 1 starts a chapter."""
    page: int | None = None
    """The page of the source (from 1) it was read from, for a PDF: the exports cite it ("p. 12")."""
    ocr: bool = False
    """Read by OCR from a page's picture (no credible text layer)."""

    def structure(self) -> dict[str, Any]:
        """The JSON keys of its structure: only those that say something, so plain text reads as before."""
        record: dict[str, Any] = {}
        if self.kind:
            record["kind"] = self.kind
        if self.level:
            record["level"] = self.level
        if self.page is not None:
            record["page"] = self.page
        if self.ocr:
            record["ocr"] = True
        return record

    @property
    def source(self) -> str:
        return " ".join(s.source for s in self.sentences)

    @property
    def translation(self) -> str:
        """What the reader sees of the paragraph (human versions where there are some)."""
        return " ".join(s.shown for s in self.sentences if s.shown)


HEADLINE_LIMIT = 100
"""Characters a title made from a first paragraph keeps (cut at a word)."""


def headline(text: str, limit: int = HEADLINE_LIMIT) -> str:
    """``text`` on one line, cut at the last word that fits in ``limit`` characters (with "…") when longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ،,;:؛-") + "…"


_ADDRESS = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]+:|//")
"""A source that is an address (``https:``, ``data:``, ``//host``), not a file's path (``C:\\`` is a path)."""
SAMPLE_PREFIX = "seeds/"
"""How a sample article's source starts (the app's samples are the repository's seeds/ files)."""


def source_words(source: str) -> str:
    """Where an article came from, as a reader says it: a web page's address (any address) as it is, "Sample
    article", "Pasted text" (no source) or a file's name without its folders (the path is for whoever checks)."""
    if _ADDRESS.match(source.lstrip()):  # a web page's address, or another scheme's: shown as it is
        return source
    if source.startswith(SAMPLE_PREFIX):
        return "Sample article"
    if not source:
        return "Pasted text"
    return re.split(r"[\\/]", source)[-1]


DATE_FROM_PAGE = "page"
DATE_FROM_FEED = "feed"
DATE_FIRST_SEEN = "first seen"
SCOPE_LEAD = "lead"
LEAD_NOTE = (
    "only the title and the first paragraph (the feed is checked titles first); the rest is in Arabic only. "
    "The whole article is at the Source; open it in reader to translate the rest."
)
"""What every export says of a titles-first document (``Metadata.reader_fields``): a part never passes for
the whole."""


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    title_translation: str = ""
    """The title's translation, when the title is not the text's first paragraph (a web page's headline);
    empty otherwise, and in files written before it: ``Document.title_en`` then reads the first paragraph."""
    source: str = ""
    """Where the article came from: a file path or URL."""
    feed: str = ""
    """The RSS/Atom feed that listed the article, when it came from one."""
    scope: str = ""
    """``SCOPE_LEAD`` when only the title and the first paragraph are translated (a feed checked titles first):
    the other sentences are ``pending`` until the article is opened or a watchlist hits; empty when whole."""
    author: str = ""
    date: str = ""
    """The date of record, YYYY-MM-DD as found: the page's own published date, else the feed entry's, else
    the day the article was first seen (``date_source`` says which)."""
    agency: str = ""
    """The news agency the source credits (AFP, بترا...); empty when none, and in files written before it."""
    model: str = ""
    """The model's name: a catalog name, or a model folder's name."""
    model_fingerprint: str = ""
    """The model's weights (``reader.models.folder.fingerprint``): which model translated, whatever its name."""
    source_lang: str = "ar"
    target_lang: str = "en"
    boilerplate: str = ""
    """Paragraphs dropped before translation as the site's boilerplate (``reader.library.boilerplate``), one a
    line; empty when none were, and in files written before the field existed."""
    date_source: str = ""
    """Where ``date`` comes from: ``DATE_FROM_PAGE``, ``DATE_FROM_FEED`` or ``DATE_FIRST_SEEN``; empty when the
    input said nothing (a file, pasted text) and in files written before the field existed."""
    partial: str = ""
    """'N/M' while only the first N of a long document's M pages are translated (``reader.library.parts``);
    empty once it is whole, and in files written before the field existed."""
    source_digest: str = ""
    """The SHA-256 of the file (PDF, DOCX, ODT, EPUB) the text was read from: a long document resumed after a
    kill reads only its later pages, and only from the same file (``reader.library.parts``); empty for other
    inputs, and in files written before the field existed."""


    def reader_fields(self) -> list[tuple[str, str]]:
        """The fields a reader sees in an export's header, in order, each with its label (empty ones included)."""
        return [
            ("English title", self.title_translation),
            ("Translation", LEAD_NOTE if self.scope == SCOPE_LEAD else ""),
            ("Source", source_words(self.source) if self.source else ""),
            ("Author", self.author),
            ("Date", self.date),
            ("Agency", self.agency),
        ]

    def technical_fields(self) -> list[tuple[str, str]]:
        """The source file's path (when the header names it in words) and which model translated, with their labels
        (empty ones included): for whoever checks a translation, so every export shows them apart from the header,
        under ``DETAILS_HEADING``."""
        path = self.source if source_words(self.source) not in (self.source, "Pasted text") else ""
        return [("Source file", path), ("Model", self.model), ("Model fingerprint", self.model_fingerprint)]


DETAILS_HEADING = "Translation details"
"""The heading under which every export shows ``Metadata.technical_fields``."""


@dataclass(frozen=True)
class Document:
    text: str
    paragraphs: tuple[Paragraph, ...] = ()
    meta: Metadata = field(default_factory=Metadata)

    @property
    def sentences(self) -> list[SentencePair]:
        return [s for p in self.paragraphs for s in p.sentences]

    @property
    def title(self) -> str:
        """The metadata title, else the first paragraph (usually the headline): its first sentence, cut at a word,
        when it is a pasted article's whole first paragraph."""
        if self.meta.title:
            return self.meta.title
        if not self.paragraphs:
            return ""
        first = self.paragraphs[0]
        return headline(first.sentences[0].source if len(first.sentences) > 1 else first.source)

    @property
    def title_en(self) -> str:
        """The title's translation: ``meta.title_translation``, else the first paragraph's when that is the title
        (its first sentence's, cut at a word, as ``title``)."""
        if self.meta.title_translation:
            return self.meta.title_translation
        if self.paragraphs and (not self.meta.title or same_text(self.meta.title, self.paragraphs[0].source)):
            first = self.paragraphs[0]
            return headline(first.sentences[0].shown if len(first.sentences) > 1 else first.translation)
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "reader.document",
            "version": FORMAT_VERSION,
            "meta": {f.name: getattr(self.meta, f.name) for f in fields(Metadata)},
            "text": self.text,
            "paragraphs": [
                {
                    "start": p.start,
                    "end": p.end,
                    "sentences": [
                        _sentence_dict(s)
                        for s in p.sentences
                    ],
                    **p.structure(),
                }
                for p in self.paragraphs
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        from reader.errors import InputError

        if not isinstance(data, dict) or data.get("format") != "reader.document":
            raise InputError("not a reader document: the 'format' field must be 'reader.document'")
        if data.get("version") not in READABLE_VERSIONS:
            raise InputError(
                f"unsupported document version {data.get('version')!r}; this reader reads versions "
                f"{', '.join(map(str, READABLE_VERSIONS))}"
            )
        try:
            meta_fields = {f.name for f in fields(Metadata)}
            meta = Metadata(**{k: str(v) for k, v in data.get("meta", {}).items() if k in meta_fields})
            paragraphs = tuple(
                Paragraph(
                    start=int(p["start"]),
                    end=int(p["end"]),
                    sentences=tuple(
                        SentencePair(
                            start=int(s["start"]),
                            end=int(s["end"]),
                            source=str(s["source"]),
                            translation=str(s.get("translation", "")),
                            alignment=tuple((int(a), int(b)) for a, b in s.get("alignment", [])),
                            score=None if s.get("score") is None else float(s["score"]),
                            flags=tuple(_flag(f) for f in s.get("flags", []) if f != Flag.EDITED),
                            edit=None if s.get("edit") is None else Edit.from_dict(s["edit"]),
                            glossary=tuple(str(term) for term in s.get("glossary", [])),
                        )
                        for s in p.get("sentences", [])
                    ),
                    kind=str(p.get("kind", "")),
                    level=int(p.get("level", 0)),
                    page=None if p.get("page") is None else int(p["page"]),
                    ocr=bool(p.get("ocr", False)),
                )
                for p in data.get("paragraphs", [])
            )
            return cls(text=str(data["text"]), paragraphs=paragraphs, meta=meta)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed reader document: {exc!r}") from exc

    @classmethod
    def from_json(cls, text: str) -> Document:
        from reader.errors import InputError

        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc}") from exc
        return cls.from_dict(data)


def _sentence_dict(s: SentencePair) -> dict[str, Any]:
    record: dict[str, Any] = {
        "start": s.start,
        "end": s.end,
        "source": s.source,
        "translation": s.translation,
        "alignment": [list(pair) for pair in s.alignment],
        "score": s.score,
        "flags": list(s.flags),
    }
    if s.edit is not None:
        record["edit"] = s.edit.to_dict()
    if s.glossary:
        record["glossary"] = list(s.glossary)
    return record
