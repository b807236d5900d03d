"""The marks that explain sentence flags: one table for the HTML view, the PDF and Markdown.

Browsers fall back to any installed font, so the HTML view can use pictographs (✂ ↻ ↔). The PDF
draws only with the fonts shipped in reader/fonts, whose Noto Sans has no arrows or dingbats,
so print uses a single Latin-1 or ASCII character per flag, and Markdown follows the PDF so a
printed and a Markdown copy read alike. The edit mark ✎ is the same everywhere: reader/fonts
ships it alone (ReaderMarks.ttf) for the PDF. Print leaves out "from the cache": it says where a
translation came from, not anything about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reader.document import Document, Flag


@dataclass(frozen=True)
class Mark:
    glyph: str
    """Shown in the HTML view."""
    printed: str
    """Shown in the PDF and Markdown: one character the shipped fonts have; empty when not shown."""
    description: str
    warning: bool
    """A quality warning, as opposed to a note on how the sentence was handled."""


FLAG_MARKS: dict[str, Mark] = {
    Flag.CACHED: Mark("•", "", "from the cache", False),
    Flag.PASSTHROUGH: Mark("=", "=", "passthrough: no Arabic letters, copied without the model", False),
    Flag.SUB_SPLIT: Mark("✂", "÷", "sub-split: too long for the model, translated in parts", False),
    Flag.LOW_SCORE: Mark("?", "?", "low model confidence", True),
    Flag.REPETITION: Mark("↻", "×", "repetition in the model output", True),
    Flag.LENGTH_RATIO: Mark("↔", "±", "translation unusually short or long for its source", True),
    Flag.NUMBER_MISMATCH: Mark("#", "#", "a number in the source is missing from the translation", True),
    Flag.GLOSSARY: Mark("§", "§", "a glossary term is missing its rendering in the translation", True),
    Flag.EDITED: Mark("✎", "✎", "edited: the reader's version, not the model's", False),
}


def printed_flags(flags: Iterable[str]) -> list[str]:
    """The flags among ``flags`` that print shows, in table order (unknown flags have no meaning to print)."""
    present = set(flags)
    return [flag for flag, mark in FLAG_MARKS.items() if mark.printed and flag in present]


def printed_marks(flags: Iterable[str]) -> str:
    """The printed marks for a sentence's flags, e.g. "?#"; empty when none is shown."""
    return "".join(FLAG_MARKS[flag].printed for flag in printed_flags(flags))


def printed_legend(document: Document) -> list[Mark]:
    """The marks print shows in ``document``, in table order: what its legend lists."""
    return [FLAG_MARKS[flag] for flag in printed_flags(f for s in document.sentences for f in s.shown_flags)]
