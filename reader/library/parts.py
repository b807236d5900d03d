"""Long documents into the library a part at a time: a 500-page PDF is readable while it is translated,
and a run killed at any moment goes on where it stopped.

A document whose pages go past ``Settings.part_pages`` is cut at paragraph starts into parts of that
many pages. Each part is translated on its own, joined to the parts before it, and the document so
far (its text up to the part's end, ``meta.partial`` = "pages done/total") is committed with
``Library.add``: one atomic file write, then its index row. The committed file is the only record of
progress, so it cannot disagree with itself: a rerun reads it back, checks that it is the same text
and the same model, and translates only the parts after it. Nothing is translated twice, nothing
is duplicated (the same key is the same file), and the last commit is the whole document.

Nor is a committed page read twice, when the same PDF comes back (``resume_article``): only the pages
from just before the cut are read, the committed ones are taken from the library. Where the parts
are translated is the caller's: here (``iter_into``), or on Ray's actors (``Committer``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.api import article_metadata, title_to_translate
from reader.document import Block, Document, Metadata, Paragraph
from reader.errors import LibraryError
from reader.ingest import Article
from reader.library.layout import document_id
from reader.pipeline import iter_translate, translate_text

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.library.store import Library
    from reader.translate.base import Translator

PageProgress = Callable[[int, int], None]
"""Called with (pages done, pages in all) when the translation starts and after each committed part."""


@dataclass(frozen=True)
class Part:
    start: int
    end: int
    """The part's span of ``Article.text``: from one paragraph's start to the next part's."""
    last_page: int


def parts(article: Article, part_pages: int) -> list[Part]:
    """The article cut into parts of ``part_pages`` pages at paragraph starts; one part when it is not long."""
    pages = [block.page for block in article.blocks if block.page is not None]
    if part_pages <= 0 or not pages or max(pages) <= part_pages:
        return [Part(0, len(article.text), max(pages, default=0))]
    cuts: list[Part] = []
    start, page, group = 0, pages[0], (pages[0] - 1) // part_pages
    for block in article.blocks:
        here = page if block.page is None else block.page
        if (here - 1) // part_pages > group and block.start > start:
            cuts.append(Part(start, block.start, page))
            start, group = block.start, (here - 1) // part_pages
        page = max(page, here)
    cuts.append(Part(start, len(article.text), max(pages)))
    return cuts


def is_long(article: Article, part_pages: int) -> bool:
    return len(parts(article, part_pages)) > 1


SEAM_PAGES = 2
"""Committed pages read again when a long PDF is resumed: the paragraph that crosses the cut is joined as it
was, running headers and footers are still seen on more than one page, and what these pages read must match
what was committed (else the whole file is read again)."""


def resume_article(
    library: Library, key: str, path: Path, settings: Settings, *, progress: PageProgress | None = None
) -> Article | None:
    """The article of a long PDF that a run before left partly in ``library`` at ``key``, reading from the file
    only the pages after the committed ones (and ``SEAM_PAGES`` before them): the committed text and its
    structure are taken as they are, so no committed page is OCRed again. None when there is nothing to
    resume from this very file (no partial document there, another file, a seam that reads differently): the
    caller then reads the whole file (``reader.ingest.read_file``)."""
    from reader import documents
    from reader.documents import ocr as ocr_pages
    from reader.ingest import file_digest

    path = Path(path)
    if settings.part_pages <= 0 or not path.is_file() or documents.kind_of(path) != "pdf":
        return None
    try:
        committed = library.get(document_id(key))
    except LibraryError:
        return None
    pages = committed.meta.partial.partition("/")[0]
    done = int(pages) if pages.isdigit() else 0
    if not done or not committed.text.endswith("\n") or committed.meta.source_digest != file_digest(path):
        return None
    first = max(1, done - SEAM_PAGES)
    real_ocr = ocr_pages.reader(settings)
    kept: dict[int, list[str]] = {}
    for paragraph in committed.paragraphs:
        if paragraph.ocr and paragraph.page is not None:
            kept.setdefault(paragraph.page, []).append(committed.text[paragraph.start : paragraph.end])

    def ocr(pdf: Path, page: int) -> list[str]:
        """A committed page as it was read then; a later one read now."""
        return kept.get(page, []) if page <= done or real_ocr is None else real_ocr(pdf, page)

    extracted = documents.extract(
        path, settings, progress=progress, first_page=first, ocr=ocr if real_ocr is not None else None
    )
    seam = [
        " ".join(piece.text.split()) for piece in extracted.pieces
        if piece.text.strip() and piece.page is not None and first < piece.page <= done
    ]
    if seam != [committed.text[p.start : p.end] for p in committed.paragraphs if p.page and first < p.page <= done]:
        return None
    rest = replace(extracted, pieces=tuple(p for p in extracted.pieces if p.page is not None and p.page > done))
    text, blocks = documents.as_text(rest)
    before = tuple(Block(p.start, p.kind, p.level, p.page, p.ocr) for p in committed.paragraphs)
    shift = len(committed.text)
    return Article(
        text=committed.text + text,
        meta=replace(extracted.meta, source=str(path), source_digest=committed.meta.source_digest),
        source=str(path),
        warnings=tuple(f"{path}: {w}" for w in extracted.warnings),
        blocks=before + tuple(replace(block, start=block.start + shift) for block in blocks),
    )


@dataclass(frozen=True)
class Pages:
    """The document as the library holds it now: its first ``done`` pages of ``total``."""

    document: Document
    done: int
    total: int


def iter_into(
    library: Library,
    key: str,
    article: Article,
    translator: Translator,
    settings: Settings,
    *,
    refresh: bool = False,
) -> Iterator[Pages]:
    """Translate ``article`` into ``library`` at ``key`` part by part (see the module docstring), yielding
    what a run before left first, then each committed part; the last is the whole document (as
    ``Library.shown`` shows it). ``refresh`` starts again from the first page."""
    meta = article_metadata(article, translator.model_fingerprint, settings)
    committer = Committer(library, key, article, meta, settings, refresh=refresh)
    yield committer.first
    for piece in committer.todo:
        title = committer.title if piece is committer.todo[-1] else ""
        yield committer.commit(piece, translate_part(part_article(article, piece), translator, settings, title=title))


class Committer:
    """A long document's commits, wherever its parts are translated (here, or on Ray actors:
    ``reader.batch.ray_engine``): ``first`` is what a run before left, ``todo`` the parts still to
    translate, and ``commit`` adds each translated part in turn (``translate_part``) and keeps the document so far."""

    def __init__(
        self, library: Library, key: str, article: Article, meta: Metadata, settings: Settings, *, refresh: bool = False
    ) -> None:
        self.library, self.key, self.article, self.meta = library, key, article, meta
        pieces = parts(article, settings.part_pages)
        self.total = pieces[-1].last_page
        resumed = None if refresh else _committed(library, key, article, meta.model_fingerprint)
        done = [piece for piece in pieces[:-1] if resumed is not None and piece.end <= len(resumed.text)]
        cut = done[-1].end if done else 0
        self.paragraphs = [p for p in resumed.paragraphs if p.start < cut] if resumed is not None else []
        so_far = Document(text=article.text[:cut], paragraphs=tuple(self.paragraphs), meta=meta)
        self.first = Pages(so_far, done[-1].last_page if done else 0, self.total)
        self.todo = pieces[len(done) :]
        self.title = title_to_translate(article)
        """The title to translate with the last part, when the text does not start with it."""

    def commit(self, piece: Part, translated: Document) -> Pages:
        """Add ``piece``, translated as ``translate_part`` does, and keep the document so far in the library."""
        self.paragraphs.extend(_shifted(paragraph, piece.start) for paragraph in translated.paragraphs)
        whole = piece is self.todo[-1]
        meta = replace(self.meta, partial="" if whole else f"{piece.last_page}/{self.total}")
        if whole and translated.meta.title_translation:
            meta = replace(meta, title_translation=translated.meta.title_translation)
        document = Document(text=self.article.text[: piece.end], paragraphs=tuple(self.paragraphs), meta=meta)
        self.library.add(document, self.key)
        return Pages(self.library.shown(document), piece.last_page, self.total)


def part_article(article: Article, piece: Part) -> Article:
    """A part as an article of its own: its text, and its blocks with offsets from its start."""
    blocks = tuple(
        replace(block, start=block.start - piece.start)
        for block in article.blocks
        if piece.start <= block.start < piece.end
    )
    return Article(text=article.text[piece.start : piece.end], blocks=blocks)


def translate_part(part: Article, translator: Translator, settings: Settings, *, title: str = "") -> Document:
    """A part (``part_article``) translated, and ``title`` with it (the last part's ``meta.title_translation``)."""
    *_, last = iter_translate(
        part.text, translator, settings=settings, chunk_sentences=64, first_chunk=64, blocks=part.blocks
    )
    if not title:
        return last.document
    translated = translate_text(title, translator, settings=settings)
    english = " ".join(p.translation for p in translated.paragraphs if p.translation)
    return replace(last.document, meta=replace(last.document.meta, title_translation=english))


def translate_into(
    library: Library,
    key: str,
    article: Article,
    translator: Translator,
    settings: Settings,
    *,
    refresh: bool = False,
    progress: PageProgress | None = None,
) -> Document:
    """``iter_into`` to its end, telling ``progress`` the pages done at each step; the whole document."""
    for step in iter_into(library, key, article, translator, settings, refresh=refresh):
        if progress is not None:
            progress(step.done, step.total)
    return step.document


def _committed(library: Library, key: str, article: Article, fingerprint: str) -> Document | None:
    """The part of this article that a run before committed, when it is this text and this model's."""
    try:
        document = library.get(document_id(key))
    except LibraryError:
        return None
    same = document.meta.model_fingerprint == fingerprint and article.text.startswith(document.text)
    return document if same and document.meta.partial else None


def _shifted(paragraph: Paragraph, by: int) -> Paragraph:
    sentences = tuple(replace(s, start=s.start + by, end=s.end + by) for s in paragraph.sentences)
    return replace(paragraph, start=paragraph.start + by, end=paragraph.end + by, sentences=sentences)
