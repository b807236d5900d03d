"""The ``reader library`` commands (click). The ``reader`` group (reader.cli) turns a ReaderError into a
one-line message and exit status 1.

``--json`` prints one JSON object per line: a list row (``Row.to_dict``: id, title, title_en,
source, feed, date, unread...) or a search hit (id, title, sentence, source, translation, and the
marked character spans of each side). Text from articles is hostile: terminal controls in it are
printed as escapes, so a title cannot move the cursor or recolour the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reader.chars import JSON_CONTROLS
from reader.cli.options import echo_json, library_option, open_library, shown
from reader.library import Filters, Hit, Row

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group("library")
def library_command() -> None:
    """List, search, show and remove the translated documents of the reading library."""


@library_command.command("list")
@library_option
@click.option("--unread", is_flag=True, help="Only unread documents.")
@click.option("--starred", is_flag=True, help="Only starred documents.")
@click.option("--flagged", is_flag=True, help="Only documents with quality flags.")
@click.option("--feed", help="Only documents from this feed URL.")
@click.option("--since", type=_DATE, help="From this day (YYYY-MM-DD).")
@click.option("--until", type=_DATE, help="Up to this day (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(library_dir, unread, starred, flagged, feed, since, until, limit, offset, as_json) -> None:
    """The documents, newest first."""
    filters = Filters(
        feed=feed,
        unread=unread,
        starred=starred,
        flagged=flagged,
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
    )
    with open_library(library_dir) as library:
        page = library.page(filters, offset=offset, limit=limit)
    for row in page.rows:
        if as_json:
            echo_json(row.to_dict())
        else:
            click.echo(_line(row))
    if not as_json:
        click.echo(f"{len(page.rows)} of {page.total} document(s)", err=True)


def _line(row: Row) -> str:
    mark = "●" if row.unread else " "
    star = "★" if row.starred else " "
    english = f"  {row.title_en}" if row.title_en else ""
    pages = f"  ({row.pages})" if row.pages else ""
    return shown(f"{mark}{star} {row.date}  {row.id}  {row.title}{english}{pages}")


@library_command.command("search")
@click.argument("query")
@library_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Documents to show.")
@click.option("--per-document", type=click.IntRange(min=1), default=3, show_default=True, help="Hits per document.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per matching sentence.")
@click.option(
    "--sort", type=click.Choice(["relevance", "newest"]), default="relevance", show_default=True, help="Result order."
)
def search_command(query, library_dir, limit, per_document, as_json, sort) -> None:
    """Documents with a sentence matching QUERY, in Arabic or English (diacritics, stems and Arabic clitics do not
    matter; a "quoted" Arabic word is the exact form), the best match first."""
    with open_library(library_dir) as library:
        found = library.search(query, limit=limit, per_document=per_document, sort=sort)
    for result in found.results:
        if not as_json:
            click.echo(_line(result.row))
        for hit in result.hits:
            if as_json:
                echo_json(_hit_record(result.row, hit))
            else:
                where = "title" if hit.sentence is None else f"sentence {hit.sentence}"
                click.echo(shown(f"    [{where}] {_bracketed(hit.source_segments())}"))
                click.echo(shown(f"    {' ' * (len(where) + 2)} {_bracketed(hit.translation_segments())}"))
    if not as_json:
        click.echo(f"{len(found.results)} of {found.total} document(s) match {found.query!r}", err=True)


def _hit_record(row: Row, hit: Hit) -> dict[str, object]:
    return {
        "id": hit.id,
        "title": row.title,
        "title_en": row.title_en,
        "sentence": hit.sentence,
        "source": hit.source,
        "translation": hit.translation,
        "marks": {
            "source": [list(mark) for mark in hit.source_marks],
            "translation": [list(mark) for mark in hit.translation_marks],
        },
    }


def _bracketed(segments: list[tuple[str, str]]) -> str:
    """Matches as [word], their aligned counterparts as (word)."""
    return "".join(f"[{text}]" if kind == "match" else f"({text})" if kind else text for text, kind in segments)


@library_command.command("show")
@click.argument("document_id")
@library_option
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
def show_command(document_id, library_dir, fmt) -> None:
    """Print a document, as Markdown or as its JSON."""
    from reader import export

    with open_library(library_dir) as library:
        document = library.get(document_id)
    text = export.render(document, fmt).decode("utf-8")
    sys.stdout.buffer.write((text.translate(JSON_CONTROLS) if fmt == "json" else shown(text)).encode("utf-8"))


@library_command.command("remove")
@click.argument("document_ids", nargs=-1, required=True)
@library_option
def remove_command(document_ids, library_dir) -> None:
    """Remove documents: their files, index rows and reading state (feed checks will not bring them back)."""
    with open_library(library_dir) as library:
        for document_id in document_ids:
            library.remove(document_id)
            click.echo(f"removed {shown(document_id)}")


@library_command.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@library_option
def import_command(folder, library_dir) -> None:
    """Adopt a batch output folder (or another library): copy its documents here and index them."""
    from reader.batch.manifest import MANIFEST_NAME, Manifest

    with open_library(library_dir) as library:
        imported, kept = library.import_folder(folder)
        adopted = 0
        if (folder / MANIFEST_NAME).is_file():
            with Manifest(library.root / MANIFEST_NAME) as mine, Manifest(folder / MANIFEST_NAME) as theirs:
                adopted = mine.adopt(theirs)
    click.echo(f"imported {imported} document(s), {kept} already here; {adopted} manifest row(s) adopted")


@library_command.command("reindex")
@library_option
def reindex_command(library_dir) -> None:
    """Rebuild the index from the document files (reading state and feeds are kept)."""
    with open_library(library_dir) as library:
        report = library.reindex()
    click.echo(f"indexed {report.indexed} document(s); {len(report.skipped)} file(s) skipped")


COMMANDS = (library_command,)
