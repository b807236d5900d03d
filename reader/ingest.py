"""Turning what the user gives us (a file, pasted text, stdin, a URL) into an ``Article``.

Every input is treated as hostile; whatever is wrong with it becomes an ``InputError`` (or a
``FetchError`` for URLs) with a message naming the input and the reason.

Decoding policy (the same for files, stdin and pasted bytes):

- UTF-8, with a leading BOM stripped.
- **Invalid UTF-8 is decoded with replacement and a visible warning**, never dropped silently:
  each bad sequence becomes U+FFFD and ``Article.warnings`` says where, e.g. ``a.txt: invalid
  UTF-8 at byte offsets 1234, 1240 replaced with U+FFFD`` (offsets count from the start of the
  file, BOM included; the first five are listed). One corrupt byte should not cost the reader
  a whole article, and the warning keeps the damage visible. The exception is input that is
  mostly not UTF-8 (over ``_MAX_INVALID_RATIO`` of the characters invalid, typically a
  Windows-1256 file): that is refused with the first offset, because replacing it would
  leave nothing to read. A charset declared by the source (HTTP header, ``<meta charset>``)
  is honoured with the same policy, except that bytes which are valid multi-byte UTF-8 are
  read as UTF-8 whatever was declared (servers announce ISO-8859-1 by default).
- Line endings: CRLF and lone CR become LF, so paragraphs split on lines the same way
  whatever system wrote the file. Nothing else in the text is changed.
- Binary content (NUL bytes, or many control characters, e.g. a PNG renamed ``.txt``) is
  refused with "looks like a binary file".
- Empty or whitespace-only input is refused with "is empty".

HTML (``.html``/``.htm`` files, fetched pages, and pasted text that looks like a page) is reduced
to its article by ``reader.extract``: trafilatura tuned for precision (only the article body,
without navigation, ads or comments), then the lead put back, the repeated title, boilerplate and
agency tags taken out; its title, author, date and agency are kept.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.document import Block, Metadata
from reader.errors import FetchError, InputError

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.fetch import FetchedPage

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES

_MAX_INVALID_RATIO = 0.2
_MAX_CONTROL_RATIO = 0.05
_REPORTED_OFFSETS = 5
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_HTML_PAGE = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_BLOCK_CLOSE = re.compile(r"</(?:p|div|article|section|h[1-6]|li|td)\s*>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_URL_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]+:")
"""A URL scheme; two letters at least so that a Windows drive ('C:') is not one."""


@dataclass(frozen=True)
class Article:
    """One article's text and what is known about it, before translation."""

    text: str
    meta: Metadata = field(default_factory=Metadata)
    """What the page says of itself: title, author, date and agency (its tag, such as --(بترا), is cut
    from the text). The rest of a document's metadata is filled in when it is translated."""
    source: str = ""
    """Where it came from: a file path, an URL, '-' for stdin, or what the caller named it."""
    url: str = ""
    """The final URL after redirects, for articles fetched from the web."""
    feed: str = ""
    """The RSS/Atom feed that listed it, for a feed's entries (batch sets it)."""
    warnings: tuple[str, ...] = ()
    """Problems that were repaired rather than refused (invalid UTF-8), to show the user."""
    blocks: tuple[Block, ...] = ()
    """A document's structure (PDF, DOCX, EPUB: ``reader.documents``), one block per line of ``text``."""
    following: Callable[[int], Article] | None = field(default=None, compare=False, repr=False)
    """A long PDF read a window of pages at a time (``reader.library.parts``): what reads the next window
    once this one's parts are committed (given how many pages more to read); None when ``text`` runs to the end."""


def read_file(path: Path, settings: Settings) -> Article:
    """Read a .txt, .md, .html or .htm file, refusing oversized, binary or empty ones; a PDF, DOCX or EPUB
    (by its name, or by its first bytes whatever its name) is read by ``reader.documents``."""
    from reader import documents

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in documents.SUFFIXES or (suffix not in SUFFIXES and path.is_file() and documents.kind_of(path)):
        return read_document(path, settings)
    if suffix not in SUFFIXES:
        supported = ", ".join((*SUFFIXES, *documents.SUFFIXES))
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'!r}; use one of {supported}")
    try:
        size = path.stat().st_size
        if size > settings.max_input_bytes:
            raise InputError(_too_big(str(path), size, settings.max_input_bytes))
        with path.open("rb") as handle:
            data = handle.read(settings.max_input_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > settings.max_input_bytes:
        raise InputError(_too_big(str(path), len(data), settings.max_input_bytes))
    if suffix in HTML_SUFFIXES:
        return article_from_html_bytes(data, source=str(path))
    text, warnings = decode_bytes(data, str(path))
    return Article(text=_require_text(text, str(path)), source=str(path), warnings=warnings)


def read_document(path: Path, settings: Settings, *, progress: Callable[[int, int], None] | None = None) -> Article:
    """A PDF, DOCX or EPUB (``reader.documents``): one paragraph a line, its structure in ``blocks``, and
    what could not be read ("page 3 needs OCR") in ``warnings``."""
    from reader import documents

    extracted = documents.extract(path, settings, progress=progress)
    text, blocks = documents.as_text(extracted)
    if not text:
        reason = "; ".join(extracted.warnings) or "no text was found in it"
        raise InputError(f"{path}: nothing to translate ({reason})")
    return Article(
        text=text,
        meta=replace(extracted.meta, source=str(path), source_digest=file_digest(path)),
        source=str(path),
        warnings=tuple(f"{path}: {w}" for w in extracted.warnings),
        blocks=blocks,
    )


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (``Metadata.source_digest``), read in blocks."""
    import hashlib

    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_document_bytes(
    name: str, data: bytes, settings: Settings, *, reader: Callable[[Path, Settings], Article] | None = None
) -> Article:
    """An uploaded document (the app's upload): read from a private temporary copy, named as uploaded;
    ``reader`` reads it otherwise than ``read_document`` (a long one resumed: ``reader.library.parts``)."""
    import tempfile

    if len(data) > settings.max_document_bytes:
        raise InputError(
            f"{name}: is {len(data):,} bytes, over the limit of {settings.max_document_bytes:,} "
            "(READER_MAX_DOCUMENT_BYTES)"
        )
    with tempfile.TemporaryDirectory(prefix="reader-upload-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        try:
            article = (reader or read_document)(path, settings)
        except InputError as exc:
            raise InputError(str(exc).replace(str(path), name)) from None
    warnings = tuple(w.replace(str(path), name) for w in article.warnings)
    return replace(article, source=name, meta=replace(article.meta, source=name), warnings=warnings)


def read_text(text: str, *, source: str = "", settings: Settings | None = None) -> Article:
    """Pasted text: an HTML page is reduced to its article; anything else is kept as it is.

    ``settings`` (optional) applies the input size cap, measured in UTF-8 bytes.
    """
    name = source or "the pasted text"
    if settings is not None:
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > settings.max_input_bytes:
            raise InputError(_too_big(name, size, settings.max_input_bytes))
    text = _unify_line_endings(text.removeprefix("\ufeff"))
    _refuse_binary(text, name)
    if looks_like_html(text):
        return article_from_html(text, source=source, name=name)
    return Article(text=_require_text(text, name), source=source)


def fetch_article(url: str, settings: Settings) -> Article:
    """Fetch a page safely and extract its article body, title, author and date."""
    from reader.fetch import fetch_url

    return article_from_page(fetch_url(url, settings))


def article_from_page(page: FetchedPage) -> Article:
    """The article in a fetched page (HTML, or plain text); FetchError when there is none."""
    url = page.url
    kind = page.content_type
    try:
        if kind in ("text/html", "application/xhtml+xml", ""):
            return article_from_html_bytes(page.body, source=url, url=page.final_url, declared=page.encoding)
        if kind in ("text/plain", "text/markdown"):
            text, warnings = decode_bytes(page.body, url, declared=page.encoding)
            return Article(text=_require_text(text, url), source=url, url=page.final_url, warnings=warnings)
    except InputError as exc:
        raise FetchError(f"{url}: {_reason(exc, url)}") from None
    raise FetchError(f"{url}: not an article page (content type {kind!r})")


def read_input(spec: str, settings: Settings) -> Article:
    """The CLI's input: '-' for stdin, an http(s) URL, or a file path."""
    if spec == "-":
        data = sys.stdin.buffer.read(settings.max_input_bytes + 1)
        if len(data) > settings.max_input_bytes:
            raise InputError(
                f"standard input is over the limit of {settings.max_input_bytes:,} bytes (READER_MAX_INPUT_BYTES)"
            )
        text, warnings = decode_bytes(data, "standard input")
        if looks_like_html(text):
            article = article_from_html(text, source="-", name="standard input")
            return replace(article, warnings=warnings + article.warnings)
        return Article(text=_require_text(text, "standard input"), source="-", warnings=warnings)
    lowered = spec.lower()
    if lowered.startswith(("http://", "https://")):
        return fetch_article(spec, settings)
    path = Path(spec)
    scheme = _URL_SCHEME.match(spec)
    if scheme and not path.exists():
        raise FetchError(f"cannot fetch {spec}: only http and https URLs are allowed, not '{scheme.group(0)}'")
    return read_file(path, settings)


def decode_bytes(data: bytes, name: str, *, declared: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Decode under the module's policy; returns the text (LF line endings) and any warnings.

    ``declared`` is a charset the source announced (HTTP header, <meta charset>); UTF-8 otherwise.
    """
    encoding = _codec(declared) or "utf-8"
    if encoding != "utf-8" and not encoding.startswith(("utf-16", "utf-32")) and _is_utf8(data):
        # Servers often announce ISO-8859-1 by default; valid multi-byte UTF-8 is never an accident.
        encoding = "utf-8"
    if b"\x00" in data and not encoding.startswith(("utf-16", "utf-32")):
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not text")
    text, warnings = _decode(data, encoding, name)
    text = _unify_line_endings(text.removeprefix("\ufeff"))
    _refuse_binary(text, name)
    return text, warnings


def looks_like_html(text: str) -> bool:
    """A whole page (doctype/html/head/body first) or a fragment made of block elements."""
    head = text[:4096]
    if _HTML_PAGE.match(head):
        return True
    stripped = text.strip()
    return stripped.startswith("<") and stripped.endswith(">") and len(_HTML_BLOCK_CLOSE.findall(text)) >= 2


def article_from_html_bytes(data: bytes, *, source: str, url: str = "", declared: str | None = None) -> Article:
    """Decode an HTML document (declared charset, then <meta charset>, then UTF-8) and extract it."""
    name = source or url or "the page"
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    text, warnings = decode_bytes(data, name, declared=declared)
    article = article_from_html(text, source=source, url=url, name=name)
    return replace(article, warnings=warnings + article.warnings)


def article_from_html(html: str, *, source: str = "", url: str = "", name: str = "") -> Article:
    """The article body, title, author, date and agency of a page (``reader.extract``)."""
    from reader.extract import extract_html

    name = name or source or url or "the page"
    _require_text(html, name)
    extracted = extract_html(html, url=url or None)
    if extracted is None or not extracted.text.strip():
        raise InputError(f"{name}: no article text could be extracted from the HTML")
    return Article(text=extracted.text, meta=extracted.meta, source=source, url=url)


def _decode(data: bytes, encoding: str, name: str) -> tuple[str, tuple[str, ...]]:
    try:
        return data.decode(encoding), ()
    except UnicodeDecodeError as first:
        offsets = [first.start]
        position = first.end
    # Find a few more bad spots (bounded, so a long corrupt file costs little).
    while len(offsets) <= _REPORTED_OFFSETS and position < len(data):
        try:
            data[position:].decode(encoding)
            break
        except UnicodeDecodeError as exc:
            offsets.append(position + exc.start)
            position += exc.end
    text = data.decode(encoding, errors="replace")
    label = "UTF-8" if encoding == "utf-8" else encoding
    if text.count("\ufffd") > len(text) * _MAX_INVALID_RATIO:
        raise InputError(
            f"{name}: is not {label} text (the first invalid byte is at offset {offsets[0]}); "
            "convert it to UTF-8 first, e.g. iconv -f WINDOWS-1256 -t UTF-8"
        )
    shown = ", ".join(str(o) for o in offsets[:_REPORTED_OFFSETS])
    more = " and later" if len(offsets) > _REPORTED_OFFSETS else ""
    plural = "offsets" if len(offsets) > 1 else "offset"
    return text, (f"{name}: invalid {label} at byte {plural} {shown}{more} replaced with U+FFFD",)


def _is_utf8(data: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not data.isascii()


def _refuse_binary(text: str, name: str) -> None:
    if "\x00" in text:
        raise InputError(f"{name}: looks like a binary file (it contains NUL bytes), not text")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    if sample and controls > len(sample) * _MAX_CONTROL_RATIO:
        raise InputError(f"{name}: looks like a binary file ({controls} control characters), not text")


def _unify_line_endings(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _require_text(text: str, name: str) -> str:
    if not text.strip():
        raise InputError(f"{name}: is empty (no text to translate)")
    return text


def _codec(declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.strip()).name
    except LookupError:
        return None
    return "utf-8" if name in ("utf-8", "utf-8-sig", "ascii") else name


def _too_big(name: str, size: int, limit: int) -> str:
    return f"{name}: is {size:,} bytes, over the limit of {limit:,} (READER_MAX_INPUT_BYTES)"


def _reason(exc: InputError, name: str) -> str:
    message = str(exc)
    return message[len(name) + 2 :] if message.startswith(f"{name}: ") else message
