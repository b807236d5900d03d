"""The ``reader lookup`` command (click).

Exit status 1 with a one-line message when the input is not one Arabic word or the analyzer is
not installed (the message gives the install command).
"""

from __future__ import annotations

import json

import click


@click.command("lookup")
@click.argument("word")
@click.option("--here", default="", metavar="ENGLISH", help="The word's translation in context: that meaning first.")
@click.option("--json", "as_json", is_flag=True, help="Print the lookup as JSON.")
def lookup_command(word: str, here: str, as_json: bool) -> None:
    """Look up an Arabic WORD: its clitics, stem, lemma, part of speech and English glosses."""
    from reader.lookup import lookup

    result = lookup(word, here=here)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.word}  {result.transliteration}")
    if result.here:
        click.echo(f"here: {result.here}")
    if not result.analyses:
        click.echo(" + ".join(s.text for s in result.segments))
        click.echo(result.note)
    for number, analysis in enumerate(result.analyses, 1):
        parts = " + ".join(s.text for s in analysis.segments)
        meanings = " + ".join(s.gloss or s.tag.lower() for s in analysis.segments)
        click.echo(f"{number}. {parts}  ({analysis.transliteration}) = {meanings}")
        click.echo(f"   {analysis.lemma}, {analysis.pos}: {analysis.gloss}")


COMMANDS = (lookup_command,)
