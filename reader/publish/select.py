"""Which library documents a feed holds: the whole library, one source feed's articles, or any list of them.

Each returns a ``TranslatedFeed`` (``entries.py``) that ``atom.render`` and ``jsonfeed.render`` turn
into a file; a document removed meanwhile is left out. ``app_url`` (None: the ``app_url`` setting,
READER_APP_URL) is where entries link to the article in the reader app; ``""`` leaves those links out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from reader.errors import LibraryError
from reader.library import Filters, Library, Row
from reader.publish.entries import FeedEntry, TranslatedFeed, checked_base, make_entry, make_feed, plain

DEFAULT_LIMIT = 50
"""Entries per feed, newest first: feed readers keep what they have seen, so a feed need not hold everything."""


def library_feed(library: Library, *, limit: int = DEFAULT_LIMIT, app_url: str | None = None) -> TranslatedFeed:
    """The newest documents of the whole library."""
    app = _app_url(app_url)
    rows = library.page(Filters(), limit=limit).rows
    return make_feed(
        "library",
        "",
        title="reader: translated articles",
        subtitle="Arabic articles in English, with the Arabic beside each paragraph",
        entries=_entries(library, rows, app),
        app_url=app,
    )


def source_feed(
    library: Library, url: str, *, limit: int = DEFAULT_LIMIT, app_url: str | None = None
) -> TranslatedFeed:
    """The translated articles of one source feed (a subscription, or a feed a batch run read), newest first."""
    app = _app_url(app_url)
    url = url.strip()
    subscribed = next((feed for feed in library.feeds() if feed.url == url), None)
    name = plain(subscribed.title) if subscribed is not None and subscribed.title else urlsplit(url).hostname or url
    rows = library.page(Filters(feed=url), limit=limit).rows
    return make_feed(
        "source",
        url,
        title=f"{name} (translated)",
        subtitle=f"The articles of {url}, translated from Arabic",
        entries=_entries(library, rows, app),
        app_url=app,
    )


def collection_feed(
    library: Library,
    ids: Iterable[str],
    *,
    title: str,
    key: str,
    subtitle: str = "",
    limit: int = DEFAULT_LIMIT,
    app_url: str | None = None,
) -> TranslatedFeed:
    """A feed of any library documents (a watchlist's or a saved search's hits), in the order given.

    ``key`` names the collection for good (``"watchlist:gaza"``): the feed's id is made from it, so
    the same key must always mean the same collection. Ids not in the library are skipped.
    """
    app = _app_url(app_url)
    rows = []
    for id_ in ids:
        if len(rows) >= limit:
            break
        try:
            rows.append(library.row(id_))
        except LibraryError:
            continue
    return make_feed(
        "collection", key, title=title, subtitle=subtitle, entries=_entries(library, rows, app), app_url=app
    )


def watch_feed(
    library: Library, name: str, *, limit: int = DEFAULT_LIMIT, app_url: str | None = None
) -> TranslatedFeed:
    """The articles a watchlist hit (``reader.library.watch``), the latest hit first: its alerts as a feed."""
    return collection_feed(
        library,
        library.watch_ids(name, limit),
        title=f"{plain(name)} (watchlist)",
        key=f"watchlist:{name}",
        subtitle=f"Translated articles that mention the terms of the watchlist {plain(name)}",
        limit=limit,
        app_url=app_url,
    )


def source_feeds(library: Library) -> list[str]:
    """The feeds with a translated feed of their own: the subscriptions, and those the articles came from."""
    return sorted({feed.url for feed in library.feeds()} | {url for url in library.feed_counts() if url})


def _entries(library: Library, rows: Iterable[Row], app_url: str) -> list[FeedEntry]:
    entries = []
    for row in rows:
        try:
            document = library.get(row.id)
        except LibraryError:
            continue  # removed meanwhile
        stamp = library.file_stamp(row.id)
        written = stamp.mtime_ns / 1e9 if stamp is not None else row.translated
        entries.append(make_entry(row.id, document, updated=datetime.fromtimestamp(written, UTC), app_url=app_url))
    return entries


def _app_url(app_url: str | None) -> str:
    return configured_url("app_url", app_url)


def configured_url(name: str, given: str | None) -> str:
    """The address ``given``, else the setting ``name`` (``app_url``: READER_APP_URL), checked."""
    if given is None:
        from reader.config import Settings

        given = str(getattr(Settings.load(), name))
    return checked_base(given, f"READER_{name.upper()}")
