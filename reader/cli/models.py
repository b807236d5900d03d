"""``reader models ...`` (list, pull, import, convert) and ``reader cache ...`` (stats, clear)."""

from __future__ import annotations

from pathlib import Path

import click

from reader.config import Settings
from reader.errors import first_line


@click.group()
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


@click.group()
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


COMMANDS = (models, cache)
