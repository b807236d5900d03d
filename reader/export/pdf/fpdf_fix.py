"""The one fpdf2 workaround: text runs that keep Arabic vowel marks inside their word.

fpdf2 (2.8.9, the latest) starts a new fragment wherever the Unicode script changes, and counts
combining marks (script "Inherited") as a change: "جنبًا" reached HarfBuzz as "جنب", "ً", "ا", so
the letters on either side of a mark stopped joining. ``MarkJoiningFPDF`` puts fragments split only
for that reason back together. Remove this module when fpdf2 keeps marks with their base letters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fpdf import FPDF
from fpdf.unicode_script import UnicodeScript, get_unicode_script


class MarkJoiningFPDF(FPDF):
    """FPDF whose text runs keep Arabic vowel marks inside their word."""

    def _parse_chars(self, text: str, markdown: bool, **kwargs: Any) -> Iterator[Any]:
        held = None
        for fragment in super()._parse_chars(text, markdown, **kwargs):
            if held is not None and _same_run(held, fragment):
                held.characters.extend(fragment.characters)
                continue
            if held is not None:
                yield held
            held = fragment
        if held is not None:
            yield held


def _script(chars: list[str]) -> UnicodeScript | None:
    """The script of the last character that is not a combining mark."""
    for ch in reversed(chars):
        script = get_unicode_script(ch)
        if script != UnicodeScript.INHERITED:
            return script
    return None


def _same_run(first: Any, second: Any) -> bool:
    """Whether ``second`` continues ``first``: same font and style, split only around a mark."""
    if not first.characters or not second.characters or first.link or second.link:
        return False
    if first.graphics_state != second.graphics_state:
        return False
    starts_with_mark = get_unicode_script(second.characters[0]) == UnicodeScript.INHERITED
    after_mark = get_unicode_script(first.characters[-1]) == UnicodeScript.INHERITED
    return starts_with_mark or (after_mark and _script(first.characters) == get_unicode_script(second.characters[0]))
