"""The Digest page: what is new, by watchlist and by story (``reader.library.digest``); the page
``app_pages/digest.py`` only wires widgets to it."""

from __future__ import annotations

from reader.library import Row
from reader.library.digest import Digest

SPANS = {"Last 24 hours": "24h", "Last 3 days": "3d", "Last week": "7d"}
"""The spans the page offers, as ``reader digest --since`` takes them."""


def digest_lines(digest: Digest) -> list[tuple[str, str, str]]:
    """(heading or '', English title with its sources, document id) for the page's list of the digest."""
    out: list[tuple[str, str, str]] = []
    for name, entries in digest.watchlists:
        out.append((f"Watchlist: {name}", "", ""))
        out += [("", _said(e.row, len(e.others)), e.row.id) for e in entries]
    out.append((f"Stories ({len(digest.stories)})", "", ""))
    out += [("", _said(e.row, len(e.others)), e.row.id) for e in digest.stories]
    return out


def _said(row: Row, others: int) -> str:
    sources = f" · {others + 1} sources" if others else ""
    return f"{row.title_en or row.title} ({row.date}{sources})"
