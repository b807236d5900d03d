"""The reader's own data in the library (``library.sqlite3``): nothing here can be rebuilt from the documents.

- ``reading``: per document, read or not, starred, and the reading position (the sentence at the
  top of the view). A document without a row is unread, not starred, at the start.
- ``feeds``: the subscriptions, with what the last check found (when, how many new, its error).
- ``removed``: documents the reader removed, so that a feed check does not bring them back;
  ``done`` says their files are gone (a removal interrupted by a kill is finished on the next open).

The store is not ``disposable``: a damaged file is reported, never moved aside, and a file of an
older schema is migrated (``reader.sqlite.Schema.migrations``). Post-editing's edits and glossary
terms are to live here too, as new tables added by a migration.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.errors import LibraryError
from reader.sqlite import Closing, Database, DatabaseWarning, Names, Schema, chunks, placeholders

SCHEMA_VERSION = 1
_STATEMENTS = (
    """CREATE TABLE reading (
        id TEXT PRIMARY KEY,
        read_at REAL,
        starred INTEGER NOT NULL DEFAULT 0,
        position INTEGER NOT NULL DEFAULT 0,
        updated REAL NOT NULL
    )""",
    """CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        auto_translate INTEGER NOT NULL DEFAULT 1,
        added REAL NOT NULL,
        last_checked REAL,
        last_error TEXT NOT NULL DEFAULT '',
        last_new INTEGER NOT NULL DEFAULT 0,
        last_failed INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE TABLE removed (id TEXT PRIMARY KEY, removed REAL NOT NULL, done INTEGER NOT NULL DEFAULT 0)",
)
SCHEMA = Schema(
    version=SCHEMA_VERSION,
    statements=_STATEMENTS,
    tables=frozenset({"reading", "feeds", "removed"}),
    columns={
        "reading": ("id", "read_at", "starred", "position", "updated"),
        "feeds": ("url", "title", "auto_translate", "added", "last_checked", "last_error", "last_new", "last_failed"),
        "removed": ("id", "removed", "done"),
    },
)
NAMES = Names("library", "library", "set READER_LIBRARY (or --library) to another folder")


class LibraryWarning(DatabaseWarning):
    """Something in the library was skipped or repaired (an unreadable document file); shown to the user."""


@dataclass(frozen=True)
class Reading:
    """Where the reader is with one document."""

    unread: bool = True
    starred: bool = False
    position: int = 0


@dataclass(frozen=True)
class Feed:
    url: str
    title: str = ""
    auto_translate: bool = True
    """Checked by ``reader feeds check`` and the app's "Check now" for all feeds; off: only when asked by name."""
    added: float = 0.0
    last_checked: float | None = None
    last_error: str = ""
    """Why the last check of the feed itself failed (404, timeout, not a feed); empty when it worked."""
    last_new: int = 0
    """Articles the last check added (new or changed)."""
    last_failed: int = 0
    """Articles of the feed the last check could not fetch or translate."""


class StateStore(Closing):
    """The reader's data in one library folder; safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db = Database(self.path, SCHEMA, names=NAMES, error=LibraryError, warning=LibraryWarning, disposable=False)

    def close(self) -> None:
        self.db.close()

    def prepare(self) -> None:
        """Create or check the file now (the index attaches it, so it must exist first)."""
        self.db.read(lambda conn: None)

    # ---- reading -----------------------------------------------------------------------------

    def reading(self, id_: str) -> Reading:
        row = self.db.read(
            lambda conn: conn.execute("SELECT read_at, starred, position FROM reading WHERE id = ?", (id_,)).fetchone()
        )
        return Reading() if row is None else Reading(row[0] is None, bool(row[1]), int(row[2]))

    def set_read(self, id_: str, read: bool = True) -> None:
        self._set(id_, "read_at", time.time() if read else None)

    def set_starred(self, id_: str, starred: bool) -> None:
        self._set(id_, "starred", int(bool(starred)))

    def set_position(self, id_: str, position: int) -> None:
        self._set(id_, "position", max(0, int(position)))

    def _set(self, id_: str, column: str, value: object) -> None:
        now = time.time()
        self.db.write(
            lambda conn: conn.execute(
                f"""INSERT INTO reading (id, {column}, updated) VALUES (?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET {column} = excluded.{column}, updated = excluded.updated""",
                (id_, value, now),
            )
        )

    def forget(self, ids: Iterable[str]) -> None:
        """Drop the reading state of removed documents."""
        ids = list(ids)

        def run(conn: sqlite3.Connection) -> None:
            for part in chunks(ids):
                conn.execute(f"DELETE FROM reading WHERE id IN ({placeholders(len(part))})", list(part))

        self.db.write(run)

    # ---- removals ----------------------------------------------------------------------------

    def mark_removed(self, ids: Iterable[str]) -> None:
        now = time.time()
        self.db.write(
            lambda conn: conn.executemany(
                "INSERT INTO removed (id, removed, done) VALUES (?, ?, 0)"
                " ON CONFLICT (id) DO UPDATE SET removed = excluded.removed, done = 0",
                [(id_, now) for id_ in ids],
            )
        )

    def removal_done(self, ids: Iterable[str]) -> None:
        self.db.write(lambda conn: conn.executemany("UPDATE removed SET done = 1 WHERE id = ?", [(i,) for i in ids]))

    def unremove(self, id_: str) -> None:
        """The document is wanted again (added by hand): feed checks may update it from now on."""
        self.db.write(lambda conn: conn.execute("DELETE FROM removed WHERE id = ?", (id_,)))

    def pending_removals(self) -> list[str]:
        return self.db.read(lambda conn: [r[0] for r in conn.execute("SELECT id FROM removed WHERE done = 0")])

    def removed_ids(self) -> set[str]:
        return self.db.read(lambda conn: {r[0] for r in conn.execute("SELECT id FROM removed")})

    # ---- feeds -------------------------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        def read(conn: sqlite3.Connection) -> list[Feed]:
            rows = conn.execute(
                "SELECT url, title, auto_translate, added, last_checked, last_error, last_new, last_failed"
                " FROM feeds ORDER BY added"
            ).fetchall()
            return [Feed(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], r[7]) for r in rows]

        return self.db.read(read)

    def add_feed(self, url: str, title: str, auto_translate: bool) -> Feed:
        def add(conn: sqlite3.Connection) -> Feed:
            if conn.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
                raise LibraryError(f"already subscribed to {url}")
            feed = Feed(url, title, auto_translate, time.time())
            conn.execute(
                "INSERT INTO feeds (url, title, auto_translate, added) VALUES (?, ?, ?, ?)",
                (feed.url, feed.title, int(feed.auto_translate), feed.added),
            )
            return feed

        return self.db.write(add)

    def remove_feed(self, url: str) -> None:
        def remove(conn: sqlite3.Connection) -> None:
            if conn.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount == 0:
                raise LibraryError(f"not subscribed to {url}")

        self.db.write(remove)

    def update_feed(self, url: str, **values: object) -> None:
        """Set some of a feed's columns (title, auto_translate, last_checked, last_error, last_new, last_failed)."""
        allowed = {"title", "auto_translate", "last_checked", "last_error", "last_new", "last_failed"}
        unknown = set(values) - allowed
        if unknown:
            raise TypeError(f"unknown feed fields: {', '.join(sorted(unknown))}")
        if not values:
            return
        assignments = ", ".join(f"{name} = ?" for name in values)
        params = [int(v) if isinstance(v, bool) else v for v in values.values()]

        def update(conn: sqlite3.Connection) -> None:
            if conn.execute(f"UPDATE feeds SET {assignments} WHERE url = ?", (*params, url)).rowcount == 0:
                raise LibraryError(f"not subscribed to {url}")

        self.db.write(update)
