"""The output folder, which is a reading library: one writer at a time, a stable file name per article,
files written atomically, the index page.

    OUT/articles/<id>.<format>            one file per article and format; the JSON always
    OUT/index.html                        every translated article (``reader.batch.index``)
    OUT/reader-manifest.sqlite3           the manifest (``reader.batch.manifest``)
    OUT/library*.sqlite3                  the library's index and the reader's data (``reader.library``)

A name depends only on the article's key (``reader.library.document_id``), so a rerun overwrites an
article's files, never duplicates them, and every file appears whole (``export.write`` writes a
temporary file and renames it): what a killed run leaves behind is at most a temporary file,
removed by a later run once it is old enough not to be another writer's (the app's) in flight.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from reader import export
from reader.batch.index import write_index
from reader.batch.manifest import DONE, Row
from reader.document import Document
from reader.errors import ReaderError
from reader.library.layout import ARTICLES_DIR, document_id

LOCK_NAME = ".reader-batch.lock"
STALE_AFTER_S = 600.0
"""A temporary file this old is a killed writer's leftover, not a write in flight (those take milliseconds)."""


class Outputs:
    """The files of one output folder in the requested formats."""

    def __init__(self, out_dir: Path, formats: Sequence[str]) -> None:
        self.out_dir = out_dir
        self.formats = list(formats)

    def relative(self, key: str, fmt: str) -> str:
        return f"{ARTICLES_DIR}/{document_id(key)}.{fmt}"

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

    def remove_stale_temporaries(self, *, older_than: float = STALE_AFTER_S) -> None:
        """Temporary files of atomic writes interrupted by a kill (``export.write_atomic`` names).

        The app may be writing to the same library meanwhile: a recent temporary file is left alone.
        """
        limit = time.time() - older_than
        for folder in (self.out_dir, self.out_dir / ARTICLES_DIR):
            if folder.is_dir():
                for path in folder.glob(".*.tmp"):
                    with contextlib.suppress(FileNotFoundError):
                        if path.stat().st_mtime < limit:
                            path.unlink()


def check_formats(formats: Sequence[str]) -> list[str]:
    """The formats asked for, once each, each with its exporter installed; JSON always (the library's record)."""
    chosen = list(dict.fromkeys(["json", *(f.strip().lower() for f in formats if f.strip())]))
    for fmt in chosen:
        export.renderer(fmt)
    return chosen


@contextlib.contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """One batch writer per output folder; the OS drops the lock if the process dies."""
    import fcntl

    with (out_dir / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReaderError(f"another reader batch or feed check is already writing to {out_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
