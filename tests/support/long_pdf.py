"""A long Arabic PDF made for the tests of long documents (``reader.library.parts``): fpdf2 with HarfBuzz, as
tests/data/documents/make.py makes its files, two paragraphs of the truth texts on each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
TRUTH = ROOT / "tests" / "data" / "documents" / "truth"
PAGES = 12


def truth_lines() -> list[str]:
    """The truth texts' lines of over 40 characters, each once, in order."""
    texts = [line.strip() for name in sorted(TRUTH.glob("*.txt")) for line in name.read_text("utf-8").splitlines()]
    return [text for text in dict.fromkeys(texts) if len(text) > 40]


def arabic_pdf() -> Any:
    """An empty A5 fpdf2 document that shapes Arabic right to left with HarfBuzz, in Noto Naskh Arabic."""
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))
    pdf.add_font("arabic", "", str(ROOT / "reader" / "fonts" / "NotoNaskhArabic-Regular.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
    pdf.set_auto_page_break(True, margin=12)
    return pdf


def long_pdf(path: Path, pictures: tuple[int, ...] = (), running: bool = False) -> Path:
    """fpdf2 + HarfBuzz, as tests/data/documents/make.py does: two paragraphs on each page (the texts in turn);
    the ``pictures`` pages hold only a picture (a scan, for OCR); ``running``: a running header and a page
    number on every text page."""
    from PIL import Image

    texts = truth_lines()
    pdf = arabic_pdf()
    for page in range(PAGES):
        pdf.add_page()
        if page + 1 in pictures:
            pdf.image(Image.new("L", (60, 80), 200), x=20, y=20, w=100)
            continue
        pdf.set_font("arabic", size=10)
        if running:
            pdf.set_y(6)
            pdf.cell(0, 5, "التقرير السنوي لوزارة الزراعة", align="C")
            pdf.set_y(195)
            pdf.cell(0, 5, str(page + 1), align="C")
            pdf.set_y(25)
        for text in (texts[2 * page % len(texts)], texts[(2 * page + 1) % len(texts)]):
            pdf.multi_cell(0, 6, text, align="R")
            pdf.ln(5)
    pdf.output(str(path))
    return path
