"""Word (DOCX) in: python-docx (MIT) reads the body in order; headings, list items and table cells stay such.

Word stores text in logical order, so nothing is reordered. A paragraph's right-to-left flag is not in
python-docx's API (#349): ``w:bidi`` is read from the XML, and in such a paragraph the digit groups
Word users type in display order are put back (UN documents write "000 1" for 1 000). Direction marks
at a paragraph's ends (display hints) are dropped. Images keep their place as their description, and
footnotes follow the body as notes. The archive is size-checked before python-docx sees it
(``reader.documents.archive``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reader.chars import BIDI_MARKS
from reader.document import Metadata
from reader.documents.archive import read_parts
from reader.documents.model import Extracted, Piece
from reader.errors import InputError

if TYPE_CHECKING:
    from reader.config import Settings

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_HEADING = re.compile(r"^(?:heading|العنوان)\s*(\d)$", re.IGNORECASE)
_DISPLAY_ORDER_NUMBER = re.compile(r"(?<![\d.,])((?:\d{3} )+)(\d{1,3})(?![\d.,])")
_ENDS = BIDI_MARKS + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069 \t"


def read_docx(path: Path, settings: Settings) -> Extracted:
    """The paragraphs of a DOCX in body order (tables cell by cell, right to left as Word lays them out)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    parts = read_parts(path)
    if "word/document.xml" not in parts:
        raise InputError(f"{path}: not a Word document (no word/document.xml)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as rebuilt:
        for name, data in parts.items():
            rebuilt.writestr(name, data)
    try:
        document = docx.Document(io.BytesIO(buffer.getvalue()))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: not a readable Word document ({exc})") from None
    except SyntaxError as exc:  # lxml's XMLSyntaxError
        raise InputError(f"{path}: its XML is broken ({exc})") from None
    props = document.core_properties
    meta = Metadata(
        title=(props.title or "").strip(),
        author=(props.author or "").strip(),
        date=props.created.date().isoformat() if props.created else "",
    )
    names = {style.style_id: style.name or "" for style in document.styles}
    pieces = list(_body(document.element.body, names))
    pieces.extend(_footnotes(parts.get("word/footnotes.xml")))
    return Extracted(tuple(pieces), meta)


def _body(body, styles: dict[str, str]) -> Iterator[Piece]:
    for element in body.iterchildren():
        if element.tag == f"{W}p":
            yield from _paragraph(element, styles)
        elif element.tag == f"{W}tbl":
            yield from _table(element)


def _table(table) -> Iterator[Piece]:
    for row in table.iterchildren(f"{W}tr"):
        for cell in row.iterchildren(f"{W}tc"):
            text = " ".join(_text(p) for p in cell.iterchildren(f"{W}p"))
            if text.strip():
                yield Piece(_tidy(text, _is_rtl_cell(cell)), kind="table-cell")
            for nested in cell.iterchildren(f"{W}tbl"):
                yield from _table(nested)


def _is_rtl_cell(cell) -> bool:
    return any(p.find(f"{W}pPr/{W}bidi") is not None for p in cell.iterchildren(f"{W}p"))


def _paragraph(p, styles: dict[str, str]) -> Iterator[Piece]:
    for drawing in p.iter(_WP_DOCPR):
        described = (drawing.get("descr") or drawing.get("title") or drawing.get("name") or "").strip()
        if described:
            yield Piece(described, kind="image")
    text = _text(p)
    if not text.strip():
        return
    rtl = p.find(f"{W}pPr/{W}bidi") is not None and p.find(f"{W}pPr/{W}bidi").get(f"{W}val") not in ("0", "false")
    style = p.find(f"{W}pPr/{W}pStyle")
    style_id = (style.get(f"{W}val") if style is not None else "") or ""
    name = styles.get(style_id, style_id)
    heading = _HEADING.match(name) or _HEADING.match(style_id)
    outline = p.find(f"{W}pPr/{W}outlineLvl")
    if heading:
        yield Piece(_tidy(text, rtl), kind="heading", level=int(heading.group(1)))
    elif name.lower() == "title" or style_id.lower() == "title":
        yield Piece(_tidy(text, rtl), kind="heading", level=1)
    elif outline is not None and (outline.get(f"{W}val") or "9").isdigit() and int(outline.get(f"{W}val")) < 9:
        yield Piece(_tidy(text, rtl), kind="heading", level=int(outline.get(f"{W}val")) + 1)
    elif p.find(f"{W}pPr/{W}numPr") is not None or name.lower().startswith("list"):
        yield Piece(_tidy(text, rtl), kind="list-item")
    else:
        yield Piece(_tidy(text, rtl))


def _text(p) -> str:
    """The text of a paragraph's runs, hyperlinks and fields, tabs and breaks as spaces."""
    pieces = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        if node.tag == f"{W}t":
            pieces.append(node.text or "")
        elif node.tag == f"{W}noBreakHyphen":
            pieces.append("-")
        else:
            pieces.append(" ")
    return "".join(pieces)


def _tidy(text: str, rtl: bool) -> str:
    text = " ".join(text.split()).strip(_ENDS)
    if rtl:
        text = _DISPLAY_ORDER_NUMBER.sub(lambda m: " ".join([m.group(2), *m.group(1).split()[::-1]]), text)
    return text


def _footnotes(xml: bytes | None) -> Iterator[Piece]:
    if not xml:
        return
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return
    for note in root.iterchildren(f"{W}footnote"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join(_text(p) for p in note.iter(f"{W}p"))
        if text.strip():
            yield Piece(_tidy(text, False), kind="note")
