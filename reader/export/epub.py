"""Bilingual EPUB 3: chapters as the source has them, Arabic and English side by side, interleaved, or English
with the Arabic on hover/tap.

- A chapter starts at each heading of the document's top heading level (a book's chapters, a report's
  sections); a document without headings is one chapter.
- Arabic paragraphs are ``dir="rtl" lang="ar"``, English ``lang="en"``; the book's language is English,
  and Arabic is listed second. The book reads left to right: its text is English first.
- An edited sentence (the reader's version) is marked; a paragraph read from a PDF cites its page
  ("p. 12"); a paragraph read by OCR says so.
- The table of contents (nav and NCX) gives each chapter's title in both languages; a cover page names the
  source (in words), the author and the dates; a last page, "Translation details", names the source file and
  the model that translated, for whoever checks.
- Document text is hostile: everything is escaped, characters XML cannot hold are dropped, and the book
  has no script. It passes epubcheck (tests run it when Debian's ``epubcheck`` is installed).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

from reader.chars import BIDI_EMBEDDINGS
from reader.document import DETAILS_HEADING, Document, Paragraph
from reader.errors import ExportError

LAYOUTS = ("side-by-side", "interleaved", "english")
"""English first and Arabic beside it; each Arabic paragraph then its English; English only, Arabic on hover/tap."""
ALIASES = {"table": "side-by-side", "hover": "english"}
_NOT_XML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff{BIDI_EMBEDDINGS}]")

CSS = """body { font-family: serif; line-height: 1.5; margin: 0 4%; }
.ar { font-family: "Noto Naskh Arabic", "Amiri", serif; font-size: 1.1em; text-align: right; }
.pair { display: table; width: 100%; margin: 0 0 0.8em 0; }
.pair > .en, .pair > .ar { display: table-cell; width: 50%; vertical-align: top; padding: 0 0.5em; }
.interleaved .ar { margin: 0.6em 0 0.1em 0; }
.interleaved .en { margin: 0 0 0.6em 0; color: #333; }
.hover .s { border-bottom: 1px dotted #999; }
.page { font-size: 0.75em; color: #777; margin-left: 0.4em; }
.edited { background: #fff6cf; }
.mark { font-size: 0.7em; vertical-align: super; color: #8a5a00; }
.note { font-size: 0.9em; border-top: 1px solid #ccc; }
.kind { font-size: 0.75em; color: #777; }
table.meta td { padding: 0.2em 0.6em; vertical-align: top; }
"""


@dataclass
class Chapter:
    title_ar: str
    title_en: str
    paragraphs: list[Paragraph] = field(default_factory=list)


def render(document: Document, *, layout: str = "side-by-side", date: str = "", **_: Any) -> bytes:
    """The document as an EPUB 3 file (bytes). ``date``: the cover's date (default: today, UTC)."""
    layout = ALIASES.get(layout, layout)
    if layout not in LAYOUTS:
        raise ExportError(f"unknown EPUB layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    chapters = _chapters(document)
    today = datetime.now(UTC)
    date = date or today.date().isoformat()
    identifier = "urn:uuid:" + _uuid(document)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # first and stored, as OCF requires
        files = {
            "META-INF/container.xml": _CONTAINER,
            "OEBPS/style.css": CSS,
            "OEBPS/cover.xhtml": _cover(document, date),
            "OEBPS/nav.xhtml": _nav(document, chapters),
            "OEBPS/toc.ncx": _ncx(document, chapters, identifier),
            "OEBPS/content.opf": _opf(document, chapters, identifier, today),
        }
        for number, chapter in enumerate(chapters, 1):
            files[f"OEBPS/chapter-{number}.xhtml"] = _chapter(document, chapter, layout)
        if _details(document):
            files["OEBPS/details.xhtml"] = _page(DETAILS_HEADING, _details(document))
        for name, text in files.items():
            book.writestr(name, text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _x(text: str) -> str:
    """Text as XHTML content: escaped, without characters XML cannot hold or that reorder text visually."""
    return escape(_NOT_XML.sub("", text), quote=True)


def _uuid(document: Document) -> str:
    digest = hashlib.sha256((document.meta.source + "\x00" + document.text).encode("utf-8", "replace")).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


def _chapters(document: Document) -> list[Chapter]:
    levels = [p.level for p in document.paragraphs if p.kind == "heading" and p.level]
    top = min(levels) if levels else None
    chapters = [Chapter(document.title, document.title_en)]
    for paragraph in document.paragraphs:
        starts = top is not None and paragraph.kind == "heading" and paragraph.level == top
        if starts and (chapters[-1].paragraphs or len(chapters) > 1):
            chapters.append(Chapter(paragraph.source, paragraph.translation))
        elif starts:
            chapters[-1].title_ar, chapters[-1].title_en = paragraph.source, paragraph.translation
        chapters[-1].paragraphs.append(paragraph)
    return chapters


def _page(title: str, body: str) -> str:
    ops = ' xmlns:epub="http://www.idpf.org/2007/ops"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml"{ops} lang="en" xml:lang="en">\n'
        f'<head><meta charset="UTF-8"/><title>{_x(title) or "Untitled"}</title>'
        '<link rel="stylesheet" type="text/css" href="style.css"/></head>\n'
        f"<body>{body}</body>\n</html>\n"
    )


def _ar(tag: str, text: str, cls: str = "ar") -> str:
    return f'<{tag} class="{cls}" lang="ar" xml:lang="ar" dir="rtl">{_x(text)}</{tag}>'


def _english(paragraph: Paragraph, layout: str) -> str:
    """The paragraph's English, sentence by sentence: edited ones marked, the Arabic as a tooltip in "english"."""
    parts = []
    for sentence in paragraph.sentences:
        shown = sentence.shown or "[not translated]"
        edited = sentence.edit is not None
        attrs = ' class="s edited"' if edited else ' class="s"'
        if layout == "english":
            attrs += f' title="{_x(sentence.source)}"'
        mark = '<span class="mark" title="edited by the reader">&#x270E;</span>' if edited else ""
        parts.append(f"<span{attrs}>{_x(shown)}</span>{mark}")
    cite = ""
    if paragraph.page is not None:
        cite = f'<span class="page">p. {paragraph.page}{", OCR" if paragraph.ocr else ""}</span>'
    return " ".join(parts) + cite


def _block(document: Document, paragraph: Paragraph, layout: str) -> str:
    english = _english(paragraph, layout)
    kind = paragraph.kind
    if kind == "heading":
        level = min(max(paragraph.level, 1) + 1, 6)
        if layout == "english":
            return f'<h{level} lang="en">{english}</h{level}>'
        arabic = _ar("span", paragraph.source)
        return f'<h{level}><span lang="en">{english}</span> <span class="kind">/</span> {arabic}</h{level}>'
    label = {"list-item": "&#x2022; ", "image": "[image] ", "note": "Note: "}.get(kind, "")
    cls = "note" if kind == "note" else ""
    if layout == "english":
        return f'<p lang="en" class="hover {cls}">{label}{english}</p>'
    if layout == "interleaved":
        arabic = _ar("p", paragraph.source)
        return f'<div class="interleaved {cls}">{arabic}<p class="en" lang="en">{label}{english}</p></div>'
    return (
        f'<div class="pair {cls}"><div class="en" lang="en">{label}{english}</div>'
        f'{_ar("div", paragraph.source)}</div>'
    )


def _chapter(document: Document, chapter: Chapter, layout: str) -> str:
    title = chapter.title_en or chapter.title_ar
    body = "".join(_block(document, p, layout) for p in chapter.paragraphs)
    return _page(title, f'<section epub:type="chapter">{body}</section>')


def _cover(document: Document, date: str) -> str:
    # The English title is the cover's heading already: not repeated in the table.
    fields = [(label, value) for label, value in document.meta.reader_fields() if label != "English title"]
    table = _table([*fields, ("Translated", date)])
    edited = sum(1 for s in document.sentences if s.edit is not None)
    legend = (
        f"<p>{edited} sentence{'s' if edited != 1 else ''} edited by the reader, marked &#x270E;.</p>" if edited else ""
    )
    body = (
        f'<section epub:type="titlepage"><h1 lang="en">{_x(document.title_en or document.title)}</h1>'
        f"{_ar('h1', document.title)}<table class=\"meta\">{table}</table>{legend}"
        "<p>Machine translation from Arabic; the Arabic is the original.</p></section>"
    )
    return _page(document.title_en or document.title, body)


def _table(rows: list[tuple[str, str]]) -> str:
    """Labelled values as table rows; the empty ones left out."""
    return "".join(f"<tr><td>{_x(label)}</td><td>{_x(value)}</td></tr>" for label, value in rows if value)


def _details(document: Document) -> str:
    """The "Translation details" page's body; empty when there is nothing to tell."""
    table = _table(document.meta.technical_fields())
    if not table:
        return ""
    return f'<section epub:type="appendix"><h1>{DETAILS_HEADING}</h1><table class="meta">{table}</table></section>'


def _toc_label(chapter: Chapter, number: int) -> tuple[str, str]:
    return chapter.title_en or f"Chapter {number}", chapter.title_ar or chapter.title_en or f"Chapter {number}"


def _nav(document: Document, chapters: list[Chapter]) -> str:
    items = ['<li><a href="cover.xhtml">Cover</a></li>']
    for number, chapter in enumerate(chapters, 1):
        english, arabic = _toc_label(chapter, number)
        items.append(
            f'<li><a href="chapter-{number}.xhtml"><span lang="en">{_x(english)}</span> / '
            f'<span lang="ar" xml:lang="ar" dir="rtl">{_x(arabic)}</span></a></li>'
        )
    if _details(document):
        items.append(f'<li><a href="details.xhtml">{DETAILS_HEADING}</a></li>')
    body = f'<nav epub:type="toc" id="toc"><h1>Contents / المحتويات</h1><ol>{"".join(items)}</ol></nav>'
    return _page("Contents", body)


def _ncx(document: Document, chapters: list[Chapter], identifier: str) -> str:
    points = []
    for number, chapter in enumerate(chapters, 1):
        english, arabic = _toc_label(chapter, number)
        points.append(
            f'<navPoint id="c{number}" playOrder="{number}"><navLabel><text>{_x(english)} / {_x(arabic)}</text>'
            f'</navLabel><content src="chapter-{number}.xhtml"/></navPoint>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        f'<head><meta name="dtb:uid" content="{_x(identifier)}"/></head>'
        f"<docTitle><text>{_x(document.title_en or document.title or 'Untitled')}</text></docTitle>"
        f"<navMap>{''.join(points)}</navMap></ncx>\n"
    )


def _opf(document: Document, chapters: list[Chapter], identifier: str, now: datetime) -> str:
    meta = document.meta
    title = document.title_en or document.title or "Untitled"
    items = "".join(
        f'<item id="chapter-{n}" href="chapter-{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in range(1, len(chapters) + 1)
    )
    spine = "".join(f'<itemref idref="chapter-{n}"/>' for n in range(1, len(chapters) + 1))
    if _details(document):
        items += '<item id="details" href="details.xhtml" media-type="application/xhtml+xml"/>'
        spine += '<itemref idref="details"/>'
    optional = "".join(
        f"<dc:{tag}>{_x(value)}</dc:{tag}>"
        for tag, value in (("creator", meta.author), ("source", meta.source))
        if value
    )
    description = "Translated from Arabic by " + (meta.model or "a machine translation model")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="en">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">{identifier}</dc:identifier><dc:title>{_x(title)}</dc:title>'
        f'<dc:language>en</dc:language><dc:language>ar</dc:language>{optional}'
        f"<dc:description>{_x(description)}</dc:description>"
        f'<meta property="dcterms:modified">{now.strftime("%Y-%m-%dT%H:%M:%SZ")}</meta></metadata>'
        '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        '<item id="css" href="style.css" media-type="text/css"/>'
        f'<item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>{items}</manifest>'
        f'<spine toc="ncx"><itemref idref="cover"/><itemref idref="nav"/>{spine}</spine></package>\n'
    )


_CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>\n'
)
