"""The output folder: one writer at a time, a stable file name per article, files written atomically, the index.

    OUT/articles/<slug>-<hash>.<format>   one file per article and format
    OUT/index.html                        every translated article (``reader.batch.index``)
    OUT/reader-manifest.sqlite3           the manifest (``reader.batch.manifest``)

A name depends only on the article's key, so a rerun overwrites an article's files, never
duplicates them, and every file appears whole (``export.write`` writes a temporary file and
renames it): what a killed run leaves behind is at most a temporary file, removed by the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from reader import export
from reader.batch.index import write_index
from reader.batch.manifest import DONE, Row
from reader.document import Document
from reader.errors import ExportError, ReaderError

ARTICLES_DIR = "articles"
LOCK_NAME = ".reader-batch.lock"


class Outputs:
    """The files of one output folder in the requested formats."""

    def __init__(self, out_dir: Path, formats: Sequence[str]) -> None:
        self.out_dir = out_dir
        self.formats = list(formats)

    def relative(self, key: str, fmt: str) -> str:
        return f"{ARTICLES_DIR}/{output_stem(key)}.{fmt}"

    def complete(self, row: Row) -> bool:
        """Whether a manifest row is done with every requested file on disk."""
        if row.status != DONE:
            return False
        wanted = {self.relative(row.key, fmt) for fmt in self.formats}
        return wanted <= set(row.outputs) and all((self.out_dir / name).is_file() for name in wanted)

    def write(self, key: str, document: Document) -> list[str]:
        """Every requested file of one article, each written atomically; their paths relative to the folder."""
        written = []
        for fmt in self.formats:
            relative = self.relative(key, fmt)
            export.write(document, fmt, self.out_dir / relative)
            written.append(relative)
        return written

    def write_index(self, rows: Sequence[Row]) -> Path:
        return write_index(self.out_dir, rows)

    def remove_stale_temporaries(self) -> None:
        """Temporary files of atomic writes interrupted by a kill (``export.write_atomic`` names)."""
        for folder in (self.out_dir, self.out_dir / ARTICLES_DIR):
            if folder.is_dir():
                for path in folder.glob(".*.tmp"):
                    path.unlink(missing_ok=True)


def output_stem(key: str) -> str:
    """A readable, filesystem-safe name that depends only on the key, so a rerun overwrites, never duplicates."""
    parts = urlsplit(key)
    if parts.scheme in ("http", "https"):
        segments = [s for s in parts.path.split("/") if s]
        readable = segments[-1] if segments else parts.hostname or ""
    else:
        readable = Path(key).name
    readable = re.sub(r"\.(txt|md|html?|php|aspx?)$", "", readable, flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", readable.lower()).strip("-")[:60].strip("-") or "article"
    return f"{slug}-{hashlib.sha256(key.encode('utf-8', errors='surrogatepass')).hexdigest()[:10]}"


def check_formats(formats: Sequence[str]) -> list[str]:
    """The formats asked for, once each (JSON when none), each with its exporter installed."""
    chosen = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip())) or ["json"]
    for fmt in chosen:
        if fmt not in export.FORMATS:
            raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(export.FORMATS)}")
        try:
            importlib.import_module(export.FORMATS[fmt])
        except ImportError as exc:
            raise ExportError(
                f"the {fmt} export needs packages that are not installed ({exc.name}); "
                "install them with: pip install 'reader[pdf]'"
            ) from exc
    return chosen


@contextlib.contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """One batch writer per output folder; the OS drops the lock if the process dies."""
    import fcntl

    with (out_dir / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReaderError(f"another reader batch is already writing to {out_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
