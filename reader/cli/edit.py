"""The post-editing commands (click): ``reader alternatives / edit / complete``, ``reader edits ...`` and
``reader glossary ...``. The ``reader`` group (reader.cli) turns a ReaderError into a one-line message.

DOC is a library document id (``reader library list``); N counts sentences from 0 in document order.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from reader import editing
from reader.cli.options import library_option, model_options, open_library, open_translator, shown
from reader.config import Settings
from reader.document import How
from reader.errors import ModelNotFoundError
from reader.export import write_atomic
from reader.library import Library
from reader.library import edits as edits_file
from reader.library import glossary as glossary_file


def _settings(library_dir, model=None, backend=None, beam=None, editor=None) -> Settings:
    return Settings.load(library=library_dir, model=model, backend=backend, beam=beam, editor=editor)


def sentence_option(func):
    return click.option(
        "--sentence", "-s", "index", type=int, required=True, help="The sentence, from 0 in document order."
    )(func)


@click.command("alternatives")
@click.argument("document_id")
@sentence_option
@click.option("-n", "count", type=click.IntRange(1, 64), default=5, show_default=True, help="How many.")
@model_options
@library_option
def alternatives_command(document_id, index, count, model, backend, beam, library_dir) -> None:
    """Print the model's best translations of one sentence, one a line, best first."""
    settings = _settings(library_dir, model, backend, beam)
    with open_library(library_dir) as library:
        found = editing.alternatives(library, document_id, index, open_translator(settings), settings, count)
    for translation in found:
        click.echo(shown(translation.text))


@click.command("complete")
@click.argument("document_id")
@sentence_option
@click.option("--prefix", required=True, help="The first words of the English, kept as typed.")
@click.option("--save", is_flag=True, help="Keep the completion as your version of the sentence.")
@click.option("--editor", help="Your name, recorded with the edit (default: READER_EDITOR).")
@model_options
@library_option
def complete_command(document_id, index, prefix, save, editor, model, backend, beam, library_dir) -> None:
    """Print the sentence the model completes from your first words."""
    settings = _settings(library_dir, model, backend, beam, editor)
    translator = open_translator(settings)
    with open_library(library_dir) as library:
        completed = editing.complete(library, document_id, index, prefix, translator, settings)
        if save:
            editing.save(library, document_id, index, completed.text, How.COMPLETION, translator, settings)
    click.echo(shown(completed.text))


@click.command("edit")
@click.argument("document_id")
@sentence_option
@click.option("--text", help="Your version of the sentence's English (empty: back to the machine version).")
@click.option("--revert", is_flag=True, help="Show the machine version again.")
@click.option("--editor", help="Your name, recorded with the edit (default: READER_EDITOR).")
@model_options
@library_option
def edit_command(document_id, index, text, revert, editor, model, backend, beam, library_dir) -> None:
    """Keep your version of one sentence: here and wherever the sentence is in the library."""
    if (text is None) == (not revert):
        raise click.UsageError("give --text TEXT or --revert")
    settings = _settings(library_dir, model, backend, beam, editor)
    with open_library(library_dir) as library:
        if revert or not text.strip():
            document = editing.revert(library, document_id, index)
        else:
            editing.sentence_at(library.get(document_id), index)  # a bad number fails before a model loads
            try:
                translator = open_translator(settings)
            except ModelNotFoundError as exc:
                warnings.warn(f"kept without a word alignment: {exc}", stacklevel=1)
                translator = None
            document = editing.save(library, document_id, index, text, How.TYPED, translator, settings)
    pair = document.sentences[index]
    click.echo(shown(pair.shown))
    click.echo("edited" if pair.edit is not None else "machine version", err=True)


# ---- reader edits ---------------------------------------------------------------------------------


@click.group("edits")
def edits_command() -> None:
    """Export or import your edits (JSON Lines or CSV)."""


@edits_command.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@library_option
def edits_export(file, library_dir) -> None:
    """Write every edit to FILE (.jsonl or .csv)."""
    edits_file.dump([], file)  # an unknown suffix fails before anything is read
    _export(file, library_dir, Library.edits, lambda records: edits_file.dump(records, file), "edit(s)")


def _export(file: Path, library_dir, read, dump, what: str) -> None:
    """Write what ``read(library)`` gives, as ``dump`` makes it, to ``file`` (atomically)."""
    with open_library(library_dir) as library:
        items = read(library)
    write_atomic(file, dump(items))
    click.echo(f"exported {len(items)} {what} to {file}")


@edits_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", "replace_existing", is_flag=True, help="On a conflict, take the file's version.")
@library_option
def edits_import(file, replace_existing, library_dir) -> None:
    """Merge the edits of FILE into the library; conflicts and bad lines are reported."""
    records, problems = edits_file.load(file)
    with open_library(library_dir) as library:
        taken, conflicts = library.import_edits(records, replace_existing=replace_existing)
    for message in [*problems, *conflicts]:
        click.echo(shown(message), err=True)
    click.echo(f"imported {taken} edit(s); {len(conflicts)} conflict(s), {len(problems)} bad line(s)")


# ---- reader glossary ------------------------------------------------------------------------------


@click.group("glossary")
def glossary_command() -> None:
    """Terms rendered your way: global or per feed, matched through Arabic clitics and spelling variants."""


@glossary_command.command("add")
@click.argument("arabic")
@click.argument("english")
@click.option("--feed", default="", help="Only for the articles of this feed URL.")
@library_option
def glossary_add(arabic, english, feed, library_dir) -> None:
    """Render the Arabic term ARABIC as ENGLISH."""
    entry = glossary_file.entry(arabic, english, feed)
    with open_library(library_dir) as library:
        changed = library.add_terms([entry])
    click.echo(f"added {shown(entry.term.arabic)} = {shown(entry.term.english)}; {changed} document(s) re-flagged")


@glossary_command.command("list")
@click.option("--feed", help="The terms that apply to this feed's articles.")
@library_option
def glossary_list(feed, library_dir) -> None:
    """The terms, one a line: Arabic, English, and the feed when it is not global."""
    with open_library(library_dir) as library:
        entries = library.glossary()
    for e in entries:
        if feed is None or e.feed in ("", feed):
            click.echo(shown("\t".join([e.term.arabic, e.term.english, *([e.feed] if e.feed else [])])))


@glossary_command.command("remove")
@click.argument("arabic")
@click.option("--feed", default="", help="The feed the term is for (default: the global term).")
@library_option
def glossary_remove(arabic, feed, library_dir) -> None:
    with open_library(library_dir) as library:
        changed = library.remove_term(arabic, feed)
    click.echo(f"removed; {changed} document(s) re-flagged")


@glossary_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@library_option
def glossary_import(file, library_dir) -> None:
    """Add the terms of a CSV file (arabic,english[,feed])."""
    entries = glossary_file.load(file)
    with open_library(library_dir) as library:
        changed = library.add_terms(entries)
    click.echo(f"imported {len(entries)} term(s); {changed} document(s) re-flagged")


@glossary_command.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@library_option
def glossary_export(file, library_dir) -> None:
    """Write every term to a CSV file (arabic,english,feed)."""
    _export(file, library_dir, Library.glossary, glossary_file.dump, "term(s)")


@glossary_command.command("apply")
@click.argument("document_ids", nargs=-1)
@click.option("--editor", help="Your name, recorded with the fixes (default: READER_EDITOR).")
@model_options
@library_option
def glossary_apply(document_ids, editor, model, backend, beam, library_dir) -> None:
    """Fix the sentences flagged glossary: of DOC..., or of every document."""
    settings = _settings(library_dir, model, backend, beam, editor)
    with open_library(library_dir) as library:
        ids = list(document_ids) or [row.id for row in library.page(limit=1 << 40).rows if row.flags.get("glossary")]
        translator = open_translator(settings) if ids else None
        fixed = missed = 0
        for id_ in ids:
            for result in editing.apply_glossary(library, id_, translator, settings):
                where = f"{id_} sentence {result.index}"
                if result.text:
                    fixed += 1
                    click.echo(shown(f"{where}: {result.text}"))
                else:
                    missed += 1
                    click.echo(shown(f"{where}: no translation with {result.term.english!r} found"), err=True)
    click.echo(f"fixed {fixed} sentence(s); {missed} left flagged", err=True)


COMMANDS = (alternatives_command, edit_command, complete_command, edits_command, glossary_command)
