"""The ``reader batch`` command (click), also ``python -m reader.batch``.

Exit status: 0 when every article was translated or unchanged, 1 when any article or source
failed (the summary lists them) or the run could not start (a one-line message).
"""

from __future__ import annotations

from pathlib import Path

import click

from reader.batch.options import ENGINES, BatchOptions, RayOptions
from reader.batch.progress import with_key
from reader.batch.runner import run_batch, watch
from reader.batch.summary import BatchSummary
from reader.cli.options import formats as parse_formats
from reader.cli.options import model_options, watch_option
from reader.config import Settings
from reader.errors import ReaderError
from reader.export import FORMATS

_FORMATS = tuple(FORMATS)


@click.command("batch")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder: articles/, index.html and the manifest.",
)
@click.option(
    "--format", "formats", default="json,html", show_default=True, help=f"Comma-separated: {','.join(_FORMATS)}."
)
@watch_option("Keep polling the sources every SECONDS and translate what is new (Ctrl-C stops).")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Translate in this process, or on a Ray actor pool.",
)
@click.option("--ray-address", help="Join this Ray cluster (default: start Ray locally).")
@click.option("--workers", type=click.IntRange(min=1), help="Ray actors (default: one per GPU, else per CPU).")
@click.option(
    "--gpus-per-worker",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="GPUs each Ray actor holds (1 for one actor per GPU).",
)
@model_options
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary; failures are still listed.")
@click.pass_context
def batch_command(
    ctx: click.Context,
    sources: tuple[str, ...],
    out_dir: Path,
    formats: str,
    watch_seconds: float | None,
    engine: str,
    ray_address: str | None,
    workers: int | None,
    gpus_per_worker: float,
    model: str | None,
    backend: str | None,
    beam: int | None,
    quiet: bool,
) -> None:
    """Translate the new or changed articles of SOURCE folders, URL-list files and RSS/Atom feed URLs."""
    from reader.batch.progress import make_reporter

    chosen = parse_formats(formats, _FORMATS)
    reporter = make_reporter(quiet=quiet)

    def show(round_number: int, result: BatchSummary) -> None:
        if not quiet and (result.translated or result.failed):
            click.echo(f"round {round_number}: {result.report()}", err=True)

    try:
        settings = Settings.load(model=model, backend=backend, beam=beam)
        ray = RayOptions(address=ray_address, workers=workers, gpus_per_worker=gpus_per_worker)
        options = BatchOptions(settings, formats=chosen, engine=engine, ray=ray, progress=reporter)
        if watch_seconds is None:
            summary = run_batch(list(sources), out_dir, options)
        else:
            summary = watch(list(sources), out_dir, options, interval=watch_seconds, on_round=show)
    except ReaderError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        click.echo(summary.report(), err=True)
    elif summary.failed:
        for failure in summary.failed:
            click.echo(f"failed: {with_key(failure.key, failure.reason)}", err=True)
    if summary.failed:
        ctx.exit(1)


COMMANDS = (batch_command,)
