"""For batch tests: generated Arabic articles whose every sentence is distinct, what the fake backend
makes of them, ``batch``, which runs ``run_batch`` with its options spelled as keywords, and RSS
feeds of such articles served by the local test server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reader.batch import BatchOptions, BatchSummary, run_batch
from tests.support.fake import transliterate
from tests.support.http_server import LocalServer, article_page, page

_DIGITS = "ابتثجحخدذر"
_WORDS = ["قال", "الوزير", "إن", "الحكومة", "ستبني", "مدرسة", "جديدة", "في", "المدينة", "هذا", "العام"]


def tag(number: int) -> str:
    """An Arabic-letter word unique to ``number`` (so every generated sentence is distinct)."""
    return "".join(_DIGITS[int(d)] for d in str(number))


def sentences_for(article: int, count: int = 3) -> list[str]:
    return [
        " ".join([_WORDS[(article + i + j) % len(_WORDS)] for j in range(5)] + [tag(article * 100 + i)]) + "."
        for i in range(count)
    ]


def article_text(article: int, count: int = 3) -> str:
    return "\n".join(sentences_for(article, count)) + "\n"


def expected_translation(sentence: str) -> str:
    return " ".join(transliterate(w) for w in sentence.split())


def batch(sources: Sequence[str], out: Path, **options: Any) -> BatchSummary:
    """``run_batch(sources, out, BatchOptions(**options))``."""
    return run_batch(sources, out, BatchOptions(**options))


def rss(server: LocalServer, items: Sequence[tuple[str, str, int]]) -> str:
    """An RSS 2.0 feed of (path, title, article number) entries on ``server``, each with its own date."""
    entries = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link>"
        f"<pubDate>Thu, 21 Nov 2024 0{i}:00:00 GMT</pubDate></item>"
        for i, (path, title, _) in enumerate(items)
    )
    channel = f"<channel><title>الخبر</title>{entries}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'


def serve_articles(server: LocalServer, items: Sequence[tuple[str, str, int]], sentences: int = 4) -> None:
    """Each entry's page: a news page whose article is ``sentences_for(number, sentences)``."""
    for path, title, number in items:
        server.routes[path] = page(article_page(title, sentences_for(number, sentences)))


def serve_feed(server: LocalServer, path: str, items: Sequence[tuple[str, str, int]]) -> str:
    """Serve the entries' pages and a feed of them at ``path``; the feed's URL."""
    serve_articles(server, items)
    server.routes[path] = page(rss(server, items), content_type="application/rss+xml")
    return server.url(path)
