"""The Add page's inputs: pasted text, an uploaded file, an article URL or a sample, each read under the
same rules as everywhere else (``reader.ingest``), and the key that names it in the library."""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader import documents, ingest
from reader.config import PACKAGE_ROOT, Settings
from reader.document import SAMPLE_PREFIX
from reader.errors import InputError
from reader.library import library_key as key_of

if TYPE_CHECKING:
    from reader.library import Library

SEEDS_DIR = PACKAGE_ROOT / "seeds"
PASTE, UPLOAD, URL, SAMPLE = "Paste text", "Upload a file", "Article URL", "Sample article"
INPUT_KINDS = (PASTE, UPLOAD, URL, SAMPLE)
UPLOAD_TYPES = tuple(suffix.lstrip(".") for suffix in (*ingest.SUFFIXES, *documents.SUFFIXES))
INPUT_CSS = "<style>textarea { unicode-bidi: plaintext; }</style>"
"""Each pasted line takes its own direction, so Arabic reads right to left in the input box too."""


def read_article(kind: str, value: object, settings: Settings, library: Library | None = None) -> ingest.Article:
    """Dispatch one input widget's value: text for paste/URL/sample, (name, bytes) for an upload. A long PDF
    that ``library`` holds in part (an upload stopped before) is read only from where it stopped."""
    if kind == PASTE:
        return ingest.read_text(str(value or ""), settings=settings)
    if kind == UPLOAD:
        if not isinstance(value, tuple):
            raise InputError("choose a file to upload first")
        name, data = value
        return read_upload(str(name), bytes(data), settings, library)
    if kind == URL:
        url = str(value or "").strip()
        if not url:
            raise InputError("enter the URL of an article first")
        return ingest.fetch_article(url, settings)
    if kind == SAMPLE:
        return read_seed(str(value or ""), settings)
    raise InputError(f"unknown input kind {kind!r}")


def library_key(kind: str, value: object, article: ingest.Article) -> str:
    """What names the article in the library: the URL as typed (as batch and feeds key it), the sample's
    path, else the text itself (the same paste or upload again is the same document)."""
    if kind == URL:
        return key_of(url=str(value or ""))
    if kind == SAMPLE:
        return key_of(name=article.source)
    if kind == UPLOAD and isinstance(value, tuple) and Path(str(value[0])).suffix.lower() in documents.SUFFIXES:
        return upload_key(str(value[0]), bytes(value[1]))
    if kind == UPLOAD:
        return key_of(text=article.text, origin=f"upload:{article.source}")
    return key_of(text=article.text)


def upload_key(name: str, data: bytes) -> str:
    """An uploaded document's key, known before it is read: its bytes' digest (the same file again is the same
    document, and a long one stopped part way goes on where it stopped)."""
    return key_of(name=f"upload:{hashlib.sha256(data).hexdigest()[:16]}/{name}")


def read_upload(name: str, data: bytes, settings: Settings, library: Library | None = None) -> ingest.Article:
    """An uploaded file, held to the same rules as a file on disk: type, size, and real text content."""
    suffix = Path(name).suffix.lower()
    if suffix in documents.SUFFIXES:
        if library is None:
            return ingest.read_document_bytes(name, data, settings)
        from reader.library import parts

        key = upload_key(name, data)

        def resumed(path: Path, settings: Settings) -> ingest.Article:
            return parts.resume_article(library, key, path, settings) or ingest.read_document(path, settings)

        return ingest.read_document_bytes(name, data, settings, reader=resumed)
    if suffix not in ingest.SUFFIXES:
        raise InputError(
            f"{name}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(ingest.SUFFIXES)}"
        )
    if len(data) > settings.max_input_bytes:
        raise InputError(
            f"{name}: is {len(data):,} bytes, over the limit of {settings.max_input_bytes:,} (READER_MAX_INPUT_BYTES)"
        )
    if suffix in ingest.HTML_SUFFIXES:
        return ingest.article_from_html_bytes(data, source=name)
    text, warnings = ingest.decode_bytes(data, name)
    article = ingest.read_text(text, source=name)
    return replace(article, warnings=warnings + article.warnings)


def upload_limit_mb(settings: Settings) -> int:
    """Streamlit's upload cap in (binary) megabytes, rounded up; the exact byte limit is checked after."""
    return max(1, math.ceil(max(settings.max_input_bytes, settings.max_document_bytes) / 2**20))


def seed_names(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    return sorted(p.name for p in seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []


def read_seed(name: str, settings: Settings, seeds_dir: Path = SEEDS_DIR) -> ingest.Article:
    # Only names from the listing are accepted, so the value can never point outside seeds/.
    if name not in seed_names(seeds_dir):
        raise InputError(f"no sample article named {name!r}")
    article = ingest.read_file(seeds_dir / name, settings)
    return replace(article, source=f"{SAMPLE_PREFIX}{name}")
