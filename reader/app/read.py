"""The Read page: one document from the library, side by side, where the reader left it.

Opening a document marks it read; the view reports the sentence at its top as the reader
scrolls, and that position is kept in the library, so a reload (or ``/?doc=ID`` in another
tab) opens at the same place. A search hit opens at its sentence instead (``?s=N``), pinned.
The page the view shows (with the word lookups embedded, a fraction of a second to compute) is
rendered once per document file and kept, not on every rerun.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader import export
from reader.document import Document, Flag, source_words
from reader.errors import ReaderError
from reader.export.html import LAYOUTS, render_page
from reader.export.marks import FLAG_MARKS
from reader.extras import missing
from reader.library import Filters, Library, Reading, Row
from reader.library.layout import FileStamp

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.translate.shared import SharedTranslator

DOWNLOADS = (
    ("json", "JSON", "application/json"),
    ("html", "HTML", "text/html"),
    ("pdf", "PDF", "application/pdf"),
    ("md", "Markdown", "text/markdown"),
    ("tmx", "TMX", "application/x-tmx+xml"),
    ("epub", "EPUB", "application/epub+zip"),
)
LAYOUT_LABELS = dict(
    zip(
        LAYOUTS,
        ("Side by side", "Interleaved (Arabic, then English)", "English only (Arabic on hover or tap)"),
        strict=True,
    )
)
"""The reading view's layouts (``reader.export.html.LAYOUTS``), as the sidebar names them."""
LOOKUP_NOTE = missing("Word lookup (click an Arabic word; Buckwalter's lexicon, GPL-2)", "lookup")
DOWNLOAD_SLUG = 60
"""Characters of the English title a download's name keeps (cut at a word)."""
PAGES_KEPT = 8
"""Rendered views kept in memory (one per document file and setting); each is a few hundred kB."""


@dataclass(frozen=True)
class ReadView:
    """What the Read page shows of one document."""

    id: str
    document: Document
    row: Row
    reading: Reading
    newer: str | None
    """The document before this one in the Library's list (its current filters), if any."""
    older: str | None
    stamp: FileStamp | None
    boilerplate: tuple[int, ...] = ()
    """Paragraphs the library has since learned are the site's boilerplate (``Library.boilerplate_paragraphs``)."""

    @property
    def sentences(self) -> int:
        return len(self.document.sentences)


def open_view(library: Library, id_: str, filters: Filters | None = None) -> ReadView:
    """The document and its place in the list; LibraryError (one line) when the id is not in the library."""
    document = library.get(id_)
    row = library.row(id_)
    newer, older = library.neighbours(id_, filters or Filters())
    flagged = tuple(library.boilerplate_paragraphs(document))
    return ReadView(id_, document, row, library.reading(id_), newer, older, library.file_stamp(id_), flagged)


def complete(
    library: Library, view: ReadView, shared: SharedTranslator, settings: Settings, progress: Callable[[float], None]
) -> ReadView:
    """A titles-first article (``meta.scope``) opened: the rest translated (the lead from the sentence cache)
    and kept, ``progress`` moved from 0 to 1 on the way; the view of the whole document."""
    total = max(1, view.sentences)
    for document in library.iter_complete(view.id, shared.for_run(), settings):
        progress(sum(1 for s in document.sentences if not s.has(Flag.PENDING)) / total)
    return replace(view, document=library.get(view.id), row=library.row(view.id), stamp=library.file_stamp(view.id))


def boilerplate_note(view: ReadView) -> str:
    """What the page says of the site's boilerplate: the paragraphs left out of this article, or flagged in it."""
    from reader.app.messages import count
    from reader.library.boilerplate import MIN_ARTICLES, dropped

    left_out = dropped(view.document)
    if left_out:
        return (
            f"Left out: {count(len(left_out), 'paragraph')} that this site repeats in every article "
            f"(seen in {MIN_ARTICLES} or more of its articles), such as a comment policy."
        )
    if view.boilerplate:
        numbers = ", ".join(str(n + 1) for n in view.boilerplate)
        which = "Paragraph" if len(view.boilerplate) == 1 else "Paragraphs"
        return (
            f"{which} {numbers}: this site repeats it in {MIN_ARTICLES} or more articles (its boilerplate, "
            "such as a comment policy); the site's new articles leave it out."
        )
    return ""


def opened(library: Library, view: ReadView) -> None:
    """Opening a document marks it read (once: a rerun of the page writes nothing)."""
    if view.reading.unread:
        library.mark_read(view.id)


def start_at(view: ReadView, hit_sentence: str | None) -> tuple[int, bool]:
    """Where the view opens, and whether that sentence is pinned: a search hit's sentence (``?s=N``), else
    the saved reading position."""
    if hit_sentence is not None and re.fullmatch(r"\d{1,7}", hit_sentence.strip()):
        wanted = int(hit_sentence)
        if wanted < view.sentences:
            return wanted, True
    return min(view.reading.position, max(view.sentences - 1, 0)), False


def keep_position(library: Library, view: ReadView, position: object, saved: int | None) -> int | None:
    """Save the view's reported position when it is a sentence of this document and has moved; what is saved."""
    from reader.app.component import sentence_event

    checked = sentence_event(position, view.sentences)
    if checked is None or checked == saved:
        return saved
    library.set_position(view.id, checked)
    return checked


def sentence_details(document: Document, index: int) -> str:
    """One line about a picked sentence, in words: its number and any flags (the numbers go to ``technical``)."""
    sentences = document.sentences
    if not 0 <= index < len(sentences):
        return ""
    sentence = sentences[index]
    parts = [f"Sentence {index + 1} of {len(sentences)}"]
    parts.extend(FLAG_MARKS[f].description for f in sentence.flags if f in FLAG_MARKS)
    return " · ".join(parts)


def technical_details(document: Document, index: int) -> list[str]:
    """What a developer wants of a sentence, for a details area: the model, its weights, its score."""
    sentences = document.sentences
    if not 0 <= index < len(sentences):
        return []
    meta, score = document.meta, sentences[index].score
    lines = [f"{label}: {value}" for label, value in meta.technical_fields() if value]
    if score is not None:  # + 0.0: never "-0.00"
        lines.append(f"Model score (mean log-probability per token): {round(score, 2) + 0.0:.2f}")
    return lines


def lookup_note() -> str | None:
    """What to install for word lookup, when the optional analyzer is missing (one caption on the page)."""
    from reader.lookup import available

    return None if available() else LOOKUP_NOTE


_pages: OrderedDict[tuple[object, ...], str] = OrderedDict()
_pages_lock = threading.Lock()


def view_page(
    library: Library, view: ReadView, *, word_alignment: bool = True, layout: str = "side-by-side"
) -> str:
    """The view's page (``render_page``, lookups embedded), rendered once per document file and setting;
    ``layout``: one of ``reader.export.html.LAYOUTS``."""
    watched = watched_words(library, view)
    if view.stamp is None:
        return render_page(
            shown(view.document), standalone=False, word_alignment=word_alignment, layout=layout, watched=watched
        )
    key = (str(library.root), view.id, view.stamp, word_alignment, layout, tuple(sorted(watched.items())))
    with _pages_lock:
        if key in _pages:
            _pages.move_to_end(key)
            return _pages[key]
    page = render_page(
        shown(view.document), standalone=False, word_alignment=word_alignment, layout=layout, watched=watched
    )
    with _pages_lock:
        _pages[key] = page
        while len(_pages) > PAGES_KEPT:
            _pages.popitem(last=False)
    return page


def watched_words(library: Library, view: ReadView) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """The words of each sentence a watchlist matched (``Library.watch_hits``), and their counterparts by the
    word alignment, on both sides: (source words, translation words) per sentence, for the view."""
    words: dict[int, tuple[set[int], set[int]]] = {}
    sentences = view.document.sentences
    for hit in library.watch_hits(view.id):
        if 0 <= hit.sentence < len(sentences):
            source, target = words.setdefault(hit.sentence, (set(), set()))
            alignment = sentences[hit.sentence].shown_alignment
            source.update(hit.source_words, (a for a, b in alignment if b in hit.translation_words))
            target.update(hit.translation_words, (b for a, b in alignment if a in hit.source_words))
    return {n: (tuple(sorted(s)), tuple(sorted(t))) for n, (s, t) in words.items()}


def draft_page(document: Document, *, word_alignment: bool = True, layout: str = "side-by-side") -> str:
    """The view of a document still being translated (the Add page): no lookups until it is done."""
    return render_page(shown(document), standalone=False, word_alignment=word_alignment, lookups=False, layout=layout)


def shown(document: Document) -> Document:
    """The document as the view shows it: a source that is not a web page named in words, not by its path
    (the downloads keep the source: their header names it in words, its path under "Translation details")."""
    source = document.meta.source
    if source.startswith(("http://", "https://")):
        return document
    return replace(document, meta=replace(document.meta, source=source_words(source)))


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    mime: str
    render: Callable[[], bytes] | None
    """Makes the file when the button is pressed (a PDF takes a moment); None when it cannot be made."""
    error: str = ""


def downloads(document: Document) -> list[Download]:
    """A download per installed export format; one whose packages are missing says so instead."""
    stem = download_stem(document)
    out = []
    for fmt, label, mime in DOWNLOADS:
        if importlib.util.find_spec(export.FORMATS[fmt]) is None:
            continue  # that exporter is not part of this installation
        try:
            importlib.import_module(export.FORMATS[fmt])
        except ImportError as exc:
            missing = f"needs packages that are not installed ({exc.name})"
            out.append(Download(label, f"{stem}.{fmt}", mime, None, missing))
            continue
        out.append(Download(label, f"{stem}.{fmt}", mime, _renderer(document, fmt)))
    return out


def _renderer(document: Document, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        try:
            return export.render(document, fmt)
        except ReaderError as exc:  # a file saying why, rather than a broken download
            return f"This {fmt} export could not be made: {exc}\n".encode()

    return render


def download_stem(document: Document) -> str:
    """A safe file name stem after the article, so that several downloads do not collide:
    ``<date>-<english-title-slug>.ar-en`` (the source file's name, else 'article', without an English title)."""
    source = document.meta.source
    slug = "-".join(re.findall(r"[a-z0-9]+", document.title_en.lower()))
    if len(slug) > DOWNLOAD_SLUG:
        slug = slug[: DOWNLOAD_SLUG + 1].rsplit("-", 1)[0]
    if not slug:
        candidate = "" if "://" in source else Path(source).name.split(".")[0]
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", candidate).strip("-") or "article"
    date = document.meta.date[:10]
    dated = re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    return f"{date}-{slug}.ar-en" if dated else f"{slug}.ar-en"
