"""Documents in (PDF from several producers, DOCX, EPUB), bad documents refused in one line, and the EPUB out."""

from __future__ import annotations

import importlib.util
import io
import re
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
from reader.documents.arabic import glued_punctuation, logical_line, unswap_lam_alef
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


UNREADABLE = {
    "real-xetex-alkalami": "the Alkalami font maps no character to its hamza glyphs: 12 are lost (أنظمة read انظمة)",
}


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=UNREADABLE[p.stem])) if p.stem in UNREADABLE else p
     for p in TEXT_PDFS],
    ids=lambda p: p.stem,
)
def test_each_producers_pdf_reads_in_logical_order(path: Path, settings: Settings) -> None:
    extracted = extract(path, settings)
    score = evaluation.Score()
    evaluation.score(truth(path), [p.text for p in extracted.pieces], score)
    assert score.ordered == score.paragraphs
    assert score.errors / score.chars <= 0.01
    assert score.hits / score.true_breaks >= 0.9 and score.hits / score.found_breaks >= 0.9
    assert not extracted.warnings
    pages = [p.page for p in extracted.pieces]
    assert pages[0] == 1 and pages == sorted(pages) and max(pages) == extracted.pages


def test_real_documents_marks_line_numbers_and_narrow_spaces(settings: Settings) -> None:
    """Pages typeset elsewhere (tests/data/documents/REAL.md): LuaTeX stores a mark after its letter, a critical
    edition numbers its lines in the margin, and Alkalami's word spaces are 0.05 em."""
    text = "\n".join(p.text for p in extract(DATA / "pdf" / "real-luatex-jahiz.pdf", settings).pieces)
    assert "دَجَاجَةُ أَبِي ٱلْهُذَيْلِ ٱلْعَلَّافِ" in text
    assert "وَكَانَ <أَبُو ٱلْهُذَيْلِ> يُعْرَفُ بِٱلْإِمْسَاكِ" in text
    assert not re.search(r"(?<!\S)\d+(?!\S)", text.split("ٱلْعَلَّافِ", 1)[1])  # no line number left in the text
    alkalami = extract(DATA / "pdf" / "real-xetex-alkalami.pdf", settings)
    # Its font names no character for its 12 hamza glyphs: left out, and said (the text is otherwise sound).
    assert alkalami.warnings == (
        "page 1: 12 mark(s) drawn by the font have no character in the PDF and are left out"
        " (a hamza or a haraka may be missing)",
    )
    assert [p.text for p in alkalami.pieces][:2] == ["ما هي الشفرة الموحدة يونِكود؟", alkalami.pieces[1].text]
    assert alkalami.pieces[1].text.startswith("تتعامل الحواسيب بالأسام مع الأرقام فقط، و تخزن الحروف")
    assert "أي حاسوب (خاصة الخواديم)" in alkalami.pieces[2].text.replace("اي", "أي")


def test_lualatex_mirrors_parentheses_but_not_guillemets(settings: Settings) -> None:
    """Each kind of bracket gets the file's own convention: LuaTeX with Amiri stores "(" drawn mirrored as ")",
    and a guillemet as itself."""
    text = "\n".join(p.text for p in extract(DATA / "pdf" / "heldout-lualatex-amiri.pdf", settings).pieces)
    assert "الدولار الأمريكي (USD) يتأثر" in text
    assert "«هنا لا أحد يستعجل الوقت»" in text


def test_xelatex_tanween_at_a_lines_end_and_lines_pushed_down_by_harakat(settings: Settings) -> None:
    """XeTeX draws a line's last tanween at the page's margin, left of its alef's box; and it sets a line with
    stacked harakat nearly a paragraph skip lower: neither loses the mark nor cuts the paragraph."""
    paragraphs = [p.text for p in extract(DATA / "pdf" / "heldout-xelatex-amiri.pdf", settings).pieces]
    text = "\n".join(paragraphs)
    assert "بعد ستين يوماً من" in text and "استخباراتياً روسياً" in text
    assert "والصين وإيران وكوريا الشمالية بالمعتدين" in text and "من مثل هذا التفاهم، لكن" in text
    assert "وكانت شركة CrowdStrike، وهي" in text and "دان كوتس Dan Coats، مدير" in text


def test_a_column_whose_median_size_is_no_lines_size_is_read() -> None:
    from reader.documents.pdf import Line, Page, _page_paragraphs

    page = Page(1, 400, 600, [Line("عنوان", 100, 300, 50, 64, 14.0, True, True, baseline=-540),
                              Line("نص الفقرة الأولى", 100, 300, 80, 90, 10.0, False, True, baseline=-510)])
    assert [p.text for p in _page_paragraphs(page)] == ["عنوان", "نص الفقرة الأولى"]


def test_teh_marbuta_and_alef_maksura_end_a_word() -> None:
    from reader.documents.pdf import _tidy

    assert _tidy("البيوت المتلاصقةكأنها لوحة إلىالمدينة") == "البيوت المتلاصقة كأنها لوحة إلى المدينة"
    assert _tidy("مدرسةً جديدة") == "مدرسةً جديدة"


def test_acrobat_distillers_lam_alef_hamza_tatweel_and_footer(settings: Settings) -> None:
    """A page printed to Acrobat Distiller: lam-alef drawn as two overlapping glyphs with the hamza stored beside
    them, tatweel glyphs drawn over letters, and a footer citing its page, alone on a one-page file."""
    text = "\n".join(p.text for p in extract(DATA / "pdf" / "real-distiller-harmattan.pdf", settings).pieces)
    assert "في مراحله الأولى والأساسية على الأقل بالمجان" in text and "للآباء الحق الأول" in text
    assert "\u0640" not in text and "Page 6" not in text


def test_a_narrow_spaced_fonts_word_gap_is_learnt_but_not_from_odd_kerning() -> None:
    """Alkalami's letters touch and its words are 0.05 em apart: that gap is its space. A font whose letters
    touch but for a kern now and then (one gap in twenty at 0.05 em) keeps the usual word gap."""
    from reader.documents.pdf import _word_gaps

    def row(apart_every: int) -> list[dict]:
        glyphs, x = [], 0.0
        for i in range(60):
            glyphs.append({"text": "ب", "x0": x, "x1": x + 5, "size": 10.0, "fontname": "F"})
            x += 5 + (0.5 if i % apart_every == apart_every - 1 else 0.0)
        return glyphs

    assert 0.012 < _word_gaps([row(5)])["F"] < 0.05
    assert _word_gaps([row(20)]) == {}


def test_a_kerned_word_space_after_a_joining_letter_is_a_space() -> None:
    """A letter that joins the next one touches it: a gap narrower than a word space after one is still a space
    (LuaTeX sets Amiri's keheh over the space before it, زرناه كان), where a letter that joins nothing before it
    (reh) may stand apart inside a word, and joined letters a few hundredths of an em apart stay one word."""
    from reader.documents.pdf import _line

    def line(*glyphs: tuple[str, float]) -> str:
        """Glyphs given right to left, each with the gap (in em) at its left."""
        drawn, x = [], 100.0
        for order, (text, gap) in enumerate(glyphs):
            drawn.append({"text": text, "x0": x - 5, "x1": x, "size": 10.0, "fontname": "F", "order": order,
                          "matrix": (1, 0, 0, 1, x - 5, 500), "top": 490, "bottom": 502})
            x -= 5 + gap * 10
        found = _line(drawn[::-1], 0, {})
        assert found is not None
        return found.text

    assert line(("ز", 0), ("ر", 0), ("ن", 0), ("ا", 0), ("ه", 0.086), ("ك", 0), ("ا", 0), ("ن", 0)) == "زرناه كان"
    assert line(("ز", 0.12), ("ي", 0), ("ا", 0), ("د", 0), ("ة", 0)) == "زيادة"
    assert line(("ي", 0.036), ("ع", 0), ("د", 0)) == "يعد"


def test_margin_line_numbers_go_but_a_tables_numbers_stay() -> None:
    from reader.documents.pdf import _without_line_numbers

    def glyph(text: str, x0: float) -> dict:
        return {"text": text, "x0": x0, "x1": x0 + 5, "size": 10.0}

    def numbered(n: int) -> list[dict]:
        return [glyph("ب", 100 + 6 * i) for i in range(30)] + [glyph(str(n), 320)]

    rows = [numbered(n) for n in (1, 2, 3)]
    assert all(len(row) == 30 for row in _without_line_numbers(rows))
    # A paragraph as wide as the numbers' column: they are a table's, inside the text.
    wide = [glyph("ت", 100 + 6 * i) for i in range(40)]
    assert [len(row) for row in _without_line_numbers([wide, *[numbered(n) for n in (1, 2, 3)]])] == [40, 31, 31, 31]


def test_vocalized_text_and_a_symbol_fonts_glyph_are_credible() -> None:
    """Harakat do not cut words in the check for OCR, and one unmapped clock glyph in an exam does not sink a page."""
    from reader.documents.pdf import _credible

    assert _credible("كَانَ أَبُو ٱلْهُذَيْلِ أَهْدَى إِلَى مُوَيْسٍ دَجَاجَةً. وَكَانَتْ دَجَاجَتُهُ ٱلَّتِي أَهْدَاهَا")
    exam = "ثانوية الدكتور أحمد عروة السنة الدراسية امتحان الفصل الأول مادة الرياضيات المدة ساعتان "
    assert _credible(exam * 3 + "(cid:151) (cid:0) (cid:0) (cid:0) (cid:0)")
    assert not _credible("(cid:3)(cid:5)(cid:7)(cid:9) ما (cid:11)(cid:12)")
    # A manual's source listing: comment rules in a symbol font among Arabic words.
    assert _credible(exam + "%(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)(cid:0)")
    # An English page quoting Arabic letters alone, and a table of contents, have a text layer too.
    english = "By default Amiri places the kasrah in combination with the tashdid below the consonant ِّـ ـ ّ س ش "
    assert _credible(english * 3)
    assert _credible("Contents 1 Loading Package . . . . . . . . . . . . . . . . . . . . . . 4 " * 3)
    assert not _credible("\\ ¨r` A\\ r` A\\ ¨ r`  \\ ¨  A  ¨r A\\ ¨r` A\\ r` A\\ ¨ r`")


def test_running_headers_and_page_numbers_are_not_paragraphs(settings: Settings) -> None:
    text = "\n".join(p.text for p in extract(DATA / "pdf" / "chromium-columns.pdf", settings).pieces)
    assert "مجلة الطاقة والبيئة" not in text
    # One page: no other page repeats the header, but it is small print far atop the page.
    one_page = extract(DATA / "pdf" / "heldout-chromium-sans.pdf", settings).pieces
    assert "مجلة الطاقة والبيئة" not in "\n".join(p.text for p in one_page)
    assert one_page[0].kind == "heading"
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


def test_xetex_draws_each_latin_word_as_an_island_with_its_punctuation() -> None:
    """XeTeX draws Latin words typed into Arabic one by one, right to left, each with the comma or full stop typed
    after it stuck to its right: read so when a file's punctuation sticks to the right of its Latin words."""
    visual = [*"Coats،", " ", *"Dan", " ", "س", "ت", "و", "ك", " ", *"Xelatex.", " ", "ك", "ر", "ح", "م", "ل", "ا"]
    assert glued_punctuation(visual) == (2, 0)
    assert logical_line(visual, islands=True) == "المحرك Xelatex. كوتس Dan Coats،"
    # As the Unicode bidi algorithm draws the same words (Chromium, LibreOffice): the stop at the word's left.
    assert glued_punctuation([*".Xelatex", " ", "ك", "ر", "ح", "م"]) == (0, 1)
    assert logical_line([*".Xelatex", " ", "ك", "ر", "ح", "م"]) == "محرك Xelatex."


@pytest.mark.parametrize("name", ["docx/report.docx", "odt/report.odt"])
def test_word_processor_files_keep_headings_lists_and_table_cells(name: str, settings: Settings) -> None:
    pieces = extract(DATA / name, settings).pieces
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
    books = {"book.epub": book}
    if layout == "english":  # hostile text (markup, controls, bidi overrides) in the tooltips too
        from tests.support.documents import hostile_document

        books["hostile.epub"] = render(hostile_document(), "epub", layout=layout)
    for name, data in books.items():
        path = tmp_path / name
        path.write_bytes(data)
        checked = subprocess.run(
            ["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=120
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "0 errors / 0 warnings" in checked.stdout


def test_cli_translates_a_pdf_to_pdf_and_epub(fake_model, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reader.cli import cli

    out = tmp_path / "out"
    args = ["translate", str(DATA / "pdf" / "chromium-columns.pdf"), "--format", "pdf,epub,html", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--no-library", "--layout", "interleaved"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"chromium-columns.pdf", "chromium-columns.epub", "chromium-columns.html"}
    html = (out / "chromium-columns.html").read_text(encoding="utf-8")
    assert "layout-interleaved" in html and "p. 3" in html
    assert (out / "chromium-columns.pdf").read_bytes().startswith(b"%PDF")


def test_cli_extract_shows_pages_kinds_and_pages_needing_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from click.testing import CliRunner

    from reader.cli import cli

    shown = CliRunner().invoke(cli, ["extract", str(DATA / "docx" / "report.docx")], catch_exceptions=False)
    assert "[1] (heading 1) تقرير الإنتاجية الزراعية لعام 2024" in shown.output
    assert "(table-cell) المحصول" in shown.output
    listed = CliRunner().invoke(cli, ["extract", "--json", str(DATA / "pdf" / "fpdf2-naskh.pdf")])
    record = json.loads(listed.output)
    assert record["structure"][0] == {"kind": "heading", "level": 2, "page": 1, "ocr": False}
    assert record["structure"][-1]["page"] == 2
    monkeypatch.setenv("READER_OCR", "off")
    refused = CliRunner().invoke(cli, ["extract", str(DATA / "pdf" / "scan-naskh.pdf")])
    assert refused.exit_code == 1
    assert "page 1 needs OCR" in refused.output and "Traceback" not in refused.output


def test_pdf_english_layout_puts_each_paragraphs_arabic_in_a_note(settings: Settings) -> None:
    import pdfplumber

    article = ingest.read_file(DATA / "pdf" / "libreoffice-sans.pdf", settings)
    document = api.translate_article(article, FakeTranslator(), settings)
    with pdfplumber.open(io.BytesIO(render(document, "pdf", layout="english"))) as pdf:
        notes = [a.get("contents", "") for page in pdf.pages for a in page.annots]
        text = " ".join(page.extract_text() for page in pdf.pages)
    assert notes == [p.source for p in document.paragraphs]
    assert "(p. 1)" in text and "(p. 3)" in text


def test_batch_translates_documents_in_a_folder_with_their_pages(tmp_path: Path, fake_model) -> None:
    from reader.library import document_id
    from tests.support.batching import batch

    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    shutil.copy(DATA / "pdf" / "chromium-columns.pdf", src / "report.pdf")
    shutil.copy(DATA / "epub" / "report-letter.epub", src / "book.epub")
    result = batch([str(src)], out, formats=["json", "epub"], settings=fake_model.settings(ocr="off"))
    assert sorted(result.new) == sorted(str((src / name).resolve()) for name in ("report.pdf", "book.epub"))
    stem = document_id(str((src / "report.pdf").resolve()))
    document = Document.from_json((out / "articles" / f"{stem}.json").read_text(encoding="utf-8"))
    assert [p.page for p in document.paragraphs][-1] == 3
    assert (out / "articles" / f"{stem}.epub").read_bytes().startswith(b"PK")


def test_a_paragraph_goes_on_across_a_page_past_its_footnote(tmp_path: Path, settings: Settings) -> None:
    from fpdf import FPDF

    fonts = DATA.parents[2] / "reader" / "fonts"
    lines = truth(DATA / "pdf" / "fpdf2-dejavu.pdf")
    body = lines[1:7] + lines[8:11]  # the two texts without their headlines

    class WithFootnote(FPDF):
        def footer(self) -> None:
            if self.page_no() == 1:
                self.set_y(-16)
                self.set_font("naskh", size=8)
                self.multi_cell(0, 4, "1- المصدر: تقرير الوكالة الدولية للطاقة المتجددة.", align="R")

    pdf = WithFootnote(format=(148, 210))  # A5
    pdf.add_font("naskh", "", str(fonts / "NotoNaskhArabic-Regular.ttf"))
    pdf.add_font("sans", "", str(fonts / "NotoSans-Regular.ttf"))
    pdf.set_fallback_fonts(["sans"])
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    pdf.set_font("naskh", size=12)
    for text in body:
        pdf.multi_cell(0, 8, text, align="R")
        pdf.ln(4)
    pdf.output(str(tmp_path / "footnote.pdf"))
    pieces = extract(tmp_path / "footnote.pdf", settings).pieces
    assert [evaluation.bare(p.text) for p in pieces if p.kind == ""] == [evaluation.bare(t) for t in body]
    assert [(p.kind, p.page) for p in pieces if "المصدر" in p.text] == [("note", 1)]
    assert max(p.page for p in pieces) == 2


def test_a_footnote_follows_the_paragraph_that_carries_its_mark(tmp_path: Path, settings: Settings) -> None:
    from fpdf import FPDF

    cites = "وأعلنت الوكالة الدولية للطاقة المتجددة(1) أن القدرة المركبة ارتفعت بنسبة كبيرة خلال العام الماضي."
    after = "وفي سياق متصل، بدأت عدة دول في المنطقة تنفيذ مشروعات جديدة لتخزين الطاقة."
    note = "(1) المصدر: التقرير السنوي للوكالة الصادر في شهر يناير."

    class WithFootnote(FPDF):
        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("naskh", size=8)
            self.multi_cell(0, 4, note, align="R")

    pdf = WithFootnote(format=(148, 210))
    pdf.add_font("naskh", "", str(DATA.parents[2] / "reader" / "fonts" / "NotoNaskhArabic-Regular.ttf"))
    pdf.add_font("sans", "", str(DATA.parents[2] / "reader" / "fonts" / "NotoSans-Regular.ttf"))
    pdf.set_fallback_fonts(["sans"])
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
    pdf.add_page()
    pdf.set_font("naskh", size=12)
    for text in (cites, after):
        pdf.multi_cell(0, 8, text, align="R")
        pdf.ln(4)
    pdf.output(str(tmp_path / "note.pdf"))
    pieces = extract(tmp_path / "note.pdf", settings).pieces
    assert [(p.kind, evaluation.bare(p.text)) for p in pieces] == [("", cites), ("note", note), ("", after)]


def test_app_reading_view_takes_the_layout_and_shows_pages(settings: Settings) -> None:
    from reader.app import read as reading

    article = ingest.read_file(DATA / "pdf" / "chromium-columns.pdf", settings)
    document = api.translate_article(article, FakeTranslator(), settings)
    assert set(reading.LAYOUT_LABELS) == set(reading.LAYOUTS)
    for layout in reading.LAYOUTS:
        page = reading.draft_page(document, layout=layout)
        assert f'class="reader layout-{layout}"' in page and ">p. 3</span>" in page


def test_a_legacy_arabic_fonts_latin1_codes_are_read_as_windows_1256() -> None:
    from reader.documents.pdf import _windows_1256

    word = "العربية".encode("cp1256").decode("latin-1")  # ÇáÚÑÈíÉ, as such a font's codes read
    chars = [{"text": ch} for ch in word * 4] + [{"text": "1"}, {"text": " "}]
    assert "".join(c["text"] for c in _windows_1256(chars)) == "العربية" * 4 + "1 "
    french = [{"text": ch} for ch in "Élève à côté" * 4]
    assert _windows_1256(french) == french


@pytest.mark.slow
def test_a_long_pdf_killed_mid_translation_loses_no_finished_sentence(tmp_path: Path, fake_model) -> None:
    """kill -9 while a PDF is translated: the next run takes every sentence finished before from the cache."""
    import os
    import signal
    import sqlite3
    import time

    root = Path(__file__).resolve().parent.parent
    cache = tmp_path / "cache.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(root), "READER_MODEL": str(fake_model.folder), "READER_BACKEND": "fake",
           "READER_CACHE_PATH": str(cache), "READER_OCR": "off"}
    args = [sys.executable, "-m", "tests.support.fake_cli", "translate", str(DATA / "pdf" / "fpdf2-dejavu.pdf"),
            "--no-library", "--out", str(tmp_path / "out"), "--format", "json"]

    def cached() -> int:
        if not cache.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM sentences").fetchone()[0]
        except sqlite3.Error:
            return 0

    child = subprocess.Popen(args, cwd=root, env={**env, "FAKE_DELAY": "0.4"}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while cached() == 0 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    done = cached()
    assert done > 0
    rerun = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    total, from_cache = (int(n) for n in re.search(r"(\d+) sentences, (\d+) from cache", rerun.stderr).groups())
    assert 0 < from_cache < total  # what was done before the kill, not all of it
    assert Document.from_json((tmp_path / "out" / "fpdf2-dejavu.json").read_text(encoding="utf-8")).paragraphs


def test_docx_reads_paragraphs_inside_content_controls(tmp_path: Path, settings: Settings) -> None:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("قبل")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paragraph = "<w:p><w:r><w:t>داخل عنصر تحكم</w:t></w:r></w:p>"
    control = f'<w:sdt xmlns:w="{w}"><w:sdtContent>{paragraph}</w:sdtContent></w:sdt>'
    document.element.body.insert(1, parse_xml(control))
    document.save(str(tmp_path / "controls.docx"))
    assert [p.text for p in extract(tmp_path / "controls.docx", settings).pieces] == ["قبل", "داخل عنصر تحكم"]


@pytest.mark.parametrize("name", ["pdf/libreoffice-sans.pdf", "docx/report.docx", "epub/report-letter.epub"])
def test_damaged_documents_are_read_or_refused_in_one_line(name: str, tmp_path: Path, settings: Settings) -> None:
    import random

    rng = random.Random(7)
    data = (DATA / name).read_bytes()
    for number in range(12):
        damaged = bytearray(data[: rng.randrange(len(data))] if number % 2 else data)
        for _ in range(0 if number % 2 else rng.randrange(1, 40)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = tmp_path / f"damaged-{number}{Path(name).suffix}"
        path.write_bytes(bytes(damaged))
        try:
            extract(path, settings)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path))


def test_an_epub_with_encrypted_chapters_says_so(tmp_path: Path, settings: Settings) -> None:
    source = zipfile.ZipFile(DATA / "epub" / "report-letter.epub")
    locked = tmp_path / "locked.epub"
    with zipfile.ZipFile(locked, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr(
            "META-INF/encryption.xml",
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
            '<enc:CipherReference URI="OEBPS/report.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>',
        )
    with pytest.raises(InputError, match="encrypted \\(DRM\\)"):
        extract(locked, settings)


def test_app_uploads_a_pdf_and_reads_it_with_page_references_in_every_layout(fake_model) -> None:
    from reader.app import add as inputs
    from tests.support.app import ADD, READ, new_app, srcdoc

    at = new_app(ADD).run()
    at.radio(key="kind").set_value(inputs.UPLOAD).run()
    data = (DATA / "pdf" / "chromium-columns.pdf").read_bytes()
    at.file_uploader[0].set_value(("report.pdf", data, "application/pdf")).run()
    at.button(key="translate").click().run()
    assert not at.exception and not at.error
    if "doc" in at.query_params:
        at.switch_page(READ)
    view = srcdoc(at)
    assert 'class="reader layout-side-by-side"' in view and ">p. 1</span>" in view and ">p. 3</span>" in view
    at.selectbox(key="layout").set_value("english").run()
    assert 'class="reader layout-english"' in srcdoc(at)


def test_a_page_of_text_drawn_as_outlines_needs_ocr(tmp_path: Path, settings: Settings) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for row in range(12):  # glyph-like outlines, as a printer driver that converts text to curves draws them
        for column in range(8):
            x, y = 20 + 20 * column, 30 + 15 * row
            pdf.bezier([(x, y), (x + 5, y - 6), (x + 10, y + 6), (x + 15, y)])
    pdf.add_page()
    pdf.output(str(tmp_path / "outlines.pdf"))
    extracted = extract(tmp_path / "outlines.pdf", settings)
    assert [w.split(":")[0] for w in extracted.warnings] == ["page 1 needs OCR"]  # page 2 is blank


def test_an_epubs_chapters_stay_chapters_in_the_bilingual_epub(settings: Settings) -> None:
    article = ingest.read_file(DATA / "epub" / "report-letter.epub", settings)
    document = api.translate_article(article, FakeTranslator(), settings)
    with zipfile.ZipFile(io.BytesIO(render(document, "epub"))) as book:
        chapters = sorted(n for n in book.namelist() if n.startswith("OEBPS/chapter-"))
        nav = book.read("OEBPS/nav.xhtml").decode()
    assert chapters == ["OEBPS/chapter-1.xhtml", "OEBPS/chapter-2.xhtml"]
    assert "رسالة إلى أعضاء الجمعية" in nav and "تقرير الإنتاجية الزراعية لعام 2024" in nav


def test_a_pdf_tables_cells_are_cells_right_to_left(settings: Settings) -> None:
    pieces = extract(DATA / "pdf" / "libreoffice-sans.pdf", settings).pieces
    assert [p.text for p in pieces if p.kind == "table-cell"] == ["المحصول", "الإنتاج بالطن", "القمح", "430 ألف"]


def test_a_ruled_tables_cells_keep_their_wrapped_lines(tmp_path: Path, settings: Settings) -> None:
    """A ruled table (fpdf2 draws its rules): each cell is one table cell, right to left, however many lines
    it wraps over, and the text around the table stays paragraphs."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format=(148, 210))
    pdf.add_font("naskh", "", str(DATA.parents[2] / "reader" / "fonts" / "NotoNaskhArabic-Regular.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
    pdf.add_page()
    pdf.set_font("naskh", size=11)
    pdf.multi_cell(0, 7, "يبين الجدول التالي إنتاج المحاصيل الرئيسية في الموسم الماضي.", align="R")
    rows = [["ملاحظات", "الإنتاج بالطن", "المحصول"],
            ["زيادة كبيرة مقارنة بالموسم الماضي في معظم المحافظات", "430 ألف", "القمح"],
            ["مستقر", "120 ألف", "الشعير"]]
    with pdf.table(col_widths=(60, 30, 30), text_align="RIGHT", headings_style=FontFace(emphasis="")) as table:
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)
    pdf.multi_cell(0, 7, "وتشير الأرقام إلى تحسن ملحوظ في إنتاج القمح.", align="R")
    pdf.output(str(tmp_path / "table.pdf"))
    pieces = extract(tmp_path / "table.pdf", settings).pieces
    assert [p.text for p in pieces if p.kind == "table-cell"] == [text for cells in rows for text in reversed(cells)]
    assert [p.text for p in pieces if p.kind != "table-cell"] == [
        "يبين الجدول التالي إنتاج المحاصيل الرئيسية في الموسم الماضي.", "وتشير الأرقام إلى تحسن ملحوظ في إنتاج القمح."]


def test_epub_line_breaks_are_spaces_and_html_entities_do_not_break_a_chapter() -> None:
    from reader.documents.epub import _chapter

    verse = "<html xmlns='http://www.w3.org/1999/xhtml'><body><p>قفا نبك&nbsp;من ذكرى<br/>حبيب ومنزل</p></body></html>"
    assert [p.text for p in _chapter(verse.encode())] == ["قفا نبك من ذكرى حبيب ومنزل"]


def test_docx_foot_and_endnotes_follow_the_body_as_notes(tmp_path: Path, settings: Settings) -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = {
        "word/footnotes.xml": f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
        '<w:t>---</w:t></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>حاشية أولى</w:t></w:r></w:p>'
        "</w:footnote></w:footnotes>",
        "word/endnotes.xml": f'<w:endnotes xmlns:w="{w}"><w:endnote w:id="1"><w:p><w:r><w:t>تعليق ختامي</w:t>'
        "</w:r></w:p></w:endnote></w:endnotes>",
    }
    source = zipfile.ZipFile(DATA / "docx" / "report.docx")
    with zipfile.ZipFile(tmp_path / "notes.docx", "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for name, xml in notes.items():
            archive.writestr(name, xml)
    pieces = extract(tmp_path / "notes.docx", settings).pieces
    assert [(p.text, p.kind) for p in pieces[-2:]] == [("حاشية أولى", "note"), ("تعليق ختامي", "note")]
