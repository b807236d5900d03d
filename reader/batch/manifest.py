"""The batch manifest: one SQLite file in the output folder recording every article's state.

A row per article key (a file path or URL) holds the hash of what was translated, its status
and its output files. An article becomes ``done`` only in the transaction that records its
output files, after they were all written (each atomically): a run killed at any moment
leaves each article either done with complete files, or not done, in which case the next
run translates it again and overwrites the same file names. Nothing is duplicated.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reader.errors import ReaderError

MANIFEST_NAME = "reader-manifest.sqlite3"
SCHEMA_VERSION = 1
PENDING, DONE, FAILED = "pending", "done", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    content_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    outputs TEXT NOT NULL DEFAULT '[]',
    title TEXT NOT NULL DEFAULT '',
    headline TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    hint TEXT NOT NULL DEFAULT '',
    sentences INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL
)
"""


@dataclass(frozen=True)
class Row:
    key: str
    content_hash: str | None
    status: str
    outputs: tuple[str, ...]
    """Output files, relative to the output folder."""
    title: str
    headline: str
    """The translated headline (first paragraph), for the index."""
    date: str
    source: str
    hint: str
    """A cheap change marker (a feed entry's updated time) that lets a rerun skip fetching."""
    sentences: int
    error: str
    updated: float


class Manifest:
    """The manifest of one output folder. Used from one thread; one writer process per folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise ReaderError(
                    f"{path} was written by another version of reader (schema {version}); "
                    "use a new output folder or remove the file"
                )
            self._conn.execute(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ReaderError(f"cannot open the batch manifest {path}: {exc}") from exc

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> Row | None:
        found = self._query("SELECT * FROM articles WHERE key = ?", (key,))
        return found[0] if found else None

    def rows(self, status: str | None = None) -> list[Row]:
        if status is None:
            return self._query("SELECT * FROM articles ORDER BY key", ())
        return self._query("SELECT * FROM articles WHERE status = ? ORDER BY key", (status,))

    def mark_pending(self, key: str, content_hash: str, *, source: str, hint: str = "") -> None:
        """Record an article about to be translated.

        A done row (an older version being retranslated) stays done, with its old hash and files,
        until ``mark_done`` replaces it: the index keeps showing it, and a kill meanwhile still
        leaves a hash that differs from the new content, so the next run redoes it.
        """
        with self._transaction() as conn:
            conn.execute(
                """INSERT INTO articles (key, content_hash, status, source, hint, updated)
                   VALUES (?, ?, 'pending', ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET content_hash = excluded.content_hash, status = 'pending',
                       source = excluded.source, hint = excluded.hint, error = '', updated = excluded.updated
                   WHERE status != 'done'""",
                (key, content_hash, source, hint, time.time()),
            )

    def mark_done(
        self,
        key: str,
        content_hash: str,
        *,
        outputs: Sequence[str],
        title: str,
        headline: str,
        date: str,
        source: str,
        hint: str,
        sentences: int,
    ) -> None:
        """Call only after every output file is written: this one transaction is the commit point."""
        with self._transaction() as conn:
            conn.execute(
                """INSERT INTO articles (key, content_hash, status, outputs, title, headline, date, source, hint,
                                         sentences, error, updated)
                   VALUES (?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, '', ?)
                   ON CONFLICT (key) DO UPDATE SET content_hash = excluded.content_hash, status = 'done',
                       outputs = excluded.outputs, title = excluded.title, headline = excluded.headline,
                       date = excluded.date, source = excluded.source, hint = excluded.hint,
                       sentences = excluded.sentences, error = '', updated = excluded.updated""",
                (
                    key,
                    content_hash,
                    json.dumps(list(outputs)),
                    title,
                    headline,
                    date,
                    source,
                    hint,
                    sentences,
                    time.time(),
                ),
            )

    def mark_failed(self, key: str, error: str, *, source: str = "") -> None:
        """Record a failure; an article already done keeps its status and files (a site being down
        today does not undo yesterday's translation)."""
        with self._transaction() as conn:
            conn.execute(
                """INSERT INTO articles (key, status, source, error, updated) VALUES (?, 'failed', ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET error = excluded.error, updated = excluded.updated,
                       status = CASE WHEN status = 'done' THEN 'done' ELSE 'failed' END""",
                (key, source, error, time.time()),
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise ReaderError(f"cannot update the batch manifest {self.path}: {exc}") from exc

    def _query(self, sql: str, params: tuple[object, ...]) -> list[Row]:
        try:
            cursor = self._conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            records = cursor.fetchall()
        except sqlite3.DatabaseError as exc:
            raise ReaderError(f"cannot read the batch manifest {self.path}: {exc}") from exc
        rows = []
        for record in records:
            data = dict(zip(names, record, strict=True))
            data["outputs"] = tuple(json.loads(data["outputs"]))
            rows.append(Row(**data))
        return rows
