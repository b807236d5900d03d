"""Long documents into the library a part at a time: a 500-page PDF is readable while it is translated,
and a run killed at any moment goes on where it stopped.

A document whose pages go past ``Settings.part_pages`` is cut at paragraph starts into parts of that
many pages. Each part is translated on its own, joined to the parts before it, and the document so
far (its text up to the part's end, ``meta.partial`` = "pages done/total") is committed with
``Library.add``: one atomic file write, then its index row. The committed file is the only record of
progress, so it cannot disagree with itself: a rerun reads it back, checks that it is the same text
and the same model, and translates only the parts after it. Nothing is translated twice, nothing
is duplicated (the same key is the same file), and the last commit is the whole document.

Nor is a long PDF read whole before its first part (``resume_article``): it is read a window at a time,
a part's pages and two past them, the next window from just before the cut once the window's parts are
committed, the committed pages taken from the library; a rerun starts at the cut the same way. Where the
parts are translated is the caller's: here (``iter_into``), or on Ray's actors (``Committer``).
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
    from reader.documents.pdf import OpenPdf
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
LOOKAHEAD_PAGES = 2
"""Pages read past a window's last part: its last paragraph is seen to end, and its running lines on more pages."""


def resume_article(
    library: Library, key: str, path: Path, settings: Settings, *, progress: PageProgress | None = None
) -> Article | None:
    """The article of a long PDF read one window of pages at a time: from the file only the pages of the next
    part (from ``SEAM_PAGES`` before the ones a run before committed to ``library`` at ``key``, to
    ``LOOKAHEAD_PAGES`` past the part), the committed text and structure taken as they are, so no committed
    page is read by OCR again. Its ``following`` reads the next window once ``iter_into`` has committed this
    one's parts. None when the file is not such a PDF, or fits in one window: the caller reads it whole
    (``reader.ingest.read_file``)."""
    path = Path(path)
    window = _window(library, key, path, settings, progress=progress)
    if window is None:
        return None
    return _reading_on(window, library, key, path, settings)


def _reading_on(window: Article, library: Library, key: str, path: Path, settings: Settings) -> Article:
    """``window`` with what reads the next ones (``_Windows``), when pages are left."""
    if not window.meta.partial:
        return window
    total = int(window.meta.partial.partition("/")[2] or 0)  # counted once: walking the page tree takes a while
    return replace(window, following=_Windows(library, key, path, settings, total))


class _Windows:
    """A long PDF's windows after the first (``Article.following``): read from a link to the file in a private
    folder (an upload's temporary copy may go meanwhile), kept open from one window to the next (its page tree
    walked once, not once a window). Both go when the last window is read, or when the article goes."""

    def __init__(self, library: Library, key: str, path: Path, settings: Settings, total: int) -> None:
        import os
        import shutil
        import tempfile

        self.library, self.key, self.path, self.settings, self.total = library, key, path, settings, total
        _remove_stale_windows()
        # Removed at the latest when this goes; named by this process, so that a kill -9's is found later.
        self.folder = tempfile.TemporaryDirectory(prefix=f"{WINDOW_PREFIX}{os.getpid()}-")
        self.kept = Path(self.folder.name) / "source.pdf"
        try:
            os.link(path, self.kept)
        except OSError:  # another file system
            shutil.copyfile(path, self.kept)
        self.seen: dict[int, list[str]] = {}
        self.opened: OpenPdf | None = None

    def __call__(self, more: int) -> Article:
        """The next window (``more`` pages longer when the last one had no part to commit); the whole file
        when the pages read there differ from what was committed. Its warnings name the file, not the link."""
        import weakref

        from reader import ingest
        from reader.documents.pdf import OpenPdf

        if self.opened is None:
            self.opened = OpenPdf(self.kept)
            weakref.finalize(self, self.opened.close)
        window = _window(self.library, self.key, self.kept, self.settings, more=more, seen=self.seen,
                         total=self.total, opened=self.opened)
        read = ingest.read_document(self.kept, self.settings) if window is None else window
        warnings = tuple(w.replace(str(self.kept), str(self.path), 1) for w in read.warnings)
        going_on = self if window is not None and window.meta.partial else None
        if going_on is None:  # the last window: nothing reads the file again
            self.opened.close()
            self.folder.cleanup()
        return replace(read, source=str(self.path), warnings=warnings, following=going_on)


WINDOW_PREFIX = "reader-window-"
STALE_WINDOW_SECONDS = 24 * 3600
"""A window folder this old whose process is gone was left by a kill -9 (``_remove_stale_windows``)."""


def _remove_stale_windows() -> None:
    """Remove the window folders (``_Windows``) that a killed run left in the temporary folder: this user's,
    named ``reader-window-PID-...``, holding only the link, older than a day, their process gone (the day is
    for a run in another process namespace that shares the folder; a live process keeps its own)."""
    import os
    import shutil
    import stat
    import tempfile
    import time

    if os.name != "posix":  # there os.kill(pid, 0) would end the process, not look for it
        return
    for folder in Path(tempfile.gettempdir()).glob(f"{WINDOW_PREFIX}*-*"):
        pid = folder.name.removeprefix(WINDOW_PREFIX).partition("-")[0]
        try:
            info = folder.lstat()  # a link named so is not followed
            if not pid.isdigit() or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                continue
            if time.time() - info.st_mtime < STALE_WINDOW_SECONDS or _alive(int(pid)):
                continue
            if {entry.name for entry in folder.iterdir()} <= {"source.pdf"}:
                shutil.rmtree(folder)
        except OSError:  # another run removed it meanwhile, or it is not ours to read
            continue


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


def _window(
    library: Library, key: str, path: Path, settings: Settings, *, progress: PageProgress | None = None,
    more: int = 0, seen: dict[int, list[str]] | None = None, total: int = 0, opened: OpenPdf | None = None,
) -> Article | None:
    """The next window of a long PDF (``resume_article``), its ``meta.partial`` "last page read/pages" when
    pages are left; None when there is none to read (see ``resume_article``)."""
    from reader import documents
    from reader.documents import ocr as ocr_pages
    from reader.ingest import file_digest

    part = settings.part_pages
    if part <= 0 or not path.is_file() or documents.kind_of(path) != "pdf":
        return None
    total = total or documents.page_count(path)
    digest = file_digest(path)
    committed, done = committed_pages(library, key, digest)
    last = min(total, ((done - 1) // part + 2) * part + LOOKAHEAD_PAGES + more)
    if committed is None and last >= total:
        return None  # short enough to read whole
    first = max(1, done - SEAM_PAGES) if committed is not None else 1
    real_ocr = ocr_pages.reader(settings)
    seen = {} if seen is None else seen
    if committed is not None:
        for paragraph in committed.paragraphs:
            if paragraph.ocr and paragraph.page is not None and paragraph.page <= done:
                seen.setdefault(paragraph.page, []).append(committed.text[paragraph.start : paragraph.end])

    def ocr(pdf: Path, page: int) -> list[str]:
        """A committed page as it was read then, a lookahead page as the window before read it; others now."""
        if page <= done:
            return seen.get(page, [])
        if page not in seen and real_ocr is not None:
            seen[page] = real_ocr(pdf, page)
        return seen.get(page, [])

    def read(page: int, _: int) -> None:
        if progress is not None:  # as pages of the whole file
            progress(first - 1 + page, total)

    extracted = documents.extract(
        path, settings, progress=read, first_page=first, last_page=last if last < total else None,
        ocr=ocr if real_ocr is not None else None, opened=opened,
    )
    if committed is not None:
        seam = [
            " ".join(piece.text.split()) for piece in extracted.pieces
            if piece.text.strip() and piece.page is not None and first < piece.page <= done
        ]
        if seam != [committed.text[p.start : p.end] for p in committed.paragraphs if p.page and first < p.page <= done]:
            return None
    rest = replace(extracted, pieces=tuple(p for p in extracted.pieces if p.page is not None and p.page > done))
    text, blocks = documents.as_text(rest)
    before = tuple(Block(p.start, p.kind, p.level, p.page, p.ocr) for p in committed.paragraphs) if committed else ()
    shift = len(committed.text) if committed else 0
    if not text and committed is None:
        return None  # nothing read: the whole reading says why
    return Article(
        text=(committed.text if committed else "") + text,
        meta=replace(extracted.meta, source=str(path), source_digest=digest,
                     partial=f"{last}/{total}" if last < total else ""),
        source=str(path),
        warnings=tuple(f"{path}: {w}" for w in extracted.warnings if not 0 < _page_of(w) <= done),
        blocks=before + tuple(replace(block, start=block.start + shift) for block in blocks),
    )


def committed_pages(library: Library, key: str, digest: str) -> tuple[Document | None, int]:
    """What a run before committed at ``key`` of the file with this SHA-256 (``file_digest``), and its pages;
    (None, 0) when nothing, or all of it, or another file's."""
    try:
        committed = library.get(document_id(key))
    except LibraryError:
        return None, 0
    pages = committed.meta.partial.partition("/")[0]
    if not pages.isdigit() or not committed.text.endswith("\n") or committed.meta.source_digest != digest:
        return None, 0
    return committed, int(pages)


def _page_of(warning: str) -> int:
    """The page a reading's warning is about ("page 3 needs OCR"), 0 for none."""
    words = [word.rstrip(":") for word in warning.split()]  # "page 3 needs OCR", "page 3: 2 mark(s) ..."
    return int(words[1]) if len(words) > 1 and words[0] == "page" and words[1].isdigit() else 0


@dataclass(frozen=True)
class Pages:
    """The document as the library holds it now: its first ``done`` pages of ``total``."""

    document: Document
    done: int
    total: int
    warnings: tuple[str, ...] = ()
    """What the windows read since the step before found ("page 300 needs OCR"), each once: the first
    window's are the article's own ``warnings``, shown before the translation starts."""


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
    more, shown = 0, len(article.warnings)
    while True:
        for piece in committer.todo:
            title = committer.title if committer.is_last(piece) else ""
            part = part_article(committer.article, piece)
            pages = committer.commit(piece, translate_part(part, translator, settings, title=title))
            yield replace(pages, warnings=committer.article.warnings[shown:])
            shown = len(committer.article.warnings)
        if committer.article.following is None:
            return
        # The next window (``resume_article``), longer when this one had no whole part to commit.
        more = 0 if committer.todo else more + settings.part_pages
        committer = Committer(library, key, committer.next_window(more), meta, settings)


class Committer:
    """A long document's commits, wherever its parts are translated (here, or on Ray actors:
    ``reader.batch.ray_engine``): ``first`` is what a run before left, ``todo`` the parts still to
    translate, and ``commit`` adds each translated part in turn (``translate_part``) and keeps the document so far."""

    def __init__(
        self, library: Library, key: str, article: Article, meta: Metadata, settings: Settings, *, refresh: bool = False
    ) -> None:
        self.library, self.key, self.article = library, key, article
        self.meta = replace(meta, partial="")
        pieces = parts(article, settings.part_pages)
        read, _, total = article.meta.partial.partition("/")
        if article.following is not None and read:  # a window: its last part runs on into the pages not read yet
            pieces, self.total = pieces[:-1], int(total)
        else:
            self.total = pieces[-1].last_page
        resumed = None if refresh else _committed(library, key, article, meta.model_fingerprint)
        could_be_done = pieces if article.following is not None else pieces[:-1]
        done = [piece for piece in could_be_done if resumed is not None and piece.end <= len(resumed.text)]
        cut = done[-1].end if done else 0
        self.paragraphs = [p for p in resumed.paragraphs if p.start < cut] if resumed is not None else []
        so_far = Document(text=article.text[:cut], paragraphs=tuple(self.paragraphs), meta=meta)
        self.first = Pages(so_far, done[-1].last_page if done else 0, self.total)
        self.todo = pieces[len(done) :]
        self.title = title_to_translate(article)
        """The title to translate with the last part, when the text does not start with it."""

    def is_last(self, piece: Part) -> bool:
        """Whether ``piece`` ends the document (it translates the title too)."""
        return self.article.following is None and piece is self.todo[-1]

    def next_window(self, more: int = 0) -> Article:
        """The next window once this one's parts are committed (``read_on``)."""
        return read_on(self.article, more)

    def commit(self, piece: Part, translated: Document) -> Pages:
        """Add ``piece``, translated as ``translate_part`` does, and keep the document so far in the library."""
        self.paragraphs.extend(_shifted(paragraph, piece.start) for paragraph in translated.paragraphs)
        whole = self.is_last(piece)
        meta = replace(self.meta, partial="" if whole else f"{piece.last_page}/{self.total}")
        if whole and translated.meta.title_translation:
            meta = replace(meta, title_translation=translated.meta.title_translation)
        document = Document(text=self.article.text[: piece.end], paragraphs=tuple(self.paragraphs), meta=meta)
        self.library.add(document, self.key)
        return Pages(self.library.shown(document), piece.last_page, self.total)


def read_on(article: Article, more: int = 0) -> Article:
    """A window's article (``resume_article``) with the next window read, or all the pages left with ``more``
    past them: the caller's article (its source and metadata) with the text and structure read so far."""
    if article.following is None:
        return article
    read = article.following(more)
    named = [w.replace(read.source, article.source, 1) if article.source else w for w in read.warnings]
    return replace(
        article, text=read.text, blocks=read.blocks, following=read.following,
        meta=replace(article.meta, partial=read.meta.partial),
        warnings=article.warnings + tuple(w for w in dict.fromkeys(named) if w not in article.warnings),
    )


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
    warn: Callable[[str], None] | None = None,
) -> Document:
    """``iter_into`` to its end, telling ``progress`` the pages done at each step, and ``warn`` each warning of
    the windows read after the first (the caller shows the article's own); the whole document."""
    for step in iter_into(library, key, article, translator, settings, refresh=refresh):
        for warning in step.warnings if warn is not None else ():
            warn(warning)
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
