"""The PDF layout on its own (reader.export.pdf.layout): positioned lines, checked without drawing a PDF.

tests/test_export_pdf.py checks the drawn file with poppler; here the layout's own promises are
checked directly, on every line it places: inside the margins, never overlapping, rows that start
level, paragraphs split only between lines, and no word lost or repeated.
"""

from __future__ import annotations

import itertools

import fpdf
import pytest

from reader.document import Flag, Metadata
from reader.export.pdf import layout
from reader.export.pdf.fonts import Metrics, Style
from reader.export.pdf.layout import GUTTER, LAYOUTS, MARGIN, MARK, Box, PageLayout, lay_out
from tests.support import documents

EPS = 1e-6


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    return Metrics()


def body(page: PageLayout) -> list[list[Box]]:
    """Each page's column lines: the boxes as wide as a column or the whole text width."""
    content_w = page.width - 2 * MARGIN
    widths = {content_w, (content_w - GUTTER) / 2}
    return [[b for b in boxes if any(abs(b.w - w) < EPS for w in widths)] for boxes in page.pages]


def words_in(page: PageLayout, *styles: Style) -> list[str]:
    """The words of the lines set in ``styles``, page after page, as placed (marks left out)."""
    return [w for boxes in page.pages for b in boxes if b.style in styles for w in b.text.split(MARK)[0].split()]


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_every_line_lies_inside_the_margins_and_no_two_overlap(metrics: Metrics, name: str, size: str) -> None:
    placed = lay_out(documents.long_document(3000), name, size, metrics)
    assert len(placed.pages) >= 5
    for boxes in placed.pages:
        for box in boxes:
            assert box.x >= MARGIN - EPS and box.x + box.w <= placed.width - MARGIN + EPS, box
            assert box.y >= 0 and box.y + box.style.line_h <= placed.height - MARGIN + EPS, box
    for boxes in body(placed):
        by_column: dict[tuple[float, float], list[Box]] = {}
        for box in boxes:
            by_column.setdefault((box.x, box.w), []).append(box)
        for column in by_column.values():
            column.sort(key=lambda b: b.y)
            for above, below in itertools.pairwise(column):
                assert below.y >= above.y + above.style.line_h - EPS, (above, below)


def row_starts(lines: list[Box]) -> list[float]:
    """The tops of a column's paragraphs: where a line follows the one above with a gap."""
    lines = sorted(lines, key=lambda b: b.y)
    return [b.y for i, b in enumerate(lines) if i == 0 or b.y > lines[i - 1].y + lines[i - 1].style.line_h + EPS]


def test_side_by_side_rows_start_level(metrics: Metrics) -> None:
    """Every paragraph's English and Arabic start on the same line, however long either side is."""
    document = documents.sample_document()
    placed = lay_out(document, "side-by-side", "A4", metrics)
    (lines,) = body(placed)
    english = [b for b in lines if b.style == layout.ENGLISH]
    arabic = [b for b in lines if b.style in (layout.ARABIC, layout.ARABIC_COLUMN_LTR)]
    assert len(row_starts(english)) == len(document.paragraphs)
    assert row_starts(english) == row_starts(arabic)
    assert len({b.x for b in english}) == len({b.x for b in arabic}) == 1


@pytest.mark.parametrize("name", LAYOUTS)
def test_a_paragraph_taller_than_a_page_is_split_between_lines_and_loses_no_word(metrics: Metrics, name: str) -> None:
    seed = documents.strip_marks((documents.SEEDS / "helsinki-summit-cyber.ar.txt").read_text(encoding="utf-8"))
    document = documents.segment(" ".join([" ".join(seed.split())] * 3), Metadata(title="One paragraph"))
    (paragraph,) = document.paragraphs
    placed = lay_out(document, name, "A4", metrics)
    assert len(placed.pages) >= 3
    assert words_in(placed, layout.ARABIC) == metrics.clean(paragraph.source).split()
    assert words_in(placed, layout.ENGLISH) == metrics.clean(paragraph.translation).split()


def test_marks_end_their_sentence_and_never_start_a_line(metrics: Metrics) -> None:
    document = documents.with_flags(documents.translated_seed_document(), {i: (Flag.LOW_SCORE,) for i in range(12)})
    for name in LAYOUTS:
        placed = lay_out(document, name, "A4", metrics)
        lines = [b.text for boxes in placed.pages for b in boxes]
        assert not [line for line in lines if line.startswith(MARK)]
        assert sum(line.count(MARK + "?") for line in lines) == 12


def test_layout_draws_nothing(metrics: Metrics, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pdf(*args: object, **kwargs: object) -> None:
        raise AssertionError("the layout must not create a PDF")

    monkeypatch.setattr(fpdf.FPDF, "__init__", no_pdf)
    first = lay_out(documents.sample_document(), "interleaved", "Letter", metrics)
    assert first == lay_out(documents.sample_document(), "interleaved", "Letter", metrics)
    assert (round(first.width, 1), round(first.height, 1)) == (215.9, 279.4)
