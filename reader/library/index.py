"""The library's index (``library-index.sqlite3``): every document's row, and its sentences searchable.

Everything here is derived from the document files, so the store is ``disposable``: a damaged or
unreadable file is moved aside and the index rebuilt from ``articles/*.json`` with nothing lost
(the reader's own data lives in ``library.sqlite3``, attached here as ``state`` for the filters).
Opening it does not read the whole file to look for damage (``PRAGMA quick_check`` takes a
quarter of a second on ten thousand documents); damage met in use gets the same treatment.

- ``documents``: one row per document file, with the file's stamp (name, mtime, size) that says
  whether the row is up to date, and what the list shows and filters on.
- ``sentences``: every sentence pair (and a title that is not the first paragraph), keyed by
  ``num << 16 | n``: a document's sentences are one rowid range, and FTS5 alone says which document
  a match is in. The Arabic is kept in one byte a letter (Windows-1256, a BLOB) when every one of
  its characters has a byte there, which nearly halves the table; else as text (``pack``).
- ``sentence_fts``: FTS5 over ``sentence_text``, a view giving each sentence's Arabic folded for
  search (``reader_search_source``: ``reader.chars.search_words`` of the unpacked source,
  registered on every connection) and its English, tokenized by ``porter unicode61``. Only the
  index is stored; the text is the ``sentences`` table's. Column sizes are kept (bm25 ranks hits
  with them; without, it would re-read every matching row through the view).
- ``sentence_vocab``: FTS5's vocabulary of it (``fts5vocab``), how many sentences hold a word: the
  search asks it whether a typed Arabic word's leading و ف ب ل ك is a clitic
  (``reader.library.search.query_stems``).
- ``unreadable``: document files that could not be read, by stamp, so each is reported once.
- ``site_paragraphs``: the folded paragraph keys of every document from a web host, its dropped
  boilerplate included (``reader.library.boilerplate``), so a paragraph standing in three articles
  of a host is found with one query.
- ``scans``: the articles folder's modification time when it was last compared with the index:
  while it is unchanged no file was added, removed or replaced (every writer renames a whole file
  into place), so opening the library need not look at ten thousand files again.

Bump ``SCHEMA_VERSION`` whenever the folding, the tokenizer or the tables change: an index of
another version is rebuilt, which is also what keeps FTS5's "delete" (it must be given exactly
what was indexed) in step with the folding.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reader.chars import search_words
from reader.document import Document, Flag
from reader.errors import LibraryError
from reader.export.marks import FLAG_MARKS
from reader.library import boilerplate, stories
from reader.library.layout import FileStamp
from reader.library.search import CLOSE, OPEN, Query
from reader.library.state import LibraryWarning
from reader.sqlite import Closing, Database, Names, Schema, placeholders

SCHEMA_VERSION = 4
SENTENCE_BITS = 16
TITLE_ROW = (1 << SENTENCE_BITS) - 1
"""A document's title gets the last rowid of its range; sentences past it are not searchable."""
TITLE_LIMIT = 500
"""Characters of a title kept for the list (a first paragraph used as a title can be long)."""

_DOCUMENT_COLUMNS = (
    "num",
    "id",
    "file",
    "mtime_ns",
    "size",
    "title",
    "title_en",
    "source",
    "feed",
    "author",
    "published",
    "sort_date",
    "translated",
    "model",
    "model_fingerprint",
    "sentences",
    "flagged",
    "flags",
    "partial",
)
_STATEMENTS = (
    """CREATE TABLE documents (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        file TEXT NOT NULL,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        title TEXT NOT NULL,
        title_en TEXT NOT NULL,
        source TEXT NOT NULL,
        feed TEXT NOT NULL,
        author TEXT NOT NULL,
        published TEXT NOT NULL,
        sort_date TEXT NOT NULL,
        translated REAL NOT NULL,
        model TEXT NOT NULL,
        model_fingerprint TEXT NOT NULL,
        sentences INTEGER NOT NULL,
        flagged INTEGER NOT NULL,
        flags TEXT NOT NULL,
        partial TEXT NOT NULL
    )""",
    "CREATE INDEX documents_newest ON documents (sort_date, num)",
    "CREATE INDEX documents_feed ON documents (feed, sort_date, num)",
    "CREATE TABLE sentences (id INTEGER PRIMARY KEY, source NOT NULL, translation TEXT NOT NULL)",
    "CREATE VIEW sentence_text AS SELECT id, reader_search_source(source) AS ar, translation AS en FROM sentences",
    "CREATE VIRTUAL TABLE sentence_fts USING fts5(ar, en, content='sentence_text', content_rowid='id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE sentence_vocab USING fts5vocab(sentence_fts, 'row')",
    """CREATE TABLE unreadable (
        file TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, reason TEXT NOT NULL
    )""",
    "CREATE TABLE scans (folder TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL)",
    """CREATE TABLE site_paragraphs (
        host TEXT NOT NULL, key TEXT NOT NULL, num INTEGER NOT NULL, PRIMARY KEY (host, key, num)
    ) WITHOUT ROWID""",
    "CREATE INDEX site_paragraphs_num ON site_paragraphs (num)",
    *stories.STATEMENTS,
)
SCHEMA = Schema(
    version=SCHEMA_VERSION,
    statements=_STATEMENTS,
    tables=frozenset(
        {"documents", "sentences", "sentence_fts", "sentence_vocab", "unreadable", "scans", "site_paragraphs"}
    )
    | stories.TABLES,
    columns={"documents": _DOCUMENT_COLUMNS, "sentences": ("id", "source", "translation")},
)
NAMES = Names("library index", "index", "run reader library reindex")


@dataclass(frozen=True)
class Filters:
    """What the list shows: all of these must hold (None / False: no condition)."""

    feed: str | None = None
    unread: bool = False
    starred: bool = False
    since: str | None = None
    """First day, YYYY-MM-DD, inclusive (the published date, else the day it was translated)."""
    until: str | None = None
    flagged: bool = False
    """Only documents with at least one quality flag."""
    watchlist: str | None = None
    """Only documents with a hit of this watchlist (``reader.library.watch``)."""


EVERYTHING = Filters()
RELEVANCE, NEWEST = "relevance", "newest"
SORTS = (RELEVANCE, NEWEST)
"""How search results are ordered: by their best sentence's bm25 (newest first among equals), or newest first."""


@dataclass(frozen=True)
class Row:
    """One document as the list shows it, read from the index alone (its JSON is not loaded)."""

    id: str
    title: str
    title_en: str
    source: str
    feed: str
    author: str
    published: str
    """The date the page gives, as written."""
    date: str
    """YYYY-MM-DD: the published date when it reads as one, else the day it was translated."""
    translated: float
    """When its file was written (seconds since the epoch)."""
    model: str
    model_fingerprint: str
    sentences: int
    flagged: int
    """Sentences with a quality flag."""
    flags: dict[str, int] = field(default_factory=dict)
    partial: str = ""
    """'N/M' while only the first N of a long document's M pages are in the library (``reader.library.parts``)."""
    unread: bool = True
    starred: bool = False
    position: int = 0
    story: int = 0
    """The story it is in (``reader.library.stories``), in a list of stories; 0 elsewhere."""
    sources: int = 1
    """In a list of stories: how many documents the story holds (this is its earliest)."""

    @property
    def pages(self) -> str:
        """'pages 1–40 of 500' while a long document is still being translated into the library, else ''."""
        done, _, total = self.partial.partition("/")
        return f"pages 1–{done} of {total}" if done and total else ""

    @property
    def pending(self) -> int:
        """Sentences not translated yet: a titles-first document translates them when opened."""
        return self.flags.get(Flag.PENDING, 0)

    def to_dict(self) -> dict[str, object]:
        """The CLI's ``--json`` line."""
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "source": self.source,
            "feed": self.feed,
            "date": self.date,
            "published": self.published,
            "translated": datetime.fromtimestamp(self.translated, UTC).isoformat(timespec="seconds"),
            "unread": self.unread,
            "starred": self.starred,
            "position": self.position,
            "sentences": self.sentences,
            "flagged": self.flagged,
            "partial": self.partial,
            "model": self.model,
        }


@dataclass(frozen=True)
class Match:
    """A matching sentence as the index has it, before marking (``reader.library.search.mark_hit``)."""

    id: str
    sentence: int | None
    source: str
    translation: str
    source_highlighted: str
    translation_highlighted: str


_ROW_FROM = "documents d LEFT JOIN state.reading r ON r.id = d.id"
_ROW_SQL = f"""SELECT d.id, d.title, d.title_en, d.source, d.feed, d.author, d.published, d.sort_date, d.translated,
       d.model, d.model_fingerprint, d.sentences, d.flagged, d.flags, d.partial,
       r.read_at IS NULL, COALESCE(r.starred, 0), COALESCE(r.position, 0)
FROM {_ROW_FROM}"""


def _row(record: Sequence[object]) -> Row:
    values = list(record)
    values[13] = json.loads(str(values[13]))
    values[15], values[16], values[17] = bool(values[15]), bool(values[16]), int(values[17])  # type: ignore[arg-type]
    return Row(*values)  # type: ignore[arg-type]


class Index(Closing):
    """The index of one library folder; ``state_path`` is the library's own data, attached for the filters."""

    def __init__(self, path: Path, state_path: Path) -> None:
        self.path = Path(path)
        self.db = Database(
            self.path,
            SCHEMA,
            names=NAMES,
            error=LibraryError,
            warning=LibraryWarning,
            disposable=True,
            attach={"state": Path(state_path)},
            functions={"reader_search_source": lambda value: search_words(unpack(value))},
            integrity_check=False,  # it reads the whole file: damage is met in use instead, and rebuilt
        )

    def close(self) -> None:
        self.db.close()

    # ---- keeping it in step with the files -------------------------------------------------

    def stamps(self) -> dict[str, FileStamp]:
        def read(conn: sqlite3.Connection) -> dict[str, FileStamp]:
            rows = conn.execute("SELECT id, file, mtime_ns, size FROM documents").fetchall()
            return {r[0]: FileStamp(r[1], r[2], r[3]) for r in rows}

        return self.db.read(read)

    def put(self, id_: str, document: Document, stamp: FileStamp) -> bool:
        """Index (or re-index) one document; False when a newer version of it is indexed already."""
        row = document_row(id_, document, stamp)
        sentences = sentence_rows(document)
        signature = stories.signature(stories.words(document))

        def write(conn: sqlite3.Connection) -> bool:
            found = conn.execute("SELECT num, mtime_ns, size FROM documents WHERE id = ?", (id_,)).fetchone()
            newer = found is not None and found[1] > stamp.mtime_ns
            if newer or (found is not None and (found[1], found[2]) == (stamp.mtime_ns, stamp.size)):
                return False  # this version, or a newer one, is indexed already
            names = _DOCUMENT_COLUMNS[1:]
            if found is None:
                cursor = conn.execute(
                    f"INSERT INTO documents ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", row
                )
                num = int(cursor.lastrowid or 0)
            else:
                num = int(found[0])
                _delete_sentences(conn, num)
                conn.execute(f"UPDATE documents SET {', '.join(f'{n} = ?' for n in names)} WHERE num = ?", (*row, num))
            base = num << SENTENCE_BITS
            conn.executemany(
                "INSERT INTO sentences (id, source, translation) VALUES (?, ?, ?)",
                [(base + n, pack(source), translation) for n, source, translation in sentences],
            )
            conn.executemany(
                "INSERT INTO sentence_fts (rowid, ar, en) VALUES (?, ?, ?)",
                [(base + n, search_words(source), translation) for n, source, translation in sentences],
            )
            host = boilerplate.site(document.meta.source)
            conn.executemany(
                "INSERT INTO site_paragraphs (host, key, num) VALUES (?, ?, ?)",
                [(host, key, num) for key in sorted(boilerplate.document_keys(document)) if host],
            )
            conn.execute("DELETE FROM unreadable WHERE file = ?", (stamp.file,))
            stories.place(conn, num, id_, signature)
            return True

        return self.db.write(write)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)

        def write(conn: sqlite3.Connection) -> None:
            for id_ in ids:
                found = conn.execute("SELECT num FROM documents WHERE id = ?", (id_,)).fetchone()
                if found is not None:
                    _delete_sentences(conn, int(found[0]))
                    stories.forget(conn, int(found[0]))
                    conn.execute("DELETE FROM documents WHERE num = ?", (found[0],))

        if ids:
            self.db.write(write)

    def drop_missing(self, ids: Iterable[str], root: Path) -> list[str]:
        """Delete the rows of ``ids`` whose file is gone, looked at inside the deleting transaction; those dropped.

        A writer writes the file before it indexes it, so a file missing while this holds the write lock was
        removed; a row another process indexed after the caller looked at the folder keeps its file and stays.
        """
        ids = list(ids)

        def write(conn: sqlite3.Connection) -> list[str]:
            dropped = []
            for id_ in ids:
                found = conn.execute("SELECT num, file FROM documents WHERE id = ?", (id_,)).fetchone()
                if found is not None and not (root / found[1]).exists():
                    _delete_sentences(conn, int(found[0]))
                    conn.execute("DELETE FROM documents WHERE num = ?", (found[0],))
                    dropped.append(id_)
            return dropped

        return self.db.write(write) if ids else []

    def optimize(self) -> None:
        """Merge the full-text index into one segment and drop the free pages (after a rebuild: smaller, faster)."""
        self.db.write(lambda conn: conn.execute("INSERT INTO sentence_fts (sentence_fts) VALUES ('optimize')"))
        self.db.vacuum()

    def reset(self) -> None:
        """Empty the index, for a rebuild from the files."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO sentence_fts (sentence_fts) VALUES ('delete-all')")
            for table in ("sentences", "documents", "unreadable", "scans", "site_paragraphs", *stories.TABLES):
                conn.execute(f"DELETE FROM {table}")

        self.db.write(write)

    def scanned(self, folder: str) -> int | None:
        """The folder's modification time when the index was last brought in step with it (None: never)."""
        found = self.db.read(
            lambda conn: conn.execute("SELECT mtime_ns FROM scans WHERE folder = ?", (folder,)).fetchone()
        )
        return None if found is None else int(found[0])

    def set_scanned(self, folder: str, mtime_ns: int | None) -> None:
        def write(conn: sqlite3.Connection) -> None:
            if mtime_ns is None:
                conn.execute("DELETE FROM scans WHERE folder = ?", (folder,))
            else:
                conn.execute("INSERT OR REPLACE INTO scans (folder, mtime_ns) VALUES (?, ?)", (folder, mtime_ns))

        self.db.write(write)

    def unreadable(self) -> dict[str, FileStamp]:
        def read(conn: sqlite3.Connection) -> dict[str, FileStamp]:
            rows = conn.execute("SELECT file, mtime_ns, size FROM unreadable").fetchall()
            return {r[0]: FileStamp(r[0], r[1], r[2]) for r in rows}

        return self.db.read(read)

    def set_unreadable(self, stamp: FileStamp, reason: str) -> None:
        self.db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO unreadable (file, mtime_ns, size, reason) VALUES (?, ?, ?, ?)",
                (stamp.file, stamp.mtime_ns, stamp.size, reason),
            )
        )

    def forget_unreadable(self, files: Iterable[str]) -> None:
        self.db.write(lambda conn: conn.executemany("DELETE FROM unreadable WHERE file = ?", [(f,) for f in files]))

    # ---- reading it --------------------------------------------------------------------------

    def row(self, id_: str) -> Row | None:
        found = self.db.read(lambda conn: conn.execute(f"{_ROW_SQL} WHERE d.id = ?", (id_,)).fetchone())
        return None if found is None else _row(found)

    def pending(self) -> list[tuple[str, str]]:
        """(id, feed) of the documents with sentences still to translate (titles first), oldest first: one
        scan of a short column, not a page of rows."""
        pattern = f'%"{Flag.PENDING}"%'  # a key of the flags' JSON (``document_row``)
        sql = "SELECT id, feed FROM documents WHERE flags LIKE ? ORDER BY sort_date, num"
        return self.db.read(lambda conn: [(str(i), str(f)) for i, f in conn.execute(sql, (pattern,))])

    def site_boilerplate(self, host: str) -> frozenset[str]:
        """The paragraph keys that stand in enough of ``host``'s documents to be its boilerplate."""
        found = self.db.read(
            lambda conn: conn.execute(
                "SELECT key, COUNT(*) FROM site_paragraphs WHERE host = ? GROUP BY key", (host,)
            ).fetchall()
        )
        return boilerplate.learned((str(key), int(n)) for key, n in found)

    def file(self, id_: str) -> str | None:
        found = self.db.read(lambda conn: conn.execute("SELECT file FROM documents WHERE id = ?", (id_,)).fetchone())
        return None if found is None else str(found[0])

    def page(
        self,
        filters: Filters,
        *,
        search: Query | None = None,
        offset: int = 0,
        limit: int = 50,
        sort: str = RELEVANCE,
    ) -> tuple[list[Row], int]:
        """One page of the list and how many documents the filters (and search) select: newest first, or with
        a search and ``sort`` RELEVANCE, by the bm25 of each document's best sentence (newest first among equals)."""
        where, params = _where(filters)
        source, head = _ROW_FROM, []
        order = "d.sort_date DESC, d.num DESC"
        count_where, count_params = where, params
        if search is not None:
            matching = f"d.num IN (SELECT rowid >> {SENTENCE_BITS} FROM sentence_fts WHERE sentence_fts MATCH ?)"
            count_where = f"{where} AND {matching}" if where else f" WHERE {matching}"
            count_params = [*params, search.fts]
            if sort == RELEVANCE:  # bm25 only where the order needs it: counting does not
                source += (
                    f" JOIN (SELECT rowid >> {SENTENCE_BITS} AS num, MIN(rank) AS score"
                    " FROM sentence_fts WHERE sentence_fts MATCH ? GROUP BY 1) m ON m.num = d.num"
                )
                head = [search.fts]
                order = f"m.score, {order}"
            else:
                where, params = count_where, count_params

        def read(conn: sqlite3.Connection) -> tuple[list[Row], int]:
            (total,) = conn.execute(f"SELECT COUNT(*) FROM {_ROW_FROM}{count_where}", count_params).fetchone()
            rows = conn.execute(
                f"{_ROW_SQL.replace(_ROW_FROM, source)}{where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*head, *params, max(0, int(limit)), max(0, int(offset))),
            ).fetchall()
            return [_row(r) for r in rows], int(total)

        return self.db.read(read)

    def story_page(self, filters: Filters, *, offset: int = 0, limit: int = 50) -> tuple[list[Row], int]:
        """One row per story among the documents the filters select: each story's earliest document, with how
        many the story holds; the story with the latest document first. And how many stories there are."""
        where, params = _where(filters)
        picked = f"""WITH grouped AS (
            SELECT d.num AS num, COALESCE(s.story, d.num) AS story, d.sort_date AS sort_date
            FROM {_ROW_FROM} LEFT JOIN story_docs s ON s.num = d.num{where}
        ), picked AS (
            SELECT num, story,
                   ROW_NUMBER() OVER (PARTITION BY story ORDER BY sort_date, num) AS k,
                   COUNT(*) OVER (PARTITION BY story) AS n,
                   MAX(sort_date) OVER (PARTITION BY story) AS latest,
                   MAX(num) OVER (PARTITION BY story) AS last
            FROM grouped
        )"""

        columns = _ROW_SQL.replace("\nFROM ", ", p.story, p.n\nFROM ", 1)

        def read(conn: sqlite3.Connection) -> tuple[list[Row], int]:
            (total,) = conn.execute(f"{picked} SELECT COUNT(*) FROM picked WHERE k = 1", params).fetchone()
            rows = conn.execute(
                f"{picked} {columns} JOIN picked p ON p.num = d.num WHERE p.k = 1"
                " ORDER BY p.latest DESC, p.last DESC LIMIT ? OFFSET ?",
                (*params, max(0, int(limit)), max(0, int(offset))),
            ).fetchall()
            return [_row(r) for r in rows], int(total)

        return self.db.read(read)

    def story(self, id_: str) -> list[Row]:
        """The documents of ``id_``'s story, the earliest first (itself alone when it has no story yet)."""

        def read(conn: sqlite3.Connection) -> list[Row]:
            rows = conn.execute(
                f"{_ROW_SQL} JOIN story_docs s ON s.num = d.num WHERE s.story ="
                " (SELECT s2.story FROM story_docs s2 JOIN documents d2 ON d2.num = s2.num WHERE d2.id = ?)"
                " ORDER BY d.sort_date, d.num",
                (id_,),
            ).fetchall()
            return [_row(r) for r in rows]

        found = self.db.read(read)
        if found:
            return found
        row = self.row(id_)
        return [row] if row is not None else []

    def stories_of(self) -> dict[str, int]:
        """Every document's story (``reader.library.stories``), by id."""
        return self.db.read(
            lambda conn: dict(
                conn.execute("SELECT d.id, s.story FROM documents d JOIN story_docs s ON s.num = d.num").fetchall()
            )
        )

    def place_again(self, id_: str) -> None:
        """Place a document in a story again (after the reader said it is not one with some others)."""

        def write(conn: sqlite3.Connection) -> None:
            found = conn.execute("SELECT num FROM documents WHERE id = ?", (id_,)).fetchone()
            if found is not None:
                stories.replace(conn, int(found[0]), id_)

        self.db.write(write)

    def token_counts(self, tokens: Collection[str]) -> dict[str, int]:
        """How many indexed sentences hold each of these (folded) words; a word not indexed is left out."""
        tokens = list(tokens)

        def read(conn: sqlite3.Connection) -> dict[str, int]:
            rows = conn.execute(
                f"SELECT term, doc FROM sentence_vocab WHERE term IN ({placeholders(len(tokens))})", tokens
            ).fetchall()
            return {term: int(doc) for term, doc in rows}

        return self.db.read(read) if tokens else {}

    def neighbours(self, id_: str, filters: Filters) -> tuple[str | None, str | None]:
        """The documents before (newer) and after (older) ``id_`` in the list the filters select."""
        where, params = _where(filters)
        joiner = " AND" if where else " WHERE"

        def read(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
            found = conn.execute("SELECT sort_date, num FROM documents WHERE id = ?", (id_,)).fetchone()
            if found is None:
                return None, None
            base = f"SELECT d.id FROM documents d LEFT JOIN state.reading r ON r.id = d.id{where}{joiner}"
            newer = conn.execute(
                f"{base} (d.sort_date, d.num) > (?, ?) ORDER BY d.sort_date, d.num LIMIT 1", (*params, *found)
            ).fetchone()
            older = conn.execute(
                f"{base} (d.sort_date, d.num) < (?, ?) ORDER BY d.sort_date DESC, d.num DESC LIMIT 1",
                (*params, *found),
            ).fetchone()
            return (newer[0] if newer else None), (older[0] if older else None)

        return self.db.read(read)

    def matches(self, ids: Sequence[str], search: Query, *, per_document: int) -> dict[str, list[Match]]:
        """Up to ``per_document`` matching sentences of each document, the best (bm25) first."""

        def read(conn: sqlite3.Connection) -> dict[str, list[Match]]:
            out: dict[str, list[Match]] = {}
            for id_ in ids:
                found = conn.execute("SELECT num FROM documents WHERE id = ?", (id_,)).fetchone()
                if found is None:
                    continue
                base = int(found[0]) << SENTENCE_BITS
                rows = conn.execute(
                    """SELECT f.rowid, s.source, s.translation,
                              highlight(sentence_fts, 0, ?, ?), highlight(sentence_fts, 1, ?, ?)
                       FROM sentence_fts f JOIN sentences s ON s.id = f.rowid
                       WHERE sentence_fts MATCH ? AND f.rowid BETWEEN ? AND ?
                       ORDER BY bm25(sentence_fts), f.rowid LIMIT ?""",
                    (OPEN, CLOSE, OPEN, CLOSE, search.fts, base, base + TITLE_ROW, per_document),
                ).fetchall()
                out[id_] = [
                    Match(id_, None if rowid - base == TITLE_ROW else rowid - base, unpack(source), translation, ar, en)
                    for rowid, source, translation, ar, en in rows
                ]
            return out

        return self.db.read(read)

    def holding(self, source: str) -> list[str]:
        """The ids of the documents with a sentence whose folded words are ``source``'s, as a phrase (candidates:
        the caller compares the sentences themselves)."""
        words = search_words(source)
        if not any(ch.isalnum() for ch in words):
            return []
        phrase = '{ar} : "' + words.replace('"', '""') + '"'

        def read(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute(
                f"""SELECT DISTINCT d.id FROM sentence_fts f JOIN documents d ON d.num = f.rowid >> {SENTENCE_BITS}
                    WHERE sentence_fts MATCH ?""",
                (phrase,),
            ).fetchall()
            return [r[0] for r in rows]

        return self.db.read(read)

    def feed_counts(self) -> dict[str, tuple[int, int]]:
        """Per feed URL: (documents, unread documents)."""

        def read(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
            rows = conn.execute(
                "SELECT d.feed, COUNT(*), SUM(r.read_at IS NULL) FROM documents d"
                " LEFT JOIN state.reading r ON r.id = d.id WHERE d.feed != '' GROUP BY d.feed"
            ).fetchall()
            return {feed: (int(n), int(unread or 0)) for feed, n, unread in rows}

        return self.db.read(read)

    def size_bytes(self) -> int:
        return self.db.size_bytes()


def pack(text: str) -> str | bytes:
    """Arabic text as one byte a character (Windows-1256, which has every Arabic letter and mark) when it can
    be, else as it is: the index keeps a copy of every sentence, and this nearly halves it."""
    try:
        return text.encode("cp1256")
    except UnicodeEncodeError:
        return text


def unpack(value: str | bytes) -> str:
    return value.decode("cp1256") if isinstance(value, bytes) else value


def _delete_sentences(conn: sqlite3.Connection, num: int) -> None:
    low, high = num << SENTENCE_BITS, (num << SENTENCE_BITS) + TITLE_ROW
    # An external-content FTS5 table must be told exactly what it indexed: the view recomputes it.
    conn.execute(
        "INSERT INTO sentence_fts (sentence_fts, rowid, ar, en)"
        " SELECT 'delete', id, ar, en FROM sentence_text WHERE id BETWEEN ? AND ?",
        (low, high),
    )
    conn.execute("DELETE FROM sentences WHERE id BETWEEN ? AND ?", (low, high))
    conn.execute("DELETE FROM site_paragraphs WHERE num = ?", (num,))


def _where(filters: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if filters.feed is not None:
        clauses.append("d.feed = ?")
        params.append(filters.feed)
    if filters.unread:
        clauses.append("r.read_at IS NULL")
    if filters.starred:
        clauses.append("r.starred = 1")
    if filters.since:
        clauses.append("d.sort_date >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("d.sort_date <= ?")
        params.append(filters.until)
    if filters.flagged:
        clauses.append("d.flagged > 0")
    if filters.watchlist is not None:
        clauses.append("d.id IN (SELECT id FROM state.watch_hits WHERE watchlist = ?)")
        params.append(filters.watchlist)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def document_row(id_: str, document: Document, stamp: FileStamp) -> tuple[object, ...]:
    """The ``documents`` columns after ``num``, in order."""
    meta = document.meta
    translated = stamp.mtime_ns / 1e9
    flags: Counter[str] = Counter()
    flagged = 0
    for sentence in document.sentences:
        warnings = [f for f in sentence.shown_flags if f in FLAG_MARKS and FLAG_MARKS[f].warning]
        flags.update(warnings)
        flagged += bool(warnings)
        if Flag.PENDING in sentence.flags:  # titles first: what opening it will translate (``Row.pending``)
            flags[Flag.PENDING] += 1
    return (
        id_,
        stamp.file,
        stamp.mtime_ns,
        stamp.size,
        _shorten(document.title),
        _shorten(document.title_en),
        meta.source,
        meta.feed,
        meta.author,
        meta.date,
        sort_date(meta.date, translated),
        translated,
        meta.model,
        meta.model_fingerprint,
        len(document.sentences),
        flagged,
        json.dumps(dict(sorted(flags.items()))),
        meta.partial,
    )


def sentence_rows(document: Document) -> list[tuple[int, str, str]]:
    """(n, source, translation) to index: every sentence, and the title when it is not the first paragraph."""
    rows = [(n, s.source, s.shown) for n, s in enumerate(document.sentences[:TITLE_ROW])]
    meta = document.meta
    if meta.title and meta.title_translation:
        rows.append((TITLE_ROW, meta.title, meta.title_translation))
    return rows


def sort_date(published: str, translated: float) -> str:
    """The day the list sorts and filters by: a published date that starts YYYY-MM-DD, else the day translated."""
    head = published.strip()[:10]
    try:
        return datetime.strptime(head, "%Y-%m-%d").date().isoformat()
    except ValueError:
        return datetime.fromtimestamp(translated, UTC).date().isoformat()


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1].rstrip() + "…"
