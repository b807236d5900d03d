"""What every command shares, written once: the options (model, backend, beam, library, formats, watch),
the openers (the library, the translator) and how article text is printed.

A new command takes its options from here, so the same flag means the same thing and accepts the
same values everywhere. ``--backend`` is checked when the flag is parsed against the registry as it
is then (``reader.translate.registry.check``), so a backend a plugin registered works in every command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reader.chars import JSON_CONTROLS, TERMINAL_CONTROLS
from reader.config import Settings
from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.library import Library
    from reader.translate.cached import CachedTranslator

F = TypeVar("F", bound=Callable[..., Any])


class BackendType(click.ParamType):
    """``auto``, a built-in backend or a plugin's, as the registry knows them when the command runs."""

    name = "backend"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "[auto|transformers|ct2|PLUGIN]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from reader.translate import registry

        try:
            return registry.check(str(value))
        except ReaderError as exc:
            self.fail(str(exc), param, ctx)


BACKEND = BackendType()
BEAM = click.IntRange(1, 16)


def model_options(func: F) -> F:
    """``--model/-m``, ``--backend`` and ``--beam``: which translator the command opens."""
    func = click.option("--model", "-m", help="Catalog name or model folder (default: READER_MODEL or opus-mt-ar-en).")(
        func
    )
    func = click.option(
        "--backend", type=BACKEND, help="Translation backend: auto, transformers, ct2 or a plugin's (default: auto)."
    )(func)
    return click.option("--beam", type=BEAM, help="Beam size (default 4; 1 is greedy, faster).")(func)


def library_option(func: F) -> F:
    """``--library DIR``, over READER_LIBRARY and the default folder."""
    return click.option(
        "--library",
        "library_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="The library folder (default: READER_LIBRARY or $XDG_DATA_HOME/reader/library).",
    )(func)


def watch_option(help_text: str) -> Callable[[F], F]:
    """``--watch SECONDS``: poll until stopped (batch, feed checks)."""
    return click.option("--watch", "watch_seconds", type=click.FloatRange(min=1), metavar="SECONDS", help=help_text)


def formats(value: str | None, allowed: tuple[str, ...]) -> list[str]:
    """A ``--format`` value (comma-separated) as a list; an unknown name is a usage error naming the choices."""
    if not value:
        return []
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in allowed]
    if unknown:
        raise click.BadParameter(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return chosen


def open_library(library_dir: Path | None) -> Library:
    """The library ``--library`` names (else READER_LIBRARY, else the default folder), opened."""
    from reader.library import Library

    return Library(Settings.load(library=library_dir).library).open()


def open_translator(settings: Settings, *, refresh: bool = False) -> CachedTranslator:
    """The translator the settings describe, loaded, behind the sentence cache (``reader.api``)."""
    from reader.api import open_translator as factory

    return factory(settings, refresh=refresh)()


def shown(text: str) -> str:
    """Article text for the terminal: its control characters (escape sequences) printed as escapes."""
    return text.translate(TERMINAL_CONTROLS)


def echo_json(record: dict[str, object]) -> None:
    """One JSON object on one line, control characters escaped."""
    click.echo(json.dumps(record, ensure_ascii=False).translate(JSON_CONTROLS))
