"""API keys for ``reader serve``, after LibreTranslate's ``ltmanage``: each with its own limits, stored hashed.

A key is 32 random bytes, shown once when it is made (``reader serve keys add``); the file keeps only
its SHA-256 (a random key needs no slow hash: nothing guessable to brute-force), a name, a
requests-per-minute limit, a characters-per-request limit and whether it may write to the library.
Requests are counted in the same file (``KeyStore.count``), so every worker process of one server, and
every server sharing the file, share each key's limit.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from reader.errors import ReaderError
from reader.sqlite import Closing, Database, Names, Schema

KEY_PREFIX = "rk_"

REQUESTS_TABLE = (
    """CREATE TABLE requests (
        key_id INTEGER NOT NULL,
        at REAL NOT NULL
    )""",
    "CREATE INDEX requests_by_key ON requests (key_id, at)",
)
"""The requests of each key's last minute: at most its requests-per-minute rows each."""

SCHEMA = Schema(
    version=2,
    statements=(
        """CREATE TABLE keys (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            requests_per_minute INTEGER NOT NULL,
            chars_per_request INTEGER NOT NULL,
            write INTEGER NOT NULL,
            created TEXT NOT NULL
        )""",
        *REQUESTS_TABLE,
    ),
    tables=frozenset({"keys", "requests"}),
    columns={
        "keys": ("id", "name", "digest", "requests_per_minute", "chars_per_request", "write", "created"),
        "requests": ("key_id", "at"),
    },
    migrations={1: REQUESTS_TABLE},
)


class KeyError_(ReaderError):
    """The key file cannot be used, or a key command was given bad values."""


def default_path() -> Path:
    """``$XDG_DATA_HOME/reader/api-keys.sqlite3`` (READER_API_KEYS_DB overrides it): kept out of the library,
    which may be published as static files."""
    configured = os.environ.get("READER_API_KEYS_DB")
    if configured:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "reader" / "api-keys.sqlite3"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    requests_per_minute: int
    chars_per_request: int
    write: bool
    created: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "requests_per_minute": self.requests_per_minute,
            "chars_per_request": self.chars_per_request,
            "write": self.write,
            "created": self.created,
        }


class KeyStore(Closing):
    """The key file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        names = Names("API key store", "key store", "set READER_API_KEYS_DB to another file")
        self.db = Database(self.path, SCHEMA, names=names, error=KeyError_, disposable=False)

    def close(self) -> None:
        self.db.close()

    def add(self, name: str, *, requests_per_minute: int, chars_per_request: int, write: bool) -> tuple[str, ApiKey]:
        """A new key and its record; the key itself is returned this once and never stored."""
        if requests_per_minute < 1 or chars_per_request < 1:
            raise KeyError_("a key's limits must be at least 1 (requests per minute, characters per request)")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO keys (name, digest, requests_per_minute, chars_per_request, write, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, digest(key), requests_per_minute, chars_per_request, int(write), created),
            )
            return int(cursor.lastrowid or 0)

        id_ = self.db.write(insert)
        return key, ApiKey(id_, name, requests_per_minute, chars_per_request, write, created)

    def list(self) -> list[ApiKey]:
        if not self.path.exists():
            return []
        rows = self.db.read(
            lambda conn: conn.execute(
                "SELECT id, name, requests_per_minute, chars_per_request, write, created FROM keys ORDER BY id"
            ).fetchall()
        )
        return [ApiKey(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]

    def remove(self, id_or_name: str) -> int:
        """Remove the key with this id or name; how many were removed (0 when none matched)."""
        if not self.path.exists():
            return 0
        chosen = "SELECT id FROM keys WHERE CAST(id AS TEXT) = ? OR name = ?"

        def delete(conn: sqlite3.Connection) -> int:
            conn.execute(f"DELETE FROM requests WHERE key_id IN ({chosen})", (id_or_name, id_or_name))
            return conn.execute(f"DELETE FROM keys WHERE id IN ({chosen})", (id_or_name, id_or_name)).rowcount

        return self.db.write(delete)

    def find(self, key: str) -> ApiKey | None:
        if not self.path.exists():
            return None
        row = self.db.read(
            lambda conn: conn.execute(
                "SELECT id, name, requests_per_minute, chars_per_request, write, created FROM keys WHERE digest = ?",
                (digest(key),),
            ).fetchone()
        )
        return ApiKey(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) if row else None

    def count(self, key: ApiKey, now: float | None = None) -> int:
        """Count a request of ``key`` over a sliding minute: 0 when it may go on (and is counted), else the
        seconds until it may. One short write transaction, so worker processes never both take the last slot."""
        now = time.time() if now is None else now

        def take(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM requests WHERE key_id = ? AND at <= ?", (key.id, now - 60))
            count, oldest = conn.execute(
                "SELECT count(*), min(at) FROM requests WHERE key_id = ?", (key.id,)
            ).fetchone()
            if count >= key.requests_per_minute:
                return max(1, int(oldest + 60 - now) + 1)
            conn.execute("INSERT INTO requests (key_id, at) VALUES (?, ?)", (key.id, now))
            return 0

        return self.db.write(take)
