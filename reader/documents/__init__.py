"""Documents in: PDF, Word (DOCX), OpenDocument (ODT) and EPUB read into paragraphs that keep the document's structure.

One small module per format (``pdf``, ``docx``, ``odt``, ``epub``), each returning the paragraphs it read in
reading order (``model.Piece``): what each is (heading, list item, table cell, note, image), the
source page for a PDF, and whether OCR read it. ``as_text`` makes them an article's text, one
paragraph a line, and its blocks (``reader.document.Block``), which ``reader.ingest.read_document``
puts in an ``Article`` and the pipeline copies onto the document's paragraphs. The format is told by
the file's first bytes, else by its name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.document import Block
from reader.errors import InputError

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.documents.model import Extracted
    from reader.documents.pdf import OpenPdf

SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".epub": "epub", ".odt": "odt"}


def kind_of(path: Path) -> str | None:
    """'pdf', 'docx', 'epub' or 'odt' from the file's first bytes (a PDF header, a zip holding an EPUB's
    mimetype or Word's document part), else from its suffix; None for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return SUFFIXES.get(path.suffix.lower())
    if head.lstrip(b"\r\n\t \x00")[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/epub+zip" in head:
            return "epub"
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
            return "odt"
        from reader.documents.archive import member_names

        names = member_names(path)
        if "word/document.xml" in names:
            return "docx"
        if "META-INF/container.xml" in names:
            return "epub"
    return SUFFIXES.get(path.suffix.lower())


def extract(
    path: Path, settings: Settings, *, progress: Callable[[int, int], None] | None = None, first_page: int = 1,
    ocr: Callable[[Path, int], list[str]] | None = None, last_page: int | None = None,
    opened: OpenPdf | None = None,
) -> Extracted:
    """What a document holds, read by the module for its format (size-capped first); a PDF from ``first_page``
    on (to ``last_page``, from ``opened``: ``pdf.OpenPdf``), its pages that need it read by ``ocr``
    (``reader.documents.ocr.reader`` by default)."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        raise InputError(f"{path}: not a PDF, DOCX, ODT or EPUB file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size > settings.max_document_bytes:
        raise InputError(
            f"{path}: is {size:,} bytes, over the limit of {settings.max_document_bytes:,} (READER_MAX_DOCUMENT_BYTES)"
        )
    if kind == "pdf":
        from reader.documents.ocr import reader
        from reader.documents.pdf import read_pdf

        return read_pdf(
            path, ocr=ocr or reader(settings), progress=progress, first_page=first_page, last_page=last_page,
            opened=opened,
        )
    if kind == "docx":
        from reader.documents.docx import read_docx

        return read_docx(path, settings)
    if kind == "odt":
        from reader.documents.odt import read_odt

        return read_odt(path, settings)
    from reader.documents.epub import read_epub

    return read_epub(path, settings)


def page_count(path: Path) -> int:
    """A PDF's page count from its page tree, no page read (a long one is read a window at a time:
    ``reader.library.parts``); 0 when that cannot be told, and the whole reading says why."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
    except ImportError:
        return 0
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in PDFPage.create_pages(PDFDocument(PDFParser(handle))))
    except Exception:  # an encrypted or broken file: the whole reading reports it in one line
        return 0


def as_text(extracted: Extracted) -> tuple[str, tuple[Block, ...]]:
    """The pieces as an article's text, one paragraph a line, and the block that says what each line is."""
    lines: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for piece in extracted.pieces:
        text = " ".join(piece.text.split())
        if not text:
            continue
        blocks.append(Block(offset, piece.kind, piece.level, piece.page, piece.ocr))
        lines.append(text)
        offset += len(text) + 1
    return "\n".join(lines), tuple(blocks)
