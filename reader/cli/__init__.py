"""The `reader` command line. The only place where typed errors become messages and exit codes.

Each command group is a module of this package, built from the shared options of
``reader.cli.options``; the group below adds them. A new command goes in a new module here
(or the module of its group), and one line below adds it.
"""

from __future__ import annotations

import warnings

import click

from reader.cli import batch as batch_commands
from reader.cli import digest as digest_commands
from reader.cli import edit as edit_commands
from reader.cli import extract as extract_commands
from reader.cli import feeds as feeds_commands
from reader.cli import library as library_commands
from reader.cli import lookup as lookup_commands
from reader.cli import models as models_commands
from reader.cli import serve as serve_commands
from reader.cli import translate as translate_commands
from reader.cli import watch as watch_commands
from reader.errors import ReaderError


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


for _module in (
    translate_commands,
    models_commands,
    batch_commands,
    feeds_commands,
    library_commands,
    edit_commands,
    lookup_commands,
    extract_commands,
    serve_commands,
    watch_commands,
    digest_commands,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="reader")
