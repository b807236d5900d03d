"""Exports: one small module per format, each with ``render(document, **options) -> bytes``.

The registry is lazy so that, for example, the PDF dependencies load only when a PDF is asked for.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from typing import Any

from reader.document import Document
from reader.errors import ExportError
from reader.extras import missing

FORMATS: dict[str, str] = {
    "json": "reader.export.json_format",
    "html": "reader.export.html",
    "pdf": "reader.export.pdf",
    "md": "reader.export.markdown",
    "tmx": "reader.export.tmx",
    "epub": "reader.export.epub",
}


def renderer(fmt: str) -> Any:
    """The module that renders ``fmt``, imported: an unknown format, or one whose packages are missing,
    fails here with a message that says what to do (batch checks its formats before it starts)."""
    try:
        module_name = FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}") from None
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name == module_name:
            raise
        raise ExportError(missing(f"the {fmt} export", "pdf", exc=exc)) from exc


def render(document: Document, fmt: str, **options: Any) -> bytes:
    return renderer(fmt).render(document, **options)


def write(document: Document, fmt: str, path: Path, **options: Any) -> Path:
    """Render then write atomically (temporary file + rename): a crash never leaves half a file."""
    data = render(document, fmt, **options)
    write_atomic(path, data)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes files private; exports are ordinary documents
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
