"""Batch sources: what each SOURCE argument names, and the articles it yields.

A SOURCE is, in this order of checks:

- an ``http(s)`` URL. It is fetched (safely, ``reader.fetch``); when the reply is a feed it
  is an RSS/Atom feed, otherwise a single article page. "A feed" is decided by content, not by
  the URL: an XML/RSS/Atom content type or a body that starts like XML (``<?xml``, ``<rss``,
  ``<feed``, ``<rdf``), *and* feedparser recognising a feed version or finding entries. The
  feed bytes go to feedparser from ``fetch_url``; feedparser never fetches anything itself.
  Each entry's link (relative links resolved against the feed URL) is an article URL.
- a folder: every ``.txt``, ``.md``, ``.html`` and ``.htm`` file in it **recursively**, in
  sorted order, skipping hidden files and folders (names starting with '.') and the batch
  output folder itself when it lies inside.
- a file most of whose non-blank lines, apart from ``#`` comments, are URLs: a URL list (its
  other lines are reported as failed, so a typo is seen rather than translated as text).
- any other ``.txt``/``.md``/``.html``/``.htm`` file: one article.

An article's key is its absolute file path or its URL (as listed; redirects do not change it).

``feeds_only`` (a feed check) holds every URL source to being a feed: a page that is not one is
that source's failure ("not an RSS or Atom feed"), not an article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from reader import documents
from reader.errors import ReaderError, first_line
from reader.ingest import HTML_SUFFIXES, SUFFIXES, Article, article_from_page, fetch_article, read_file

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.fetch import FetchedPage

FILE_SUFFIXES = (*SUFFIXES, *documents.SUFFIXES)
"""Files a folder source picks up: articles (text, HTML) and documents (PDF, DOCX, EPUB)."""
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
)
_XML_START = (b"<?xml", b"<rss", b"<feed", b"<rdf")
_HAS_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]+://")
_URL_LIST_MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class Item:
    """One article to consider: where it is, and how to read it.

    ``kind`` is 'file' or 'url'; ``origin`` the SOURCE argument it came from; ``hint`` a feed entry's
    published/updated stamp (unchanged means the page need not be fetched again); ``page`` the page
    itself when discovering the source already fetched it (a single article URL); ``feed`` the feed
    that listed it, recorded in its document.
    """

    key: str
    kind: str
    origin: str
    hint: str = ""
    page: FetchedPage | None = None
    feed: str = ""

    def load(self, settings: Settings) -> Article:
        """Read or fetch the article; raises a ReaderError subclass when it cannot."""
        if self.kind == "file":
            return read_file(Path(self.key), settings)
        article = article_from_page(self.page) if self.page is not None else fetch_article(self.key, settings)
        return replace(article, feed=self.feed) if self.feed else article


@dataclass(frozen=True)
class Failure:
    key: str
    reason: str


def discover(
    sources: Sequence[str], settings: Settings, *, exclude: Path | None = None, feeds_only: bool = False
) -> tuple[list[Item], list[Failure]]:
    """All the articles the sources name (each key once, first source wins) and the sources that failed."""
    items: dict[str, Item] = {}
    failures: list[Failure] = []
    for spec in sources:
        try:
            if not feeds_only:
                found = _expand(spec, settings, exclude=exclude)
            elif spec.lower().startswith(("http://", "https://")):
                found = _url_source(spec, settings, feeds_only=True)
            else:
                raise ReaderError(f"{spec}: not a feed URL (it must start with http:// or https://)")
        except ReaderError as exc:
            failures.append(Failure(spec, str(exc)))
            continue
        for item in found:
            if isinstance(item, Failure):
                failures.append(item)
            else:
                items.setdefault(item.key, item)
    return list(items.values()), failures


def _expand(spec: str, settings: Settings, *, exclude: Path | None) -> list[Item | Failure]:
    if spec.lower().startswith(("http://", "https://")):
        return _url_source(spec, settings)
    path = Path(spec).expanduser()
    if _HAS_SCHEME.match(spec) and not path.exists():
        scheme = spec.split(":", 1)[0]
        raise ReaderError(f"{spec}: only http and https URLs are allowed, not '{scheme}:'")
    if path.is_dir():
        return list(_folder(path, spec, exclude))
    if path.is_file():
        urls = _url_list(path, settings)
        if urls is not None:
            return urls
        if path.suffix.lower() not in FILE_SUFFIXES and documents.kind_of(path) is None:
            raise ReaderError(f"{spec}: not a folder, a URL list or an article file ({', '.join(FILE_SUFFIXES)})")
        return [Item(key=str(path.resolve()), kind="file", origin=spec)]
    raise ReaderError(f"{spec}: no such file or folder")


def _folder(folder: Path, spec: str, exclude: Path | None) -> list[Item]:
    root = folder.resolve()
    skip = exclude.resolve() if exclude is not None else None
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.suffix.lower() in FILE_SUFFIXES and path.is_file():
            found.append(Item(key=str(path), kind="file", origin=spec))
    return found


def _url_list(path: Path, settings: Settings) -> list[Item | Failure] | None:
    """The URLs of a URL-list file, or None when the file is not one."""
    if path.suffix.lower() in HTML_SUFFIXES or documents.kind_of(path) is not None:
        return None
    try:
        size = path.stat().st_size
        if size > max(settings.max_input_bytes, _URL_LIST_MAX_BYTES):
            return None
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise ReaderError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    entries = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
    urls = sum(1 for _, line in entries if _HAS_SCHEME.match(line))
    if urls * 2 <= len(entries):
        return None
    spec = str(path)
    found: list[Item | Failure] = []
    for number, line in entries:
        if line.lower().startswith(("http://", "https://")):
            found.append(Item(key=line, kind="url", origin=spec))
        elif _HAS_SCHEME.match(line):
            found.append(Failure(line, f"{spec}, line {number}: only http and https URLs are allowed"))
        else:
            found.append(Failure(line, f"{spec}, line {number}: not a URL"))
    return found


def _url_source(url: str, settings: Settings, *, feeds_only: bool = False) -> list[Item | Failure]:
    from reader.fetch import fetch_url

    page = fetch_url(url, settings)
    parsed = _feed_entries(page)
    if parsed is None:
        if feeds_only:
            raise ReaderError(f"{url}: not an RSS or Atom feed ({_not_a_feed(page)})")
        return [Item(key=url, kind="url", origin=url, page=page)]
    entries, problem = parsed
    if feeds_only and not entries and problem:
        raise ReaderError(f"{url}: not an RSS or Atom feed (malformed XML: {problem})")
    found: list[Item | Failure] = []
    for link, hint in entries:
        absolute = urljoin(page.final_url, link)
        if absolute.lower().startswith(("http://", "https://")):
            found.append(Item(key=absolute, kind="url", origin=url, hint=hint, feed=url))
        else:
            found.append(Failure(absolute, f"feed {url}: entry link is not an http(s) URL"))
    return found


def _not_a_feed(page: FetchedPage) -> str:
    """Why a page is not a feed, for the message on the feed's row."""
    if not _looks_like_xml(page):
        return f"the server sent {page.content_type or 'a page of unknown type'}"
    import feedparser

    problem = feedparser.parse(page.body).get("bozo_exception")
    return f"malformed XML: {first_line(problem)}" if problem else "no feed and no entries in it"


def _looks_like_xml(page: FetchedPage) -> bool:
    start = page.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return page.content_type in _FEED_TYPES or start.startswith(_XML_START)


def _feed_entries(page: FetchedPage) -> tuple[list[tuple[str, str]], str] | None:
    """(link, change hint) of each entry when the page is a feed, else None; and what was wrong with its
    XML when feedparser had to recover ('' when nothing was)."""
    if not _looks_like_xml(page):
        return None
    import feedparser

    headers = {"content-type": page.content_type or "application/xml", "content-location": page.final_url}
    parsed = feedparser.parse(page.body, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        return None
    entries = []
    for entry in parsed.entries:
        link = str(entry.get("link") or "").strip()
        if not link:
            continue
        # dict.get: feedparser's own lookup of 'updated' warns about a deprecated fallback.
        stamp = dict.get(entry, "updated") or dict.get(entry, "published") or ""
        entries.append((link, str(stamp)))
    problem = parsed.get("bozo_exception")
    return entries, first_line(problem) if parsed.get("bozo") and problem else ""
