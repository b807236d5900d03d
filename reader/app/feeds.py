"""The Feeds page: the subscriptions with their status, and "Check now" with a progress bar.

A check is ``reader.batch.feeds.check_feeds``, the same batch run ``reader feeds check`` does,
here with the app's one loaded model and a reporter that moves the page's progress bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from reader.app.messages import count
from reader.batch.feeds import FeedCheck, check_feeds
from reader.batch.options import BatchOptions
from reader.batch.sources import FEED_PAGE, Probe, probe_feed
from reader.config import Settings
from reader.library import Library
from reader.translate.shared import SharedTranslator

Progress = Callable[[float, str], None]
"""(fraction done, what is happening): what the page's progress bar shows."""


@dataclass(frozen=True)
class FeedRow:
    url: str
    name: str
    auto_translate: bool
    articles: int
    unread: int
    status: str
    """When it was last checked and what that found, in words."""
    error: str
    """Why the last check of this feed failed; empty when it worked."""
    titles_first: bool = False
    """Checks translate titles and first paragraphs; the rest when an article is opened or a watchlist hits."""


@dataclass(frozen=True)
class Subscribed:
    """What pressing Subscribe did: subscribed (``feed``), or found a web page (``page``) and the feeds it names."""

    feed: str = ""
    page: Probe | None = None


def subscribe(library: Library, settings: Settings, url: str, *, title: str = "", auto: bool = True) -> Subscribed:
    """Subscribe to ``url`` when it is a feed (named by ``title``, else by its own title); a web page is not
    subscribed, and its own feeds are offered."""
    probe = probe_feed(url, settings)
    if probe.kind != FEED_PAGE:
        return Subscribed(page=probe)
    return Subscribed(feed=library.subscribe(probe.url, title=title or probe.title, auto_translate=auto).url)


def not_a_feed(probe: Probe) -> str:
    """What the page says when a web page was given as a feed (plain text)."""
    if not probe.feeds:
        return f"{probe.url} is a web page, not a feed, and it names no feed of its own. Add it as an article?"
    return (
        f"{probe.url} is a web page, not a feed. It names {count(len(probe.feeds), 'feed')} of its own: "
        "subscribe to one, or add the page as an article."
    )


def feed_rows(library: Library, *, now: float | None = None) -> list[FeedRow]:
    counts = library.feed_counts()
    rows = []
    for feed in library.feeds():
        articles, unread = counts.get(feed.url, (0, 0))
        if feed.last_checked is None:
            status = "not checked yet"
        else:
            status = f"checked {_ago(feed.last_checked, now)}: {feed.last_new} new"
            if feed.last_failed:
                status += f", {count(feed.last_failed, 'article')} failed"
        rows.append(
            FeedRow(
                feed.url,
                feed.title or feed.url,
                feed.auto_translate,
                articles,
                unread,
                status,
                feed.last_error,
                feed.titles_first,
            )
        )
    return rows


def _ago(when: float, now: float | None) -> str:
    seconds = max(0, int((now or time.time()) - when))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")


class BarReporter:
    """A batch ``ProgressReporter`` that moves the page's progress bar, one step per article."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.total = 0
        self.done = 0
        self.sentences_done = 0
        self.messages: list[str] = []

    def start(self, articles: int) -> None:
        self.total, self.done = articles, 0
        self.progress(0.0, f"Checking {count(articles, 'article')}…")

    def sentences(self, count: int) -> None:
        self.sentences_done += count
        self._show()

    def article(self, key: str, outcome: str, detail: str = "") -> None:
        self.done += 1
        self._show()

    def message(self, text: str) -> None:
        self.messages.append(text)

    def close(self) -> None:
        self.progress(1.0, "Done")

    def _show(self) -> None:
        fraction = self.done / self.total if self.total else 1.0
        self.progress(
            min(fraction, 1.0), f"{self.done} of {self.total} articles · {self.sentences_done} sentences translated"
        )


def check_now(
    library: Library,
    settings: Settings,
    shared: SharedTranslator,
    progress: Progress,
    *,
    urls: Sequence[str] | None = None,
) -> FeedCheck:
    """Check the feeds (those with auto-translate on, or ``urls``) with the app's model, moving ``progress``."""
    options = BatchOptions(
        settings, formats=["json"], progress=BarReporter(progress), translator_factory=shared.for_run
    )
    return check_feeds(library.root, options, urls=urls)


def check_message(check: FeedCheck) -> tuple[str, str]:
    """('success' | 'warning' | 'info', what the check did), for the page."""
    if not check.feeds:
        return "info", "No feed to check: every feed has auto-translate off, or none is subscribed."
    new = sum(r.new for r in check.feeds)
    failed = [r for r in check.feeds if r.error]
    text = f"{count(new, 'new article')} from {count(len(check.feeds), 'feed')}."
    if failed:
        rows = "its row" if len(failed) == 1 else "their rows"
        return "warning", f"{text} {count(len(failed), 'feed')} failed: see {rows}."
    articles = sum(r.failed for r in check.feeds)
    if articles:
        return "warning", f"{text} {count(articles, 'article')} could not be translated."
    return "success", text
