"""The translated feeds as static files in the library folder, for a plain web server to publish:

    LIB/feeds/library.atom, library.json        the whole library's newest articles
    LIB/feeds/<host-path>-<hash>.atom, .json    one pair per source feed (``feed_stem`` of its URL)
    LIB/feeds/watch-<name>-<hash>.atom, .json   one pair per watchlist: the articles it hit, latest first
    LIB/feeds/index.html                        a list of them, with each feed's title

``reader batch`` and ``reader feeds check`` call ``write_feeds`` after every run (``reader.batch.runner``).
Each file is written atomically, and only when its bytes change, so a server's Last-Modified and
ETag stay put between runs that changed nothing; the files of a feed that is gone are removed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from reader.export import write_atomic
from reader.library import Library
from reader.publish import FORMATS, render, suffix
from reader.publish.entries import TranslatedFeed
from reader.publish.select import DEFAULT_LIMIT, configured_url, library_feed, source_feed, source_feeds, watch_feed

FEEDS_DIR = "feeds"
LIBRARY_STEM = "library"
INDEX_NAME = "index.html"


@dataclass(frozen=True)
class Published:
    folder: Path
    feeds: dict[str, TranslatedFeed]
    """By file stem: ``library`` and one per source feed."""
    written: list[Path]
    """The files that changed (the others were already as they should be)."""


def write_feeds(
    library: Library, *, app_url: str | None = None, feeds_url: str | None = None, limit: int = DEFAULT_LIMIT
) -> Published:
    """Write every translated feed, in every format, into ``LIB/feeds/`` (see the module docstring).

    ``feeds_url`` (None: the ``feeds_url`` setting, READER_FEEDS_URL) is the address the folder is
    published at, so each feed names its own; ``app_url`` as for ``library_feed``.
    """
    folder = library.root / FEEDS_DIR
    base = configured_url("feeds_url", feeds_url)
    feeds = {LIBRARY_STEM: library_feed(library, limit=limit, app_url=app_url)}
    for url in source_feeds(library):
        feeds[feed_stem(url)] = source_feed(library, url, limit=limit, app_url=app_url)
    for watchlist in library.watchlists():
        feeds[watch_stem(watchlist.name)] = watch_feed(library, watchlist.name, limit=limit, app_url=app_url)
    files: dict[str, bytes] = {}
    for stem, feed in feeds.items():
        for fmt in FORMATS:
            name = f"{stem}{suffix(fmt)}"
            files[name] = render(feed, fmt, self_url=urljoin(base.rstrip("/") + "/", name) if base else "")
    files[INDEX_NAME] = _index(feeds).encode("utf-8")
    suffixes = {suffix(fmt) for fmt in FORMATS}
    written = [folder / name for name, data in files.items() if _write_if_changed(folder / name, data)]
    for path in folder.iterdir():
        if path.suffix in suffixes and path.name not in files and not path.name.startswith("."):
            path.unlink(missing_ok=True)
    return Published(folder, feeds, written)


def feed_stem(url: str) -> str:
    """A source feed's file name without suffix: readable (its host and path) and unique (a hash of the URL)."""
    readable = re.sub(r"^https?://(www\.)?", "", url.strip().lower())
    slug = re.sub(r"[^a-z0-9]+", "-", readable).strip("-")[:60].strip("-") or "feed"
    return f"{slug}-{hashlib.sha256(url.encode('utf-8', errors='surrogatepass')).hexdigest()[:10]}"


def watch_stem(name: str) -> str:
    """A watchlist's feed file name without suffix: ``watch-`` and a stem as a feed URL's (readable, unique)."""
    return "watch-" + feed_stem(name)


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


def _index(feeds: dict[str, TranslatedFeed]) -> str:
    """A page listing the feeds (static: no script, nothing loaded from elsewhere)."""
    items = "\n".join(
        f'<li>{escape(feed.title)}: <a href="{escape(stem)}.atom" type="application/atom+xml">Atom</a>'
        f' · <a href="{escape(stem)}.json" type="application/feed+json">JSON Feed</a>'
        f" ({len(feed.entries)} article{'' if len(feed.entries) == 1 else 's'})</li>"
        for stem, feed in feeds.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<title>Translated feeds</title>
<link rel="alternate" type="application/atom+xml" title="All translated articles" href="{LIBRARY_STEM}.atom">
</head><body><h1>Translated feeds</h1>
<ul>
{items}
</ul></body></html>
"""
