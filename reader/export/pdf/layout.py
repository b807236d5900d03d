"""PDF layout, pure: a document in, positioned lines out (``Box``), nothing drawn.

Layout is done here rather than by fpdf2's tables or ``multi_cell``: each paragraph is wrapped
into lines per column first (widths from HarfBuzz, ``fonts.Metrics``), then the lines are placed
so both columns of a row start level, and a row that does not fit is moved or split cleanly at a
line boundary, including a paragraph taller than a whole page. The result says where every line
of every page goes, so it can be checked without a PDF, and ``draw`` only has to put it on paper.

A flagged sentence ends in small raised marks (reader.export.marks), explained by a legend under
the header. They travel through wrapping glued to the sentence's last word behind ``MARK`` (a
control character that cleaning removes from article text), so a mark never starts a line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from fpdf.fpdf import PAGE_FORMATS

from reader.chars import has_rtl, starts_rtl
from reader.document import DETAILS_HEADING, Document, Paragraph
from reader.export.marks import FLAG_MARKS, printed_legend, printed_marks
from reader.export.pdf.fonts import PT, Metrics, Style

LAYOUTS = ("side-by-side", "interleaved")
"""The layouts that draw both texts: English beside the Arabic; each Arabic paragraph above its English."""
ENGLISH_ONLY = "english"
"""The English only, each paragraph's Arabic in a note (a PDF text annotation the viewer shows on hover or tap)."""
PAGE_SIZES = {"a4": "A4", "letter": "Letter"}
UNTRANSLATED = "[not translated]"

MARGIN = 15.0  # mm, left/right/bottom
TOP = 20.0  # body top on pages after the first, below the running header
RUNNING_Y = 8.0  # the running header's line on pages after the first
RUNNING_RULE_Y = 14.5  # the rule under it
FOOTER_Y = 8.0  # distance of the page number from the bottom edge
GUTTER = 8.0
PARAGRAPH_GAP = 3.5
PAIR_GAP = 1.2  # between an Arabic paragraph and its English in the interleaved layout
WRAP_SLACK = 0.4  # mm kept free at a line's end: measured widths ignore kerning across words
MOVE_LIMIT = 1 / 3  # a block up to this share of the body height moves whole rather than split
MARK = "\x1f"  # glues a sentence's marks to its last word; cleaning drops it from article text
MARK_GAP = 0.25  # mm between a sentence's last letter and its marks

ARABIC = Style("naskh", 12.0, 7.6, "R", rtl=True)
ARABIC_COLUMN_LTR = Style("naskh", 12.0, 7.6, "R", rtl=False)  # a source paragraph with no right-to-left letter
ENGLISH = Style("sans", 10.0, 5.3, "L", rtl=False, gray=40)
TITLE_AR = Style("naskh", 15.0, 9.4, "R", rtl=True, bold=True)
TITLE_EN = Style("sans", 14.0, 7.4, "L", rtl=False, bold=True)
META = Style("sans", 8.5, 4.4, "L", rtl=False, gray=90)
LABEL = Style("sans", 8.0, 4.2, "L", rtl=False, gray=120, bold=True)
RUNNING_AR = Style("naskh", 9.0, 6.0, "R", rtl=True, gray=110)
RUNNING_EN = Style("sans", 8.0, 6.0, "L", rtl=False, gray=110)
LABEL_AR = Style("naskh", 9.0, 4.2, "R", rtl=True, gray=120, bold=True)
# Marks after a sentence: a quality warning in the app's amber, a note on handling in grey.
MARK_WARNING = Style("sans", 6.5, 5.3, "L", rtl=False, bold=True, color=(180, 83, 9))
MARK_NOTE = Style("sans", 6.5, 5.3, "L", rtl=False, gray=120)
LEGEND_WARNING = Style("sans", META.size, META.line_h, "L", rtl=False, bold=True, color=MARK_WARNING.color)
LEGEND_NOTE = Style("sans", META.size, META.line_h, "L", rtl=False, bold=True, gray=MARK_NOTE.gray)
LEGEND_GAP = 4.0  # mm between two legend entries
MARK_STYLES = {m.printed: MARK_WARNING if m.warning else MARK_NOTE for m in FLAG_MARKS.values() if m.printed}


@dataclass(frozen=True)
class Box:
    """One line of text placed on a page: its left edge, top and width in mm, and its style."""

    x: float
    y: float
    w: float
    style: Style
    text: str
    note: str = ""
    """Text the viewer shows on hover or tap (the "english" layout's Arabic), drawn as an annotation."""


@dataclass(frozen=True)
class PageLayout:
    """Every page's lines, in drawing order, and what the drawing needs besides them."""

    width: float
    height: float
    title: str
    """The document's title, cleaned for printing."""
    rule_y: float
    """Where the rule under page 1's header block goes."""
    pages: list[list[Box]]


@dataclass(frozen=True)
class Column:
    x: float
    w: float
    style: Style
    lines: tuple[str, ...]

    def height(self, n: int) -> float:
        return n * self.style.line_h


def lay_out(document: Document, layout: str, page_size: str, metrics: Metrics | None = None) -> PageLayout:
    """Where every line of ``document`` goes, for ``layout`` (``LAYOUTS``) on ``page_size`` ("A4", "Letter")."""
    return _Planner(document, page_size, metrics or Metrics()).lay_out(layout)


class _Planner:
    """Places lines page by page, from the top; ``lay_out`` returns them all."""

    def __init__(self, document: Document, page_size: str, metrics: Metrics) -> None:
        self.doc = document
        self.metrics = metrics
        width_pt, height_pt = PAGE_FORMATS[page_size.lower()]
        self.width, self.height = width_pt * PT, height_pt * PT
        self.title = metrics.clean(document.title)
        self.body_bottom = self.height - MARGIN
        self.content_w = self.width - 2 * MARGIN
        self.pages: list[list[Box]] = []
        self.y = 0.0
        self.rule_y = 0.0

    def wrap(self, text: str, width: float, style: Style) -> tuple[str, ...]:
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

    def word_width(self, word: str, style: Style) -> float:
        """Width in mm of a word as drawn, including the marks glued to it."""
        if MARK not in word:
            return self.metrics.width(word, style)
        letters, _, marks = word.partition(MARK)
        return self.metrics.width(letters, style) + MARK_GAP + sum(self.metrics.width(m, MARK_STYLES[m]) for m in marks)

    def clipped(self, text: str, width: float, style: Style, max_lines: int) -> tuple[str, ...]:
        """At most ``max_lines`` lines of ``text``; an ellipsis ends the last one when text was cut."""
        lines = self.wrap(text, width, style)
        if len(lines) <= max_lines:
            return lines
        last = self.wrap(lines[max_lines - 1], width - self.metrics.width("…", style), style)[0]
        return (*lines[: max_lines - 1], last + "…")

    def column(self, x: float, w: float, style: Style, text: str) -> Column:
        """A column of cleaned ``text``."""
        return Column(x, w, style, self.wrap(text, w, style))

    def english(self, paragraph: Paragraph) -> str:
        """The paragraph's translation, cleaned, each flagged sentence's marks glued to its end."""
        parts = []
        for sentence in paragraph.sentences:
            text = self.metrics.clean(sentence.shown or UNTRANSLATED)
            marks = printed_marks(sentence.shown_flags) if sentence.shown.strip() else ""
            parts.append(f"{text.rstrip()}{MARK}{marks}" if marks else text)
        if paragraph.page is not None:  # a PDF's paragraph cites its page of the original
            parts.append(f"(p. {paragraph.page}{', OCR' if paragraph.ocr else ''})")
        return " ".join(parts)

    def place(self, x: float, y: float, w: float, style: Style, text: str) -> None:
        self.pages[-1].append(Box(x, y, w, style, text))

    def new_page(self) -> None:
        self.pages.append([])
        if len(self.pages) > 1:
            style = RUNNING_AR if starts_rtl(self.title) else RUNNING_EN
            for line in self.clipped(" ".join(self.title.split()), self.content_w, style, 1):
                self.place(MARGIN, RUNNING_Y, self.content_w, style, line)
        self.y = TOP

    def emit(self, columns: list[Column], *, reserve: float = 0.0) -> None:
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
        title_style = TITLE_AR if starts_rtl(self.title) else TITLE_EN
        for line in self.clipped(self.title, self.content_w, title_style, 4):
            self.place(MARGIN, self.y, self.content_w, title_style, line)
            self.y += title_style.line_h
        self.y += 1.5
        for line in self.fields(meta.reader_fields()):
            for clipped in self.clipped(line, self.content_w, META, 3):
                self.place(MARGIN, self.y, self.content_w, META, clipped)
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

    def fields(self, fields: list[tuple[str, str]]) -> list[str]:
        """Labelled fields as "Label: value" lines, cleaned; the empty ones left out."""
        cleaned = [(label, " ".join(self.metrics.clean(value).split())) for label, value in fields]
        return [f"{label}: {value}" for label, value in cleaned if value]

    def details_block(self) -> None:
        """Which model translated, after the text: for whoever checks a translation, out of the reader's way."""
        lines = self.fields(self.doc.meta.technical_fields())
        if not lines:
            return
        self.y += PARAGRAPH_GAP
        self.emit([self.column(MARGIN, self.content_w, LABEL, DETAILS_HEADING)], reserve=len(lines) * META.line_h)
        for line in lines:
            self.emit([self.column(MARGIN, self.content_w, META, line)])

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

    def lay_out(self, layout: str) -> PageLayout:
        self.new_page()
        self.header_block(layout)
        col_w = (self.content_w - GUTTER) / 2
        for paragraph in self.doc.paragraphs:
            english = self.english(paragraph)
            source = self.metrics.clean(paragraph.source)
            arabic = ARABIC if has_rtl(paragraph.source) else ARABIC_COLUMN_LTR
            if layout == "side-by-side":
                self.emit(
                    [
                        self.column(MARGIN, col_w, ENGLISH, english),
                        self.column(MARGIN + col_w + GUTTER, col_w, arabic, source),
                    ]
                )
            elif layout == ENGLISH_ONLY:
                page, count = len(self.pages), len(self.pages[-1])
                self.emit([self.column(MARGIN, self.content_w, ENGLISH, english)])
                placed = self.pages[page - 1] if len(self.pages[page - 1]) > count else self.pages[page]
                first = count if placed is self.pages[page - 1] else 0
                placed[first] = replace(placed[first], note=paragraph.source)
            else:
                self.emit(
                    [self.column(MARGIN, self.content_w, arabic, source)],
                    reserve=PAIR_GAP + 2 * ENGLISH.line_h,
                )
                self.y += PAIR_GAP
                self.emit([self.column(MARGIN, self.content_w, ENGLISH, english)])
            self.y += PARAGRAPH_GAP
        self.details_block()
        return PageLayout(self.width, self.height, self.title, self.rule_y, self.pages)
