"""PDF export: shaping, text extraction, fonts, pagination and geometry, checked with poppler.

pdftotext decides a page's reading direction by counting strong characters on the whole
page, so on a page holding both languages it returns mixed lines in visual run order. The
tests therefore crop to one language before extracting (the Arabic column, or each run of
Arabic lines in the interleaved layout): that is what a reader copying a paragraph gets.
Poppler also moves neutral punctuation around numbers and Latin words inside Arabic lines
("27.25%" comes back as "%27.25") and vowel marks before their letter, although the page
shows both right, so sentences are compared on their letters and digits, in order.

A vowel mark raised above its letter (tanween in "مشيرًا", drawn 1 pt up as HarfBuzz places it)
makes poppler file the mark as a line of its own and cut the line there, putting the words
before it after the words behind it; it does the same with Chromium's PDFs, and xpdf-based
tools are known for it (kermitt2/pdfalto#81). The strict order checks therefore use the seeds
without their optional vowel marks; the seeds as written are checked word by word, and
``test_vowel_marks_keep_letters_joined`` checks that marks no longer break the shaping.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from reader import export
from reader.document import Document, Flag, Metadata
from reader.errors import ExportError
from reader.export import pdf
from reader.export.marks import FLAG_MARKS
from reader.export.pdf import draw, fonts
from reader.export.pdf import layout as pdf_layout
from tests.support import documents

MM = 72 / 25.4  # points per mm
XHTML = "{http://www.w3.org/1999/xhtml}"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC = re.compile("[\u0621-\u064a]")
ARABIC_WORD = re.compile("[\u0621-\u064a]+")


def letters(text: str) -> str:
    """Letters and digits in order: what must survive extraction exactly.

    Vowel marks are left out: poppler places a mark by its x position, and in right-to-left
    text a mark drawn over a letter's left half comes out before that letter.
    """
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: list[list[Word]]


def read_layout(path: Path) -> list[Page]:
    """Every page's lines of word boxes, from ``pdftotext -bbox-layout``."""
    root = ET.fromstring(run("pdftotext", "-bbox-layout", path, "-"))
    pages = []
    for page in root.iter(f"{XHTML}page"):
        lines = [
            [
                Word(*(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), text=w.text or "")
                for w in line.iter(f"{XHTML}word")
            ]
            for line in page.iter(f"{XHTML}line")
        ]
        pages.append(Page(float(page.get("width")), float(page.get("height")), lines))
    return pages


def crop_text(path: Path, page: int, x0: float, y0: float, x1: float, y1: float) -> str:
    """pdftotext of one rectangle (points) of one page."""
    return run(
        "pdftotext", "-f", page, "-l", page, "-x", int(x0), "-y", int(y0),
        "-W", int(x1 - x0), "-H", int(y1 - y0), path, "-",
    )  # fmt: skip


def body_band(page: int, height: float) -> tuple[float, float]:
    """The body's vertical extent: below the running header, above the page number."""
    top = 0.0 if page == 1 else (pdf_layout.TOP - 3) * MM
    return top, height - (pdf_layout.MARGIN - 1) * MM


def column_text(path: Path, pages: list[Page], *, right: bool) -> str:
    """Side by side: the text of one column, page after page."""
    out = []
    for number, page in enumerate(pages, start=1):
        top, bottom = body_band(number, page.height)
        x0 = page.width / 2 if right else 0
        out.append(crop_text(path, number, x0, top, x0 + page.width / 2, bottom))
    return "\n".join(out)


def arabic_regions_text(path: Path, pages: list[Page]) -> str:
    """Interleaved: pdftotext of each run of consecutive Arabic lines, in page order."""
    out = []
    for number, page in enumerate(pages, start=1):
        top, bottom = body_band(number, page.height)
        lines = sorted(
            (ln for ln in page.lines if top <= ln[0].y0 and ln[0].y1 <= bottom + MM),
            key=lambda ln: min(w.y0 for w in ln),
        )
        region: list[list[Word]] = []
        for line in [*lines, []]:
            if line and any(ARABIC.search(w.text) for w in line):
                region.append(line)
                continue
            if region:
                y0 = min(w.y0 for ln in region for w in ln) + 1
                y1 = max(w.y1 for ln in region for w in ln) - 1
                out.append(crop_text(path, number, 0, y0, page.width, y1))
                region = []
    return "\n".join(out)


def texts(path: Path, pages: list[Page], layout: str) -> tuple[str, str]:
    """(Arabic, English) as pdftotext gives them, one language at a time."""
    if layout == "side-by-side":
        return column_text(path, pages, right=True), column_text(path, pages, right=False)
    # English lines are alone on their height here: the whole page reads right.
    return arabic_regions_text(path, pages), run("pdftotext", path, "-")


def page_count(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", path)).group(1))


def write(tmp_path: Path, document: Document, name: str = "out.pdf", **options: str) -> Path:
    path = tmp_path / name
    path.write_bytes(pdf.render(document, **options))
    return path


def assert_sentences_extracted(document: Document, arabic_text: str, english_text: str) -> None:
    arabic, english = letters(arabic_text), letters(english_text)
    for sentence in document.sentences:
        assert letters(sentence.source) in arabic, sentence.source
        assert letters(sentence.translation or pdf_layout.UNTRANSLATED) in english, sentence.translation


def assert_geometry(pages: list[Page], *, side_by_side: bool) -> None:
    """Every word inside the page box and margins; no two words overlap; no word crosses the gutter."""
    for number, page in enumerate(pages, start=1):
        words = [w for line in page.lines for w in line]
        assert words, f"page {number} is empty"
        for w in words:
            assert 0 <= w.x0 <= w.x1 <= page.width and 0 <= w.y0 < w.y1 <= page.height, (number, w)
            assert w.x0 >= pdf_layout.MARGIN * MM - 1 and w.x1 <= page.width - pdf_layout.MARGIN * MM + 1, (number, w)
            if side_by_side and w.y0 > 60 * MM and w.y1 < page.height - pdf_layout.MARGIN * MM:  # the columns
                assert w.x1 <= page.width / 2 or w.x0 >= page.width / 2, (number, w)
        boxes = sorted(ink_box(w) for w in words if not all(is_mark(c) for c in w.text))
        for i, (y0, y1, x0, x1) in enumerate(boxes):
            for oy0, _oy1, ox0, ox1 in boxes[i + 1 :]:
                if oy0 >= y1:
                    break
                overlap = min(x1, ox1) - max(x0, ox0)
                assert overlap <= 0.5, f"text overlaps on page {number}: {(y0, y1, x0, x1)} and {(oy0, ox0, ox1)}"


def is_mark(ch: str) -> bool:
    """Poppler sometimes reports a raised Arabic mark as a word of its own: not a line of text."""
    return unicodedata.category(ch) == "Mn"


def ink_box(word: Word) -> tuple[float, float, float, float]:
    """A word's box (y0, y1, x0, x1) with its font-metric overshoot trimmed.

    Poppler's boxes span the font's whole ascent and descent: Noto Naskh's are 1.7 em, so an
    Arabic comma in an English line has a box taller than the line spacing, though the
    glyphs are far apart. The middle 60% still catches text drawn onto other text.
    """
    trim = (word.y1 - word.y0) * 0.2
    return word.y0 + trim, word.y1 - trim, word.x0, word.x1


def band_text(page: Page, y0: float, y1: float) -> str:
    """The words (left to right) whose boxes lie between y0 and y1 points."""
    words = sorted((w for line in page.lines for w in line if y0 <= w.y0 and w.y1 <= y1), key=lambda w: w.x0)
    return " ".join(w.text for w in words)


def assert_page_numbers(pages: list[Page]) -> None:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert band_text(page, page.height - 15 * MM, page.height) == f"Page {number} of {total}"


@pytest.fixture(scope="module")
def long_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("long-pdf")
    document = documents.long_document(5000, marks=False)
    return {layout: write(folder, document, f"{layout}.pdf", layout=layout) for layout in pdf.LAYOUTS}


@pytest.mark.parametrize("layout", pdf.LAYOUTS)
@pytest.mark.parametrize(("page_size", "points"), [("A4", "595.28 x 841.89"), ("Letter", "612 x 792")])
def test_layouts_and_page_sizes_render_with_embedded_noto_fonts(
    tmp_path: Path, layout: str, page_size: str, points: str
) -> None:
    path = write(tmp_path, documents.seed_document(), layout=layout, page_size=page_size)
    assert path.read_bytes().startswith(b"%PDF-")
    assert f"Page size:       {points} pts" in run("pdfinfo", path)
    fonts = run("pdffonts", path).splitlines()[2:]
    names = {line.split()[0].split("+")[-1]: line.split() for line in fonts}
    assert {"NotoNaskhArabic", "NotoSans"} <= set(names)
    for columns in names.values():
        assert columns[-5:-2] == ["yes", "yes", "yes"], columns  # embedded, subset, ToUnicode


def test_page_size_is_case_insensitive_and_letter_changes_the_page(tmp_path: Path) -> None:
    assert "612 x 792" in run("pdfinfo", write(tmp_path, documents.sample_document(), page_size="letter"))


@pytest.mark.parametrize("name", documents.seed_names())
def test_side_by_side_extracts_every_sentence_in_logical_order(tmp_path: Path, name: str) -> None:
    document = documents.seed_document(name, marks=False)
    path = write(tmp_path, document)
    pages = read_layout(path)
    assert_sentences_extracted(document, *texts(path, pages, "side-by-side"))
    assert_geometry(pages, side_by_side=True)
    assert_page_numbers(pages)


@pytest.mark.parametrize("name", documents.seed_names())
def test_interleaved_extracts_every_sentence_in_logical_order(tmp_path: Path, name: str) -> None:
    document = documents.seed_document(name, marks=False)
    path = write(tmp_path, document, layout="interleaved")
    pages = read_layout(path)
    assert_sentences_extracted(document, *texts(path, pages, "interleaved"))
    assert_geometry(pages, side_by_side=False)
    assert_page_numbers(pages)


@pytest.mark.parametrize("layout", pdf.LAYOUTS)
def test_seed_with_vowel_marks_extracts_every_word(tmp_path: Path, layout: str) -> None:
    document = documents.seed_document("helsinki-summit-cyber.ar.txt")
    assert any(documents.strip_marks(s.source) != s.source for s in document.sentences)
    path = write(tmp_path, document, layout=layout)
    pages = read_layout(path)
    text, _ = texts(path, pages, layout)
    extracted = set(ARABIC_WORD.findall(documents.strip_marks(text)))
    for sentence in document.sentences:
        for word in ARABIC_WORD.findall(documents.strip_marks(sentence.source)):
            assert word in extracted, word


def test_vowel_marks_keep_letters_joined() -> None:
    """A word with marks is shaped as one run: as wide as without them (the marks take no room).

    Split at the mark, as fpdf2 does on its own, "جنبًا" would end its ب and start a lone alef,
    and come out wider.
    """
    drawing = draw._Drawing(pdf_layout.lay_out(documents.sample_document(), "side-by-side", "A4"))
    drawing.use(pdf_layout.ARABIC)
    metrics = fonts.Metrics()
    for word in ("جنبًا", "مشيرًا", "اتُّخذت", "قائلًا", "يُعدّ"):
        bare = documents.strip_marks(word)
        assert drawing.pdf.get_string_width(word) == pytest.approx(drawing.pdf.get_string_width(bare)), word
        assert metrics.width(word, pdf_layout.ARABIC) == pytest.approx(drawing.pdf.get_string_width(word)), word


@pytest.mark.parametrize("document", [documents.sample_document(), documents.translated_seed_document()])
def test_pure_arabic_line_and_english_sentences_extract_verbatim(tmp_path: Path, document: Document) -> None:
    """Beyond letters: a whole Arabic line, and the English with its punctuation, come back as typed."""
    path = write(tmp_path, document)
    pages = read_layout(path)
    arabic = BIDI_CONTROLS.sub("", column_text(path, pages, right=True))
    headline = document.paragraphs[0].source
    assert headline in arabic.splitlines()
    english = " ".join(column_text(path, pages, right=False).split())
    for sentence in document.sentences:
        assert sentence.translation in english


def test_arabic_is_right_aligned_and_words_run_right_to_left(tmp_path: Path) -> None:
    """The headline row: its first word (logical order) is the rightmost, flush with the column edge."""
    document = documents.sample_document()
    pages = read_layout(write(tmp_path, document))
    headline = document.paragraphs[0].source.split()
    row = next(ln for ln in pages[0].lines if len(ln) == len(headline) and ARABIC.search(ln[0].text))
    by_x = sorted(row, key=lambda w: -w.x0)  # right to left
    # -bbox gives each word's glyphs left to right: reversed, they are the logical word.
    assert [w.text[::-1] for w in by_x] == headline
    assert by_x[0].x1 == pytest.approx(pages[0].width - pdf_layout.MARGIN * MM, abs=1.5)


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_header_has_title_source_and_date_and_the_model_comes_after_the_text(tmp_path: Path, layout: str) -> None:
    """The reader's fields open the PDF; which model translated is told after the text, under its own heading."""
    document = documents.sample_document()
    document = replace(document, meta=replace(document.meta, model_fingerprint="3556e2ad923ad9f0"))
    text = " ".join(run("pdftotext", write(tmp_path, document, layout=layout), "-").split())
    header = [document.meta.title, f"Source: {document.meta.source}", "Date: 2024-11-21"]
    details = ["Translation details", "Model: Helsinki-NLP/opus-mt-ar-en", "Model fingerprint: 3556e2ad923ad9f0"]
    first, last = "holds interest rates", "Dubai in 2025."  # the text's first and last words
    assert all(field in text for field in header + details + [first, last])
    assert text.index(header[-1]) < text.index(first)
    assert text.index(last) < text.index(details[0]) < text.index(details[1]) < text.index(details[2])
    assert text.count("Model") == 2


def test_a_file_source_is_named_in_words_at_the_top_and_its_path_after_the_text(tmp_path: Path) -> None:
    document = documents.sample_document()
    document = replace(document, meta=replace(document.meta, source="seeds/central-bank-rates.ar.txt"))
    text = " ".join(run("pdftotext", write(tmp_path, document), "-").split())
    top, details = text.split("Translation details")
    assert "Source: Sample article" in top and "seeds/" not in top
    assert "Source file: seeds/central-bank-rates.ar.txt Model: Helsinki-NLP/opus-mt-ar-en" in details


def test_title_falls_back_to_the_first_paragraph(tmp_path: Path) -> None:
    document = documents.seed_document()
    untitled = Document(document.text, document.paragraphs, Metadata(source="x.txt"))
    path = write(tmp_path, untitled)
    assert "Title:" in run("pdfinfo", path)
    title_line = BIDI_CONTROLS.sub("", run("pdftotext", "-f", "1", "-l", "1", path, "-")).splitlines()[0]
    assert title_line == document.paragraphs[0].source
    assert "Date:" not in run("pdftotext", path, "-")  # empty fields are left out


@pytest.mark.slow
@pytest.mark.parametrize("layout", pdf.LAYOUTS)
def test_long_article_paginates_without_losing_or_overlapping_text(long_pdfs: dict[str, Path], layout: str) -> None:
    document = documents.long_document(5000, marks=False)
    path = long_pdfs[layout]
    pages = read_layout(path)
    assert len(pages) >= 10
    assert_page_numbers(pages)
    assert_geometry(pages, side_by_side=layout == "side-by-side")
    assert_sentences_extracted(document, *texts(path, pages, layout))
    for page in pages[1:]:
        assert band_text(page, 0, 15 * MM) == "Long article"  # the running header


def test_paragraph_taller_than_a_page_is_split_across_pages(tmp_path: Path) -> None:
    seed = documents.strip_marks((documents.SEEDS / "helsinki-summit-cyber.ar.txt").read_text(encoding="utf-8"))
    document = documents.segment(" ".join([" ".join(seed.split())] * 3), Metadata(title="One paragraph"))
    assert len(document.paragraphs) == 1
    for layout in pdf.LAYOUTS:
        path = write(tmp_path, document, f"{layout}.pdf", layout=layout)
        pages = read_layout(path)
        assert len(pages) >= 3
        assert_geometry(pages, side_by_side=layout == "side-by-side")
        assert_sentences_extracted(document, *texts(path, pages, layout))


def test_hostile_text_is_printed_literally(tmp_path: Path) -> None:
    document = documents.hostile_document()
    for layout in pdf.LAYOUTS:
        path = write(tmp_path, document, f"{layout}.pdf", layout=layout)
        pages = read_layout(path)
        arabic, english = texts(path, pages, layout)
        text = " ".join(english.split())
        assert '<script>alert("x")</script>' in text
        assert "A & B < C > D" in text
        assert "{nb}" in text  # not replaced by a page count
        assert "emoji \ufffd and NUL and bell | pipe" in text  # no glyph: U+FFFD; controls dropped
        assert pdf_layout.UNTRANSLATED in text
        assert "\x00" not in text + arabic
        assert letters("<b>عريض</b> &amp; معكوس") in letters(arabic)  # bidi override dropped, order kept
        assert_geometry(pages, side_by_side=layout == "side-by-side")


def test_unbreakable_word_wider_than_a_column_is_broken_inside_the_margins(tmp_path: Path) -> None:
    url = "https://example.com/" + "a" * 300
    document = documents.build([[("انظر " + url, "See " + url, ((0, 0), (1, 1)))]], Metadata(title="URL"))
    for layout in pdf.LAYOUTS:
        path = write(tmp_path, document, f"{layout}.pdf", layout=layout)
        assert_geometry(read_layout(path), side_by_side=layout == "side-by-side")
        assert url in "".join(run("pdftotext", path, "-").split())


def test_empty_document_renders_a_header_only_page(tmp_path: Path) -> None:
    path = write(tmp_path, Document(text="", meta=Metadata(title="Empty")))
    assert page_count(path) == 1
    assert "Empty" in run("pdftotext", path, "-")


def test_unknown_options_raise_export_error() -> None:
    document = documents.sample_document()
    with pytest.raises(ExportError, match="layout"):
        pdf.render(document, layout="columns")
    with pytest.raises(ExportError, match="page size"):
        pdf.render(document, page_size="A3")


def test_markdown_layout_name_table_means_side_by_side() -> None:
    document = documents.sample_document()
    assert page_count_of(pdf.render(document, layout="table")) == page_count_of(pdf.render(document)) == 1


def page_count_of(data: bytes) -> int:
    return data.count(b"/Type /Page\n")


def test_registry_renders_pdf(tmp_path: Path) -> None:
    path = export.write(documents.sample_document(), "pdf", tmp_path / "x.pdf", layout="interleaved")
    assert page_count(path) == 1


@pytest.mark.parametrize("layout", pdf.LAYOUTS)
def test_first_page_renders_to_png(tmp_path: Path, artifacts_dir: Path, layout: str) -> None:
    path = write(tmp_path, documents.translated_seed_document(), layout=layout)
    prefix = artifacts_dir / f"pdf-page1-{layout}"
    run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", path, prefix)
    png = prefix.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (662, 936)  # A4 (595 x 842 pt) at 80 dpi, rounded up


def test_overlong_title_and_metadata_are_clipped_with_an_ellipsis(tmp_path: Path) -> None:
    base = documents.sample_document()
    meta = Metadata(title="headline " * 400, source="https://example.com/" + "x" * 2000, model="m")
    path = write(tmp_path, Document(base.text, base.paragraphs, meta))
    pages = read_layout(path)
    assert_geometry(pages, side_by_side=True)
    header = [ln for ln in pages[0].lines if ln[0].y0 < 60 * MM and ln[0].text == "headline"]
    assert len(header) == 4 and header[-1][-1].text.endswith("…")


def test_source_paragraph_without_arabic_keeps_left_to_right(tmp_path: Path) -> None:
    """A Latin-only paragraph in the Arabic column: right-aligned, but its "?" stays at the end."""
    document = documents.build(
        [[("Is it 2025?", "Is it 2025?", ((0, 0), (1, 1), (2, 2)))], [("هل هذا صحيح؟", "Is this right?", ())]],
        Metadata(title="t"),
    )
    path = write(tmp_path, document)
    pages = read_layout(path)
    line = next(ln for ln in pages[0].lines if ln[0].x0 > pages[0].width / 2 and ln[0].text == "Is")
    assert [w.text for w in line] == ["Is", "it", "2025?"]
    assert line[-1].x1 == pytest.approx(pages[0].width - pdf_layout.MARGIN * MM, abs=1.5)


# -- flag marks -------------------------------------------------------------------------------

# Sentence positions (document order) in the central bank article and the flags added to them,
# all on page 1 (pdftotext mixes up the English lines of a page that reads right to left).
FLAGS = {
    1: (Flag.LOW_SCORE, Flag.NUMBER_MISMATCH),
    4: (Flag.REPETITION,),
    5: (Flag.SUB_SPLIT, Flag.LENGTH_RATIO),
    6: (Flag.CACHED,),
    7: (Flag.PASSTHROUGH,),
}
LEGEND = [
    ("=", "passthrough: no Arabic letters, copied without the model"),
    ("÷", "sub-split: too long for the model, translated in parts"),
    ("?", "low model confidence"),
    ("×", "repetition in the model output"),
    ("±", "translation unusually short or long for its source"),
    ("#", "a number in the source is missing from the translation"),
]
MARK_RUN = re.compile(r"(?:^| )([=÷?×±#]+)(?= |$)")  # a word of marks only


def flagged_document() -> Document:
    return documents.with_flags(documents.translated_seed_document(), FLAGS)


def page_one_text(path: Path) -> str:
    return " ".join(run("pdftotext", "-f", "1", "-l", "1", path, "-").split())


def test_printed_marks_are_single_non_letters_that_the_shipped_fonts_have() -> None:
    """Drawn with the shipped fonts only; no letter or digit, so copied sentences keep their words. The edit
    mark is the view's own ✎, from the marks font; the others are Noto Sans's."""
    metrics = fonts.Metrics()
    printed = [m.printed for m in FLAG_MARKS.values() if m.printed]
    assert printed == ["=", "÷", "?", "×", "±", "#", "§", "✎"]
    assert FLAG_MARKS[Flag.EDITED].printed == FLAG_MARKS[Flag.EDITED].glyph == "✎"
    for glyph in printed:
        family = "marks" if glyph == "✎" else "sans"
        assert ord(glyph) in metrics.coverage[(family, "")] and ord(glyph) in metrics.coverage[(family, "B")]
        assert not letters(glyph)
    assert FLAG_MARKS[Flag.CACHED].printed == ""  # where a translation came from says nothing about it


@pytest.mark.parametrize("layout", pdf.LAYOUTS)
def test_flag_marks_follow_their_sentences_and_a_legend_lists_them(
    tmp_path: Path, artifacts_dir: Path, layout: str
) -> None:
    document = flagged_document()
    path = write(tmp_path, document, layout=layout)
    pages = read_layout(path)
    english = " ".join(texts(path, pages, layout)[1].split())
    body = english[english.index(document.sentences[0].translation) :]  # below the legend
    assert MARK_RUN.findall(body) == ["?#", "×", "÷±", "="]  # the cached sentence has none
    assert "polled by Reuters. ?#" in body
    assert "the monetary easing cycle is near? × Dr. Ahmed Salem" in body
    assert "depends on many external factors. ÷±" in body
    assert "chief among them: =" in body
    # Rows stay level and whole, pages numbered, every English sentence extracted in order.
    for sentence in document.sentences:
        assert letters(sentence.translation) in letters(body), sentence.translation
    assert_geometry(pages, side_by_side=layout == "side-by-side")
    assert_page_numbers(pages)
    header = page_one_text(path)
    for glyph, description in LEGEND:
        assert f"{glyph} {description}" in header
    assert "Marks:" in header and "from the cache" not in header
    prefix = artifacts_dir / f"pdf-page1-flags-{layout}"
    run("pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", path, prefix)
    assert prefix.with_suffix(".png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_marks_are_small_and_raised_after_the_sentence_end(tmp_path: Path) -> None:
    pages = read_layout(write(tmp_path, flagged_document()))
    line = next(ln for ln in pages[0].lines if ln[-1].text == "?#")
    end, marks = line[-2], line[-1]
    assert end.text == "Reuters."
    assert 0 < marks.x0 - end.x1 < 1.5  # right after the full stop, no space
    assert marks.y1 - marks.y0 < 0.75 * (end.y1 - end.y0)  # a smaller size
    assert (marks.y0 + marks.y1) / 2 < (end.y0 + end.y1) / 2 - 1  # raised


def test_legend_lists_only_the_marks_present(tmp_path: Path) -> None:
    document = documents.with_flags(
        documents.translated_seed_document(), {2: (Flag.LOW_SCORE,), 3: (Flag.LOW_SCORE, Flag.CACHED)}
    )
    header = page_one_text(write(tmp_path, document))
    assert "Marks: ? low model confidence" in header
    assert [d for _, d in LEGEND if d in header] == ["low model confidence"]
    assert "from the cache" not in header


def test_no_legend_or_mark_without_flags_and_none_for_cached_sentences(tmp_path: Path) -> None:
    plain = documents.translated_seed_document()
    cached = documents.with_flags(plain, dict.fromkeys(range(len(plain.sentences)), (Flag.CACHED,)))
    for layout in pdf.LAYOUTS:
        text = run("pdftotext", write(tmp_path, plain, f"plain-{layout}.pdf", layout=layout), "-")
        assert "Marks:" not in text
        assert run("pdftotext", write(tmp_path, cached, f"cached-{layout}.pdf", layout=layout), "-") == text


def test_article_text_cannot_fake_a_mark(tmp_path: Path) -> None:
    """The character that glues marks to a sentence is dropped from article text like any control."""
    document = documents.build([[("جملة فيها رمز", f"fake{pdf_layout.MARK}?# mark", ((0, 0),))]], Metadata(title="t"))
    text = " ".join(run("pdftotext", write(tmp_path, document), "-").split())
    assert "fake?# mark" in text and "Marks:" not in text


def test_marks_stay_with_a_word_broken_across_lines(tmp_path: Path) -> None:
    url = "https://example.com/" + "a" * 300
    document = documents.build([[("انظر " + url, "See " + url, ((0, 0), (1, 1)))]], Metadata(title="URL"))
    document = documents.with_flags(document, {0: (Flag.LOW_SCORE,)})
    for layout in pdf.LAYOUTS:
        path = write(tmp_path, document, f"{layout}.pdf", layout=layout)
        pages = read_layout(path)
        assert_geometry(pages, side_by_side=layout == "side-by-side")
        assert f"See{url}?" in "".join(texts(path, pages, layout)[1].split())
