"""The library's folder, which is also what ``reader batch --out DIR`` writes:

    LIB/articles/<id>.json            one document per article (docs/format.md): the library's content
    LIB/articles/<id>.<fmt>           other exports batch was asked for (html, pdf, md, tmx)
    LIB/library.sqlite3               the reader's own data: read/unread, starred, positions, feeds
    LIB/library-index.sqlite3         the search index and the list of documents, rebuilt from the JSON
    LIB/reader-manifest.sqlite3       batch's record of what it fetched and translated
    LIB/index.html                    batch's static list of the articles

A document's id is its file's stem, ``<slug>-<10 hex digits of the key's SHA-256>``, where the key
is the article's absolute path or URL (``document_id``): the same article always gets the same
id and file, whoever translates it (the app, ``reader translate``, batch, a feed check).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ARTICLES_DIR = "articles"
STATE_NAME = "library.sqlite3"
INDEX_NAME = "library-index.sqlite3"
DOCUMENT_SUFFIX = ".json"
EXPORT_SUFFIXES = (".json", ".html", ".pdf", ".md", ".tmx")
"""The files a document may have beside its JSON (the export formats batch writes); removed with it."""


def library_key(*, url: str = "", path: str | Path = "", name: str = "", text: str = "", origin: str = "pasted") -> str:
    """What names an article in the library, decided here for the CLI, the app and batch alike.

    Its URL as given (a redirect does not change it); else its file's absolute path; else a name that
    is already unique and stable (a bundled sample's ``seeds/NAME``); else, for text with no place of
    its own (pasted, stdin, an upload), ``origin`` and a hash of the text, so the same text again is
    the same document.
    """
    if url.strip():
        return url.strip()
    if str(path):
        return str(Path(path).resolve())
    if name:
        return name
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]
    return f"{origin or 'pasted'}:{digest}"


def document_id(key: str) -> str:
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


@dataclass(frozen=True)
class FileStamp:
    """What says a document file changed: its name, modification time and size."""

    file: str
    """Relative to the library folder: ``articles/<id>.json``."""
    mtime_ns: int
    size: int


def document_file(id_: str) -> str:
    return f"{ARTICLES_DIR}/{id_}{DOCUMENT_SUFFIX}"


def scan(root: Path) -> Iterator[tuple[str, FileStamp]]:
    """(id, stamp) of every document file; hidden files (an atomic write's temporaries) are not documents."""
    folder = root / ARTICLES_DIR
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") or not name.endswith(DOCUMENT_SUFFIX):
            continue
        try:
            stat = entry.stat()
        except FileNotFoundError:
            continue  # removed meanwhile
        if entry.is_file():
            yield name[: -len(DOCUMENT_SUFFIX)], FileStamp(f"{ARTICLES_DIR}/{name}", stat.st_mtime_ns, stat.st_size)


def stamp(root: Path, file: str) -> FileStamp:
    stat = os.stat(root / file)
    return FileStamp(file, stat.st_mtime_ns, stat.st_size)


def files_of(root: Path, id_: str) -> list[Path]:
    """The document's JSON and the exports beside it (``<id>.<format>``, nothing that merely starts alike)."""
    folder = root / ARTICLES_DIR
    return [folder / f"{id_}{suffix}" for suffix in EXPORT_SUFFIXES if (folder / f"{id_}{suffix}").is_file()]
