"""The Watch page: watchlists with their counts and latest articles, and the unread count in the navigation.

Everything here reads the library (``reader.library``: ``watch``, ``watch_counts``, ``watch_hits``); the
page ``app_pages/watch.py`` only wires widgets to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.errors import LibraryError
from reader.library import Library, Row

LATEST = 10
"""Articles listed under each watchlist on the Watch page."""
_TERM_SEPARATORS = re.compile(r"[\n,،;]+")


@dataclass(frozen=True)
class WatchRow:
    name: str
    terms: str
    feeds: str
    articles: int
    unread: int
    latest: list[tuple[Row, str]]
    """(document, the terms it matched) for its latest articles."""


def parse_terms(text: str) -> list[str]:
    """Terms typed in a box: one a line, or separated by commas (Arabic or Latin) or semicolons."""
    return [" ".join(t.split()) for t in _TERM_SEPARATORS.split(text) if t.strip()]


def watch_rows(library: Library) -> list[WatchRow]:
    counts = library.watch_counts()
    rows = []
    for watchlist in library.watchlists():
        articles, unread = counts.get(watchlist.name, (0, 0))
        latest = []
        for id_ in library.watch_ids(watchlist.name, LATEST):
            terms = {t for h in library.watch_hits(id_) if h.watchlist == watchlist.name for t in h.terms}
            try:
                latest.append((library.row(id_), ", ".join(sorted(terms))))
            except LibraryError:
                continue  # removed meanwhile
        rows.append(
            WatchRow(
                watchlist.name,
                ", ".join(str(t) for t in watchlist.terms),
                ", ".join(watchlist.feeds),
                articles,
                unread,
                latest,
            )
        )
    return rows


def unread_total(library: Library) -> int:
    """New hits across watchlists, for the navigation: documents with a hit not read yet."""
    return sum(unread for _, unread in library.watch_counts().values())
