"""The ``reader extract`` command (click): what extraction kept of a page, to check it or report a bad one.

The ``reader`` group (reader.cli) turns a ReaderError into a one-line message and
exit status 1. Page text is hostile: control characters (terminal escapes) are printed as escapes.
"""

from __future__ import annotations

import json

import click

from reader.chars import JSON_CONTROLS as _JSON_CONTROLS
from reader.chars import TERMINAL_CONTROLS as _CONTROLS
from reader.config import Settings

_META_FIELDS = ("title", "author", "date", "agency")


@click.command("extract")
@click.argument("url_or_file")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the metadata, warnings and paragraphs.")
def extract_command(url_or_file: str, as_json: bool) -> None:
    """Show the title, metadata and paragraphs read from URL_OR_FILE (a page, a text file or - for stdin)."""
    from reader import ingest

    article = ingest.read_input(url_or_file, Settings.load())
    paragraphs = [line.strip() for line in article.text.splitlines() if line.strip()]
    fields = {name: getattr(article.meta, name) for name in _META_FIELDS}
    fields |= {"source": article.source, "url": article.url}
    if as_json:
        record = {**fields, "warnings": list(article.warnings), "paragraphs": paragraphs}
        click.echo(json.dumps(record, ensure_ascii=False, indent=2).translate(_JSON_CONTROLS))
        return
    for message in article.warnings:
        click.echo(f"Warning: {message}".translate(_CONTROLS), err=True)
    for name, value in fields.items():
        if value:
            click.echo(f"{name}: {value}".translate(_CONTROLS))
    click.echo(f"paragraphs: {len(paragraphs)}")
    for number, paragraph in enumerate(paragraphs, start=1):
        click.echo(f"\n[{number}] {paragraph}".translate(_CONTROLS))


COMMANDS = (extract_command,)
