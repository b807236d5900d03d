"""OCR of a PDF page with no credible text: Tesseract's Arabic model on the page's picture.

The ``ocr`` extra is the Debian packages ``tesseract-ocr`` and ``tesseract-ocr-ara`` (the binary is
called directly: no Python wrapper needed). Pages are drawn by pypdfium2 (which pdfplumber brings).
Tesseract writes Arabic in logical order, one text block a paragraph, separated by blank lines.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import InputError

if TYPE_CHECKING:
    from reader.config import Settings

DPI = 300
TIMEOUT = 120.0
"""Seconds for one page: a page that takes longer is reported, not waited for."""


@cache
def has_arabic_ocr() -> bool:
    """Whether Tesseract and its Arabic model are installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return False
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "ara" in (listed.stdout + listed.stderr).split()


def reader(settings: Settings) -> Callable[[Path, int], list[str]] | None:
    """The page reader the settings allow (``ocr``: auto or off), or None."""
    if settings.ocr.lower() in ("off", "0", "false", "no") or not has_arabic_ocr():
        return None
    return read_page


def read_page(path: Path, number: int) -> list[str]:
    """The paragraphs Tesseract reads on page ``number`` (from 1) of the PDF at ``path``."""
    import pypdfium2

    with tempfile.TemporaryDirectory(prefix="reader-ocr-") as folder:
        picture = Path(folder) / "page.png"
        try:
            pdf = pypdfium2.PdfDocument(str(path))
            try:
                pdf[number - 1].render(scale=DPI / 72, grayscale=True).to_pil().save(picture)
            finally:
                pdf.close()
        except pypdfium2.PdfiumError as exc:
            raise InputError(f"{path}: page {number} cannot be drawn for OCR ({exc})") from None
        try:
            done = subprocess.run(
                ["tesseract", str(picture), "stdout", "-l", "ara", "--psm", "3"],
                capture_output=True, text=True, timeout=TIMEOUT, check=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise InputError(f"{path}: OCR of page {number} failed ({exc})") from None
    blocks = done.stdout.replace("\f", "\n").split("\n\n")
    return [" ".join(block.split()) for block in blocks if block.strip()]
