"""Make the committed document fixtures from the true texts in ``truth/`` (one paragraph a line).

Each producer stores Arabic its own way, which is what the PDF reader must undo, so every PDF here
comes from a real producer: fpdf2 with HarfBuzz shaping, Chromium's print to PDF (two columns, a
running header and page numbers drawn by the browser), LibreOffice (from a DOCX with right-to-left
paragraphs; also its ODT), reportlab through arabic_reshaper and python-bidi, XeLaTeX (polyglossia,
the Amiri font), LuaLaTeX (babel, Amiri), and an image-only PDF (pages rasterized by poppler, no text
layer). Files named
``heldout-*`` use texts and settings the reader was not developed on. The DOCX and EPUB fixtures
carry the structures their readers must keep (headings, lists, a table, notes, an image) and the
hostile parts they must drop (a script).

    python -m tests.data.documents.make   # needs chromium, libreoffice, pdftoppm; xelatex, lualatex for theirs

(and reportlab, arabic-reshaper and python-bidi for the reportlab file, which is skipped without them:
they only make this fixture, so no extra of the project carries them).

The outputs are committed; tests and ``benchmarks/documents_eval.py`` only read them.
"""

from __future__ import annotations

import html
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TRUTH = HERE / "truth"
FONTS = ROOT / "reader" / "fonts"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype")


def paragraphs(name: str) -> list[str]:
    return [line.strip() for line in (TRUTH / f"{name}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def fpdf2_pdf(names: list[str], out: Path, font: Path, size: float) -> None:
    """fpdf2 + uharfbuzz: shaped glyphs, a running header and a page number on every page."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("arabic", size=9)
            self.cell(0, 8, "نشرة الأخبار الاقتصادية - العدد 17", align="R")
            self.ln(12)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("arabic", size=9)
            self.cell(0, 8, str(self.page_no()), align="C")

    pdf = Report(format="A5")
    pdf.add_font("arabic", "", str(font))
    pdf.add_font("latin", "", str(FONTS / "NotoSans-Regular.ttf"))
    pdf.set_fallback_fonts(["latin"])
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    for name in names:
        for number, text in enumerate(paragraphs(name)):
            pdf.set_font("arabic", size=size + (3 if number == 0 else 0))
            pdf.multi_cell(0, size * 0.6, text, align="R")
            pdf.ln(size * 0.45)
    pdf.output(str(out))


def reportlab_pdf(names: list[str], out: Path, font: Path, size: float) -> None:
    """reportlab with arabic_reshaper + python-bidi, as many Python programs write Arabic: presentation forms
    in display order, each line reordered on its own (wrapped first). Needs those three packages.

    The reshaper keeps the marks here (by default it deletes them) and leaves out the ligature of الله,
    which DejaVu Sans has no glyph for: the page then shows what the true text says.
    """
    from arabic_reshaper import ArabicReshaper
    from bidi.algorithm import get_display
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    reshaper = ArabicReshaper(configuration={"delete_harakat": False, "ARABIC LIGATURE ALLAH": False})
    pdfmetrics.registerFont(TTFont("arabic", str(font)))
    width, height = A5
    margin = 40
    page = canvas.Canvas(str(out), pagesize=A5)
    y = height - margin

    def furniture() -> None:
        page.setFont("arabic", 8)
        page.drawCentredString(width / 2, height - 22, get_display(reshaper.reshape("التقرير الشهري للهيئة")))
        page.drawCentredString(width / 2, 18, str(page.getPageNumber()))

    furniture()
    for name in names:
        for number, text in enumerate(paragraphs(name)):
            points = size + (3 if number == 0 else 0)
            lines, current = [], []
            for word in text.split():
                trial = " ".join([*current, word])
                if current and pdfmetrics.stringWidth(reshaper.reshape(trial), "arabic", points) > width - 2 * margin:
                    lines.append(" ".join(current))
                    current = [word]
                else:
                    current.append(word)
            lines.append(" ".join(current))
            for line in lines:
                if y < margin + points:
                    page.showPage()
                    furniture()
                    y = height - margin
                page.setFont("arabic", points)
                page.drawRightString(width - margin, y, get_display(reshaper.reshape(line)))
                y -= points * 1.5
            y -= points * 0.8
    page.save()




def chromium_pdf(names: list[str], out: Path, font_css: str, columns: int, paper: str = "A5") -> None:
    """Chromium's print to PDF (Skia): right-to-left columns, the browser's own header and page numbers."""
    from playwright.sync_api import sync_playwright

    body = []
    for name in names:
        lines = paragraphs(name)
        body.append(f"<h1>{html.escape(lines[0])}</h1>")
        body.extend(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    page_html = (
        f"<!doctype html><html lang='ar' dir='rtl'><head><meta charset='utf-8'><style>{font_css}"
        f" body{{column-count:{columns};column-gap:12mm;font-size:13pt;line-height:1.5;text-align:justify}}"
        " h1{font-size:17pt} p{margin:0 0 8pt}</style></head><body>" + "".join(body) + "</body></html>"
    )
    header = "<div style='font-size:8pt;width:100%;text-align:center;font-family:serif'>مجلة الطاقة والبيئة</div>"
    footer = "<div style='font-size:8pt;width:100%;text-align:center'><span class='pageNumber'></span></div>"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content(page_html)
        page.pdf(
            path=str(out), format=paper, display_header_footer=True, header_template=header,
            footer_template=footer, margin={"top": "18mm", "bottom": "18mm", "left": "12mm", "right": "12mm"},
        )
        browser.close()


EXTRAS = ["أهداف الخطة", "زيادة الإنتاج المحلي من القمح", "تحسين كفاءة استخدام المياه", "دعم صغار المزارعين",
          "المحصول", "الإنتاج بالطن", "القمح", "430 ألف"]
"""A heading, three list items and a table's four cells (right to left), after the text of a DOCX with extras."""


def tex_text(text: str) -> str:
    """Text typed into a LaTeX source: its special characters escaped."""
    special = {"\\": r"\textbackslash{}", "%": r"\%", "$": r"\$", "&": r"\&", "#": r"\#", "_": r"\_",
               "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(special.get(ch, ch) for ch in text)


def run_tex(engine: str, source: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "doc.tex").write_text(source, encoding="utf-8")
        for _ in range(2):  # twice, as LaTeX does for its page references
            subprocess.run([engine, "-interaction=batchmode", "doc.tex"], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
        shutil.copyfile(Path(tmp) / "doc.pdf", out)


def xelatex_pdf(names: list[str], out: Path, font: str) -> None:
    """XeLaTeX (HarfBuzz shaping through fontspec, polyglossia's Arabic, xdvipdfmx): a running header and a
    page number drawn by fancyhdr, each text's first line as a bold heading."""
    body = []
    for name in names:
        first, *rest = paragraphs(name)
        body.append(r"{\large\bfseries " + tex_text(first) + "}\n")
        body += [tex_text(text) + "\n" for text in rest]
    source = "\n".join([
        r"\documentclass[a5paper,11pt]{article}",
        r"\usepackage[margin=18mm]{geometry}",
        r"\usepackage{fancyhdr}",  # before polyglossia, which loads bidi
        r"\usepackage{fontspec}",
        r"\usepackage{polyglossia}",
        r"\setmainlanguage{arabic}",
        r"\setotherlanguage{english}",
        r"\newfontfamily\arabicfont[Script=Arabic]{" + font + "}",
        r"\pagestyle{fancy}",
        r"\fancyhf{}",
        r"\fancyhead[C]{\small تقرير الشؤون العامة - الإصدار الثالث}",
        r"\fancyfoot[C]{\thepage}",
        r"\setlength{\parskip}{0.6em}",
        r"\setlength{\parindent}{0pt}",
        r"\begin{document}",
        *body,
        r"\end{document}",
    ])
    run_tex("xelatex", source, out)


def lualatex_pdf(names: list[str], out: Path, font: str) -> None:
    """LuaLaTeX (babel's Arabic with bidi=basic, HarfBuzz shaping through luaotfload): glyphs stored in logical
    order, each mark after its letter; book paragraphs (first-line indent, no gap), a running header by fancyhdr."""
    body = []
    for name in names:
        first, *rest = paragraphs(name)
        body.append(r"\section*{" + tex_text(first) + "}\n")
        body += [tex_text(text) + "\n" for text in rest]
    source = "\n".join([
        r"\documentclass[a5paper,11pt]{article}",
        r"\usepackage[margin=20mm]{geometry}",
        r"\usepackage[bidi=basic]{babel}",
        r"\babelprovide[import,main]{arabic}",
        r"\babelfont{rm}[Renderer=HarfBuzz]{" + font + "}",
        r"\usepackage{fancyhdr}",
        r"\pagestyle{fancy}",
        r"\fancyhf{}",
        r"\fancyhead[C]{\small نشرة المصارف والسفر}",
        r"\fancyfoot[C]{\thepage}",
        r"\setlength{\parindent}{1.5em}",
        r"\begin{document}",
        *body,
        r"\end{document}",
    ])
    run_tex("lualatex", source, out)


def truth(out: Path, names: list[str], *, extras: bool = False) -> None:
    """``NAME.truth.txt`` beside a fixture: its paragraphs as typed, one a line, in reading order."""
    lines = [line for name in names for line in paragraphs(name)] + (EXTRAS if extras else [])
    out.with_name(out.name + ".truth.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def docx_file(names: list[str], out: Path, font: str, *, extras: bool, book: bool = False) -> None:
    """``book``: justified paragraphs with a first-line indent and no space between them, as books set them.

    Otherwise Word's own Normal style: 8 pt after a paragraph (python-docx's template leaves none).
    """
    """python-docx with w:bidi paragraphs (as Word writes Arabic); ``extras`` adds marks, a list and a table."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(13)
    style.paragraph_format.space_after = Pt(0 if book else 8)
    if book:
        style.paragraph_format.first_line_indent = Pt(18)
    style.element.rPr.rFonts.set(qn("w:cs"), font)
    rtl_size = OxmlElement("w:szCs")
    rtl_size.set(qn("w:val"), "26")
    style.element.rPr.append(rtl_size)

    def rtl(paragraph) -> None:
        paragraph.paragraph_format.alignment = 3 if book else 2  # justified, or right
        paragraph.paragraph_format.element.get_or_add_pPr().append(OxmlElement("w:bidi"))
        for run in paragraph.runs:
            run.element.get_or_add_rPr().append(OxmlElement("w:rtl"))

    document.core_properties.title = paragraphs(names[0])[0]
    document.core_properties.author = "الأمانة العامة"
    for name in names:
        lines = paragraphs(name)
        rtl(document.add_heading(lines[0], level=1))
        for line in lines[1:]:
            # Word puts a right-to-left mark after a Latin or digit run at a paragraph's end.
            rtl(document.add_paragraph(line + ("\u200f" if extras else "")))
    if extras:
        rtl(document.add_heading(EXTRAS[0], level=2))
        for item in EXTRAS[1:4]:
            rtl(document.add_paragraph(item, style="List Bullet"))
        table = document.add_table(rows=2, cols=2)
        for row, cells in zip(table.rows, (EXTRAS[4:6], EXTRAS[6:8]), strict=False):
            for cell, text in zip(row.cells, cells, strict=False):
                rtl(cell.paragraphs[0])
                cell.paragraphs[0].add_run(text)
                rtl(cell.paragraphs[0])
    document.save(str(out))


def libreoffice_pdf(docx: Path, out: Path, to: str = "pdf") -> None:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", to,
             "--outdir", folder, str(docx)],
            check=True, capture_output=True, timeout=300,
        )
        shutil.copyfile(Path(folder) / f"{docx.stem}.{to}", out)


def image_pdf(source: Path, out: Path, dpi: int = 150) -> None:
    """Every page of ``source`` as a picture: a scan, with no text layer at all."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), f"{folder}/page"], check=True)
        pages = [Image.open(p).convert("L") for p in sorted(Path(folder).glob("page*.png"))]
        pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])


EPUB_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def epub_file(out: Path) -> None:
    """An EPUB 3 whose spine order differs from its manifest order, with a note, an image and a script."""
    from PIL import Image

    def chapter(title: str, body: str) -> str:
        return (
            "<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'"
            " xmlns:epub='http://www.idpf.org/2007/ops' lang='ar' xml:lang='ar' dir='rtl'>"
            f"<head><title>{html.escape(title)}</title><script>document.title='pwned'</script></head>"
            f"<body>{body}</body></html>"
        )

    report, letter = paragraphs("report"), paragraphs("letter")
    first = "".join([f"<h1>{html.escape(report[0])}</h1>"] + [f"<p>{html.escape(p)}</p>" for p in report[1:4]])
    first += (
        "<p>وتشير البيانات<a epub:type='noteref' href='#n1'>1</a> إلى تحسن ملحوظ.</p>"
        "<figure><img src='field.png' alt='حقل قمح'/><figcaption>حقول القمح في الشمال</figcaption></figure>"
        "<aside epub:type='footnote' id='n1'><p>المصدر: وزارة الزراعة، 2024.</p></aside>"
        "<script>alert('x')</script><p onclick='alert(1)'>"
        + html.escape(report[4]) + "</p>"
        + "".join(f"<p>{html.escape(p)}</p>" for p in report[5:])
    )
    second = f"<h1>{html.escape(letter[0])}</h1><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in letter[1:3])
    second += "</ul>" + "".join(f"<p>{html.escape(p)}</p>" for p in letter[3:])
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 170, 60)).save(image, "PNG")
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="ar">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">urn:uuid:5b0f4d4e-2f51-4f5e-9a51-0d1c7a3e26aa</dc:identifier>
<dc:title>{html.escape(report[0])}</dc:title><dc:creator>وزارة الزراعة</dc:creator>
<dc:language>ar</dc:language><dc:date>2024-05-01</dc:date>
<meta property="dcterms:modified">2024-05-01T00:00:00Z</meta>
</metadata>
<manifest>
<item id="letter" href="letter.xhtml" media-type="application/xhtml+xml" properties="scripted"/>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="report" href="report.xhtml" media-type="application/xhtml+xml" properties="scripted"/>
<item id="img" href="field.png" media-type="image/png"/>
</manifest>
<spine page-progression-direction="rtl"><itemref idref="report"/><itemref idref="letter"/></spine>
</package>"""
    nav = chapter("المحتويات", "<nav epub:type='toc'><ol><li><a href='report.xhtml'>التقرير</a></li>"
                  "<li><a href='letter.xhtml'>الرسالة</a></li></ol></nav>")
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", EPUB_CONTAINER, zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/content.opf", opf, zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/nav.xhtml", nav, zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/letter.xhtml", chapter(letter[0], second), zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/report.xhtml", chapter(report[0], first), zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/field.png", image.getvalue())
    lines = [*report[:4], "وتشير البيانات إلى تحسن ملحوظ.", "حقل قمح", "حقول القمح في الشمال",
             "المصدر: وزارة الزراعة، 2024.", *report[4:], *letter]
    out.with_name(out.name + ".truth.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    pdf = HERE / "pdf"
    pdf.mkdir(exist_ok=True)
    made: list[tuple[Path, list[str], bool]] = []

    def made_from(out: Path, names: list[str], extras: bool = False) -> Path:
        made.append((out, names, extras))
        return out

    naskh = FONTS / "NotoNaskhArabic-Regular.ttf"
    dejavu = SYSTEM_FONTS / "dejavu" / "DejaVuSans.ttf"
    fpdf2_pdf(["report", "letter"], made_from(pdf / "fpdf2-naskh.pdf", ["report", "letter"]), naskh, 12)
    fpdf2_pdf(["solar", "summit"], made_from(pdf / "fpdf2-dejavu.pdf", ["solar", "summit"]), dejavu, 11)
    chromium_pdf(["solar", "bank"], made_from(pdf / "chromium-columns.pdf", ["solar", "bank"]),
                 "body{font-family:'Noto Naskh Arabic'}", 2)
    chromium_pdf(["summit", "letter"], made_from(pdf / "chromium-kufi.pdf", ["summit", "letter"]),
                 "body{font-family:'Noto Kufi Arabic'}", 1)
    docx = HERE / "docx"
    docx.mkdir(exist_ok=True)
    docx_file(["bank", "summit"], made_from(docx / "bank-summit.docx", ["bank", "summit"]), "DejaVu Sans", extras=False)
    docx_file(["report", "solar"], made_from(docx / "report.docx", ["report", "solar"], True), "Noto Sans Arabic",
              extras=True)
    if shutil.which("soffice"):
        libreoffice_pdf(docx / "bank-summit.docx", made_from(pdf / "libreoffice-dejavu.pdf", ["bank", "summit"]))
        libreoffice_pdf(docx / "report.docx", made_from(pdf / "libreoffice-sans.pdf", ["report", "solar"], True))
        odt = HERE / "odt"
        odt.mkdir(exist_ok=True)
        libreoffice_pdf(docx / "report.docx", made_from(odt / "report.odt", ["report", "solar"], True), to="odt")
    else:
        print("soffice not found: the LibreOffice PDFs were not made", file=sys.stderr)
    image_pdf(pdf / "fpdf2-naskh.pdf", made_from(pdf / "scan-naskh.pdf", ["report", "letter"]))
    # Held out: texts and settings the reader was not developed on (new texts, fonts, indents, no gaps).
    sans = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"
    chromium_pdf(["law", "travel"], made_from(pdf / "heldout-chromium-sans.pdf", ["law", "travel"]),
                 "body{font-family:'Noto Sans Arabic'} p{margin:0;text-indent:1.5em}", 2, paper="A4")
    fpdf2_pdf(["travel", "law"], made_from(pdf / "heldout-fpdf2-sans.pdf", ["travel", "law"]), Path(sans), 12)
    try:
        reportlab_pdf(["law", "travel"], made_from(pdf / "heldout-reportlab-dejavu.pdf", ["law", "travel"]), dejavu, 11)
    except ImportError:
        made.pop()
        print("reportlab, arabic_reshaper or python-bidi missing: the reportlab PDF was not made", file=sys.stderr)
    docx_file(["travel", "law"], made_from(docx / "heldout-book.docx", ["travel", "law"]), "Noto Naskh Arabic",
              extras=False, book=True)
    if shutil.which("soffice"):
        libreoffice_pdf(docx / "heldout-book.docx", made_from(pdf / "heldout-libreoffice-naskh.pdf", ["travel", "law"]))
    if shutil.which("xelatex"):
        xelatex_pdf(["law", "summit"], made_from(pdf / "heldout-xelatex-amiri.pdf", ["law", "summit"]), "Amiri")
    else:
        print("xelatex not found: the XeLaTeX PDF was not made", file=sys.stderr)
    if shutil.which("lualatex"):
        lualatex_pdf(["bank", "travel"], made_from(pdf / "heldout-lualatex-amiri.pdf", ["bank", "travel"]), "Amiri")
    else:
        print("lualatex not found: the LuaLaTeX PDF was not made", file=sys.stderr)
    epub = HERE / "epub"
    epub.mkdir(exist_ok=True)
    epub_file(epub / "report-letter.epub")
    for out, names, extras in made:
        truth(out, names, extras=extras)
    return 0


if __name__ == "__main__":
    sys.exit(main())
