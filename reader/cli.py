"""The `reader` command line. The only place where typed errors become messages and exit codes."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import click

from reader.config import Settings
from reader.errors import InputError, ReaderError, first_line
from reader.export import FORMATS

EXPORT_FORMATS = tuple(FORMATS)
INPUT_SUFFIXES = (".txt", ".md", ".html", ".htm")


class ReaderGroup(click.Group):
    """Turns ReaderError into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReaderError as exc:
            raise click.ClickException(str(exc)) from exc


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"Warning: {message}", err=True)


@click.group(cls=ReaderGroup)
@click.version_option(package_name="reader")
def cli() -> None:
    """Translate Arabic articles to English and read them side by side."""
    warnings.showwarning = _show_warning


def _formats(value: str | None, allowed: tuple[str, ...]) -> list[str]:
    if not value:
        return []
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in allowed]
    if unknown:
        raise click.BadParameter(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def _model_options(func):
    func = click.option("--model", "-m", help="Catalog name or model folder (default: READER_MODEL or opus-mt-ar-en).")(
        func
    )
    func = click.option("--backend", type=click.Choice(["auto", "transformers", "ct2"]), help="Translation backend.")(
        func
    )
    return click.option("--beam", type=click.IntRange(1, 16), help="Beam size (default 4).")(func)


def _expand_inputs(inputs: tuple[str, ...]) -> list[str]:
    """Folders become the .txt/.md/.html files inside them, in a stable order."""
    expanded: list[str] = []
    for spec in inputs:
        path = Path(spec)
        if spec != "-" and path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            if not files:
                raise InputError(f"{path} has no .txt, .md or .html files")
            expanded.extend(str(p) for p in files)
        else:
            expanded.append(spec)
    return expanded


def library_key(spec: str, article) -> str:
    """What names an article in the library: its URL or absolute path (as batch keys it), else its text."""
    from reader.library import key_for

    if spec == "-":
        return key_for("stdin", article.text)
    if spec.lower().startswith(("http://", "https://")):
        return spec
    return str(Path(spec).resolve())


def _output_name(spec: str, used: set[str]) -> str:
    stem = "stdin" if spec == "-" else Path(spec.split("?")[0].rstrip("/")).stem or "article"
    stem = stem.removesuffix(".ar")  # news.ar.txt -> news.json, not news.ar.json
    name, counter = stem, 2
    while name in used:
        name, counter = f"{stem}-{counter}", counter + 1
    used.add(name)
    return name


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@_model_options
@click.option("--format", "formats", help=f"Comma-separated: {','.join(EXPORT_FORMATS)} (default: text to stdout).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write files here.")
@click.option("--refresh", is_flag=True, help="Ignore cached translations and translate again.")
@click.option(
    "--library",
    "library_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Add the translations to this library (default: READER_LIBRARY or $XDG_DATA_HOME/reader/library).",
)
@click.option("--no-library", is_flag=True, help="Do not add the translations to the library.")
@click.option(
    "--discard-edits", is_flag=True, help="Forget your edits of these articles' sentences (everywhere) first."
)
def translate(inputs, model, backend, beam, formats, out, refresh, library_dir, no_library, discard_edits) -> None:
    """Translate INPUT files, folders, URLs or - (stdin); each is also kept in the library.

    Your edits of a sentence are kept whatever model or settings translate it again (see --discard-edits).
    """
    from reader import export, ingest
    from reader.api import iter_article, open_translator
    from reader.document import Flag
    from reader.library import Library
    from reader.pipeline import CHUNK_INPUTS

    chosen = _formats(formats, EXPORT_FORMATS)
    if discard_edits and no_library:
        raise click.UsageError("--discard-edits forgets edits kept in the library: it cannot go with --no-library")
    if "pdf" in chosen and out is None:
        raise click.UsageError("PDF output needs --out DIR")
    if len(chosen) > 1 and out is None:
        raise click.UsageError("several formats need --out DIR")
    settings = Settings.load(model=model, backend=backend, beam=beam, library=library_dir)
    specs = _expand_inputs(inputs)
    articles = [(spec, ingest.read_input(spec, settings)) for spec in specs]
    library = None if no_library else Library(settings.library).open()
    translator = open_translator(settings, refresh=refresh)()
    used: set[str] = set()
    totals = {"sentences": 0, "cached": 0}
    for spec, article in articles:
        for message in article.warnings:
            click.echo(f"Warning: {message}", err=True)
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
            library.add(document, library_key(spec, article))
        totals["sentences"] += len(document.sentences)
        totals["cached"] += sum(1 for s in document.sentences if s.has(Flag.CACHED))
        if out is not None:
            name = _output_name(spec, used)
            for fmt in chosen or ["json"]:
                path = export.write(document, fmt, out / f"{name}.{fmt}")
                click.echo(str(path))
        elif chosen:
            sys.stdout.buffer.write(export.render(document, chosen[0]))
        else:
            click.echo("\n".join(p.translation for p in document.paragraphs))
    calls = getattr(translator, "model_calls", "?")
    click.echo(
        f"{totals['sentences']} sentences, {totals['cached']} from cache, {calls} model calls",
        err=True,
    )


@cli.command()
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


@cli.command("export")
@click.argument("document_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "formats", required=True, help=f"Comma-separated: {','.join(EXPORT_FORMATS)}.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--layout", help="pdf: side-by-side|interleaved; md: interleaved|table.")
@click.option("--page-size", type=click.Choice(["A4", "Letter"]), help="PDF page size.")
def export_command(document_json, formats, out, layout, page_size) -> None:
    """Render a translated document (JSON) in other formats."""
    from reader import export
    from reader.document import Document

    document = Document.from_json(document_json.read_text(encoding="utf-8"))
    for fmt in _formats(formats, EXPORT_FORMATS):
        options = {}
        if layout and fmt in ("pdf", "md"):
            options["layout"] = layout
        if page_size and fmt == "pdf":
            options["page_size"] = page_size
        click.echo(str(export.write(document, fmt, out / f"{document_json.stem}.{fmt}", **options)))


@cli.group()
def cache() -> None:
    """Inspect or clear the persistent sentence cache."""


@cache.command("stats")
def cache_stats() -> None:
    """Entries, size and models in the cache."""
    from reader.cache import SentenceCache

    settings = Settings.load()
    stats = SentenceCache.for_settings(settings).stats()
    click.echo(f"path: {stats.path}")
    click.echo(f"entries: {stats.entries}")
    click.echo(f"size: {stats.size_bytes / 1e6:.2f} MB")
    for fingerprint, count in sorted(stats.per_fingerprint.items()):
        click.echo(f"  {count:>8}  {fingerprint}")


@cache.command("clear")
@click.option("--model", help="Only entries of this model (catalog name or folder), with current settings.")
@click.option("--article", type=click.Path(exists=True, dir_okay=False), help="Only the sentences of this article.")
@click.confirmation_option(prompt="Remove the cached translations?")
def cache_clear(model, article) -> None:
    """Remove cached translations: all, one model's, or one article's."""
    from reader.cache import SentenceCache

    settings = Settings.load(model=model)
    sentence_cache = SentenceCache.for_settings(settings)
    fingerprint = None
    sentences = None
    if model or article:
        from reader import ingest
        from reader.api import open_translator
        from reader.pipeline import segment_document
        from reader.plan import model_inputs

        backend = open_translator(settings).open_backend()
        fingerprint = backend.fingerprint
        if article:
            text = ingest.read_input(article, settings).text
            sentences = model_inputs(segment_document(text), backend, settings)
    removed = sentence_cache.clear(fingerprint, sentences=sentences)
    click.echo(f"removed {removed} entries")


@cli.group()
def models() -> None:
    """List, download, import and convert models."""


@models.command("list")
def models_list() -> None:
    """Known models (catalog) and installed ones."""
    from reader.models.catalog import catalog
    from reader.models.store import installed_models

    settings = Settings.load()
    installed = {m.name: m for m in installed_models(settings)}
    click.echo(f"models folder: {settings.models_dir}")
    for entry in catalog().values():
        state = "installed" if entry.name in installed else "not installed"
        mark = " (default)" if entry.default else ""
        click.echo(
            f"{entry.name}{mark}: {entry.hub_id}@{entry.revision[:10]}, ~{entry.size_mb} MB, "
            f"BLEU {entry.bleu_flores101} (FLORES-101), {entry.license}; {state}"
        )
    for model in installed.values():
        if model.name not in catalog():
            click.echo(f"{model.name}: local {model.backend} model at {model.path}")


def _no_convert_option(func):
    return click.option(
        "--no-convert",
        is_flag=True,
        help="Keep the model on transformers: no CTranslate2 int8 conversion after install.",
    )(func)


def _convert_for_ct2(name: str, settings: Settings) -> None:
    """CTranslate2 int8 right after install, so the fast engine is the default.

    When that cannot be done (ctranslate2 missing, a model it cannot convert) the model is installed
    anyway and runs on transformers; one line says why.
    """
    from reader.errors import ModelError
    from reader.models.store import convert_installed

    def step(text: str) -> None:
        click.echo(f"{name}: {text} ...", err=True)

    try:
        converted = convert_installed(name, settings, progress=step)
    except ModelError as exc:
        click.echo(f"Warning: {name} will run on transformers, not CTranslate2: {first_line(exc)}", err=True)
        return
    click.echo(str(converted))


@models.command("pull")
@click.argument("name")
@click.option(
    "--if-none-installed",
    is_flag=True,
    help="Do nothing when any model is already installed (but convert NAME if it is installed unconverted).",
)
@_no_convert_option
def models_pull(name, if_none_installed, no_convert) -> None:
    """Download a catalog model from the Hugging Face hub, then convert it for CTranslate2."""
    from reader.models.store import has_conversion, installed_models, pull

    settings = Settings.load()
    installed = {model.name for model in installed_models(settings)}
    if if_none_installed and installed:
        if name in installed and not no_convert and not has_conversion(name, settings):
            _convert_for_ct2(name, settings)
        return
    click.echo(str(pull(name, settings)))
    if not no_convert:
        _convert_for_ct2(name, settings)


@models.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", help="Name in the store (default: the folder's name).")
@_no_convert_option
def models_import(path, name, no_convert) -> None:
    """Copy a local Hugging Face Marian folder into the store, then convert it for CTranslate2."""
    from reader.models.store import import_model

    settings = Settings.load()
    target = import_model(path, settings, name=name)
    click.echo(str(target))
    if not no_convert:
        _convert_for_ct2(target.name, settings)


@models.command("convert")
@click.argument("name")
@click.option("--to", "target", type=click.Choice(["ct2"]), default="ct2", show_default=True)
@click.option("--quantization", default="int8", show_default=True, help="int8, int8_float16, float16, float32.")
@click.option("--force", is_flag=True, help="Replace an existing conversion.")
def models_convert(name, target, quantization, force) -> None:
    """Convert an installed model for the CTranslate2 backend."""
    from reader.models.store import convert

    click.echo(str(convert(name, Settings.load(), quantization=quantization, force=force)))


def _register_batch() -> None:
    from reader.batch.command import batch_command

    cli.add_command(batch_command, "batch")


_register_batch()


def _register_extract() -> None:
    from reader.extract_command import extract_command

    cli.add_command(extract_command, "extract")


_register_extract()


def _register_lookup() -> None:
    from reader.lookup.command import lookup_command

    cli.add_command(lookup_command, "lookup")


_register_lookup()


def _register_library() -> None:
    from reader.library.command import library_command
    from reader.library.feeds_command import feeds_command

    cli.add_command(library_command, "library")
    cli.add_command(feeds_command, "feeds")


_register_library()


def _register_editing() -> None:
    from reader import editing_command as commands

    for command in (
        commands.alternatives_command,
        commands.edit_command,
        commands.complete_command,
        commands.edits_command,
        commands.glossary_command,
    ):
        cli.add_command(command)


_register_editing()


def main() -> None:
    cli(prog_name="reader")
