"""EPUB in: chapters in spine order (not manifest order), XHTML through lxml, the book's metadata.

Headings, paragraphs, list items, table cells, figure captions and notes (``epub:type`` footnote,
endnote, note, or ARIA ``doc-footnote``/``doc-endnote``) keep their kind; an image keeps its place as
its alt text. Scripts, styles and event handlers are never run: they are not even read, only the text
is, so nothing of them reaches the document or any export. The archive is size-checked before any part
is unpacked (``reader.documents.archive``), and the XML parser resolves no entities and fetches nothing.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from reader.document import Metadata
from reader.documents.archive import read_parts
from reader.documents.model import Extracted, Piece
from reader.errors import InputError

if TYPE_CHECKING:
    from reader.config import Settings

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAF_KINDS = {"p": "", "li": "list-item", "td": "table-cell", "th": "table-cell", "figcaption": "caption",
               "dt": "", "dd": "", "pre": "", "blockquote": "", "caption": "caption"}
_BLOCKS = set(_HEADINGS) | set(_LEAF_KINDS) | {"div", "section", "article", "aside", "ul", "ol", "table", "tbody",
                                               "thead", "tr", "figure", "nav", "header", "footer", "main", "dl", "body"}
_SKIPPED = {"script", "style", "head", "noscript", "template", "svg", "math", "object", "embed", "iframe"}
_NOTE_TYPES = {"footnote", "endnote", "note", "rearnote", "doc-footnote", "doc-endnote"}


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def read_epub(path: Path, settings: Settings) -> Extracted:
    """The paragraphs of every spine item, in spine order, and the book's title, author and date."""
    from lxml import etree

    parts = read_parts(path)
    container = parts.get("META-INF/container.xml")
    if container is None:
        raise InputError(f"{path}: not an EPUB (no META-INF/container.xml)")
    try:
        rootfile = etree.fromstring(container, _parser()).find(f".//{CONTAINER}rootfile")
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        opf = etree.fromstring(parts[opf_path], _parser()) if opf_path in parts else None
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{path}: its package files are broken ({exc})") from None
    if opf is None:
        raise InputError(f"{path}: its package document (OPF) is missing")
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): (
            posixpath.normpath(posixpath.join(base, unquote(item.get("href", "")))),
            item.get("media-type", ""),
        )
        for item in opf.iter(f"{OPF}item")
    }
    pieces: list[Piece] = []
    for itemref in opf.iter(f"{OPF}itemref"):
        name, media = manifest.get(itemref.get("idref"), ("", ""))
        if name in parts and media in ("application/xhtml+xml", "text/html", ""):
            pieces.extend(_chapter(parts[name]))
    if not pieces:
        raise InputError(f"{path}: no text in its spine")
    return Extracted(tuple(pieces), _metadata(opf))


def _metadata(opf) -> Metadata:
    def first(tag: str) -> str:
        element = opf.find(f".//{DC}{tag}")
        return " ".join((element.text or "").split()) if element is not None else ""

    return Metadata(title=first("title"), author=first("creator"), date=first("date")[:10])


def _chapter(xhtml: bytes) -> Iterator[Piece]:
    from lxml import etree

    try:
        root = etree.fromstring(xhtml, _parser())
    except etree.XMLSyntaxError:
        from lxml import html

        root = html.fromstring(xhtml)
    if root is None:
        return
    body = next((e for e in root.iter() if _local(e) == "body"), root)
    yield from _walk(body, "")


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _is_note(element) -> bool:
    kinds = set((element.get(f"{OPS}type") or "").split()) | set((element.get("role") or "").split())
    return bool(kinds & _NOTE_TYPES)


def _walk(element, inherited: str) -> Iterator[Piece]:
    """Blocks in document order: a block holding other blocks is walked into, any other is one paragraph."""
    for child in element.iterchildren():
        tag = _local(child)
        if not tag or tag in _SKIPPED:
            continue
        kind = "note" if _is_note(child) else inherited
        if tag == "img":
            yield from _image(child)
            continue
        if tag not in _BLOCKS and not any(_local(e) in _BLOCKS for e in child.iterdescendants()):
            continue  # inline content directly in a container is read with its block, below
        if tag in _HEADINGS and kind != "note":
            yield from _leaf(child, "heading", _HEADINGS[tag])
        elif any(_local(e) in _BLOCKS or _local(e) == "img" for e in child.iterdescendants()):
            loose = _own_text(child)
            if loose:
                yield Piece(loose, kind=kind or _LEAF_KINDS.get(tag, ""))
            yield from _walk(child, kind)
        else:
            yield from _leaf(child, kind or _LEAF_KINDS.get(tag, ""), 0)


def _leaf(element, kind: str, level: int) -> Iterator[Piece]:
    for image in element.iter():
        if _local(image) == "img":
            yield from _image(image)
    text = _text(element)
    if text:
        yield Piece(text, kind=kind, level=level)


def _image(element) -> Iterator[Piece]:
    alt = " ".join((element.get("alt") or "").split())
    src = posixpath.basename(element.get("src") or "")
    if alt or src:
        yield Piece(alt or src, kind="image")


def _text(element) -> str:
    """The element's text, without scripts, styles or note references (the note itself is kept)."""
    parts = []

    def visit(node) -> None:
        tag = _local(node)
        if tag in _SKIPPED or (tag == "a" and "noteref" in (node.get(f"{OPS}type") or "").split()):
            parts.append(node.tail or "")
            return
        parts.append(node.text or "")
        for child in node.iterchildren():
            visit(child)
        parts.append(node.tail or "")

    parts.append(element.text or "")
    for child in element.iterchildren():
        visit(child)
    return " ".join("".join(parts).split())


def _own_text(element) -> str:
    """Text standing directly in a container beside its blocks (a div with loose text)."""
    pieces = [element.text or ""]
    for child in element.iterchildren():
        if _local(child) not in _BLOCKS:
            pieces.append(_text(child) if _local(child) not in _SKIPPED else "")
        pieces.append(child.tail or "")
    return " ".join("".join(pieces).split())
