"""Markdown export: interleaved paragraphs, or a two-column table of sentence pairs.

Written for CommonMark/GitHub-flavoured viewers (GitHub, GitLab, VS Code, Obsidian, pandoc).
Each Arabic paragraph sits in ``<div dir="rtl" lang="ar">`` with blank lines inside, so it is
still parsed as Markdown but laid out right to left; in the table the Arabic column is
right-aligned and each Arabic cell is a ``<span dir="rtl" lang="ar">``, which browsers isolate.
A source paragraph with no right-to-left letter at all (a byline, a figure) gets ``dir="ltr"``.

Article text is hostile: every character that could start Markdown or HTML markup is
backslash-escaped (CommonMark lets any ASCII punctuation be escaped), so a ``<script>``, a
``[link](javascript:...)`` or a stray ``|`` in the article shows as typed. Line breaks inside
a sentence become spaces, control characters are dropped, and so are the bidi embedding and
override controls (U+202A to U+202E), which could disguise what the text says. Braces, `$` and
a `%` after a brace are escaped too, so template engines that read Markdown (Jekyll, Hugo) see no `{{`, `${` or `{%`.

A flagged sentence ends in the PDF's marks (reader.export.marks) as ``<sup>``, and a legend
after the metadata says what the marks in the document mean.
"""

from __future__ import annotations

import re

from reader.chars import BIDI_EMBEDDINGS, has_rtl
from reader.document import DETAILS_HEADING, Document, Metadata, SentencePair
from reader.errors import ExportError
from reader.export.marks import printed_legend, printed_marks

LAYOUTS = ("interleaved", "table")
# The PDF's name for two columns, so one --layout can serve both formats.
ALIASES = {"side-by-side": "table"}
UNTRANSLATED = "*(not translated)*"

# Characters that can open inline markup anywhere: emphasis, code, links, HTML, entities,
# GFM tables and strikethrough, math ($ on GitHub), and the backslash itself.
_INLINE = re.compile(r"([\\`*_\[\]<>&|~${}])")
# What makes a line start a block: heading, quote, list item, thematic break, setext underline.
_BLOCK_START = re.compile(r"^(#|>|[-+=]|\d+[.)])")
_DROPPED = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_EMBEDDINGS}]")


def render(document: Document, *, layout: str = "interleaved") -> bytes:
    """The document as UTF-8 Markdown; ``layout`` is "interleaved" or "table" (alias "side-by-side")."""
    layout = ALIASES.get(layout, layout)
    if layout not in LAYOUTS:
        raise ExportError(f"unknown Markdown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    parts = [_header(document)]
    if layout == "interleaved":
        for paragraph in document.paragraphs:
            arabic = escape(paragraph.source)
            if arabic:
                parts.append(f"<div {_direction(paragraph.source)}>\n\n{arabic}\n\n</div>")
            english = " ".join(_english(s, line_start=i == 0) for i, s in enumerate(paragraph.sentences))
            if english:
                parts.append(english)
    else:
        rows = ["| English | العربية |", "| :--- | ---: |"]
        for sentence in document.sentences:
            arabic = escape(sentence.source, line_start=False)
            rows.append(
                f"| {_english(sentence, line_start=False)} | <span {_direction(sentence.source)}>{arabic}</span> |"
            )
        parts.append("\n".join(rows))
    technical = _fields(document.meta.technical_fields())
    if technical:  # for whoever checks which model translated: after the text, out of the reader's way
        parts.append(f"## {DETAILS_HEADING}\n\n{technical}")
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def escape(text: str, *, line_start: bool = True) -> str:
    """``text`` as one line of Markdown that renders exactly as the text.

    ``line_start``: the text begins a line, where "# ", "- " or "1." would start a block.
    """
    text = " ".join(_DROPPED.sub("", text).split())
    text = _INLINE.sub(r"\\\1", text).replace("{%", "{\\%")
    if line_start:
        text = _BLOCK_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)
    return text


def _direction(source: str) -> str:
    """Attributes for an Arabic-side block: right to left when it holds a right-to-left letter.

    A source paragraph of Latin text or digits only stays left to right, or its final "?"
    would sit at its left end.
    """
    return 'dir="rtl" lang="ar"' if has_rtl(source) else 'dir="ltr"'


def _english(sentence: SentencePair, *, line_start: bool) -> str:
    if not sentence.shown:
        return UNTRANSLATED
    text = escape(sentence.shown, line_start=line_start)
    marks = printed_marks(sentence.shown_flags)
    return f"{text}{_sup(marks)}" if text and marks else text


def _sup(marks: str) -> str:
    return f"<sup>{escape(marks, line_start=False)}</sup>"


def _fields(fields: list[tuple[str, str]]) -> str:
    """Labelled fields as a list, one a line; the empty ones left out."""
    escaped = [(label, escape(value, line_start=False)) for label, value in fields]
    return "\n".join(f"- **{label}:** {value}" for label, value in escaped if value)


def _header(document: Document) -> str:
    meta: Metadata = document.meta
    # In a heading a trailing "#" would be read as its closing sequence: escape them all.
    title = escape(document.title, line_start=False).replace("#", "\\#")
    lines = [f"# {title or 'Untitled'}"]
    fields = _fields(meta.reader_fields())
    if fields:
        lines.append(fields)
    legend = printed_legend(document)
    if legend:
        entries = [f"{_sup(mark.printed)} {escape(mark.description, line_start=False)}" for mark in legend]
        lines.append("**Marks:** " + " · ".join(entries))
    return "\n\n".join(lines)
