"""The ``reader digest`` command (click): what is new in the library, by watchlist and by story
(reader.library.digest)."""

from __future__ import annotations

from pathlib import Path

import click

from reader.cli.options import library_option, open_library
from reader.config import Settings


@click.command("digest")
@click.option("--since", default="24h", show_default=True, help="A span (24h, 7d, 90m) or a day (2024-06-01).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "epub"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write it here (needed for pdf and epub).")
@library_option
def digest_command(since, fmt, out, library_dir) -> None:
    """The articles added since --since: per watchlist, then one entry per story, each with its English title,
    source, date, first two sentences and its link in the reader app (READER_APP_URL)."""
    from reader.export import write_atomic
    from reader.library.digest import build, parse_since, render

    if out is None and fmt in ("pdf", "epub"):
        raise click.UsageError(f"a {fmt} digest needs --out FILE")
    with open_library(library_dir) as library:
        digest = build(library, parse_since(since))
        data = render(digest, fmt, app_url=Settings.load().app_url)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        write_atomic(out, data)
    click.echo(f"{digest.articles} new article(s) in {len(digest.stories)} story(ies)", err=True)


COMMANDS = (digest_command,)
