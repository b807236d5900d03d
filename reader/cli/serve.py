"""``reader serve``: the HTTP API (reader.serve), and ``reader serve keys add|list|remove`` for its API keys."""

from __future__ import annotations

from pathlib import Path

import click

from reader.cli.options import echo_json, library_option, model_options, shown


def _keys_option(func):
    return click.option(
        "--keys-db",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The API key file (default: READER_API_KEYS_DB or $XDG_DATA_HOME/reader/api-keys.sqlite3).",
    )(func)


@click.group("serve", invoke_without_command=True)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; off loopback needs --api-keys."
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes, each with the model."
)
@click.option(
    "--threads", type=click.IntRange(0, 256), help="Model threads per process (default: READER_THREADS or all cores)."
)
@click.option("--api-keys", is_flag=True, help="Every request needs an API key (reader serve keys add).")
@click.option(
    "--cors-origin", "cors_origins", multiple=True, help="A browser origin allowed to call the API (repeatable)."
)
@click.option(
    "--char-limit",
    default=100_000,
    show_default=True,
    type=click.IntRange(1),
    help="Characters per request without a key.",
)
@click.option("--batch-limit", default=128, show_default=True, type=click.IntRange(1), help="Texts in one q array.")
@click.option(
    "--timeout", default=120.0, show_default=True, type=click.FloatRange(1), help="Seconds a request may wait."
)
@click.option("--queue", default=2048, show_default=True, type=click.IntRange(1), help="Sentences waiting before 429.")
@click.option("--batch-wait-ms", default=3.0, show_default=True, type=click.FloatRange(0, 1000))
@click.option("--max-batch", default=64, show_default=True, type=click.IntRange(1), help="Sentences per model batch.")
@click.option(
    "--max-body-mb",
    default=6.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Largest request body, an uploaded document included (a long PDF may need more).",
)
@model_options
@library_option
@_keys_option
@click.pass_context
def serve_command(ctx, host, port, workers, threads, api_keys, cors_origins, char_limit, batch_limit, timeout, queue,
                  batch_wait_ms, max_batch, max_body_mb, model, backend, beam, library_dir,
                  keys_db) -> None:  # fmt: skip
    """Serve LibreTranslate's API and reader's /v1 API (docs at http://HOST:PORT/docs)."""
    if ctx.invoked_subcommand is not None:
        return
    from reader.serve.options import ServeOptions
    from reader.serve.run import serve

    given = {"model": model, "backend": backend, "beam": beam, "threads": threads, "library": library_dir}
    options = ServeOptions(
        host=host,
        port=port,
        workers=workers,
        api_keys=api_keys,
        keys_db=str(keys_db or ""),
        cors_origins=tuple(cors_origins),
        char_limit=char_limit,
        batch_limit=batch_limit,
        timeout=timeout,
        queue=queue,
        batch_wait_ms=batch_wait_ms,
        max_batch=max_batch,
        max_body_bytes=int(max_body_mb * 1_000_000),
        settings={name: str(value) for name, value in given.items() if value is not None},
    )
    serve(options)


def _store(keys_db: Path | None):
    from reader.serve.keys import KeyStore, default_path

    return KeyStore(keys_db or default_path())


@serve_command.group("keys")
def keys_command() -> None:
    """API keys, each with its own limits (stored hashed: a key is shown once, when it is added)."""


@keys_command.command("add")
@click.argument("name")
@click.option("--rpm", "requests_per_minute", default=60, show_default=True, type=click.IntRange(1))
@click.option("--chars", "chars_per_request", default=5000, show_default=True, type=click.IntRange(1))
@click.option("--write", is_flag=True, help="May write to the library (save documents, edits, feeds).")
@_keys_option
def add_command(name, requests_per_minute, chars_per_request, write, keys_db) -> None:
    """Make a key named NAME and print it (the only time it is shown)."""
    with _store(keys_db) as store:
        key, record = store.add(
            name, requests_per_minute=requests_per_minute, chars_per_request=chars_per_request, write=write
        )
    click.echo(key)
    click.echo(f"key {record.id} ({shown(name)}) added; keep it now: only its hash is stored", err=True)


@keys_command.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_keys_option
def list_command(as_json, keys_db) -> None:
    """The keys: id, name, limits and rights (never the keys themselves)."""
    with _store(keys_db) as store:
        for key in store.list():
            if as_json:
                echo_json(key.to_dict())
            else:
                rights = "read+write" if key.write else "read"
                click.echo(
                    f"{key.id}\t{shown(key.name)}\t{key.requests_per_minute}/min\t"
                    f"{key.chars_per_request} chars\t{rights}\t{key.created}"
                )


@keys_command.command("remove")
@click.argument("key_id")
@_keys_option
def remove_command(key_id, keys_db) -> None:
    """Remove the key with this id or name."""
    with _store(keys_db) as store:
        removed = store.remove(key_id)
    if not removed:
        raise click.ClickException(f"no key {key_id!r}")
    click.echo(f"removed {removed} key(s)")


COMMANDS = [serve_command]
