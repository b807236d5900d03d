"""Checking the library's feeds: the batch engine, unchanged, over the subscribed feeds and into the library.

A check is one ``run_batch`` with every feed URL as a SOURCE and the library folder as the output
folder, so the manifest rules hold as for any batch: an entry whose published/updated stamp is
unchanged costs no page fetch, and a new or changed one is translated and indexed. Sources must
be feeds (``BatchOptions.feeds_only``): a URL that answers with a page, a 404, a timeout or XML
that is not a feed fails on its own row ("last error"), and the other feeds go on.

Only feeds with auto-translate on are checked, unless the check names the feeds it wants
(``urls``): a feed with auto-translate off is translated only when asked for by name.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reader.batch.engines import Engine
from reader.batch.options import BatchOptions
from reader.batch.runner import make_engine, poll, run_batch
from reader.batch.summary import BatchSummary
from reader.errors import LibraryError
from reader.library import Feed, Library


@dataclass(frozen=True)
class FeedResult:
    """What one check did for one feed."""

    url: str
    new: int
    """Articles translated into the library (new or changed)."""
    failed: int
    """Articles of the feed that could not be fetched or translated."""
    error: str
    """Why the feed itself could not be read; empty when it could."""


@dataclass
class FeedCheck:
    feeds: list[FeedResult]
    summary: BatchSummary

    @property
    def ok(self) -> bool:
        return self.summary.ok


def check_feeds(
    root: Path, options: BatchOptions, *, urls: Sequence[str] | None = None, engine: Engine | None = None
) -> FeedCheck:
    """Check the feeds (those with auto-translate on, or the ones named) once; record each one's outcome."""
    root = Path(root)
    with Library(root) as library:
        feeds = _chosen(library.feeds(), urls)
    if not feeds:
        return FeedCheck([], BatchSummary(out_dir=root, engine=options.engine))
    titles_first = frozenset(f.url for f in feeds if f.titles_first)
    options = replace(options, feeds_only=True, titles_first=titles_first)
    summary = run_batch([f.url for f in feeds], root, options, engine=engine)
    now = time.time()
    results = []
    errors = {failure.key: failure.reason for failure in summary.failed if failure.key == failure.origin}
    with Library(root) as library:
        for feed in feeds:
            mine = [key for key in summary.new + summary.changed if summary.sources.get(key) == feed.url]
            failed = sum(1 for f in summary.failed if f.origin == feed.url and f.key != feed.url)
            result = FeedResult(feed.url, len(mine), failed, errors.get(feed.url, ""))
            results.append(result)
            with contextlib.suppress(LibraryError):  # unsubscribed during the check: nothing to record it on
                library.update_feed(
                    feed.url, last_checked=now, last_error=result.error, last_new=result.new, last_failed=failed
                )
    return FeedCheck(results, summary)


def watch_feeds(
    root: Path,
    options: BatchOptions,
    *,
    interval: float,
    urls: Sequence[str] | None = None,
    max_rounds: int | None = None,
    on_round: Callable[[int, FeedCheck], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """``check_feeds`` every ``interval`` seconds until interrupted (Ctrl-C); the subscriptions are read
    afresh each round, and one engine serves every round (a local model loads once). Returns the rounds run."""
    engine = make_engine(options)

    def one_round(number: int) -> None:
        check = check_feeds(root, options, urls=urls, engine=engine)
        if on_round is not None:
            on_round(number, check)

    return poll(one_round, interval=interval, max_rounds=max_rounds, sleep=sleep)


def _chosen(feeds: list[Feed], urls: Sequence[str] | None) -> list[Feed]:
    if urls is None:
        return [feed for feed in feeds if feed.auto_translate]
    wanted = {url.strip() for url in urls}
    unknown = wanted - {feed.url for feed in feeds}
    if unknown:
        raise LibraryError(f"not subscribed to {', '.join(sorted(unknown))}")
    return [feed for feed in feeds if feed.url in wanted]
