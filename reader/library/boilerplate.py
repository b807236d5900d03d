"""Site boilerplate the library learns from its own articles, where no phrase list can keep up.

A paragraph that stands verbatim (after folding: diacritics, tatweel, alef and hamza forms, digits;
``reader.chars.search_words``) in ``MIN_ARTICLES`` or more articles from the same host is that site's
boilerplate: a comment policy ("الآراء الواردة أدناه لا تعبر عن رأي…"), a newsletter or app box, a
copyright block. It is dropped from the host's new articles before they are translated (and kept,
in the document's ``meta.boilerplate``, so the site's count does not fall when an old article is
translated again without it), and flagged where it still stands in the old ones.

The index keeps each document's paragraph keys by host (``Index.site_counts``), derived from the
document files like everything else there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from reader.chars import search_words
from reader.document import Document

MIN_ARTICLES = 3
"""Articles of one host a paragraph must stand in to be that site's boilerplate."""
MIN_WORDS = 4
"""Shorter paragraphs (a heading, "شارك", a byline) are left to extraction: too many repeat by chance."""


def site(source: str) -> str:
    """The host (and port, when the URL names one) of a document's source URL, without "www." ('' for files
    and pasted text)."""
    parts = urlsplit(source.strip())
    try:
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.")
    return f"{host}:{port}" if port else host


def paragraph_key(text: str) -> str:
    """The folded paragraph's digest ('' for one too short to count)."""
    folded = search_words(text)
    if len(folded.split()) < MIN_WORDS:
        return ""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:24]


def document_keys(document: Document) -> set[str]:
    """The keys a document counts towards: its paragraphs, and the boilerplate already dropped from it."""
    texts = [p.source for p in document.paragraphs] + dropped(document)
    return {key for key in map(paragraph_key, texts) if key}


def dropped(document: Document) -> list[str]:
    """The site boilerplate dropped from the document before translation, one paragraph a line."""
    return [line for line in document.meta.boilerplate.splitlines() if line.strip()]


def split(text: str, known: Collection[str]) -> tuple[str, list[str]]:
    """``text`` without its paragraphs (lines) that are known boilerplate, and those paragraphs."""
    kept: list[str] = []
    gone: list[str] = []
    for line in text.splitlines():
        (gone if line.strip() and paragraph_key(line) in known else kept).append(line)
    return "\n".join(kept), [line.strip() for line in gone]


def flagged(document: Document, known: Collection[str]) -> list[int]:
    """The indexes of the document's paragraphs that are its site's boilerplate."""
    return [n for n, p in enumerate(document.paragraphs) if paragraph_key(p.source) in known]


def learned(counts: Iterable[tuple[str, int]]) -> frozenset[str]:
    """The keys standing in enough articles, from (key, articles) pairs."""
    return frozenset(key for key, articles in counts if articles >= MIN_ARTICLES)
