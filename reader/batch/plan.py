"""What a batch run has to do: for each article the sources name, new, changed or unchanged.

An article is unchanged when the manifest has it done, with all requested files present, and
with the same content hash: a hash of its text and metadata and of everything that changes a
translation, the model's weights included (``change_key``). Feed entries whose published or
updated stamp (and the change key) are as recorded are judged unchanged without being fetched.
Everything else is read or fetched, a few articles ahead in threads, and becomes a ``Job``.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.batch.manifest import DONE, Manifest, Row
from reader.batch.sources import Failure, Item
from reader.errors import ReaderError, describe

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.ingest import Article
    from reader.library import Library

COMPLETED = "completed"
LOAD_THREADS = 4
"""Articles read or fetched ahead of the translator (fetching is I/O bound)."""


@dataclass(frozen=True)
class Job:
    """An article that needs translating."""

    item: Item
    article: Article
    content_hash: str
    outcome: str
    """'new', 'changed', or ``COMPLETED``: a titles-first article made whole (its feed is back to full)."""
    hint: str
    """What the manifest records to skip this feed entry next time without fetching it."""
    lead: bool = False
    """Translate only the title and first paragraph now (its feed is checked titles first)."""

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def source(self) -> str:
        return self.article.url or self.item.key


@dataclass(frozen=True)
class Unchanged:
    key: str


def change_key(settings: Settings, model_fingerprint: str) -> str:
    """What changes a translation: the model's weights (never just its name) and the translation settings."""
    return (
        f"model={model_fingerprint};backend={settings.backend};beam={settings.beam};"
        f"budget={settings.token_budget};diacritics={settings.strip_diacritics}"
    )


def content_hash(article: Article, key: str) -> str:
    """What decides "changed": the text and metadata we translate, and the change key."""
    digest = hashlib.sha256()
    for part in (key, article.meta.title, article.meta.author, article.meta.date, article.text):
        digest.update(part.encode("utf-8", errors="surrogatepass"))
        digest.update(b"\x00")
    if article.following is not None:  # a long PDF's first pages only (reader.library.parts): the file's bytes too
        digest.update(article.meta.source_digest.encode())
    return digest.hexdigest()


def plan(
    items: Sequence[Item],
    manifest: Manifest,
    *,
    complete: Callable[[Row], bool],
    settings: Settings,
    key: str,
    library: Library | None = None,
) -> Iterator[Job | Unchanged | Failure]:
    """Each item's fate, in order; ``complete(row)`` says whether a done row's files are all there. A long PDF
    that ``library`` holds in part (a killed run's) is read only from where it stopped (``reader.library.parts``)."""

    def hint(item: Item) -> str:
        return f"{key}|{item.hint}" if item.hint else ""

    to_load = []
    for item in items:
        row = manifest.get(item.key)
        if item.hint and row is not None and row.hint == hint(item) and complete(row):
            yield Unchanged(item.key)
        else:
            to_load.append((item, row))
    for (item, row), loaded in _load_ahead(to_load, settings, library):
        if isinstance(loaded, ReaderError):
            yield Failure(item.key, str(loaded), item.origin)
            continue
        digest = content_hash(loaded, key)
        if row is not None and row.status == DONE and row.content_hash == digest and complete(row):
            yield Unchanged(item.key)
            continue
        outcome = "changed" if row is not None and row.outputs else "new"
        yield Job(item, loaded, digest, outcome, hint(item))


def _load_ahead(
    work: Sequence[tuple[Item, Row | None]], settings: Settings, library: Library | None = None
) -> Iterator[tuple[tuple[Item, Row | None], Article | ReaderError]]:
    """Load articles in order, a few threads ahead of the consumer."""
    from reader.library import parts

    def load(item: Item) -> Article | ReaderError:
        try:
            if library is not None and item.kind == "file":
                resumed = parts.resume_article(library, item.key, Path(item.key), settings)
                if resumed is not None:
                    return resumed
            return item.load(settings)
        except ReaderError as exc:
            return exc
        except Exception as exc:  # a parser choking on hostile input fails that article only
            return ReaderError(f"{item.key}: cannot be read ({describe(exc)})")

    with ThreadPoolExecutor(max_workers=LOAD_THREADS, thread_name_prefix="reader-load") as pool:
        window: deque[tuple[tuple[Item, Row | None], Future[Article | ReaderError]]] = deque()
        pending = iter(work)
        for entry in pending:
            window.append((entry, pool.submit(load, entry[0])))
            if len(window) >= LOAD_THREADS * 2:
                break
        while window:
            entry, future = window.popleft()
            yield entry, future.result()
            following = next(pending, None)
            if following is not None:
                window.append((following, pool.submit(load, following[0])))
