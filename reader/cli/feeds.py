"""The ``reader feeds`` commands (click): subscriptions in the library, and checking them with the batch engine.

``reader feeds check`` exits with status 1 when a feed or
one of its articles failed (each is listed), 0 otherwise; ``--watch SECONDS`` polls until stopped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from reader.cli.options import (
    app_url_option,
    echo_json,
    library_option,
    model_options,
    open_library,
    shown,
    watch_option,
)
from reader.config import Settings


@click.group("feeds")
def feeds_command() -> None:
    """Subscribe to RSS/Atom feeds and translate their new articles into the library."""


@feeds_command.command("add")
@click.argument("url")
@click.option("--title", default="", help="A name for the feed (default: the feed's own title).")
@click.option("--no-auto", is_flag=True, help="Translate it only when checked by name (reader feeds check --feed URL).")
@click.option("--discover", is_flag=True, help="When URL is a web page that names one feed, subscribe to that feed.")
@click.option("--no-check", is_flag=True, help="Subscribe without fetching URL first to see that it is a feed.")
@click.option(
    "--titles-first",
    is_flag=True,
    help="Translate each new entry's title and first paragraph; the rest when opened or a watchlist hits.",
)
@library_option
def add_command(url, title, no_auto, discover, no_check, titles_first, library_dir) -> None:
    """Subscribe to the feed at URL (checked on the next reader feeds check).

    URL is fetched once first, as the app does: a web page is not subscribed (its own feeds are named, and
    --discover takes the one it names); a URL that cannot be fetched now is subscribed with a warning.
    """
    from reader.batch.sources import WEB_PAGE, probe_feed
    from reader.errors import FetchError, InputError

    settings = Settings.load(library=library_dir)
    probe, unchecked = None, ""
    if not no_check:
        try:
            probe = probe_feed(url, settings)
        except FetchError as exc:  # offline, or the site is down: subscribe, and say so
            unchecked = f"Warning: not checked that it is a feed: {exc}"
    if probe is not None and probe.kind == WEB_PAGE:
        if not (discover and len(probe.feeds) == 1):
            raise InputError(shown(_not_a_feed(probe.url, probe.feeds)))
        click.echo(shown(f"{probe.url} is a web page; subscribing to the feed it names"), err=True)
        probe = probe_feed(probe.feeds[0], settings)
        if probe.kind == WEB_PAGE:
            raise InputError(shown(f"{probe.url}, the feed {url.strip()} names, is a web page too, not a feed"))
    if probe is not None:
        url, title = probe.url, title or probe.title
    with open_library(library_dir) as library:
        feed = library.subscribe(url, title=title, auto_translate=not no_auto, titles_first=titles_first)
    if unchecked:
        click.echo(shown(unchecked), err=True)
    click.echo(shown(f"subscribed to {feed.url}" + (f" ({feed.title})" if feed.title else "")))


def _not_a_feed(url: str, feeds: tuple[str, ...]) -> str:
    """One line: the page is not a feed, what it names instead, and what to type next."""
    article = f"to translate the page itself: reader translate {url}"
    if not feeds:
        return f"{url} is a web page, not a feed, and it names no feed of its own ({article})"
    if len(feeds) == 1:
        return f"{url} is a web page, not a feed; it names the feed {feeds[0]} (add --discover to subscribe to it)"
    listed = ", ".join(feeds)
    return f"{url} is a web page, not a feed; it names {len(feeds)} feeds: {listed} (subscribe to one of them)"


@feeds_command.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@library_option
def list_command(as_json, library_dir) -> None:
    """The subscriptions, with what their last check found."""
    with open_library(library_dir) as library:
        feeds = library.feeds()
        counts = library.feed_counts()
    for feed in feeds:
        articles, unread = counts.get(feed.url, (0, 0))
        checked = datetime.fromtimestamp(feed.last_checked).isoformat(timespec="seconds") if feed.last_checked else ""
        if as_json:
            echo_json(
                {
                    "url": feed.url,
                    "title": feed.title,
                    "auto_translate": feed.auto_translate,
                    "titles_first": feed.titles_first,
                    "last_checked": checked,
                    "last_error": feed.last_error,
                    "last_new": feed.last_new,
                    "last_failed": feed.last_failed,
                    "articles": articles,
                    "unread": unread,
                }
            )
            continue
        status = f"checked {checked}" if checked else "not checked yet"
        if feed.last_error:
            status = f"error: {feed.last_error}"
        auto = "" if feed.auto_translate else " (auto-translate off)"
        auto += " (titles first)" if feed.titles_first else ""
        name = f"{feed.title}  " if feed.title else ""
        click.echo(shown(f"{name}{feed.url}{auto}\n    {articles} article(s), {unread} unread; {status}"))


@feeds_command.command("set")
@click.argument("url")
@click.option(
    "--titles-first/--full",
    "titles_first",
    default=None,
    help="Titles and first paragraphs (the rest when opened or a watchlist hits), or whole articles.",
)
@click.option("--auto/--no-auto", "auto", default=None, help="Check it with every reader feeds check, or by name.")
@library_option
def set_command(url, titles_first, auto, library_dir) -> None:
    """Change how a feed is checked. Back to --full, its titles-first articles are translated whole on the
    next check (their first paragraphs from the sentence cache)."""
    if titles_first is None and auto is None:
        raise click.UsageError("say what to change: --titles-first or --full, --auto or --no-auto")
    with open_library(library_dir) as library:
        if auto is not None:
            library.update_feed(url.strip(), auto_translate=auto)
        leads = library.set_titles_first(url, titles_first) if titles_first is not None else 0
    if titles_first is not None:
        click.echo(shown(f"{url.strip()}: {'titles first' if titles_first else 'full translation'}"))
    if auto is not None:
        click.echo(shown(f"{url.strip()}: auto-translate {'on' if auto else 'off'}"))
    if leads and not titles_first:
        click.echo(f"{leads} titles-first article(s) will be translated whole on the next check (reader feeds check)")


@feeds_command.command("remove")
@click.argument("url")
@library_option
def remove_command(url, library_dir) -> None:
    """Unsubscribe (the feed's articles stay in the library)."""
    with open_library(library_dir) as library:
        library.unsubscribe(url)
    click.echo(f"unsubscribed from {shown(url.strip())}")


@feeds_command.command("check")
@model_options
@click.option("--feed", "urls", multiple=True, metavar="URL", help="Check only this feed (repeatable).")
@watch_option("Check again every SECONDS until stopped (Ctrl-C).")
@click.option("--quiet", "-q", is_flag=True, help="Only the failures.")
@click.option(
    "--digest",
    "digest_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="After a check, write the last day's digest (HTML) here, once a day (reader digest).",
)
@app_url_option
@library_option
@click.pass_context
def check_command(ctx, model, backend, beam, urls, watch_seconds, quiet, digest_dir, app_url, library_dir) -> None:
    """Fetch the feeds and translate their new articles into the library (unchanged entries are not fetched)."""
    from reader.batch import BatchOptions, make_reporter
    from reader.batch.feeds import FeedCheck, check_feeds, watch_feeds

    settings = Settings.load(model=model, backend=backend, beam=beam, library=library_dir, app_url=app_url)
    options = BatchOptions(settings, formats=["json"], progress=make_reporter(quiet=quiet))
    with open_library(library_dir) as library:
        root = library.root
    failed = False

    def report(check: FeedCheck) -> None:
        nonlocal failed
        failed = failed or not check.ok
        for result in check.feeds:
            if result.error:
                click.echo(shown(f"feed failed: {result.error}"), err=True)
            elif not quiet:
                extra = f", {result.failed} failed" if result.failed else ""
                click.echo(shown(f"{result.url}: {result.new} new{extra}"), err=True)
        if not quiet and check.feeds:
            click.echo(check.summary.report(), err=True)
        elif not check.feeds and not quiet:
            click.echo("no feeds to check: subscribe with reader feeds add URL", err=True)
        if digest_dir is not None:
            from reader.library.digest import write_daily

            with open_library(library_dir) as library:
                written = write_daily(library, digest_dir, app_url=settings.app_url)
            if written is not None and not quiet:
                click.echo(shown(f"digest written: {written}"), err=True)

    if watch_seconds is None:
        report(check_feeds(root, options, urls=urls or None))
    else:
        watch_feeds(root, options, interval=watch_seconds, urls=urls or None, on_round=lambda _, check: report(check))
    if failed:
        ctx.exit(1)


@feeds_command.command("publish")
@app_url_option
@click.option(
    "--feeds-url",
    metavar="URL",
    help="Where the feeds/ folder is published, so each feed names its own address (default: READER_FEEDS_URL).",
)
@library_option
def publish_command(app_url, feeds_url, library_dir) -> None:
    """Write the translated feeds (Atom, JSON Feed) into the library's feeds/ folder now.

    reader batch and reader feeds check write them after every run; this brings them up to date with
    what changed since (an edit in the app). Each feed's Atom file is listed; see docs/feeds.md.
    """
    from reader.publish.static import write_feeds

    settings = Settings.load(library=library_dir, app_url=app_url, feeds_url=feeds_url)
    with open_library(library_dir) as library:
        published = write_feeds(library, app_url=settings.app_url, feeds_url=settings.feeds_url)
    for stem, feed in published.feeds.items():
        click.echo(shown(f"{published.folder / stem}.atom  {feed.title}, {len(feed.entries)} article(s)"))
    click.echo(f"{len(published.written)} file(s) changed in {published.folder}", err=True)


COMMANDS = (feeds_command,)
