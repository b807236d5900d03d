"""The ``reader extract`` command (click): what extraction kept of a page, to check it or report a bad one.

The ``reader`` group (reader.cli) turns a ReaderError into a one-line message and
exit status 1. Page text is hostile: control characters (terminal escapes) are printed as escapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from reader.chars import JSON_CONTROLS as _JSON_CONTROLS
from reader.chars import TERMINAL_CONTROLS as _CONTROLS
from reader.cli.options import library_option, open_library
from reader.config import Settings
from reader.document import Block

_META_FIELDS = ("title", "author", "date", "agency")


@click.command("extract")
@click.argument("url_or_file")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the metadata, warnings and paragraphs.")
@library_option
def extract_command(url_or_file: str, as_json: bool, library_dir: Path | None) -> None:
    """Show the title, metadata and paragraphs read from URL_OR_FILE (a page, a text, PDF, DOCX or EPUB file, or
    - for stdin); a document's paragraphs show their kind and source page, and pages that need OCR are named.

    Paragraphs the library has learned are the site's boilerplate are shown as dropped.
    """
    from reader import ingest

    settings = Settings.load(library=library_dir)
    article = ingest.read_input(url_or_file, settings)
    if settings.library.is_dir():  # an existing library only: extracting a page creates none
        with open_library(library_dir) as library:
            article = library.without_site_boilerplate(article)
    paragraphs = [line.strip() for line in article.text.splitlines() if line.strip()]
    dropped = [line for line in article.meta.boilerplate.splitlines() if line.strip()]
    fields = {name: getattr(article.meta, name) for name in _META_FIELDS}
    fields |= {"source": article.source, "url": article.url}
    labels = [_label(block) for block in article.blocks] if len(article.blocks) == len(paragraphs) else []
    if as_json:
        record = {**fields, "warnings": list(article.warnings), "paragraphs": paragraphs, "dropped": dropped}
        if labels:
            record["structure"] = [
                {"kind": b.kind or "text", "level": b.level, "page": b.page, "ocr": b.ocr} for b in article.blocks
            ]
        click.echo(json.dumps(record, ensure_ascii=False, indent=2).translate(_JSON_CONTROLS))
        return
    for message in article.warnings:
        click.echo(f"Warning: {message}".translate(_CONTROLS), err=True)
    for name, value in fields.items():
        if value:
            click.echo(f"{name}: {value}".translate(_CONTROLS))
    click.echo(f"paragraphs: {len(paragraphs)}")
    for number, paragraph in enumerate(paragraphs, start=1):
        label = f" ({labels[number - 1]})" if labels and labels[number - 1] else ""
        click.echo(f"\n[{number}]{label} {paragraph}".translate(_CONTROLS))
    if dropped:
        from reader.library.boilerplate import MIN_ARTICLES

        click.echo(f"\ndropped as the site's boilerplate (in {MIN_ARTICLES} or more of its articles): {len(dropped)}")
    for paragraph in dropped:
        click.echo(f"\n[dropped] {paragraph}".translate(_CONTROLS))


def _label(block: Block) -> str:
    """"p. 3, heading 1, OCR": what a document's paragraph is and where it was read."""
    parts = [f"p. {block.page}"] if block.page is not None else []
    if block.kind:
        parts.append(f"{block.kind} {block.level}" if block.level else block.kind)
    if block.ocr:
        parts.append("OCR")
    return ", ".join(parts)


COMMANDS = (extract_command,)
