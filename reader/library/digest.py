"""The digest: what entered the library since a time, grouped by watchlist and by story, in any export format.

Each article appears with its English title (and Arabic), its source, date, how many outlets carry
its story, its first two sentences in both languages, and the link that opens it in the reader app
(``<app_url>?doc=<id>``, ``READER_APP_URL``). First the watchlists (each with its new articles),
then every new article once, one entry per story (its earliest new article, the others named).

The digest is built as a ``Document`` (headings for the groups and the articles, the sentences as
sentence pairs), so it renders through the export registry like any article: HTML under its strict
CSP, Markdown, PDF with shaped Arabic, and the bilingual EPUB. The text it carries is the library's,
escaped by each exporter as for any document.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reader.document import Document, Metadata, Paragraph, SentencePair
from reader.errors import LibraryError
from reader.library.index import EVERYTHING, Filters, Row
from reader.library.store import Library

FORMATS = ("html", "md", "pdf", "epub")
SENTENCES = 2
_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class Entry:
    row: Row
    sentences: tuple[tuple[str, str], ...]
    """The first sentences, (Arabic, English)."""
    others: tuple[Row, ...] = ()
    """The story's other new articles (other outlets)."""
    terms: tuple[str, ...] = ()
    """In a watchlist's group: the terms it matched."""


@dataclass
class Digest:
    since: float
    watchlists: list[tuple[str, list[Entry]]] = field(default_factory=list)
    stories: list[Entry] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return sum(1 + len(e.others) for e in self.stories)


def parse_since(text: str, now: float | None = None) -> float:
    """``24h``, ``90m``, ``7d``, ``2w`` ago, or a day (``2024-06-01``, UTC) as seconds since the epoch."""
    now = time.time() if now is None else now
    found = _SPAN.match(str(text).lower())
    if found:
        return now - float(found.group(1)) * _SECONDS[found.group(2)]
    try:
        day = datetime.strptime(str(text).strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise LibraryError(f"cannot read --since {text!r}: give a span (24h, 7d, 90m) or a day (2024-06-01)") from None
    return day.timestamp()


def build(library: Library, since: float, filters: Filters = EVERYTHING) -> Digest:
    """The digest of the documents written into the library since ``since`` (seconds since the epoch)."""
    new = [r for r in library.page(filters, limit=1 << 40).rows if r.translated >= since]
    new.sort(key=lambda r: (r.date, r.translated))
    digest = Digest(since)
    if not new:
        return digest
    firsts = {r.id: _first_sentences(library, r.id) for r in new}
    wanted = {r.id for r in new}
    for watchlist in library.watchlists():
        entries = []
        for id_ in library.watch_ids(watchlist.name, limit=1 << 30):
            if id_ in wanted:
                terms = tuple(dict.fromkeys(t for h in library.watch_hits(id_) if h.watchlist == watchlist.name
                                            for t in h.terms))  # fmt: skip
                entries.append(Entry(next(r for r in new if r.id == id_), firsts[id_], terms=terms))
        if entries:
            digest.watchlists.append((watchlist.name, entries))
    story_of = library.index.stories_of()
    groups: dict[int | str, list[Row]] = {}
    for row in new:
        groups.setdefault(story_of.get(row.id, row.id), []).append(row)
    for rows in groups.values():
        digest.stories.append(Entry(rows[0], firsts[rows[0].id], others=tuple(rows[1:])))
    digest.stories.sort(key=lambda e: (-(1 + len(e.others)), e.row.date, e.row.translated))
    return digest


def to_document(digest: Digest, *, app_url: str = "") -> Document:
    """The digest as a document: a heading per group and per article, then its first sentences."""
    since = datetime.fromtimestamp(digest.since, UTC).strftime("%Y-%m-%d %H:%M UTC")
    builder = _Builder()
    for name, entries in digest.watchlists:
        builder.heading(f"قائمة المتابعة: {name}", f"Watchlist: {name} ({len(entries)} new)", level=1)
        for entry in entries:
            _article(builder, entry, app_url)
    builder.heading("القصص", f"Stories ({len(digest.stories)}, {digest.articles} articles)", level=1)
    for entry in digest.stories:
        _article(builder, entry, app_url)
    meta = Metadata(
        title=f"ملخص منذ {since}",
        title_translation=f"reader digest: what is new since {since}",
        source="reader digest",
        date=datetime.now(UTC).strftime("%Y-%m-%d"),
        model="",
    )
    return builder.document(meta)


def render(digest: Digest, fmt: str, *, app_url: str = "") -> bytes:
    """The digest in one of FORMATS, through the export registry."""
    from reader.export import render as export

    if fmt not in FORMATS:
        raise LibraryError(f"unknown digest format {fmt!r}; choose from {', '.join(FORMATS)}")
    return export(to_document(digest, app_url=app_url), fmt)


def write_daily(
    library: Library, folder: Path, *, fmt: str = "html", app_url: str = "", now: float | None = None
) -> Path | None:
    """The last day's digest as ``folder/digest-<day>.<fmt>``, once a day (``reader feeds check --watch --digest``):
    the file written, or None when today's is there already."""
    from reader.export import write_atomic

    now = time.time() if now is None else now
    path = Path(folder).expanduser() / f"digest-{datetime.fromtimestamp(now, UTC):%Y-%m-%d}.{fmt}"
    if path.exists():
        return None
    write_atomic(path, render(build(library, now - 86_400), fmt, app_url=app_url))
    return path


def _article(builder: _Builder, entry: Entry, app_url: str) -> None:
    row = entry.row
    outlets = [row, *entry.others]
    said = [f"{_where(r)}, {r.date}" for r in outlets]
    count = f" ({len(outlets)} sources: {'; '.join(said)})" if entry.others else f" ({said[0]})"
    terms = f" [{', '.join(entry.terms)}]" if entry.terms else ""
    link = f" · {app_url.rstrip('/')}/?doc={row.id}" if app_url else ""
    builder.heading(row.title or row.title_en or row.id, f"{row.title_en or row.title}{count}{terms}{link}", level=2)
    if entry.sentences:
        builder.paragraph(list(entry.sentences))


def _where(row: Row) -> str:
    from urllib.parse import urlsplit

    source = row.feed or row.source
    return urlsplit(source).hostname or source if "://" in source else source or "pasted"


def _first_sentences(library: Library, id_: str) -> tuple[tuple[str, str], ...]:
    try:
        document = library.get(id_)
    except LibraryError:
        return ()
    body = [s for s in document.sentences if s.source.strip() != document.meta.title.strip()]
    return tuple((s.source, s.shown) for s in body[:SENTENCES])


class _Builder:
    """Paragraphs with consistent offsets into one text."""

    def __init__(self) -> None:
        self.text = ""
        self.paragraphs: list[Paragraph] = []

    def heading(self, arabic: str, english: str, *, level: int) -> None:
        self.paragraph([(arabic, english)], kind="heading", level=level)

    def paragraph(self, pairs: list[tuple[str, str]], *, kind: str = "", level: int = 0) -> None:
        pairs = [(" ".join(a.split()) or "-", " ".join(e.split())) for a, e in pairs]
        if self.paragraphs:
            self.text += "\n\n"
        start = len(self.text)
        sentences = []
        for n, (arabic, english) in enumerate(pairs):
            if n:
                self.text += " "
            begin = len(self.text)
            self.text += arabic
            sentences.append(SentencePair(begin, len(self.text), arabic, english))
        self.paragraphs.append(Paragraph(start, len(self.text), tuple(sentences), kind=kind, level=level))

    def document(self, meta: Metadata) -> Document:
        return Document(self.text, tuple(self.paragraphs), meta)
