"""The SQLite plumbing every reader store shares: the sentence cache, the batch manifest, the library.

A ``Database`` is one file and one ``Schema``. It gives its store two things, ``read(fn)`` and
``write(fn)``: ``fn`` runs in one transaction on a connection of its own, and the rest is done here.

- Nothing touches the disk until the first call; then the folder is made and the file checked.
- WAL journal, so readers run while one writer commits; ``synchronous=NORMAL``.
- Several threads and processes may share the file: connections are pooled per instance (a thread
  never shares one, a finished thread leaves nothing behind, a forked child opens its own), writers
  queue on SQLite's busy timeout, and a transaction that still meets "database is locked" is
  retried with backoff until a deadline.
- ``PRAGMA user_version`` holds the schema version. A new file gets the schema in one transaction;
  a file written by a newer reader is left alone with a clear error. An older file is brought up
  to date by the schema's ``migrations`` (one transaction per version step), when it has them.
- A store may ``attach`` other files (``ATTACH DATABASE``, to join across them) and give SQL
  ``functions`` of its own; every connection of the pool gets both.
- A damaged file (or an older schema, or some other SQLite database) is moved aside as
  ``<name>.corrupt-<stamp>`` and started afresh, with a warning, when the store is ``disposable``
  (a cache, a manifest that a rerun rebuilds); a store holding the user's own data gets an error
  instead and its file is never touched. Damage is looked for with ``PRAGMA quick_check`` when
  the file is first used, which reads all of it; a large disposable store may skip that
  (``integrity_check=False``): damage met later, in use, is then treated the same way, and the
  operation is tried once more on the new file (``replacements`` counts such new files, so the
  store can fill it again).

Every failure is the store's own ``ReaderError`` subclass, with a message naming the file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self, TypeVar

from reader.errors import ReaderError

T = TypeVar("T")

BUSY_TIMEOUT_S = 30.0
"""How long SQLite itself waits for another connection's write lock (its busy timeout)."""
LOCK_DEADLINE_S = 120.0
"""How long an operation keeps retrying 'database is locked' before giving up."""
MAX_PARAMETERS = 500
"""Bound parameters per statement that ``chunks`` allows, well under SQLite's oldest limit of 999."""


class DatabaseWarning(UserWarning):
    """A store had a problem it worked around (a damaged file was replaced); shown to the user."""


@dataclass(frozen=True)
class Schema:
    """What a store's file holds: its version and the statements that create it.

    ``statements`` may create any SQLite object: tables, indexes, triggers, FTS5 virtual tables.
    ``tables`` must all exist in a file of this version; ``columns`` pins a table's column names,
    so a file that only looks like the store is not used as one. ``migrations[n]`` holds the
    statements that take a file of version ``n`` to ``n + 1``: a store of the user's own data adds
    its tables this way, where a disposable one would simply start afresh.
    """

    version: int
    statements: tuple[str, ...]
    tables: frozenset[str]
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    migrations: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Names:
    """How messages name a store's file, and what the user can do instead of using it."""

    what: str
    """'sentence cache': 'the sentence cache at PATH failed'."""
    short: str
    """'cache': 'the cache folder', 'a new, empty cache', 'not a reader cache'."""
    elsewhere: str
    """'set READER_CACHE_PATH to another file': the way out when this file cannot be used."""


class Closing:
    """``with store:`` closes it at the end of the block (``close`` releases connections, not the data)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in slices small enough for one statement's parameters."""
    for start in range(0, len(items), MAX_PARAMETERS):
        yield items[start : start + MAX_PARAMETERS]


def placeholders(n: int) -> str:
    """'?,?,?' for an ``IN (...)`` of ``n`` values."""
    return ",".join("?" * n)


class Database(Closing):
    """One SQLite file with one schema, shared safely across threads and processes (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        schema: Schema,
        *,
        names: Names,
        error: type[ReaderError],
        warning: type[Warning] = DatabaseWarning,
        disposable: bool,
        attach: Mapping[str, Path] | None = None,
        functions: Mapping[str, Callable[..., object]] | None = None,
        integrity_check: bool = True,
    ) -> None:
        self.path = Path(path)
        self.schema = schema
        self.names = names
        self.error = error
        self.warning = warning
        self.disposable = disposable
        self.attach = dict(attach or {})
        """Schema name -> file, attached to every connection (the file must already hold its own schema)."""
        self.functions = dict(functions or {})
        """SQL name -> deterministic one-argument Python function, on every connection."""
        self.integrity_check = integrity_check or not disposable
        self.replacements = 0
        """Damaged files this store moved aside and started afresh while in use."""
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._epoch = 0
        self._ready = False
        self._pid = os.getpid()
        self._inherited: list[sqlite3.Connection] = []

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one read transaction: everything it reads is one consistent snapshot."""
        return self._run(fn, write=False)

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one write transaction (BEGIN IMMEDIATE): all of it is committed, or none."""
        return self._run(fn, write=True)

    def vacuum(self) -> None:
        """Rewrite the file without its free pages (after a rebuild); it waits for other writers, as a write does."""

        def run() -> None:
            with self._borrow() as conn:
                conn.execute("VACUUM")

        try:
            _retry_busy(run)
        except sqlite3.DatabaseError as exc:
            raise self.error(f"the {self.names.what} at {self.path} could not be compacted: {exc}") from exc

    def size_bytes(self) -> int:
        """The database file plus its write-ahead log."""
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.stat(f"{self.path}{suffix}").st_size
        return total

    def close(self) -> None:
        """Close idle connections; ones in use elsewhere close when returned. The file reopens on next use."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._epoch += 1
            self._ready = False
        for conn in idle:
            conn.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    # ---- transactions and retries -----------------------------------------------------------

    def _run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool, retried: bool = False) -> T:
        deadline = time.monotonic() + LOCK_DEADLINE_S
        delay = 0.005
        while True:
            try:
                with self._borrow() as conn:
                    return _transaction(conn, fn, write=write)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.25)
                    continue
                raise self.error(f"the {self.names.what} at {self.path} could not be used: {exc}") from exc
            except sqlite3.DatabaseError as exc:
                if self.disposable and not retried and _is_damage(exc):
                    self._replace_damaged(str(exc))
                    return self._run(fn, write=write, retried=True)
                fix = "; delete the file to start a new one" if self.disposable else ""
                raise self.error(f"the {self.names.what} at {self.path} failed ({exc}){fix}") from exc

    def _replace_damaged(self, problem: str) -> None:
        """Damage met in use: drop this process's connections to the file, move it aside, start afresh."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._epoch += 1
            self._ready = False
        for conn in idle:
            conn.close()
        self._move_aside(problem, self._inode())
        self.replacements += 1

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
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self.error(f"cannot open the {self.names.what} at {self.path}: {exc}") from exc
        try:
            _retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            conn.execute("PRAGMA synchronous = NORMAL")
            for name, function in self.functions.items():
                conn.create_function(name, 1, function, deterministic=True)
            for schema_name, other in self.attach.items():
                conn.execute(f"ATTACH DATABASE ? AS {schema_name}", (str(other),))
        except BaseException:
            conn.close()
            raise
        return conn

    # ---- opening, checking, recovering ------------------------------------------------------

    def _prepare(self) -> None:
        """First use: make the folder, check the file, move a damaged one aside, create the schema."""
        names = self.names
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self.error(
                f"cannot create the {names.short} folder {parent}: {exc.strerror or exc}; {names.elsewhere}"
            ) from exc
        if not os.access(parent, os.W_OK | os.X_OK):
            raise self.error(f"the {names.short} folder {parent} is not writable; {names.elsewhere}")
        if self.path.is_dir():
            raise self.error(f"the {names.short} path {self.path} is a folder, not a file")
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            raise self.error(
                f"the {names.short} file {self.path} is not readable and writable; "
                f"fix its permissions or {names.elsewhere}"
            )
        problem, inode = self._check()
        if problem is not None:
            if not self.disposable:
                raise self.error(f"the {names.what} at {self.path} cannot be used ({problem}); {names.elsewhere}")
            self._move_aside(problem, inode)
            problem, _ = self._check()
            if problem is not None:
                raise self.error(f"a new {names.what} at {self.path} could not be created: {problem}")
        self._ready = True

    def _check(self) -> tuple[str | None, int | None]:
        """Open the file and make sure it holds this schema: why it is unusable (or None), and its inode."""
        inode = self._inode()
        try:
            conn = self._connect()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise self.error(f"cannot open the {self.names.what} at {self.path}: {exc}") from exc
            return str(exc), inode
        try:
            problem = _retry_busy(lambda: self._check_schema(conn))
        except sqlite3.OperationalError as exc:
            conn.close()
            raise self.error(f"cannot open the {self.names.what} at {self.path}: {exc}") from exc
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
        # main. only: an attached file's damage is its own store's to report.
        if self.integrity_check:
            result = [row[0] for row in conn.execute("PRAGMA main.quick_check").fetchall()]
            if result != ["ok"]:
                return "; ".join(str(line) for line in result[:3])
        (version,) = conn.execute("PRAGMA main.user_version").fetchone()
        if version == 0:
            return self._create_schema(conn)
        if version > self.schema.version:
            raise self.error(
                f"the {self.names.what} at {self.path} was written by a newer version of reader "
                f"(schema {version}); upgrade reader or {self.names.elsewhere}"
            )
        if version < self.schema.version:
            if all(step in self.schema.migrations for step in range(version, self.schema.version)):
                self._migrate(conn)
            else:
                return f"old {self.names.short} schema {version}"
        return self._schema_problem(conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring an older file up to this schema, one version per transaction (another process may race us)."""

        def step(conn: sqlite3.Connection) -> None:
            (version,) = conn.execute("PRAGMA main.user_version").fetchone()
            if version >= self.schema.version:
                return
            for statement in self.schema.migrations[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA main.user_version = {int(version) + 1}")

        while conn.execute("PRAGMA main.user_version").fetchone()[0] < self.schema.version:
            _transaction(conn, step, write=True)

    def _create_schema(self, conn: sqlite3.Connection) -> str | None:
        def create(conn: sqlite3.Connection) -> str | None:
            # Another process may have created it between our check and our lock.
            (version,) = conn.execute("PRAGMA main.user_version").fetchone()
            if version != 0:
                return None
            if conn.execute("SELECT COUNT(*) FROM main.sqlite_master").fetchone()[0]:
                return f"the file is an SQLite database, but not a reader {self.names.short}"
            for statement in self.schema.statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA main.user_version = {int(self.schema.version)}")
            return None

        return _transaction(conn, create, write=True) or self._schema_problem(conn)

    def _schema_problem(self, conn: sqlite3.Connection) -> str | None:
        tables = {row[0] for row in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
        missing = self.schema.tables - tables
        if missing:
            return f"missing tables: {', '.join(sorted(missing))}"
        for table, expected in self.schema.columns.items():
            if tuple(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")) != expected:
                return f"unexpected columns in the {table} table"
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
            raise self.error(f"the {self.names.what} at {self.path} is damaged and could not be moved: {exc}") from exc
        # Handles still open on the damaged file keep its log and index; the new file must share neither.
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{self.path}-wal", f"{target}-wal")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{self.path}-shm")
        warnings.warn(
            self.warning(
                f"the {self.names.what} {self.path} was damaged ({problem}); "
                f"it was moved to {target.name} and a new, empty {self.names.short} was started"
            ),
            stacklevel=2,
        )


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


def _retry_busy(fn: Callable[[], T]) -> T:
    deadline = time.monotonic() + LOCK_DEADLINE_S
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """A damaged or foreign file (SQLITE_CORRUPT, SQLITE_NOTADB), not a constraint or a mistake in the SQL."""
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message
