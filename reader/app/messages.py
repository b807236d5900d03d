"""What the app says: messages shown exactly as written, and the sidebar's cache figures.

Streamlit renders every message as GitHub-flavoured Markdown, with its own additions (``:emoji:``,
``:red[colour]``, ``$maths$``). ``plain`` escapes every ASCII punctuation character, which
CommonMark always shows as the character itself: so nothing in a message (a URL, a file name, an
article's title) is read as markup, and URLs are not turned into links, whose text would show the
escapes (``http://127\\.0\\.0\\.1`` was what a refused URL read like).
"""

from __future__ import annotations

import logging
import re

from reader.config import Settings
from reader.errors import ReaderError

log = logging.getLogger(__name__)

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it as written (see the module docstring)."""
    return _ASCII_PUNCTUATION.sub(r"\\\1", str(text))


def count(n: int, noun: str) -> str:
    """'1 article', '3 articles', '1,204 articles'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def error_message(exc: BaseException) -> str:
    """What the user sees for an error: our own messages as they are; anything else named and logged."""
    if isinstance(exc, ReaderError):
        return plain(str(exc))
    log.error("unexpected error in the app", exc_info=exc)
    return plain(f"Unexpected error ({type(exc).__name__}): {exc}. Details are in the server log.")


def cache_figures(settings: Settings) -> list[tuple[str, str]]:
    """The sentence cache at a glance, for the sidebar."""
    from reader.translate.cache import SentenceCache

    with SentenceCache.for_settings(settings) as cache:
        stats = cache.stats()
    return [
        ("Cached sentences", f"{stats.entries:,}"),
        ("Models in cache", f"{len(stats.per_fingerprint):,}"),
        ("Cache hits", f"{stats.hits:,}"),
        ("Size", f"{stats.size_bytes / 2**20:.1f} MB"),
    ]
