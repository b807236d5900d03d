"""The reader's own data in the library (``library.sqlite3``): nothing here can be rebuilt from the documents.

- ``reading``: per document, read or not, starred, and the reading position (the sentence at the
  top of the view). A document without a row is unread, not starred, at the start.
- ``feeds``: the subscriptions, with what the last check found (when, how many new, its error).
- ``removed``: documents the reader removed, so that a feed check does not bring them back;
  ``done`` says their files are gone (a removal interrupted by a kill is finished on the next open).

- ``edits`` (schema 2): the reader's versions of sentences, keyed by the normalized source sentence
  (``reader.library.edits.edit_key``), not by model or document: the same sentence anywhere shows it.
  ``unspread`` holds the keys whose change has not reached every document yet: written in the same
  transaction as the change, cleared once the documents are rewritten, finished on the next open.
- ``glossary`` (schema 2): terms, global (``feed`` empty) or for one feed, keyed by the folded Arabic.
  A change to it marks the documents' glossary flags ``unchecked`` in the same transaction; the mark
  goes once every document is checked again, and a check cut short is finished on the next open.
- ``watchlists``, ``watch_hits``, ``outbox`` (schema 3): named sets of terms, the sentences of each
  document that matched them (stored in the same transaction as the alerts they owe, ``outbox``,
  which are removed once delivered: a delivery cut short is retried), see ``reader.library.watch``.
- ``story_apart`` (schema 3): pairs of documents the reader said are not one story; the grouping
  (derived, in the index) never puts them together again.

The store is not ``disposable``: a damaged file is reported, never moved aside, and a file of an
older schema is migrated (``reader.sqlite.Schema.migrations``: version 1 gains the edits and the
glossary, version 2 the watchlists and story corrections, version 3 the feeds' ``titles_first``,
version 4 the outbox's ``sending`` lease).
None of it is touched by ``reader cache clear`` or a rebuild of the index.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.document import Edit
from reader.errors import LibraryError
from reader.sqlite import Closing, Database, DatabaseWarning, Names, Schema, chunks, placeholders

SCHEMA_VERSION = 5
_EDITS_AND_GLOSSARY = (
    """CREATE TABLE edits (
        key TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        edit TEXT NOT NULL,
        updated REAL NOT NULL
    )""",
    "CREATE TABLE unspread (key TEXT PRIMARY KEY)",
    "CREATE TABLE unchecked (what TEXT PRIMARY KEY)",
    """CREATE TABLE glossary (
        key TEXT NOT NULL,
        feed TEXT NOT NULL DEFAULT '',
        arabic TEXT NOT NULL,
        english TEXT NOT NULL,
        added REAL NOT NULL,
        PRIMARY KEY (key, feed)
    )""",
)
_TRIAGE = (
    """CREATE TABLE watchlists (
        name TEXT PRIMARY KEY,
        terms TEXT NOT NULL,
        feeds TEXT NOT NULL DEFAULT '[]',
        webhook TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        added REAL NOT NULL
    )""",
    """CREATE TABLE watch_hits (
        watchlist TEXT NOT NULL,
        id TEXT NOT NULL,
        sentence INTEGER NOT NULL,
        source TEXT NOT NULL,
        translation TEXT NOT NULL,
        source_words TEXT NOT NULL,
        translation_words TEXT NOT NULL,
        terms TEXT NOT NULL,
        found REAL NOT NULL,
        PRIMARY KEY (watchlist, id, sentence)
    )""",
    "CREATE INDEX watch_hits_id ON watch_hits (id)",
    """CREATE TABLE outbox (
        n INTEGER PRIMARY KEY,
        watchlist TEXT NOT NULL,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        created REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE TABLE story_apart (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b))",
)
_TITLES_FIRST = ("ALTER TABLE feeds ADD COLUMN titles_first INTEGER NOT NULL DEFAULT 0",)
_SENDING = ("ALTER TABLE outbox ADD COLUMN sending REAL NOT NULL DEFAULT 0",)
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
    *_EDITS_AND_GLOSSARY,
    *_TRIAGE,
    *_TITLES_FIRST,
    *_SENDING,
)
SCHEMA = Schema(
    version=SCHEMA_VERSION,
    statements=_STATEMENTS,
    tables=frozenset(
        {"reading", "feeds", "removed", "edits", "unspread", "unchecked", "glossary"}
        | {"watchlists", "watch_hits", "outbox", "story_apart"}
    ),
    columns={
        "reading": ("id", "read_at", "starred", "position", "updated"),
        "feeds": (
            "url",
            "title",
            "auto_translate",
            "added",
            "last_checked",
            "last_error",
            "last_new",
            "last_failed",
            "titles_first",
        ),
        "removed": ("id", "removed", "done"),
        "edits": ("key", "source", "edit", "updated"),
        "unspread": ("key",),
        "unchecked": ("what",),
        "glossary": ("key", "feed", "arabic", "english", "added"),
        "watchlists": ("name", "terms", "feeds", "webhook", "email", "added"),
        "watch_hits": (
            "watchlist",
            "id",
            "sentence",
            "source",
            "translation",
            "source_words",
            "translation_words",
            "terms",
            "found",
        ),
        "outbox": ("n", "watchlist", "channel", "payload", "created", "attempts", "last_error", "sending"),
        "story_apart": ("a", "b"),
    },
    migrations={1: _EDITS_AND_GLOSSARY, 2: _TRIAGE, 3: _TITLES_FIRST, 4: _SENDING},
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
    titles_first: bool = False
    """A check translates each new entry's title and first paragraph only, the rest when opened or when a
    watchlist hits (``meta.scope``); off (whole articles) by default."""


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
        """Drop the reading state and the watch hits of removed documents."""
        ids = list(ids)

        def run(conn: sqlite3.Connection) -> None:
            _delete(conn, "reading", "id", ids)
            _delete(conn, "watch_hits", "id", ids)

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
                "SELECT url, title, auto_translate, added, last_checked, last_error, last_new, last_failed,"
                " titles_first FROM feeds ORDER BY added"
            ).fetchall()
            return [Feed(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], r[7], bool(r[8])) for r in rows]

        return self.db.read(read)

    def add_feed(self, url: str, title: str, auto_translate: bool, titles_first: bool = False) -> Feed:
        def add(conn: sqlite3.Connection) -> Feed:
            if conn.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
                raise LibraryError(f"already subscribed to {url}")
            feed = Feed(url, title, auto_translate, time.time(), titles_first=titles_first)
            conn.execute(
                "INSERT INTO feeds (url, title, auto_translate, added, titles_first) VALUES (?, ?, ?, ?, ?)",
                (feed.url, feed.title, int(feed.auto_translate), feed.added, int(titles_first)),
            )
            return feed

        return self.db.write(add)

    def remove_feed(self, url: str) -> None:
        def remove(conn: sqlite3.Connection) -> None:
            if conn.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount == 0:
                raise LibraryError(f"not subscribed to {url}")

        self.db.write(remove)

    def update_feed(self, url: str, **values: object) -> None:
        """Set some of a feed's columns (title, auto_translate, titles_first, last_checked, last_error, last_new,
        last_failed)."""
        allowed = {"title", "auto_translate", "titles_first", "last_checked", "last_error", "last_new", "last_failed"}
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

    # ---- edits -------------------------------------------------------------------------------

    def edits(self, keys: Iterable[str] | None = None) -> dict[str, tuple[str, Edit]]:
        """key -> (source as first edited, the edit): all of them, or those of ``keys``."""

        def read(conn: sqlite3.Connection) -> dict[str, tuple[str, Edit]]:
            if keys is None:
                rows = conn.execute("SELECT key, source, edit FROM edits ORDER BY updated").fetchall()
            else:
                rows = []
                for part in chunks(list(dict.fromkeys(keys))):
                    rows += conn.execute(
                        f"SELECT key, source, edit FROM edits WHERE key IN ({placeholders(len(part))})", list(part)
                    ).fetchall()
            return {key: (source, _edit(text)) for key, source, text in rows}

        return self.db.read(read)

    def put_edits(self, records: Iterable[tuple[str, str, Edit]]) -> None:
        """Keep (key, source, edit) records, replacing what the same keys held."""
        now = time.time()
        rows = [(key, source, json.dumps(edit.to_dict(), ensure_ascii=False), now) for key, source, edit in records]

        def run(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO edits (key, source, edit, updated) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET source = excluded.source, edit = excluded.edit, updated = excluded.updated",
                rows,
            )
            _unspread(conn, [row[0] for row in rows])

        self.db.write(run)

    def drop_edits(self, keys: Iterable[str]) -> int:
        keys = list(keys)

        def run(conn: sqlite3.Connection) -> int:
            dropped = _delete(conn, "edits", "key", keys)
            _unspread(conn, keys)
            return dropped

        return self.db.write(run)

    def unspread(self) -> list[str]:
        """The keys whose edit (or revert) has not reached every document holding the sentence yet."""
        return self.db.read(lambda conn: [r[0] for r in conn.execute("SELECT key FROM unspread")])

    def spread(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self.db.write(lambda conn: _delete(conn, "unspread", "key", keys))

    # ---- glossary ----------------------------------------------------------------------------

    def glossary(self, feed: str | None = None) -> list[tuple[str, str, str]]:
        """(arabic, english, feed) rows: every term, or those that apply to ``feed`` (global ones and its own)."""

        def read(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
            sql = "SELECT arabic, english, feed FROM glossary"
            params: tuple[str, ...] = ()
            if feed is not None:
                sql += " WHERE feed = '' OR feed = ?"
                params = (feed,)
            return [tuple(r) for r in conn.execute(sql + " ORDER BY feed, added", params).fetchall()]

        return self.db.read(read)

    def put_terms(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Keep (key, feed, arabic, english) terms, replacing the rendering of a term already there."""
        now = time.time()

        def run(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO glossary (key, feed, arabic, english, added) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (key, feed) DO UPDATE SET arabic = excluded.arabic, english = excluded.english",
                [(*row, now) for row in rows],
            )
            conn.execute(_UNCHECKED)

        self.db.write(run)

    def drop_term(self, key: str, feed: str) -> bool:
        def run(conn: sqlite3.Connection) -> bool:
            dropped = conn.execute("DELETE FROM glossary WHERE key = ? AND feed = ?", (key, feed)).rowcount > 0
            conn.execute(_UNCHECKED)
            return dropped

        return self.db.write(run)

    def glossary_unchecked(self) -> bool:
        """Whether a change to the glossary has not reached every document's flags yet."""
        return self.db.read(
            lambda conn: conn.execute("SELECT 1 FROM unchecked WHERE what = 'glossary'").fetchone() is not None
        )

    def glossary_checked(self) -> None:
        self.db.write(lambda conn: conn.execute("DELETE FROM unchecked WHERE what = 'glossary'"))

    # ---- watchlists (reader.library.watch) ----------------------------------------------------

    def watchlists(self) -> list[tuple[str, str, str, str, str]]:
        """(name, terms JSON, feeds JSON, webhook, email) rows, oldest first."""
        return self.db.read(
            lambda conn: [
                tuple(r)
                for r in conn.execute("SELECT name, terms, feeds, webhook, email FROM watchlists ORDER BY added, name")
            ]
        )

    def put_watchlist(self, name: str, terms: str, feeds: str, webhook: str, email: str) -> bool:
        """Keep a watchlist (replacing one of the same name); True when it is new."""

        def run(conn: sqlite3.Connection) -> bool:
            new = conn.execute("SELECT 1 FROM watchlists WHERE name = ?", (name,)).fetchone() is None
            conn.execute(
                "INSERT INTO watchlists (name, terms, feeds, webhook, email, added) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET terms = excluded.terms, feeds = excluded.feeds,"
                " webhook = excluded.webhook, email = excluded.email",
                (name, terms, feeds, webhook, email, time.time()),
            )
            return new

        return self.db.write(run)

    def remove_watchlist(self, name: str) -> None:
        def run(conn: sqlite3.Connection) -> None:
            if conn.execute("DELETE FROM watchlists WHERE name = ?", (name,)).rowcount == 0:
                raise LibraryError(f"no watchlist {name!r}")
            conn.execute("DELETE FROM watch_hits WHERE watchlist = ?", (name,))
            conn.execute("DELETE FROM outbox WHERE watchlist = ?", (name,))

        self.db.write(run)

    def replace_hits(
        self, id_: str, hits: list[tuple], alerts: Callable[[set[str]], list[tuple[str, str, str]]]
    ) -> int:
        """Put ``id_``'s watch hits in place of what it had, and in the same transaction the alerts owed for the
        watchlists it is new to (``alerts(names)``: (watchlist, channel, payload) rows); how many hits are new."""

        def run(conn: sqlite3.Connection) -> int:
            before = {
                (r[0], r[1]) for r in conn.execute("SELECT watchlist, sentence FROM watch_hits WHERE id = ?", (id_,))
            }
            had = {name for name, _ in before}
            conn.execute("DELETE FROM watch_hits WHERE id = ?", (id_,))
            conn.executemany(
                "INSERT OR REPLACE INTO watch_hits (watchlist, id, sentence, source, translation, source_words,"
                " translation_words, terms, found) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                hits,
            )
            fresh = {hit[0] for hit in hits} - had
            if fresh:
                now = time.time()
                conn.executemany(
                    "INSERT INTO outbox (watchlist, channel, payload, created) VALUES (?, ?, ?, ?)",
                    [(*row, now) for row in alerts(fresh)],
                )
            return len({(hit[0], hit[2]) for hit in hits} - before)

        return self.db.write(run)

    def hits(self, id_: str | None = None, watchlist: str | None = None, limit: int = -1) -> list[tuple]:
        """Watch hit rows (as stored) of one document, or of one watchlist newest first."""
        sql = (
            "SELECT watchlist, id, sentence, source, translation, source_words, translation_words, terms, found"
            " FROM watch_hits"
        )
        if id_ is not None:
            return self.db.read(
                lambda conn: conn.execute(f"{sql} WHERE id = ? ORDER BY watchlist, sentence", (id_,)).fetchall()
            )
        return self.db.read(
            lambda conn: conn.execute(
                f"{sql} WHERE watchlist = ? ORDER BY found DESC, id, sentence LIMIT ?", (watchlist, limit)
            ).fetchall()
        )

    def watched_ids(self, watchlist: str, limit: int) -> list[str]:
        rows = self.db.read(
            lambda conn: conn.execute(
                "SELECT id FROM watch_hits WHERE watchlist = ? GROUP BY id ORDER BY MAX(found) DESC, id LIMIT ?",
                (watchlist, limit),
            ).fetchall()
        )
        return [r[0] for r in rows]

    def watch_counts(self) -> dict[str, tuple[int, int]]:
        """Per watchlist: (documents with a hit, of them unread)."""
        rows = self.db.read(
            lambda conn: conn.execute(
                "SELECT w.name, COUNT(DISTINCT h.id), COUNT(DISTINCT CASE WHEN r.read_at IS NULL THEN h.id END)"
                " FROM watchlists w LEFT JOIN watch_hits h ON h.watchlist = w.name"
                " LEFT JOIN reading r ON r.id = h.id GROUP BY w.name"
            ).fetchall()
        )
        return {name: (int(n), int(unread)) for name, n, unread in rows}

    def outbox(self) -> list[tuple[int, str, str, str, int]]:
        """Alerts not delivered yet: (n, watchlist, channel, payload, attempts), oldest first."""
        return self.db.read(
            lambda conn: conn.execute(
                "SELECT n, watchlist, channel, payload, attempts FROM outbox ORDER BY n"
            ).fetchall()
        )

    def claim(self, n: int, lease_s: float, now: float | None = None) -> bool:
        """Take alert ``n`` for sending for ``lease_s`` seconds; False when another sender (another process:
        the app beside a feed check) holds it. A sender killed mid-send lets its lease run out, so the alert
        is tried again then, never twice at once."""
        now = time.time() if now is None else now
        taken = self.db.write(
            lambda conn: conn.execute(
                "UPDATE outbox SET sending = ? WHERE n = ? AND sending <= ?", (now + lease_s, n, now)
            ).rowcount
        )
        return taken == 1

    def delivered(self, n: int) -> None:
        self.db.write(lambda conn: conn.execute("DELETE FROM outbox WHERE n = ?", (n,)))

    def delivery_failed(self, n: int, error: str) -> None:
        self.db.write(
            lambda conn: conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, sending = 0 WHERE n = ?", (error[:500], n)
            )
        )

    # ---- stories (reader.library.stories) -----------------------------------------------------

    def set_apart(self, pairs: Iterable[tuple[str, str]]) -> None:
        """These documents are not one story, whatever the grouping thinks (kept in both orders)."""
        rows = [(a, b) for x, y in pairs for a, b in ((x, y), (y, x)) if a != b]
        self.db.write(lambda conn: conn.executemany("INSERT OR IGNORE INTO story_apart (a, b) VALUES (?, ?)", rows))

    def apart(self, id_: str) -> set[str]:
        return self.db.read(lambda conn: {r[0] for r in conn.execute("SELECT b FROM story_apart WHERE a = ?", (id_,))})


_UNCHECKED = "INSERT OR IGNORE INTO unchecked (what) VALUES ('glossary')"


def _delete(conn: sqlite3.Connection, table: str, column: str, values: list[str]) -> int:
    """Delete the rows whose ``column`` is one of ``values`` (``table`` and ``column`` are this module's names)."""
    return sum(
        conn.execute(f"DELETE FROM {table} WHERE {column} IN ({placeholders(len(part))})", list(part)).rowcount
        for part in chunks(values)
    )


def _unspread(conn: sqlite3.Connection, keys: list[str]) -> None:
    conn.executemany("INSERT OR IGNORE INTO unspread (key) VALUES (?)", [(key,) for key in keys])


def _edit(text: str) -> Edit:
    """A stored edit; one that cannot be read (written by hand, or by a newer reader) as an empty one."""
    try:
        return Edit.from_dict(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError):
        return Edit("")
