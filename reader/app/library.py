"""The Library page: the documents newest first, filtered and searched, a page at a time.

Rows come from the index alone (no document is loaded), so paging through ten thousand documents
costs what one page costs. Everything shown comes from hostile pages: the Streamlit layer shows
titles and hits only through ``html.escape`` here (``row_html``, ``hit_html``) or ``plain``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from reader.app.arabic import FONT_STACK
from reader.app.messages import count
from reader.chars import has_rtl
from reader.document import source_words
from reader.library import ALIGNED, MATCH, Filters, Hit, Library, ListPage, Row, SearchPage

PAGE_SIZE = 25
CSS = f"""<style>
.lib-ar {{ direction: rtl; text-align: right; font-size: 1.05rem; line-height: 1.7; unicode-bidi: isolate;
  font-family: {FONT_STACK}; }}
.lib-en {{ unicode-bidi: isolate; }}
/* The English title is the one a reader of English looks for: the row's prominent line. */
[data-testid="stPageLink-NavLink"] p {{ font-size: 1.08rem; font-weight: 600; }}
.lib-hit {{ margin: 0.2rem 0 0.6rem; padding: 0.35rem 0.6rem; border-left: 3px solid #f2c94c; background: #fffbea; }}
.lib-hit mark.match {{ background: #ffe066; padding: 0 0.1em; border-radius: 0.15em; }}
.lib-hit mark.aligned {{ background: #c7e3ff; padding: 0 0.1em; border-radius: 0.15em; }}
</style>"""
EMPTY_HELP = (
    "**Your library is empty.** Everything you translate is kept here, newest first, searchable in "
    "Arabic and English. To start:"
)


@dataclass(frozen=True)
class Query:
    """What the Library page's widgets ask for."""

    search: str = ""
    feed: str | None = None
    unread: bool = False
    starred: bool = False
    flagged: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    watchlist: str | None = None
    stories: bool = False
    """One row per story (``Library.stories``), when there is no search."""

    def filters(self) -> Filters:
        return Filters(
            feed=self.feed or None,
            unread=self.unread,
            starred=self.starred,
            flagged=self.flagged,
            since=self.since.isoformat() if self.since else None,
            until=self.until.isoformat() if self.until else None,
            watchlist=self.watchlist or None,
        )


def dates(value: object) -> tuple[dt.date | None, dt.date | None]:
    """A date_input's value (nothing, one day, or a range being picked) as (since, until)."""
    if isinstance(value, dt.date):
        return value, value
    if isinstance(value, (tuple, list)):
        picked = [v for v in value if isinstance(v, dt.date)]
        if len(picked) == 1:
            return picked[0], None
        if len(picked) == 2:
            return min(picked), max(picked)
    return None, None


def fetch(library: Library, query: Query, page: int) -> ListPage | SearchPage:
    """One page of rows, or of search results when there is a search (LibraryError: nothing to search for)."""
    offset = max(0, page) * PAGE_SIZE
    if query.search.strip():
        return library.search(query.search, query.filters(), offset=offset, limit=PAGE_SIZE)
    if query.stories:
        return library.stories(query.filters(), offset=offset, limit=PAGE_SIZE)
    return library.page(query.filters(), offset=offset, limit=PAGE_SIZE)


def pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def counts(found: ListPage | SearchPage, page: int, *, stories: bool = False) -> str:
    """'Articles 26-50 of 120', or '3 articles match "bank"', or for a list of stories '40 stories'."""
    shown = len(found.results) if isinstance(found, SearchPage) else len(found.rows)
    if isinstance(found, SearchPage):
        verb = "matches" if found.total == 1 else "match"
        return f"{count(found.total, 'article')} {verb} “{found.query}”" + _range(page, shown, found.total)
    what = f"{found.total:,} {'story' if found.total == 1 else 'stories'}" if stories else count(found.total, "article")
    return what + _range(page, shown, found.total)


def _range(page: int, shown: int, total: int) -> str:
    if total <= PAGE_SIZE or not shown:
        return ""
    first = page * PAGE_SIZE + 1
    return f" · showing {first:,}–{first + shown - 1:,}"


def link_label(row: Row) -> str:
    """The row's link text (the English title first: the app's reader reads English), unread marked."""
    title = row.title_en or row.title or row.id
    return f"{'● ' if row.unread else ''}{title}"


def row_meta(row: Row, feeds: Mapping[str, str] | None = None) -> str:
    """'2024-11-21 · Example News · 12 sentences · 2 flagged · ★' (plain text); ``feeds`` names the feeds as the
    Source filter does (``feed_options``)."""
    parts = [row.date, source_name(row, feeds or {})]
    parts.append(count(row.sentences, "sentence"))
    parts.append(row.pages)
    if row.sources > 1:
        parts.append(f"{row.sources} sources")
    if row.flagged:
        parts.append(f"{row.flagged} flagged")
    if row.pending:
        parts.append(f"titles first: {count(row.pending, 'sentence')} to translate on opening")
    if row.starred:
        parts.append("★ starred")
    if row.unread:
        parts.append("unread")
    return " · ".join(p for p in parts if p)


def source_name(row: Row, feeds: Mapping[str, str]) -> str:
    """Where a document came from, in a reader's words: its feed as the filter names it, a site, a sample,
    pasted text or a file's name (never a path)."""
    from urllib.parse import urlsplit

    if row.feed:
        return feeds.get(row.feed) or urlsplit(row.feed).hostname or row.feed
    if row.source.startswith(("http://", "https://")):
        return urlsplit(row.source).hostname or ""
    return source_words(row.source)


def title_html(row: Row) -> str:
    """The Arabic title, right to left, escaped."""
    direction = ' dir="rtl" lang="ar"' if has_rtl(row.title) else ' dir="auto"'
    return f'<div class="lib-ar"{direction}>{escape(row.title)}</div>'


def hit_html(hit: Hit) -> str:
    """A matching sentence pair: the match marked on both sides (the aligned words in another colour)."""
    where = "In the title" if hit.sentence is None else f"Sentence {hit.sentence + 1}"
    return (
        '<div class="lib-hit">'
        f"<small>{where}</small>"
        f'<div class="lib-ar" dir="rtl" lang="ar">{_marked(hit.source_segments())}</div>'
        f'<div class="lib-en" dir="ltr" lang="en">{_marked(hit.translation_segments())}</div>'
        "</div>"
    )


def _marked(segments: list[tuple[str, str]]) -> str:
    out = []
    for text, kind in segments:
        if kind in (MATCH, ALIGNED):
            out.append(f'<mark class="{kind}">{escape(text)}</mark>')
        else:
            out.append(escape(text))
    return "".join(out)


def watch_options(library: Library) -> dict[str, str]:
    """The watchlist filter's choices: '' for all, then each watchlist with its articles and unread ones."""
    options = {"": "All articles"}
    for name, (articles, unread) in library.watch_counts().items():
        options[name] = f"{name} ({articles}, {unread} unread)" if unread else f"{name} ({articles})"
    return options


def feed_options(library: Library) -> dict[str, str]:
    """The feed filter's choices: '' for all, then each subscribed feed (its title or URL)."""
    options = {"": "All sources"}
    for feed in library.feeds():
        options[feed.url] = feed.title or feed.url
    return options
