"""The persistent sentence cache: one SQLite file shared by the app, the CLI and batch workers.

Every sentence translation is stored under (model fingerprint, normalized sentence), so an
article seen before is shown without running the model, and a different model or decoding
setting never returns stale text. The file's plumbing (WAL, retries while locked, schema check,
a damaged file moved aside and rebuilt) is ``reader.sqlite``'s: the cache is ``disposable``,
so losing it costs time, not data.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import CacheError
from reader.sqlite import Closing, Database, DatabaseWarning, Names, Schema, chunks, placeholders
from reader.translate.base import Translation

if TYPE_CHECKING:
    from reader.config import Settings

SCHEMA_VERSION = 1
"""Stored in ``PRAGMA user_version``; a file with another version is not read as this schema."""

_STATEMENTS = (
    "CREATE TABLE models (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE)",
    """CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        model INTEGER NOT NULL REFERENCES models (id),
        digest BLOB NOT NULL,
        source TEXT NOT NULL,
        translation TEXT NOT NULL,
        alignment TEXT NOT NULL,
        score REAL NOT NULL,
        created INTEGER NOT NULL,
        last_used INTEGER NOT NULL,
        hits INTEGER NOT NULL DEFAULT 0,
        UNIQUE (model, digest)
    )""",
    "CREATE INDEX sentences_lru ON sentences (last_used)",
    # The entry count is kept by triggers, so enforcing the size limit never counts the table.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO meta (key, value) VALUES ('entries', 0)",
    """CREATE TRIGGER sentences_count_insert AFTER INSERT ON sentences
        BEGIN UPDATE meta SET value = value + 1 WHERE key = 'entries'; END""",
    """CREATE TRIGGER sentences_count_delete AFTER DELETE ON sentences
        BEGIN UPDATE meta SET value = value - 1 WHERE key = 'entries'; END""",
)
SCHEMA = Schema(
    version=SCHEMA_VERSION,
    statements=_STATEMENTS,
    tables=frozenset({"models", "sentences", "meta"}),
    columns={
        "sentences": (
            "id",
            "model",
            "digest",
            "source",
            "translation",
            "alignment",
            "score",
            "created",
            "last_used",
            "hits",
        )
    },
)
NAMES = Names("sentence cache", "cache", "set READER_CACHE_PATH to another file")


class CacheWarning(DatabaseWarning):
    """The cache had a problem it worked around (e.g. a damaged file was replaced); shown to the user."""


@dataclass(frozen=True)
class CacheStats:
    path: Path
    entries: int
    size_bytes: int
    """The database file plus its write-ahead log."""
    max_entries: int
    per_fingerprint: dict[str, int]
    """Entries per model fingerprint."""
    hits: int
    """Times an entry was read back, summed over the entries still cached."""
    oldest: datetime | None
    """Creation time (UTC) of the oldest entry; None when the cache is empty."""
    newest: datetime | None


def sentence_key(sentence: str) -> str:
    """The cache key form: NFC with runs of whitespace collapsed (the words, and so alignments, are kept)."""
    return unicodedata.normalize("NFC", " ".join(sentence.split()))


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()


def _to_datetime(ns: int | None) -> datetime | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, tz=UTC)


class SentenceCache(Closing):
    """Translations keyed by (fingerprint, normalized sentence), shared safely across threads and processes.

    Nothing touches the disk until the first call. Connections are pooled: each call borrows one,
    so threads never share a connection and finished threads leave nothing behind.
    """

    def __init__(self, path: Path, *, max_entries: int = 2_000_000) -> None:
        if max_entries < 1:
            raise CacheError(f"the cache size limit must be at least 1 entry, not {max_entries}")
        self.path = Path(path)
        self.max_entries = max_entries
        self._db = Database(self.path, SCHEMA, names=NAMES, error=CacheError, warning=CacheWarning, disposable=True)

    @classmethod
    def for_settings(cls, settings: Settings) -> SentenceCache:
        """The cache the settings name (``READER_CACHE_PATH``, ``READER_CACHE_MAX_ENTRIES``)."""
        return cls(settings.cache_path, max_entries=settings.cache_max_entries)

    # ---- public API -------------------------------------------------------------------------

    def get_many(self, fingerprint: str, sentences: Sequence[str]) -> dict[str, Translation]:
        """Cached translations (``cached=True``) for those of ``sentences`` that are stored; marks them used."""
        keys: dict[str, list[str]] = {}
        for sentence in sentences:
            keys.setdefault(sentence_key(sentence), []).append(sentence)
        if not keys:
            return {}
        by_digest = {_digest(key): key for key in keys}
        digests = list(by_digest)

        def read(conn: sqlite3.Connection) -> list[tuple[int, bytes, str, str, str, float]]:
            model = self._model_id(conn, fingerprint, create=False)
            if model is None:
                return []
            rows = []
            for part in chunks(digests):
                rows += conn.execute(
                    "SELECT id, digest, source, translation, alignment, score FROM sentences"
                    f" WHERE model = ? AND digest IN ({placeholders(len(part))})",
                    (model, *part),
                ).fetchall()
            return rows

        rows = self._db.read(read)
        found: dict[str, Translation] = {}
        used: list[int] = []
        for row_id, digest, source, text, alignment, score in rows:
            if by_digest.get(digest) != source:
                continue
            translation = Translation(
                text=text,
                alignment=tuple((int(s), int(t)) for s, t in json.loads(alignment)),
                score=float(score),
                cached=True,
            )
            used.append(row_id)
            for sentence in keys[source]:
                found[sentence] = translation
        if used:
            self._db.write(lambda conn: self._touch(conn, used))
        return found

    def put_many(self, fingerprint: str, items: Mapping[str, Translation]) -> None:
        """Store (or replace) translations, then evict least-recently-used entries over the size limit."""
        if not items:
            return
        rows = []
        for sentence, translation in items.items():
            key = sentence_key(sentence)
            alignment = json.dumps([[s, t] for s, t in translation.alignment], separators=(",", ":"))
            rows.append((_digest(key), key, translation.text, alignment, float(translation.score)))

        def write(conn: sqlite3.Connection) -> None:
            model = self._model_id(conn, fingerprint, create=True)
            stamp = self._stamp(conn)
            conn.executemany(
                "INSERT INTO sentences (model, digest, source, translation, alignment, score, created, last_used)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (model, digest) DO UPDATE SET source = excluded.source,"
                " translation = excluded.translation, alignment = excluded.alignment, score = excluded.score,"
                " created = excluded.created, last_used = excluded.last_used",
                [(model, *row, stamp, stamp) for row in rows],
            )
            (entries,) = conn.execute("SELECT value FROM meta WHERE key = 'entries'").fetchone()
            if entries > self.max_entries:
                conn.execute(
                    "DELETE FROM sentences WHERE id IN (SELECT id FROM sentences ORDER BY last_used, id LIMIT ?)",
                    (entries - self.max_entries,),
                )

        self._db.write(write)

    def stats(self) -> CacheStats:
        def read(conn: sqlite3.Connection) -> CacheStats:
            per_fingerprint = dict(
                conn.execute(
                    "SELECT models.fingerprint, COUNT(*) FROM sentences JOIN models ON models.id = sentences.model"
                    " GROUP BY models.fingerprint ORDER BY models.fingerprint"
                ).fetchall()
            )
            hits, oldest, newest = conn.execute(
                "SELECT COALESCE(SUM(hits), 0), MIN(created), MAX(created) FROM sentences"
            ).fetchone()
            return CacheStats(
                path=self.path,
                entries=sum(per_fingerprint.values()),
                size_bytes=self._db.size_bytes(),
                max_entries=self.max_entries,
                per_fingerprint=per_fingerprint,
                hits=hits,
                oldest=_to_datetime(oldest),
                newest=_to_datetime(newest),
            )

        # One read transaction, so the counts agree with each other.
        return self._db.read(read)

    def clear(self, fingerprint: str | None = None, *, sentences: Sequence[str] | None = None) -> int:
        """Remove everything, one model's entries, or given sentences (of one model or all); returns rows removed."""

        def write(conn: sqlite3.Connection) -> int:
            if fingerprint is None:
                models = [row[0] for row in conn.execute("SELECT id FROM models").fetchall()]
            else:
                model = self._model_id(conn, fingerprint, create=False)
                models = [] if model is None else [model]
            removed = 0
            if sentences is None:
                for model in models:
                    removed += conn.execute("DELETE FROM sentences WHERE model = ?", (model,)).rowcount
                    conn.execute("DELETE FROM models WHERE id = ?", (model,))
                return removed
            digests = list({_digest(sentence_key(s)) for s in sentences})
            for model in models:
                for part in chunks(digests):
                    removed += conn.execute(
                        f"DELETE FROM sentences WHERE model = ? AND digest IN ({placeholders(len(part))})",
                        (model, *part),
                    ).rowcount
            return removed

        return self._db.write(write)

    def close(self) -> None:
        """Close idle connections; the cache reopens on next use."""
        self._db.close()

    def __repr__(self) -> str:
        return f"SentenceCache({str(self.path)!r}, max_entries={self.max_entries})"

    # ---- statements -------------------------------------------------------------------------

    @staticmethod
    def _model_id(conn: sqlite3.Connection, fingerprint: str, *, create: bool) -> int | None:
        row = conn.execute("SELECT id FROM models WHERE fingerprint = ?", (fingerprint,)).fetchone()
        if row is not None or not create:
            return None if row is None else int(row[0])
        return int(conn.execute("INSERT INTO models (fingerprint) VALUES (?)", (fingerprint,)).lastrowid)

    @staticmethod
    def _stamp(conn: sqlite3.Connection) -> int:
        """Wall-clock ns, forced past every stored stamp: writes are serialized, so LRU order is exact."""
        (latest,) = conn.execute("SELECT MAX(last_used) FROM sentences").fetchone()
        return max(time.time_ns(), (latest or 0) + 1)

    def _touch(self, conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        stamp = self._stamp(conn)
        for part in chunks(ids):
            conn.execute(
                f"UPDATE sentences SET last_used = ?, hits = hits + 1 WHERE id IN ({placeholders(len(part))})",
                (stamp, *part),
            )
