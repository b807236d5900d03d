"""What every document reader returns: the paragraphs it found, in reading order, with their structure."""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.document import Metadata


@dataclass(frozen=True)
class Piece:
    """One paragraph of a document as read: its text on one line, and what it is (``reader.document.Block``)."""

    text: str
    kind: str = ""
    """"" for body text, or one of ``reader.document.KINDS``."""
    level: int = 0
    """A heading's level (1 is a chapter); 0 for anything else."""
    page: int | None = None
    """The source page (from 1), for paged sources (PDF)."""
    ocr: bool = False
    """Read by OCR from the page's picture, not from a text layer."""


@dataclass(frozen=True)
class Extracted:
    pieces: tuple[Piece, ...]
    meta: Metadata = field(default_factory=Metadata)
    warnings: tuple[str, ...] = ()
    """What could not be read, in one line each ("page 3 needs OCR")."""
    pages: int = 0
    """The source's page count, for paged sources."""
