"""PDF export: English and Arabic side by side (or interleaved), Arabic shaped by HarfBuzz.

fpdf2 hands every run of text to HarfBuzz (``set_text_shaping``) and applies the Unicode
bidi algorithm itself, so the PDF holds the logical text: letters join, lines read right to
left in the right order, embedded English and digits keep theirs, and ``pdftotext`` gets the
sentences back. Pre-shaping with arabic_reshaper + python-bidi would break all three.

Layout is done here rather than by fpdf2's tables or ``multi_cell``: each paragraph is
wrapped into lines per column first (widths from HarfBuzz), then the lines are placed so
both columns of a row start level, and a row that does not fit is moved or split cleanly at
a line boundary, including a paragraph taller than a whole page. Only then is anything
drawn, one ``cell`` per line, so the footers know the page count. Fonts ship in
``reader/fonts`` (OFL), so the PDF never depends on the fonts of the machine.

A flagged sentence ends in small raised marks (reader.export.marks), explained by a legend
under the header. They travel through wrapping glued to the sentence's last word behind
``MARK`` (a control character that cleaning removes from article text), so a mark never
starts a line, and a line holding one is drawn in pieces to give the marks their own style.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from fpdf import FPDF
from fpdf.unicode_script import UnicodeScript, get_unicode_script

from reader.document import Document, Paragraph
from reader.errors import ExportError
from reader.export.marks import FLAG_MARKS, printed_legend, printed_marks

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = {
    ("naskh", ""): "NotoNaskhArabic-Regular.ttf",
    ("naskh", "B"): "NotoNaskhArabic-Bold.ttf",
    ("sans", ""): "NotoSans-Regular.ttf",
    ("sans", "B"): "NotoSans-Bold.ttf",
}
PAGE_SIZES = {"a4": "A4", "letter": "Letter"}
LAYOUTS = ("side-by-side", "interleaved")
ALIASES = {"table": "side-by-side"}  # Markdown's name for two columns, so one --layout serves both
UNTRANSLATED = "[not translated]"

MARGIN = 15.0  # mm, left/right/bottom
TOP = 20.0  # body top on pages after the first, below the running header
FOOTER_Y = 8.0  # distance of the page number from the bottom edge
GUTTER = 8.0
PARAGRAPH_GAP = 3.5
PAIR_GAP = 1.2  # between an Arabic paragraph and its English in the interleaved layout
WRAP_SLACK = 0.4  # mm kept free at a line's end: measured widths ignore kerning across words
MOVE_LIMIT = 1 / 3  # a block up to this share of the body height moves whole rather than split
# Controls that would re-order text outside the bidi algorithm's view of a line.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_COMPLEX_BIDI = frozenset({"R", "AL", "AN", "NSM"})
PT = 25.4 / 72  # mm per point
MARK = "\x1f"  # glues a sentence's marks to its last word; clean() drops it from article text
MARK_GAP = 0.25  # mm between a sentence's last letter and its marks
MARK_RAISE = 1.0  # mm the marks sit above the line, like a footnote number
_MARKED = re.compile(MARK + r"(\S*)")


@dataclass(frozen=True)
class _Style:
    family: str
    size: float  # pt
    line_h: float  # mm; above the font's ascent + descent so word boxes never overlap
    align: str
    rtl: bool
    gray: int = 0
    bold: bool = False
    color: tuple[int, int, int] | None = None  # instead of gray


ARABIC = _Style("naskh", 12.0, 7.6, "R", rtl=True)
ARABIC_COLUMN_LTR = _Style("naskh", 12.0, 7.6, "R", rtl=False)  # a source paragraph with no Arabic letter
ENGLISH = _Style("sans", 10.0, 5.3, "L", rtl=False, gray=40)
TITLE_AR = _Style("naskh", 15.0, 9.4, "R", rtl=True, bold=True)
TITLE_EN = _Style("sans", 14.0, 7.4, "L", rtl=False, bold=True)
META = _Style("sans", 8.5, 4.4, "L", rtl=False, gray=90)
LABEL = _Style("sans", 8.0, 4.2, "L", rtl=False, gray=120, bold=True)
RUNNING_AR = _Style("naskh", 9.0, 6.0, "R", rtl=True, gray=110)
RUNNING_EN = _Style("sans", 8.0, 6.0, "L", rtl=False, gray=110)
LABEL_AR = _Style("naskh", 9.0, 4.2, "R", rtl=True, gray=120, bold=True)
# Marks after a sentence: a quality warning in the app's amber, a note on handling in grey.
MARK_WARNING = _Style("sans", 6.5, 5.3, "L", rtl=False, bold=True, color=(180, 83, 9))
MARK_NOTE = _Style("sans", 6.5, 5.3, "L", rtl=False, gray=120)
LEGEND_WARNING = _Style("sans", META.size, META.line_h, "L", rtl=False, bold=True, color=MARK_WARNING.color)
LEGEND_NOTE = _Style("sans", META.size, META.line_h, "L", rtl=False, bold=True, gray=MARK_NOTE.gray)
LEGEND_GAP = 4.0  # mm between two legend entries
MARK_STYLES = {m.printed: MARK_WARNING if m.warning else MARK_NOTE for m in FLAG_MARKS.values() if m.printed}


@dataclass(frozen=True)
class _Column:
    x: float
    w: float
    style: _Style
    lines: tuple[str, ...]

    def height(self, n: int) -> float:
        return n * self.style.line_h


def render(document: Document, *, layout: str = "side-by-side", page_size: str = "A4") -> bytes:
    """The document as PDF bytes; ``layout`` is "side-by-side" (alias "table") or "interleaved".

    ``page_size`` is A4 or Letter, in any case.
    """
    layout = ALIASES.get(layout, layout)
    if layout not in LAYOUTS:
        raise ExportError(f"unknown PDF layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    size = PAGE_SIZES.get(str(page_size).lower())
    if size is None:
        raise ExportError(f"unknown page size {page_size!r}; choose from A4, Letter")
    return _Renderer(document, size).render(layout)


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds any right-to-left letter: then an Arabic paragraph's base direction is RTL.

    A source paragraph of Latin text or digits only keeps left to right, or its final "?" or
    "." would be drawn at its left end.
    """
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def is_rtl(text: str) -> bool:
    """First-strong-character rule (as dir="auto"): right to left when that character is R or AL."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


class _FPDF(FPDF):
    """FPDF whose text runs keep Arabic vowel marks inside their word.

    fpdf2 (2.8.9, the latest) starts a new fragment wherever the Unicode script changes, and
    counts combining marks (script "Inherited") as a change: "جنبًا" reached HarfBuzz as
    "جنب", "ً", "ا", so the letters on either side of a mark stopped joining. Fragments
    split only for that reason are put back together here.
    """

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


class _Printable(dict[int, str | None]):
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


class _Metrics:
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
        self.printable = _Printable(set().union(*(set(cov) for cov in self.coverage.values())))

    def runs(self, text: str, style: _Style) -> Iterator[tuple[tuple[str, str], str]]:
        """Split ``text`` by the font each character is drawn with (fpdf2's fallback order)."""
        weight = "B" if style.bold else ""
        order = [(style.family, weight)] + [(f, weight) for f in ("sans", "naskh") if f != style.family]
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

    def width(self, text: str, style: _Style) -> float:
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

    def longest_prefix(self, word: str, style: _Style, limit: float) -> int:
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


def is_plain(text: str) -> bool:
    """No right-to-left characters or marks: such text needs neither bidi nor shaping."""
    return not any(unicodedata.bidirectional(ch) in _COMPLEX_BIDI for ch in text)


class _Renderer:
    """Plans every line's page and position first, then draws: the page count is known for the footers."""

    def __init__(self, document: Document, page_size: str) -> None:
        self.doc = document
        pdf = _FPDF(orientation="portrait", unit="mm", format=page_size)
        pdf.set_margins(MARGIN, TOP, MARGIN)
        pdf.set_auto_page_break(False)  # pagination is ours: rows must split at line boundaries
        pdf.alias_nb_pages(None)  # or article text containing "{nb}" would be rewritten
        pdf.c_margin = 0
        try:
            for (family, style), name in FONT_FILES.items():
                pdf.add_font(family, style, str(FONT_DIR / name))
        except (OSError, RuntimeError) as exc:
            raise ExportError(f"the PDF fonts are missing from {FONT_DIR}: {exc}") from exc
        pdf.set_fallback_fonts(["sans", "naskh"])
        self.metrics = _Metrics()
        self.pdf = pdf
        self.title = self.clean(document.title)
        self.body_bottom = pdf.h - MARGIN
        self.content_w = pdf.w - 2 * MARGIN
        self.pages: list[list[tuple[float, float, float, _Style, str]]] = []
        self.y = 0.0
        self.rule_y = 0.0  # the rule under page 1's header block

    # -- text -----------------------------------------------------------------------------

    def clean(self, text: str) -> str:
        """Printable text only: no control characters, no bidi overrides, U+FFFD for glyphs no font has."""
        return text.translate(self.metrics.printable)

    def use(self, style: _Style, *, plain: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(style.family, "B" if style.bold else "", style.size)
        if style.color:
            pdf.set_text_color(*style.color)
        else:
            pdf.set_text_color(style.gray)
        if plain:
            pdf.set_text_shaping(use_shaping_engine=False)  # plain left-to-right text: 4x faster to draw
        elif style.rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
        else:
            # Script left to HarfBuzz per run: an English column may hold Arabic names.
            pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")

    def wrap(self, text: str, width: float, style: _Style) -> tuple[str, ...]:
        """Lines of ``text`` wrapped to ``width`` in ``style``, in logical order.

        Greedy, word by word, with widths from HarfBuzz cached per word: fpdf2's own
        ``multi_cell`` reshapes the growing line for every character, which made a
        5,000-word article take many seconds.
        """
        limit = width - WRAP_SLACK
        space = self.metrics.width(" ", style)
        lines: list[str] = []
        for hard_line in text.split("\n"):
            words: list[str] = []
            used = 0.0
            for word in filter(None, hard_line.split(" ")):  # not str.split(): no-break spaces hold
                w = self.word_width(word, style)
                while w > limit:  # a word wider than the column (a URL, a hash): break it by characters
                    if words:
                        lines.append(" ".join(words))
                        words, used = [], 0.0
                    letters, glue, marks = word.partition(MARK)  # the marks stay with the word's end
                    head = self.metrics.longest_prefix(letters, style, limit)
                    lines.append(letters[:head])
                    word = letters[head:] + glue + marks
                    w = self.word_width(word, style)
                if words and used + space + w > limit:
                    lines.append(" ".join(words))
                    words, used = [], 0.0
                used += (space if words else 0.0) + w
                words.append(word)
            if words:
                lines.append(" ".join(words))
        return tuple(lines)

    def word_width(self, word: str, style: _Style) -> float:
        """Width in mm of a word as drawn, including the marks glued to it."""
        if MARK not in word:
            return self.metrics.width(word, style)
        letters, _, marks = word.partition(MARK)
        return self.metrics.width(letters, style) + MARK_GAP + sum(self.metrics.width(m, MARK_STYLES[m]) for m in marks)

    def clipped(self, text: str, width: float, style: _Style, max_lines: int) -> tuple[str, ...]:
        """At most ``max_lines`` lines of ``text``; an ellipsis ends the last one when text was cut."""
        lines = self.wrap(text, width, style)
        if len(lines) <= max_lines:
            return lines
        last = self.wrap(lines[max_lines - 1], width - self.metrics.width("…", style), style)[0]
        return (*lines[: max_lines - 1], last + "…")

    def column(self, x: float, w: float, style: _Style, text: str) -> _Column:
        """A column of cleaned ``text``."""
        return _Column(x, w, style, self.wrap(text, w, style))

    def english(self, paragraph: Paragraph) -> str:
        """The paragraph's translation, cleaned, each flagged sentence's marks glued to its end."""
        parts = []
        for sentence in paragraph.sentences:
            text = self.clean(sentence.translation or UNTRANSLATED)
            marks = printed_marks(sentence.flags) if sentence.translation.strip() else ""
            parts.append(f"{text.rstrip()}{MARK}{marks}" if marks else text)
        return " ".join(parts)

    # -- planning -------------------------------------------------------------------------

    def place(self, x: float, y: float, w: float, style: _Style, text: str) -> None:
        self.pages[-1].append((x, y, w, style, text))

    def new_page(self) -> None:
        self.pages.append([])
        if len(self.pages) > 1:
            style = RUNNING_AR if is_rtl(self.title) else RUNNING_EN
            for line in self.clipped(" ".join(self.title.split()), self.content_w, style, 1):
                self.place(MARGIN, 8.0, self.content_w, style, line)
        self.y = TOP

    def emit(self, columns: list[_Column], *, reserve: float = 0.0) -> None:
        """Place columns that start level, splitting across pages at line boundaries when needed.

        ``reserve`` is room wanted after the block on the same page (keep-with-next).
        """
        columns = [c for c in columns if c.lines]
        if not columns:
            return
        total = max(c.height(len(c.lines)) for c in columns)
        at_top = self.y <= TOP + 0.01
        if not at_top and total + reserve > self.body_bottom - self.y and total <= self.body_h * MOVE_LIMIT:
            self.new_page()
        starts = [0] * len(columns)
        while True:
            room = self.body_bottom - self.y
            counts = []
            for col, first in zip(columns, starts, strict=True):
                left = len(col.lines) - first
                n = min(left, math.floor((room + 1e-6) / col.style.line_h))
                if 2 <= n < left and left - n == 1:
                    n -= 1  # no single widowed line at the top of the next page
                counts.append(n)
            progress = list(zip(columns, starts, counts, strict=True))
            done = all(first + n == len(c.lines) for c, first, n in progress)
            orphan = any(n < min(2, len(c.lines) - first) for c, first, n in progress)
            if not done and orphan and self.y > TOP + 0.01:
                self.new_page()  # not even two lines of each column fit here: start the row afresh
                continue
            for col, first, n in progress:
                for i, line in enumerate(col.lines[first : first + n]):
                    self.place(col.x, self.y + i * col.style.line_h, col.w, col.style, line)
            if done:
                self.y += max(c.height(n) for c, _, n in progress)
                return
            starts = [first + n for _, first, n in progress]
            self.new_page()

    @property
    def body_h(self) -> float:
        return self.body_bottom - TOP

    def header_block(self, layout: str) -> None:
        """Title, metadata and (side by side) the column labels, on page 1."""
        meta = self.doc.meta
        self.y = MARGIN
        title_style = TITLE_AR if is_rtl(self.title) else TITLE_EN
        for line in self.clipped(self.title, self.content_w, title_style, 4):
            self.place(MARGIN, self.y, self.content_w, title_style, line)
            self.y += title_style.line_h
        self.y += 1.5
        fields = [("Source", meta.source), ("Author", meta.author), ("Date", meta.date)]
        fields += [("Agency", meta.agency), ("Model", meta.model)]
        for label, value in fields:
            value = " ".join(self.clean(value).split())
            if not value:
                continue
            for line in self.clipped(f"{label}: {value}", self.content_w, META, 3):
                self.place(MARGIN, self.y, self.content_w, META, line)
                self.y += META.line_h
        self.legend()
        self.y += 2
        self.rule_y = self.y
        self.y += 3
        if layout == "side-by-side":
            col_w = (self.content_w - GUTTER) / 2
            self.place(MARGIN, self.y, col_w, LABEL, "English")
            self.place(MARGIN + col_w + GUTTER, self.y, col_w, LABEL_AR, "العربية")
            self.y += LABEL.line_h + 2.5

    def legend(self) -> None:
        """A "Marks:" line: each mark in the document, drawn as in the text, and what it means.

        Entries flow like words: one that does not fit starts a line, indented under the first.
        """
        legend = printed_legend(self.doc)
        if not legend:
            return
        self.y += 1
        label = "Marks:"
        self.place(MARGIN, self.y, self.metrics.width(label, META), META, label)
        indent = MARGIN + self.metrics.width(label + " ", META)
        x = indent
        space = self.metrics.width(" ", META)
        for mark in legend:
            style = LEGEND_WARNING if mark.warning else LEGEND_NOTE
            glyph_w = self.metrics.width(mark.printed, style)
            text_w = self.metrics.width(mark.description, META)
            if x > indent and x + glyph_w + space + text_w > MARGIN + self.content_w:
                self.y += META.line_h
                x = indent
            self.place(x, self.y, glyph_w, style, mark.printed)
            self.place(x + glyph_w + space, self.y, text_w, META, mark.description)
            x += glyph_w + space + text_w + LEGEND_GAP
        self.y += META.line_h

    def plan(self, layout: str) -> None:
        self.new_page()
        self.header_block(layout)
        col_w = (self.content_w - GUTTER) / 2
        for paragraph in self.doc.paragraphs:
            english = self.english(paragraph)
            source = self.clean(paragraph.source)
            arabic = ARABIC if has_rtl(paragraph.source) else ARABIC_COLUMN_LTR
            if layout == "side-by-side":
                self.emit(
                    [
                        self.column(MARGIN, col_w, ENGLISH, english),
                        self.column(MARGIN + col_w + GUTTER, col_w, arabic, source),
                    ]
                )
            else:
                self.emit(
                    [self.column(MARGIN, self.content_w, arabic, source)],
                    reserve=PAIR_GAP + 2 * ENGLISH.line_h,
                )
                self.y += PAIR_GAP
                self.emit([self.column(MARGIN, self.content_w, ENGLISH, english)])
            self.y += PARAGRAPH_GAP

    # -- drawing --------------------------------------------------------------------------

    def render(self, layout: str) -> bytes:
        self.plan(layout)
        pdf = self.pdf
        pdf.set_title(self.title[:500])
        if self.doc.meta.author:
            pdf.set_author(self.clean(self.doc.meta.author))
        pdf.set_creator("reader")
        pdf.add_page()
        pdf.set_draw_color(190)
        pdf.set_line_width(0.2)
        total = len(self.pages)
        for number, placed in enumerate(self.pages, start=1):
            if number > 1:
                pdf.add_page()
                pdf.line(MARGIN, 14.5, pdf.w - MARGIN, 14.5)
            else:
                pdf.line(MARGIN, self.rule_y, pdf.w - MARGIN, self.rule_y)
            for x, y, w, style, text in placed:
                if MARK in text:
                    self.draw_marked(x, y, style, text)
                    continue
                self.use(style, plain=not style.rtl and is_plain(text))
                pdf.set_xy(x, y)
                pdf.cell(w, style.line_h, text, align=style.align)
            self.use(META)
            pdf.set_xy(MARGIN, pdf.h - FOOTER_Y - META.line_h)
            pdf.cell(self.content_w, META.line_h, f"Page {number} of {total}", align="C")
        return bytes(pdf.output())

    def draw_marked(self, x: float, y: float, style: _Style, line: str) -> None:
        """A left-aligned line holding marks: its text in ``style``, each mark small and raised after it."""
        pdf = self.pdf
        pdf.set_xy(x, y)
        pieces = _MARKED.split(line)  # text, marks, text, marks, ..., text
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                if piece:
                    self.use(style, plain=is_plain(piece))
                    pdf.cell(None, style.line_h, piece)
                continue
            pdf.set_xy(pdf.get_x() + MARK_GAP, y - MARK_RAISE)
            for mark in piece:
                self.use(MARK_STYLES[mark], plain=True)
                pdf.cell(None, style.line_h, mark)
            pdf.set_xy(pdf.get_x(), y)
