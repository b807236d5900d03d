"""OpenDocument text (ODT) in: content.xml through lxml; headings, list items, table cells, notes and images kept.

ODT stores text in logical order (a right-to-left paragraph only has a writing mode in its style), so
nothing is reordered. A note's text sits inside its paragraph in the file: it is taken out and follows
the paragraph as a note. The archive is size-checked before any part is unpacked
(``reader.documents.archive``), and the parser resolves no entities and fetches nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reader.document import Metadata
from reader.documents.archive import read_parts
from reader.documents.model import Extracted, Piece, paragraph_text
from reader.errors import InputError

if TYPE_CHECKING:
    from reader.config import Settings

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"


def _parse(data: bytes, path: Path):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: its XML is broken ({exc})") from None


def read_odt(path: Path, settings: Settings) -> Extracted:
    """The paragraphs of an ODT in document order, and its title, author and date."""
    parts = read_parts(path, {"content.xml", "meta.xml"})
    if "content.xml" not in parts:
        raise InputError(f"{path}: not an OpenDocument text (no content.xml)")
    body = _parse(parts["content.xml"], path).find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise InputError(f"{path}: not an OpenDocument text (no text body)")
    return Extracted(tuple(_blocks(body, "")), _metadata(parts.get("meta.xml"), path))


def _metadata(xml: bytes | None, path: Path) -> Metadata:
    if not xml:
        return Metadata()
    root = _parse(xml, path)

    def first(*tags: str) -> str:
        for tag in tags:
            element = root.find(f".//{tag}")
            if element is not None and (element.text or "").strip():
                return " ".join(element.text.split())
        return ""

    return Metadata(
        title=first(f"{DC}title"),
        author=first(f"{DC}creator", f"{META}initial-creator"),
        date=first(f"{META}creation-date", f"{DC}date")[:10],
    )


def _blocks(element, kind: str) -> Iterator[Piece]:
    for child in element.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{TEXT}h":
            yield from _paragraph(child, "heading", int(child.get(f"{TEXT}outline-level", "1") or 1))
        elif tag == f"{TEXT}p":
            yield from _paragraph(child, kind, 0)
        elif tag == f"{TEXT}list":
            yield from _blocks(child, "list-item")
        elif tag in (f"{TEXT}list-item", f"{TEXT}list-header", f"{TEXT}section", f"{TABLE}table-row",
                     f"{TABLE}table-rows", f"{TABLE}table-header-rows", f"{TEXT}soft-page-break"):
            yield from _blocks(child, kind)
        elif tag == f"{TABLE}table":
            yield from _blocks(child, "table-cell")
        elif tag == f"{TABLE}table-cell":
            text = " ".join(_text(p) for p in child.iter(f"{TEXT}p", f"{TEXT}h"))
            if paragraph_text(text):
                yield Piece(paragraph_text(text), kind="table-cell")


def _paragraph(p, kind: str, level: int) -> Iterator[Piece]:
    for frame in p.iter(f"{DRAW}frame"):
        described = next((" ".join((e.text or "").split()) for e in frame.iter(f"{SVG}title", f"{SVG}desc")
                          if (e.text or "").strip()), frame.get(f"{DRAW}name", ""))
        if described:
            yield Piece(described, kind="image")
    text = paragraph_text(_text(p))
    if text:
        yield Piece(text, kind=kind, level=level)
    for note in p.iter(f"{TEXT}note-body"):
        noted = paragraph_text(" ".join(_text(q) for q in note.iter(f"{TEXT}p")))
        if noted:
            yield Piece(noted, kind="note")


def _text(element) -> str:
    """A paragraph's text: spaces, tabs and line breaks as spaces; notes and frames left out (read apart)."""
    parts = [element.text or ""]
    for child in element.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{TEXT}s":
            parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
        elif tag in (f"{TEXT}tab", f"{TEXT}line-break"):
            parts.append(" ")
        elif tag not in (f"{TEXT}note", f"{DRAW}frame", f"{OFFICE}annotation"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
