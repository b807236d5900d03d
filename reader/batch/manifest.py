"""The batch manifest: one SQLite file in the output folder recording every article's state.

A row per article key (a file path or URL) holds the hash of what was translated, its status
and its output files. An article becomes ``done`` only in the transaction that records its
output files, after they were all written (each atomically): a run killed at any moment
leaves each article either done with complete files, or not done, in which case the next
run translates it again and overwrites the same file names. Nothing is duplicated.

The file's plumbing is ``reader.sqlite``'s. The manifest is ``disposable``: a damaged one is moved
aside with a warning, and the next run rebuilds it, retranslating from the sentence cache.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from reader.errors import ReaderError
from reader.sqlite import Closing, Database, DatabaseWarning, Names, Schema

MANIFEST_NAME = "reader-manifest.sqlite3"
SCHEMA_VERSION = 1
PENDING, DONE, FAILED = "pending", "done", "failed"

_SCHEMA = """
CREATE TABLE articles (
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
    """The translated headline (``Document.title_en``), for the index."""
    date: str
    source: str
    hint: str
    """A cheap change marker (a feed entry's updated time) that lets a rerun skip fetching."""
    sentences: int
    error: str
    updated: float


SCHEMA = Schema(
    version=SCHEMA_VERSION,
    statements=(_SCHEMA,),
    tables=frozenset({"articles"}),
    columns={"articles": tuple(f.name for f in fields(Row))},
)
NAMES = Names("batch manifest", "manifest", "use a new output folder")


class ManifestWarning(DatabaseWarning):
    """The manifest had a problem it worked around (a damaged file was replaced); shown to the user."""


class Manifest(Closing):
    """The manifest of one output folder. Used from one thread; one writer process per folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = Database(path, SCHEMA, names=NAMES, error=ReaderError, warning=ManifestWarning, disposable=True)

    def close(self) -> None:
        self._db.close()

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
        self._db.write(
            lambda conn: conn.execute(
                """INSERT INTO articles (key, content_hash, status, source, hint, updated)
                   VALUES (?, ?, 'pending', ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET content_hash = excluded.content_hash, status = 'pending',
                       source = excluded.source, hint = excluded.hint, error = '', updated = excluded.updated
                   WHERE status != 'done'""",
                (key, content_hash, source, hint, time.time()),
            )
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
        self._db.write(
            lambda conn: conn.execute(
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
        )

    def mark_failed(self, key: str, error: str, *, source: str = "") -> None:
        """Record a failure; an article already done keeps its status and files (a site being down
        today does not undo yesterday's translation)."""
        self._db.write(
            lambda conn: conn.execute(
                """INSERT INTO articles (key, status, source, error, updated) VALUES (?, 'failed', ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET error = excluded.error, updated = excluded.updated,
                       status = CASE WHEN status = 'done' THEN 'done' ELSE 'failed' END""",
                (key, source, error, time.time()),
            )
        )

    def adopt(self, other: Manifest) -> int:
        """Take the done rows of another folder's manifest that this one lacks (``reader library import``):
        their feed entries then cost no fetch here either. Returns how many were taken."""
        rows = [row for row in other.rows(DONE) if self.get(row.key) is None]
        columns = [f.name for f in fields(Row)]
        values = [
            tuple(json.dumps(list(row.outputs)) if name == "outputs" else getattr(row, name) for name in columns)
            for row in rows
        ]
        sql = f"INSERT OR IGNORE INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self._db.write(lambda conn: conn.executemany(sql, values))
        return len(rows)

    def _query(self, sql: str, params: tuple[object, ...]) -> list[Row]:
        def read(conn: sqlite3.Connection) -> list[Row]:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [_row(dict(zip(names, record, strict=True))) for record in cursor.fetchall()]

        return self._db.read(read)


def _row(data: dict[str, object]) -> Row:
    data["outputs"] = tuple(json.loads(str(data["outputs"])))
    return Row(**data)  # type: ignore[arg-type]
