"""The ``reader watch`` commands (click): watchlists in the library (reader.library.watch).

A term is Arabic (found under any proclitics: و ف ب ل ك ال), English (whole words, a plural
allowed) or a pair ``ARABIC=ENGLISH`` (either side). Documents are matched as they enter the
library; ``--scan`` also matches the ones already there. Alerts: ``watch/<name>.atom`` in the
library folder always, a webhook and an e-mail when asked for (``READER_SMTP_*``). A titles-first
article that ``--scan`` finds is translated whole, as a feed check does when a watchlist hits.
"""

from __future__ import annotations

import click

from reader.cli.options import echo_json, library_option, model_options, open_library, open_translator, shown
from reader.config import Settings
from reader.errors import ModelError


@click.group("watch")
def watch_command() -> None:
    """Watchlists: terms that mark (and alert on) the articles that mention them."""


@watch_command.command("add")
@click.argument("name")
@click.argument("terms", nargs=-1, required=True)
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="Only articles of this feed (repeatable).")
@click.option("--webhook", default="", metavar="URL", help="POST a JSON alert here for each new article.")
@click.option("--email", default="", metavar="ADDRESS", help="E-mail an alert (through READER_SMTP_HOST).")
@click.option(
    "--scan",
    is_flag=True,
    help="Also match the articles already in the library (titles-first ones it hits are translated whole).",
)
@model_options
@library_option
def add_command(name, terms, feeds, webhook, email, scan, model, backend, beam, library_dir) -> None:
    """Watch for TERMS (Arabic, English, or ARABIC=ENGLISH pairs) under NAME; NAME again replaces its terms."""
    settings = Settings.load(model=model, backend=backend, beam=beam, library=library_dir)
    with open_library(library_dir) as library:
        watchlist = library.watch(name, terms, feeds=feeds, webhook=webhook, email=email)
        matched = library.rewatch() if scan else None
        completed, unopened = 0, ""
        try:
            completed = library.complete_watched(lambda: open_translator(settings), settings) if scan else 0
        except ModelError as exc:  # the watchlist stands; its titles-first articles are completed when opened
            unopened = f"Warning: titles-first articles it hits stay partial until opened: {exc}"
    click.echo(shown(f"watching {watchlist.name!r}: {', '.join(str(t) for t in watchlist.terms)}"))
    if matched is not None:
        click.echo(f"{matched} article(s) in the library match")
    if completed:
        click.echo(f"{completed} titles-first article(s) among them translated whole")
    if unopened:
        click.echo(shown(unopened), err=True)


@watch_command.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@library_option
def list_command(as_json, library_dir) -> None:
    """The watchlists, with their articles (unread) and any alert that could not be delivered."""
    with open_library(library_dir) as library:
        watchlists = library.watchlists()
        counts = library.watch_counts()
        failing = {row[1]: row for row in library.state.outbox() if row[4]}
    for watchlist in watchlists:
        articles, unread = counts.get(watchlist.name, (0, 0))
        record = {
            "name": watchlist.name,
            "terms": [str(t) for t in watchlist.terms],
            "feeds": list(watchlist.feeds),
            "webhook": watchlist.webhook,
            "email": watchlist.email,
            "articles": articles,
            "unread": unread,
            "undelivered": watchlist.name in failing,
        }
        if as_json:
            echo_json(record)
            continue
        where = f" (feeds: {', '.join(watchlist.feeds)})" if watchlist.feeds else ""
        click.echo(shown(f"{watchlist.name}: {', '.join(record['terms'])}{where}"))
        click.echo(f"    {articles} article(s), {unread} unread")
        if watchlist.name in failing:
            click.echo(shown(f"    an alert is waiting: {failing[watchlist.name][2]} failed"))


@watch_command.command("remove")
@click.argument("name")
@library_option
def remove_command(name, library_dir) -> None:
    """Stop watching NAME (its marks and its feed file go; the articles stay)."""
    with open_library(library_dir) as library:
        library.unwatch(name)
    click.echo(shown(f"no longer watching {name!r}"))


@watch_command.command("send")
@library_option
def send_command(library_dir) -> None:
    """Deliver the alerts that are waiting (a webhook or SMTP server that was down)."""
    with open_library(library_dir) as library:
        problems = library.deliver_alerts()
    for problem in problems:
        click.echo(shown(problem), err=True)
    if problems:
        raise SystemExit(1)


COMMANDS = (watch_command,)
