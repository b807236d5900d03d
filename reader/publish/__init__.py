"""Translated feeds out: the library's articles as Atom 1.0 and JSON Feed 1.1, for any feed reader.

- ``select``: which documents a feed holds (``library_feed``, ``source_feed``, ``collection_feed``);
- ``entries``: what each entry says (English title and summary, bilingual HTML, links, dates, ids);
- ``atom`` / ``jsonfeed``: one small module per format, each ``render(feed, *, self_url="") -> bytes``;
- ``static``: the same feeds as files in the library folder (``LIB/feeds/``), which ``reader batch``
  and ``reader feeds check`` write after each run, for any static web server to publish.

See docs/feeds.md.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from reader.errors import ReaderError
from reader.publish.entries import FeedEntry, TranslatedFeed
from reader.publish.select import DEFAULT_LIMIT, collection_feed, library_feed, source_feed, source_feeds

FORMATS = {"atom": "reader.publish.atom", "json": "reader.publish.jsonfeed"}
"""Each feed format's module: ``render``, ``MEDIA_TYPE`` and ``SUFFIX``."""


def render(feed: TranslatedFeed, fmt: str, *, self_url: str = "") -> bytes:
    """``feed`` in ``fmt`` (``atom`` or ``json``)."""
    return _module(fmt).render(feed, self_url=self_url)


def media_type(fmt: str) -> str:
    """The Content-Type to serve ``fmt`` with."""
    return str(_module(fmt).MEDIA_TYPE)


def suffix(fmt: str) -> str:
    """The file name suffix of ``fmt`` (``.atom``, ``.json``)."""
    return str(_module(fmt).SUFFIX)


def _module(fmt: str) -> ModuleType:
    try:
        return importlib.import_module(FORMATS[fmt])
    except KeyError:
        raise ReaderError(f"unknown feed format {fmt!r}; choose from {', '.join(FORMATS)}") from None


__all__ = [
    "DEFAULT_LIMIT",
    "FORMATS",
    "FeedEntry",
    "TranslatedFeed",
    "collection_feed",
    "library_feed",
    "media_type",
    "render",
    "source_feed",
    "source_feeds",
    "suffix",
]
