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

FORMATS: dict[str, str] = {
    "json": "reader.export.json_format",
    "html": "reader.export.html",
    "pdf": "reader.export.pdf",
    "md": "reader.export.markdown",
    "tmx": "reader.export.tmx",
    "epub": "reader.export.epub",
}


def render(document: Document, fmt: str, **options: Any) -> bytes:
    try:
        module_name = FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name == module_name:
            raise
        raise ExportError(
            f"the {fmt} export needs packages that are not installed ({exc.name}); "
            "install them with: pip install 'reader[pdf]'"
        ) from exc
    return module.render(document, **options)


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
