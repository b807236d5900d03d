"""Drawing a ``PageLayout`` with fpdf2: one ``cell`` per line, the rules, the page numbers, the file's metadata.

fpdf2 hands every run of text to HarfBuzz (``set_text_shaping``) and applies the Unicode bidi
algorithm itself, so the PDF holds the logical text: letters join, lines read right to left in
the right order, embedded English and digits keep theirs, and ``pdftotext`` gets the sentences
back. Pre-shaping with arabic_reshaper + python-bidi would break all three.
"""

from __future__ import annotations

import re

from reader.document import Document
from reader.errors import ExportError
from reader.export.pdf.fonts import FALLBACK_ORDER, FONT_DIR, FONT_FILES, Metrics, Style, is_plain
from reader.export.pdf.fpdf_fix import MarkJoiningFPDF
from reader.export.pdf.layout import (
    FOOTER_Y,
    MARGIN,
    MARK,
    MARK_GAP,
    MARK_STYLES,
    META,
    RUNNING_RULE_Y,
    TOP,
    PageLayout,
)

MARK_RAISE = 1.0  # mm the marks sit above the line, like a footnote number
_MARKED = re.compile(MARK + r"(\S*)")


def to_pdf(document: Document, layout: PageLayout, metrics: Metrics) -> bytes:
    """The PDF file of ``layout`` (made from ``document``, whose metadata the file records)."""
    return _Drawing(layout).draw(document, metrics)


class _Drawing:
    def __init__(self, layout: PageLayout) -> None:
        self.layout = layout
        pdf = MarkJoiningFPDF(orientation="portrait", unit="mm", format=(layout.width, layout.height))
        pdf.set_margins(MARGIN, TOP, MARGIN)
        pdf.set_auto_page_break(False)  # pagination is the layout's: rows split at line boundaries
        pdf.alias_nb_pages(None)  # or article text containing "{nb}" would be rewritten
        pdf.c_margin = 0
        try:
            for (family, style), name in FONT_FILES.items():
                pdf.add_font(family, style, str(FONT_DIR / name))
        except (OSError, RuntimeError) as exc:
            raise ExportError(f"the PDF fonts are missing from {FONT_DIR}: {exc}") from exc
        pdf.set_fallback_fonts(list(FALLBACK_ORDER))
        self.pdf = pdf

    def draw(self, document: Document, metrics: Metrics) -> bytes:
        pdf, layout = self.pdf, self.layout
        pdf.set_title(layout.title[:500])
        if document.meta.author:
            pdf.set_author(metrics.clean(document.meta.author))
        pdf.set_creator("reader")
        pdf.add_page()
        pdf.set_draw_color(190)
        pdf.set_line_width(0.2)
        total = len(layout.pages)
        content_w = layout.width - 2 * MARGIN
        for number, placed in enumerate(layout.pages, start=1):
            if number > 1:
                pdf.add_page()
                pdf.line(MARGIN, RUNNING_RULE_Y, layout.width - MARGIN, RUNNING_RULE_Y)
            else:
                pdf.line(MARGIN, layout.rule_y, layout.width - MARGIN, layout.rule_y)
            for box in placed:
                if box.note:
                    pdf.text_annotation(box.x - 5.5, box.y + box.style.line_h, box.note, w=4.5, h=box.style.line_h)
                if MARK in box.text:
                    self.draw_marked(box.x, box.y, box.style, box.text)
                    continue
                self.use(box.style, plain=not box.style.rtl and is_plain(box.text))
                pdf.set_xy(box.x, box.y)
                pdf.cell(box.w, box.style.line_h, box.text, align=box.style.align)
            self.use(META)
            pdf.set_xy(MARGIN, layout.height - FOOTER_Y - META.line_h)
            pdf.cell(content_w, META.line_h, f"Page {number} of {total}", align="C")
        return bytes(pdf.output())

    def use(self, style: Style, *, plain: bool = False) -> None:
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

    def draw_marked(self, x: float, y: float, style: Style, line: str) -> None:
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
