"""Documents in: PDF, Word (DOCX) and EPUB become an ``Article`` whose text keeps the document's structure.

One small module per format (``pdf``, ``docx``, ``epub``), each returning the paragraphs it read in
reading order (``model.Piece``): what each is (heading, list item, table cell, note, image), the
source page for a PDF, and whether OCR read it. Here they become the article's text, one paragraph a
line, and its blocks (``reader.document.Block``), which the pipeline copies onto the document's
paragraphs. The format is told by the file's first bytes, else by its name.
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
    from reader.ingest import Article

SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".epub": "epub"}


def kind_of(path: Path) -> str | None:
    """'pdf', 'docx' or 'epub' from the file's first bytes (a PDF header, a zip holding an EPUB's
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
        from reader.documents.archive import member_names

        names = member_names(path)
        if "word/document.xml" in names:
            return "docx"
        if "META-INF/container.xml" in names:
            return "epub"
    return SUFFIXES.get(path.suffix.lower())


def extract(path: Path, settings: Settings, *, progress: Callable[[int, int], None] | None = None) -> Extracted:
    """What a document holds, read by the module for its format (size-capped first)."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        raise InputError(f"{path}: not a PDF, DOCX or EPUB file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size > settings.max_document_bytes:
        raise InputError(
            f"{path}: is {size:,} bytes, over the limit of {settings.max_document_bytes:,} (READER_MAX_DOCUMENT_BYTES)"
        )
    if kind == "pdf":
        from reader.documents import ocr
        from reader.documents.pdf import read_pdf

        return read_pdf(path, ocr=ocr.reader(settings), progress=progress)
    if kind == "docx":
        from reader.documents.docx import read_docx

        return read_docx(path, settings)
    from reader.documents.epub import read_epub

    return read_epub(path, settings)


def read_document(path: Path, settings: Settings, *, progress: Callable[[int, int], None] | None = None) -> Article:
    """The article a document holds: one paragraph a line, its structure in ``blocks``."""
    from dataclasses import replace

    from reader.ingest import Article

    path = Path(path)
    extracted = extract(path, settings, progress=progress)
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
    if not lines:
        reason = "; ".join(extracted.warnings) or "no text was found in it"
        raise InputError(f"{path}: nothing to translate ({reason})")
    meta = replace(extracted.meta, source=str(path))
    return Article(
        text="\n".join(lines),
        meta=meta,
        source=str(path),
        warnings=tuple(f"{path}: {w}" for w in extracted.warnings),
        blocks=tuple(blocks),
    )


def read_bytes(name: str, data: bytes, settings: Settings) -> Article:
    """An uploaded document (the app's upload): read from a private temporary copy, named as uploaded."""
    import tempfile
    from dataclasses import replace

    if len(data) > settings.max_document_bytes:
        raise InputError(
            f"{name}: is {len(data):,} bytes, over the limit of {settings.max_document_bytes:,} "
            "(READER_MAX_DOCUMENT_BYTES)"
        )
    with tempfile.TemporaryDirectory(prefix="reader-upload-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        article = read_document(path, settings)
    warnings = tuple(w.replace(str(path), name) for w in article.warnings)
    return replace(article, source=name, meta=replace(article.meta, source=name), warnings=warnings)
