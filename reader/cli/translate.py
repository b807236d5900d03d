"""``reader translate``, ``reader segment`` and ``reader export``: articles in, translations and formats out."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from reader.cli.options import formats as parse_formats
from reader.cli.options import library_option, model_options, open_library, open_translator
from reader.config import Settings
from reader.errors import InputError
from reader.export import FORMATS

EXPORT_FORMATS = tuple(FORMATS)
INPUT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt", ".epub")
LAYOUT_HELP = (
    "side-by-side (default), interleaved, or english (the Arabic on hover/tap) for pdf, html and epub; "
    "md: interleaved or table."
)
LAYOUT_FORMATS = ("pdf", "html", "epub", "md")
READ_NOTE_PAGES = 50
"""Without a terminal (a log), a line every this many pages read of a PDF."""


def layout_options(fmt: str, layout: str | None) -> dict[str, str]:
    """The --layout to pass to ``fmt``'s renderer (the formats that lay out paragraphs take one)."""
    return {"layout": layout} if layout and fmt in LAYOUT_FORMATS else {}


def _expand_inputs(inputs: tuple[str, ...]) -> list[str]:
    """Folders become the .txt/.md/.html files inside them, in a stable order."""
    expanded: list[str] = []
    for spec in inputs:
        path = Path(spec)
        if spec != "-" and path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            if not files:
                raise InputError(f"{path} has no .txt, .md, .html, .pdf, .docx, .odt or .epub files")
            expanded.extend(str(p) for p in files)
        else:
            expanded.append(spec)
    return expanded


def _read(spec: str, settings: Settings, library=None):
    """An input read as ``reader.ingest.read_input`` does, with a progress bar over a PDF's pages; a long PDF
    that ``library`` holds in part is read only from a little before where it stopped (``reader.library.parts``)."""
    from reader import documents, ingest
    from reader.library import parts

    path = Path(spec)
    if spec == "-" or not path.is_file() or documents.kind_of(path) != "pdf":
        return ingest.read_input(spec, settings)
    def note(done: int, total: int) -> str:  # a log sees a long read go on
        return f"{spec}: read {done} of {total} pages" if done % READ_NOTE_PAGES == 0 else ""

    with _pages_bar(f"{spec}: reading pages", note) as (progress, read, bar):
        if library is not None:
            key = _library_key(spec, None)
            _, done = parts.committed_pages(library, key, ingest.file_digest(path))
            window = parts.resume_article(library, key, path, settings, progress=progress)
            if window is not None:
                pages = f"pages {min(read)}-{max(read)} of {bar.length} read"
                pages += ", the rest as the translation goes" if window.following is not None else ""
                click.echo(f"{spec}: {f'resumed: {done} pages in the library, ' if done else ''}{pages}", err=True)
                return window
        return ingest.read_document(path, settings, progress=progress)


Progress = Callable[[int, int], None]


@contextmanager
def _pages_bar(label: str, note: Callable[[int, int], str]) -> Iterator[tuple[Progress, list[int], Any]]:
    """A bar over a document's pages on a terminal; without one, the lines ``note`` gives (so a log sees them).
    Yields the ``progress(done, total)`` to pass on, the pages reported so far, and the bar."""
    reported: list[int] = []
    with click.progressbar(length=1, label=label, file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:

        def progress(done: int, total: int) -> None:
            reported.append(done)
            bar.length = total
            bar.update(done - bar.pos)
            line = "" if sys.stderr.isatty() else note(done, total)
            if line:
                click.echo(line, err=True)

        yield progress, reported, bar


def _library_key(spec: str, article) -> str:
    """An input's library key (``reader.library.library_key``): - is stdin's text, else a URL or a file."""
    from reader.library import library_key

    if spec == "-":
        return library_key(text=article.text, origin="stdin")
    if spec.lower().startswith(("http://", "https://")):
        return library_key(url=spec)
    return library_key(path=spec)


def _translate_in_parts(library, spec: str, article, translator, settings: Settings, refresh: bool):
    """A long document into the library part by part (``reader.library.parts``), its pages shown as they commit."""
    from reader.library import parts

    def note(done: int, total: int) -> str:
        return f"{spec}: pages {done} of {total} in the library"

    with _pages_bar(f"{spec}: pages", note) as (progress, _, _):
        key = _library_key(spec, article)
        return parts.translate_into(
            library, key, article, translator, settings, refresh=refresh, progress=progress,
            warn=lambda message: click.echo(f"Warning: {message}", err=True),  # the later windows' (as the first's)
        )


def _output_name(spec: str, used: set[str]) -> str:
    stem = "stdin" if spec == "-" else Path(spec.split("?")[0].rstrip("/")).stem or "article"
    stem = stem.removesuffix(".ar")  # news.ar.txt -> news.json, not news.ar.json
    name, counter = stem, 2
    while name in used:
        name, counter = f"{stem}-{counter}", counter + 1
    used.add(name)
    return name


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@model_options
@click.option("--format", "formats", help=f"Comma-separated: {','.join(EXPORT_FORMATS)} (default: text to stdout).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write files here.")
@click.option("--layout", help=LAYOUT_HELP)
@click.option("--refresh", is_flag=True, help="Ignore cached translations and translate again.")
@library_option
@click.option("--no-library", is_flag=True, help="Do not add the translations to the library.")
@click.option(
    "--discard-edits", is_flag=True, help="Forget your edits of these articles' sentences (everywhere) first."
)
def translate(
    inputs, model, backend, beam, formats, out, layout, refresh, library_dir, no_library, discard_edits
) -> None:
    """Translate INPUT files, folders, URLs or - (stdin); each is also kept in the library.

    Your edits of a sentence are kept whatever model or settings translate it again (see --discard-edits).
    """
    from reader import export
    from reader.api import iter_article
    from reader.document import Flag
    from reader.library import parts
    from reader.pipeline import CHUNK_INPUTS

    chosen = parse_formats(formats, EXPORT_FORMATS)
    if discard_edits and no_library:
        raise click.UsageError("--discard-edits forgets edits kept in the library: it cannot go with --no-library")
    if "pdf" in chosen and out is None:
        raise click.UsageError("PDF output needs --out DIR")
    if len(chosen) > 1 and out is None:
        raise click.UsageError("several formats need --out DIR")
    settings = Settings.load(model=model, backend=backend, beam=beam, library=library_dir)
    specs = _expand_inputs(inputs)
    library = None if no_library else open_library(library_dir)
    resumable = None if refresh else library  # --refresh reads and translates a long document from its start
    articles = [(spec, _read(spec, settings, resumable)) for spec in specs]
    translator = open_translator(settings, refresh=refresh)
    used: set[str] = set()
    totals = {"sentences": 0, "cached": 0}
    for spec, article in articles:
        for message in article.warnings:
            click.echo(f"Warning: {message}", err=True)
        if library is not None and parts.is_long(article, settings.part_pages):
            # Committed to the library a part at a time: readable as it grows, resumed after a kill.
            document = _translate_in_parts(library, spec, article, translator, settings, refresh)
        else:
            progress = None
            with click.progressbar(length=1, label=spec, file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
                # The output is printed when the article is done: no small first call, only throughput.
                for progress in iter_article(article, translator, settings, first_chunk=CHUNK_INPUTS):
                    bar.length = max(progress.total, 1)
                    bar.update(progress.done - bar.pos)
            document = progress.document
        if library is not None:
            if discard_edits:
                library.forget_edits(document)
            document = library.shown(document)  # the reader's edits and glossary flags, in every output too
            library.add(document, _library_key(spec, article))
        totals["sentences"] += len(document.sentences)
        totals["cached"] += sum(1 for s in document.sentences if s.has(Flag.CACHED))
        if out is not None:
            name = _output_name(spec, used)
            for fmt in chosen or ["json"]:
                path = export.write(document, fmt, out / f"{name}.{fmt}", **layout_options(fmt, layout))
                click.echo(str(path))
        elif chosen:
            sys.stdout.buffer.write(export.render(document, chosen[0], **layout_options(chosen[0], layout)))
        else:
            click.echo("\n".join(p.translation for p in document.paragraphs))
    calls = getattr(translator, "model_calls", "?")
    click.echo(
        f"{totals['sentences']} sentences, {totals['cached']} from cache, {calls} model calls",
        err=True,
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def segment(file) -> None:
    """Print one JSON line per sentence: paragraph, start, end, text."""
    from reader import ingest
    from reader.segment import segment as split

    article = ingest.read_input(file, Settings.load())
    for index, paragraph in enumerate(split(article.text)):
        for sentence in paragraph.sentences:
            record = {
                "paragraph": index,
                "start": sentence.start,
                "end": sentence.end,
                "text": article.text[sentence.start : sentence.end],
            }
            click.echo(json.dumps(record, ensure_ascii=False))


@click.command("export")
@click.argument("document_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "formats", required=True, help=f"Comma-separated: {','.join(EXPORT_FORMATS)}.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--layout", help=LAYOUT_HELP)
@click.option("--page-size", type=click.Choice(["A4", "Letter"]), help="PDF page size.")
def export_command(document_json, formats, out, layout, page_size) -> None:
    """Render a translated document (JSON) in other formats."""
    from reader import export
    from reader.document import Document

    document = Document.from_json(document_json.read_text(encoding="utf-8"))
    for fmt in parse_formats(formats, EXPORT_FORMATS):
        options = layout_options(fmt, layout)
        if page_size and fmt == "pdf":
            options["page_size"] = page_size
        click.echo(str(export.write(document, fmt, out / f"{document_json.stem}.{fmt}", **options)))


COMMANDS = (translate, segment, export_command)
