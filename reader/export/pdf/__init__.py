"""PDF export: English and Arabic side by side (or interleaved), Arabic shaped by HarfBuzz.

Three steps, one module each: ``fonts`` (the shipped faces and text widths as fpdf2 draws them),
``layout`` (pure: every line's page and position, so the footers know the page count and tests need
no PDF) and ``draw`` (fpdf2 puts the lines on paper). ``fpdf_fix`` holds the one fpdf2 workaround.
"""

from __future__ import annotations

from reader.document import Document
from reader.errors import ExportError
from reader.export.pdf.draw import to_pdf
from reader.export.pdf.fonts import Metrics
from reader.export.pdf.layout import ENGLISH_ONLY, LAYOUTS, PAGE_SIZES, lay_out

ALIASES = {"table": "side-by-side"}  # Markdown's name for two columns, so one --layout serves both

__all__ = ["LAYOUTS", "render"]


def render(document: Document, *, layout: str = "side-by-side", page_size: str = "A4") -> bytes:
    """The document as PDF bytes; ``layout`` is "side-by-side" (alias "table"), "interleaved", or "english"
    (English only, each paragraph's Arabic in a note shown on hover or tap).

    ``page_size`` is A4 or Letter, in any case.
    """
    layout = ALIASES.get(layout, layout)
    if layout not in (*LAYOUTS, ENGLISH_ONLY):
        raise ExportError(f"unknown PDF layout {layout!r}; choose from {', '.join((*LAYOUTS, ENGLISH_ONLY))}")
    size = PAGE_SIZES.get(str(page_size).lower())
    if size is None:
        raise ExportError(f"unknown page size {page_size!r}; choose from A4, Letter")
    metrics = Metrics()
    return to_pdf(document, lay_out(document, layout, size, metrics), metrics)
