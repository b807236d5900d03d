"""The persistent sentence cache: one SQLite file shared by the app, the CLI and batch workers.

Every sentence translation is stored under (model fingerprint, normalized sentence), so an
article seen before is shown without running the model, and a different model or decoding
setting never returns stale text. SQLite in WAL mode lets readers run while one writer
commits; writers queue on a busy timeout and retry, so several processes can share the file.
A damaged file is moved aside and rebuilt: it is a cache, so losing it costs time, not data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from reader.errors import CacheError
from reader.translate.base import Translation

SCHEMA_VERSION = 1
"""Stored in ``PRAGMA user_version``; a file with another version is not read as this schema."""

_BUSY_TIMEOUT_S = 30.0
"""How long SQLite itself waits for another connection's write lock (its busy timeout)."""
_LOCK_DEADLINE_S = 120.0
"""How long an operation keeps retrying 'database is locked' before giving up."""
_CHUNK = 500
"""Bound parameters per IN (...) query, well under SQLite's oldest limit of 999."""

_SCHEMA = (
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
_TABLES = {"models", "sentences", "meta"}
_SENTENCE_COLUMNS = [
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
]

T = TypeVar("T")


class CacheWarning(UserWarning):
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


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _to_datetime(ns: int | None) -> datetime | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, tz=UTC)


class SentenceCache:
    """Translations keyed by (fingerprint, normalized sentence), shared safely across threads and processes.

    Nothing touches the disk until the first call. Connections are pooled: each call borrows one,
    so threads never share a connection and finished threads leave nothing behind.
    """

    def __init__(self, path: Path, *, max_entries: int = 2_000_000) -> None:
        if max_entries < 1:
            raise CacheError(f"the cache size limit must be at least 1 entry, not {max_entries}")
        self.path = Path(path)
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._epoch = 0
        self._ready = False
        self._pid = os.getpid()
        self._inherited: list[sqlite3.Connection] = []

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
            for part in _chunks(digests):
                rows += conn.execute(
                    "SELECT id, digest, source, translation, alignment, score FROM sentences"
                    f" WHERE model = ? AND digest IN ({_marks(len(part))})",
                    (model, *part),
                ).fetchall()
            return rows

        rows = self._run(read, write=False)
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
            self._run(lambda conn: self._touch(conn, used), write=True)
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

        self._run(write, write=True)

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
                size_bytes=self._size_bytes(),
                max_entries=self.max_entries,
                per_fingerprint=per_fingerprint,
                hits=hits,
                oldest=_to_datetime(oldest),
                newest=_to_datetime(newest),
            )

        # One read transaction, so the counts agree with each other.
        return self._run(read, write=False)

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
                for part in _chunks(digests):
                    removed += conn.execute(
                        f"DELETE FROM sentences WHERE model = ? AND digest IN ({_marks(len(part))})",
                        (model, *part),
                    ).rowcount
            return removed

        return self._run(write, write=True)

    def close(self) -> None:
        """Close idle connections; ones in use elsewhere close when returned. The cache reopens on next use."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._epoch += 1
            self._ready = False
        for conn in idle:
            conn.close()

    def __enter__(self) -> SentenceCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        for part in _chunks(ids):
            conn.execute(
                f"UPDATE sentences SET last_used = ?, hits = hits + 1 WHERE id IN ({_marks(len(part))})",
                (stamp, *part),
            )

    def _size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.stat(f"{self.path}{suffix}").st_size
        return total

    # ---- connections and retries ------------------------------------------------------------

    def _run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """Run ``fn`` in one transaction (BEGIN IMMEDIATE for writes), retrying while the file is locked."""
        deadline = time.monotonic() + _LOCK_DEADLINE_S
        delay = 0.005
        while True:
            try:
                with self._borrow() as conn:
                    return self._transaction(conn, fn, write=write)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.25)
                    continue
                raise CacheError(f"the sentence cache at {self.path} could not be used: {exc}") from exc
            except sqlite3.DatabaseError as exc:
                raise CacheError(
                    f"the sentence cache at {self.path} failed ({exc}); delete the file to start a new one"
                ) from exc

    @staticmethod
    def _transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        return result

    @contextlib.contextmanager
    def _borrow(self) -> Iterator[sqlite3.Connection]:
        if self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            if not self._ready:
                self._prepare()
            conn = self._idle.pop() if self._idle else self._connect()
            epoch = self._epoch
        try:
            yield conn
        finally:
            with self._lock:
                # A connection stuck in a transaction (its rollback failed) is not reused.
                keep = epoch == self._epoch and self._pid == os.getpid() and not conn.in_transaction
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    def _after_fork(self) -> None:
        """A forked child must not use (or close) the parent's SQLite handles: keep them, unused, and reopen.

        The lock is replaced too: another parent thread may have held it at the fork.
        """
        self._lock = threading.Lock()
        self._inherited += self._idle
        self._idle = []
        self._pid = os.getpid()
        self._epoch += 1

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot open the sentence cache at {self.path}: {exc}") from exc
        try:
            self._retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _retry_busy(self, fn: Callable[[], T]) -> T:
        deadline = time.monotonic() + _LOCK_DEADLINE_S
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    # ---- opening, checking, recovering ------------------------------------------------------

    def _prepare(self) -> None:
        """First use: make the folder, check the file, move a damaged one aside, create the schema."""
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(
                f"cannot create the cache folder {parent}: {exc.strerror or exc}; "
                "set READER_CACHE_PATH to a writable location"
            ) from exc
        if not os.access(parent, os.W_OK | os.X_OK):
            raise CacheError(f"the cache folder {parent} is not writable; set READER_CACHE_PATH to a writable location")
        if self.path.is_dir():
            raise CacheError(f"the cache path {self.path} is a folder, not a file")
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            raise CacheError(
                f"the cache file {self.path} is not readable and writable; "
                "fix its permissions or set READER_CACHE_PATH to another file"
            )
        problem, inode = self._check()
        if problem is not None:
            self._move_aside(problem, inode)
            problem, _ = self._check()
            if problem is not None:
                raise CacheError(f"a new sentence cache at {self.path} could not be created: {problem}")
        self._ready = True

    def _check(self) -> tuple[str | None, int | None]:
        """Open the file and make sure it holds this schema: why it is unusable (or None), and its inode."""
        inode = self._inode()
        try:
            conn = self._connect()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise CacheError(f"cannot open the sentence cache at {self.path}: {exc}") from exc
            return str(exc), inode
        try:
            problem = self._retry_busy(lambda: self._check_schema(conn))
        except sqlite3.OperationalError as exc:
            conn.close()
            raise CacheError(f"cannot open the sentence cache at {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            problem = str(exc)
        if problem is None:
            self._idle.append(conn)
        else:
            conn.close()
        return problem, inode

    def _inode(self) -> int | None:
        try:
            return os.stat(self.path).st_ino
        except FileNotFoundError:
            return None

    def _check_schema(self, conn: sqlite3.Connection) -> str | None:
        result = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if result != ["ok"]:
            return "; ".join(str(line) for line in result[:3])
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version == 0:
            return self._create_schema(conn)
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"the sentence cache at {self.path} was written by a newer version of reader "
                f"(schema {version}); upgrade reader or set READER_CACHE_PATH to another file"
            )
        if version < SCHEMA_VERSION:
            return f"old cache schema {version}"
        return self._schema_problem(conn)

    def _create_schema(self, conn: sqlite3.Connection) -> str | None:
        def create(conn: sqlite3.Connection) -> str | None:
            # Another process may have created it between our check and our lock.
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version != 0:
                return None
            if conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                return "the file is an SQLite database, but not a reader cache"
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return None

        return self._transaction(conn, create, write=True) or self._schema_problem(conn)

    @staticmethod
    def _schema_problem(conn: sqlite3.Connection) -> str | None:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables >= _TABLES:
            return f"missing tables: {', '.join(sorted(_TABLES - tables))}"
        columns = [row[1] for row in conn.execute("PRAGMA table_info(sentences)")]
        if columns != _SENTENCE_COLUMNS:
            return "unexpected columns in the sentences table"
        return None

    def _move_aside(self, problem: str, inode: int | None) -> None:
        if self._inode() != inode:
            return  # another process already replaced the damaged file; check the new one
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            pass  # another process moved it first; it will have started the new file
        except OSError as exc:
            raise CacheError(f"the sentence cache at {self.path} is damaged and could not be moved: {exc}") from exc
        # Handles still open on the damaged file keep its log and index; the new file must share neither.
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{self.path}-wal", f"{target}-wal")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{self.path}-shm")
        warnings.warn(
            CacheWarning(
                f"the sentence cache {self.path} was damaged ({problem}); "
                f"it was moved to {target.name} and a new, empty cache was started"
            ),
            stacklevel=2,
        )
