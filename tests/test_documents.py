"""Documents in (PDF from several producers, DOCX, EPUB), bad documents refused in one line, and the EPUB out."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from reader import api, ingest
from reader.config import Settings
from reader.document import Document, Edit
from reader.documents import extract, kind_of
from reader.documents.arabic import logical_line, unswap_lam_alef
from reader.errors import InputError
from reader.export import render
from tests.support.fake import FakeTranslator

DATA = Path(__file__).parent / "data" / "documents"
PDFS = sorted((DATA / "pdf").glob("*.pdf"))
TEXT_PDFS = [p for p in PDFS if not p.name.startswith("scan")]
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")

_spec = importlib.util.spec_from_file_location("documents_eval", DATA.parents[2] / "benchmarks" / "documents_eval.py")
evaluation = importlib.util.module_from_spec(_spec)
sys.modules["documents_eval"] = evaluation
_spec.loader.exec_module(evaluation)


@pytest.fixture
def settings() -> Settings:
    return replace(Settings.load(), ocr="off")


def truth(path: Path) -> list[str]:
    return path.with_name(path.name + ".truth.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("path", TEXT_PDFS, ids=lambda p: p.stem)
def test_each_producers_pdf_reads_in_logical_order(path: Path, settings: Settings) -> None:
    extracted = extract(path, settings)
    score = evaluation.Score()
    evaluation.score(truth(path), [p.text for p in extracted.pieces], score)
    assert score.ordered == score.paragraphs
    assert score.bare_errors / score.chars <= 0.01
    assert score.errors / score.chars <= 0.02
    assert score.hits / score.true_breaks >= 0.9
    assert not extracted.warnings
    pages = [p.page for p in extracted.pieces]
    assert pages[0] == 1 and pages == sorted(pages) and max(pages) == extracted.pages


def test_running_headers_and_page_numbers_are_not_paragraphs(settings: Settings) -> None:
    text = "\n".join(p.text for p in extract(DATA / "pdf" / "chromium-columns.pdf", settings).pieces)
    assert "مجلة الطاقة والبيئة" not in text
    assert not any(line.strip().isdigit() for line in text.splitlines())
    text = "\n".join(p.text for p in extract(DATA / "pdf" / "fpdf2-naskh.pdf", settings).pieces)
    assert "نشرة الأخبار" not in text


def test_image_only_pages_say_they_need_ocr(settings: Settings) -> None:
    extracted = extract(DATA / "pdf" / "scan-naskh.pdf", settings)
    assert extracted.pieces == ()
    assert [w.split(":")[0] for w in extracted.warnings] == [f"page {n} needs OCR" for n in (1, 2)]
    with pytest.raises(InputError, match="page 1 needs OCR"):
        ingest.read_file(DATA / "pdf" / "scan-naskh.pdf", settings)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr and tesseract-ocr-ara")
def test_ocr_reads_a_scanned_page_and_marks_it() -> None:
    from reader.documents.ocr import has_arabic_ocr, read_page

    if not has_arabic_ocr():
        pytest.skip("tesseract-ocr-ara is not installed")
    paragraphs = read_page(DATA / "pdf" / "scan-naskh.pdf", 1)
    assert any("الزراعة" in p for p in paragraphs)


def test_logical_line_keeps_numbers_latin_and_lam_alef() -> None:
    # Glyphs as drawn left to right; a ligature glyph is one unit in its own (logical) order.
    visual = [*list("%15.7 "), "ة", "ب", "س", "ن", "ب", " ", ")", "F", "A", "O", "(", " ", "م", "لا", "س"]
    assert logical_line(visual) == "سلام (FAO) بنسبة 15.7%"
    assert logical_line([*list("789-456-0123 "), "ى", "ل", "إ"]) == "إلى 0123-456-789"
    assert unswap_lam_alef("زيادة اإلنتاجية واألمم") == "زيادة الإنتاجية والأمم"


def test_docx_keeps_headings_lists_and_table_cells(settings: Settings) -> None:
    pieces = extract(DATA / "docx" / "report.docx", settings).pieces
    kinds = {p.text: p.kind for p in pieces}
    assert kinds["تقرير الإنتاجية الزراعية لعام 2024"] == "heading"
    assert kinds["زيادة الإنتاج المحلي من القمح"] == "list-item"
    assert [p.text for p in pieces if p.kind == "table-cell"] == ["المحصول", "الإنتاج بالطن", "القمح", "430 ألف"]
    assert not any("\u200f" in p.text for p in pieces)  # Word's direction marks are display hints


def test_docx_puts_display_order_digit_groups_back() -> None:
    from reader.documents.docx import _tidy

    assert _tidy("بلغ العدد 000 1 شخص\u200f", True) == "بلغ العدد 1 000 شخص"
    assert _tidy("في عام 2024 بلغ 500", True) == "في عام 2024 بلغ 500"


def test_epub_reads_spine_order_notes_images_and_never_scripts(settings: Settings) -> None:
    extracted = extract(DATA / "epub" / "report-letter.epub", settings)
    texts = [p.text for p in extracted.pieces]
    assert texts.index("تقرير الإنتاجية الزراعية لعام 2024") < texts.index("رسالة إلى أعضاء الجمعية")
    assert ("حقل قمح", "image") in [(p.text, p.kind) for p in extracted.pieces]
    assert ("المصدر: وزارة الزراعة، 2024.", "note") in [(p.text, p.kind) for p in extracted.pieces]
    assert "وتشير البيانات إلى تحسن ملحوظ." in texts  # the note reference's number is not text
    assert not any("alert" in t or "pwned" in t for t in texts)
    assert extracted.meta.author == "وزارة الزراعة" and extracted.meta.date == "2024-05-01"


def test_a_document_is_known_by_its_first_bytes(tmp_path: Path, settings: Settings) -> None:
    renamed = tmp_path / "report.bin"
    renamed.write_bytes((DATA / "pdf" / "libreoffice-sans.pdf").read_bytes())
    assert kind_of(renamed) == "pdf"
    assert ingest.read_file(renamed, settings).blocks[0].page == 1
    docx = tmp_path / "word"
    docx.write_bytes((DATA / "docx" / "report.docx").read_bytes())
    assert kind_of(docx) == "docx"


def test_bad_documents_get_one_line(tmp_path: Path, settings: Settings) -> None:
    from fpdf import FPDF

    locked = FPDF()
    locked.add_page()
    locked.set_encryption(owner_password="owner", user_password="secret")
    locked.output(str(tmp_path / "locked.pdf"))
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 30_000_000)
    (tmp_path / "bomb.docx").write_bytes(bomb.getvalue())
    (tmp_path / "truncated.epub").write_bytes((DATA / "epub" / "report-letter.epub").read_bytes()[:900])
    expected = {
        "locked.pdf": "encrypted with a password",
        "corrupt.pdf": "not a readable PDF",
        "bomb.docx": "zip bomb",
        "truncated.epub": "not a readable zip archive",
    }
    for name, reason in expected.items():
        with pytest.raises(InputError) as caught:
            ingest.read_file(tmp_path / name, settings)
        message = str(caught.value)
        assert reason in message and "\n" not in message and message.startswith(str(tmp_path / name))


def test_document_structure_round_trips_and_old_files_load(settings: Settings) -> None:
    article = ingest.read_file(DATA / "pdf" / "libreoffice-sans.pdf", settings)
    document = api.translate_article(article, FakeTranslator(), settings)
    assert document.paragraphs[0].kind == "heading" and document.paragraphs[-1].page == 3
    assert {p.kind for p in document.paragraphs} >= {"heading", "list-item", ""}
    assert Document.from_json(document.to_json()) == document
    plain = Document.from_json((Path(__file__).parent / "data" / "document-v1.json").read_text(encoding="utf-8"))
    assert all(p.kind == "" and p.page is None for p in plain.paragraphs)
    assert '"page"' not in plain.to_json() and '"kind"' not in plain.to_json()


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved", "english"])
def test_bilingual_epub_passes_epubcheck(layout: str, tmp_path: Path, settings: Settings) -> None:
    article = ingest.read_file(DATA / "pdf" / "libreoffice-sans.pdf", settings)
    document = api.translate_article(article, FakeTranslator(), settings)
    first = document.paragraphs[1].sentences[0]
    edited = replace(first, edit=Edit("The reader's <b>own</b> version"))
    paragraph = replace(document.paragraphs[1], sentences=(edited, *document.paragraphs[1].sentences[1:]))
    document = replace(document, paragraphs=(document.paragraphs[0], paragraph, *document.paragraphs[2:]))
    book = render(document, "epub", layout=layout)
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert archive.namelist()[0] == "mimetype"
        chapters = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml"))
        nav = archive.read("OEBPS/nav.xhtml").decode()
    assert "p. 1" in chapters and "p. 3" in chapters
    assert 'class="s edited"' in chapters and "&lt;b&gt;own&lt;/b&gt;" in chapters
    assert "<script" not in chapters
    assert 'lang="ar" xml:lang="ar" dir="rtl"' in chapters and 'lang="en"' in chapters
    assert "تقرير الإنتاجية الزراعية" in nav  # the table of contents in both languages
    if not EPUBCHECK.is_file() or shutil.which("java") is None:
        pytest.skip("needs Debian's epubcheck")
    path = tmp_path / "book.epub"
    path.write_bytes(book)
    checked = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors / 0 warnings" in checked.stdout
