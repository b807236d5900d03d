"""Fonts for the PDF: the shipped Noto faces, text widths exactly as fpdf2 will draw them, and printable text.

The fonts ship in ``reader/fonts`` (OFL), so a PDF never depends on the machine's fonts. Widths
come from HarfBuzz, shaping each run in the font fpdf2 will pick for it (the style's font, else the
fallback), so wrapping can be planned before anything is drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

from reader.chars import BIDI_EMBEDDINGS, BIDI_ISOLATES

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "fonts"
FONT_FILES = {
    ("naskh", ""): "NotoNaskhArabic-Regular.ttf",
    ("naskh", "B"): "NotoNaskhArabic-Bold.ttf",
    ("sans", ""): "NotoSans-Regular.ttf",
    ("sans", "B"): "NotoSans-Bold.ttf",
    # The edit mark ✎, which the Noto faces lack (a 14 kB subset of DejaVu Sans), in both weights' places.
    ("marks", ""): "ReaderMarks.ttf",
    ("marks", "B"): "ReaderMarks.ttf",
}
FALLBACK_ORDER = ("sans", "naskh", "marks")
PT = 25.4 / 72  # mm per point
# Controls that would re-order text outside the bidi algorithm's view of a line.
_BIDI_CONTROLS = frozenset(map(ord, BIDI_EMBEDDINGS + BIDI_ISOLATES))
_COMPLEX_BIDI = frozenset({"R", "AL", "AN", "NSM"})


@dataclass(frozen=True)
class Style:
    """How a line is set: font, size, line height, alignment, direction and colour."""

    family: str
    size: float  # pt
    line_h: float  # mm; above the font's ascent + descent so word boxes never overlap
    align: str
    rtl: bool
    gray: int = 0
    bold: bool = False
    color: tuple[int, int, int] | None = None  # instead of gray


def is_plain(text: str) -> bool:
    """No right-to-left characters or marks: such text needs neither bidi nor shaping."""
    return not any(unicodedata.bidirectional(ch) in _COMPLEX_BIDI for ch in text)


class Printable(dict[int, str | None]):
    """A ``str.translate`` table built as characters turn up: what each one is drawn as, if at all."""

    def __init__(self, covered: set[int]) -> None:
        super().__init__()
        self.covered = covered

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if ch == "\n":
            out: str | None = ch
        elif ch in "\t\r\v\f":
            out = " "
        elif code in _BIDI_CONTROLS:
            out = None
        elif code in self.covered:
            out = ch
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn"):
            out = None  # controls, format characters, unassigned: nothing to draw
        else:
            out = "\ufffd"  # a character none of the fonts has, emoji for one
        self[code] = out
        return out


class Metrics:
    """Text widths as fpdf2 will draw them: the style's font, else the fallback, shaped by HarfBuzz."""

    def __init__(self) -> None:
        self.fonts: dict[tuple[str, str], hb.Font] = {}
        self.coverage: dict[tuple[str, str], hb.Set] = {}
        for key, name in FONT_FILES.items():
            face = hb.Face(hb.Blob.from_file_path(str(FONT_DIR / name)))
            font = hb.Font(face)
            font.scale = (face.upem, face.upem)
            self.fonts[key] = font
            self.coverage[key] = face.unicodes
        self.cache: dict[tuple[str, bool, str], float] = {}
        self.printable = Printable(set().union(*(set(cov) for cov in self.coverage.values())))

    def runs(self, text: str, style: Style) -> Iterator[tuple[tuple[str, str], str]]:
        """Split ``text`` by the font each character is drawn with (fpdf2's fallback order)."""
        weight = "B" if style.bold else ""
        order = [(style.family, weight)] + [(f, weight) for f in FALLBACK_ORDER if f != style.family]
        current: tuple[str, str] | None = None
        start = 0
        for i, ch in enumerate(text):
            key = next((k for k in order if ord(ch) in self.coverage[k]), order[0])
            if unicodedata.category(ch) == "Mn" and current is not None:
                key = current  # a mark stays with its base letter
            if key != current:
                if current is not None:
                    yield current, text[start:i]
                current, start = key, i
        if current is not None:
            yield current, text[start:]

    def width(self, text: str, style: Style) -> float:
        """Width in mm of ``text`` on one line, cached per word and style."""
        key = (style.family, style.bold, text)
        units = self.cache.get(key)
        if units is None:
            units = 0.0
            for font_key, run in self.runs(text, style):
                font = self.fonts[font_key]
                if is_plain(run):
                    # Drawn without shaping: nominal advances, no kerning.
                    units += sum(font.get_glyph_h_advance(font.get_nominal_glyph(ord(c)) or 0) for c in run)
                else:
                    buf = hb.Buffer()
                    buf.add_str(run)
                    buf.guess_segment_properties()
                    hb.shape(font, buf, {})
                    units += sum(pos.x_advance for pos in buf.glyph_positions)
            units /= 1000
            self.cache[key] = units
        return units * style.size * PT

    def longest_prefix(self, word: str, style: Style, limit: float) -> int:
        """Length of the longest head of ``word`` that fits in ``limit`` mm, never cutting off a mark."""
        low, high = 1, len(word) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.width(word[:mid], style) <= limit:
                low = mid
            else:
                high = mid - 1
        while low > 1 and unicodedata.category(word[low]) == "Mn":
            low -= 1
        return low

    def clean(self, text: str) -> str:
        """Printable text only: no control characters, no bidi overrides, U+FFFD for glyphs no font has."""
        return text.translate(self.printable)
