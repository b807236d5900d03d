"""reader.sqlite: the plumbing of every store (the cache and the manifest have their own tests)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from reader.errors import ReaderError
from reader.sqlite import Database, DatabaseWarning, Names, Schema

NAMES = Names("test index", "index", "use another file")
# What the library index will need: an FTS5 table over translated sentences, kept in step by a trigger.
FTS_SCHEMA = Schema(
    version=1,
    statements=(
        "CREATE TABLE sentences (id INTEGER PRIMARY KEY, source TEXT NOT NULL, translation TEXT NOT NULL)",
        "CREATE VIRTUAL TABLE sentences_fts USING fts5(source, translation, content='sentences', content_rowid='id',"
        " tokenize='porter unicode61')",
        """CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
            INSERT INTO sentences_fts (rowid, source, translation) VALUES (new.id, new.source, new.translation); END""",
    ),
    tables=frozenset({"sentences", "sentences_fts"}),
    columns={"sentences": ("id", "source", "translation")},
)


class IndexError_(ReaderError):
    """The test store's own error type."""


def database(path: Path, *, disposable: bool = False) -> Database:
    return Database(path, FTS_SCHEMA, names=NAMES, error=IndexError_, disposable=disposable)


def insert(db: Database, source: str, translation: str) -> None:
    db.write(
        lambda conn: conn.execute("INSERT INTO sentences (source, translation) VALUES (?, ?)", (source, translation))
    )


def search(db: Database, query: str) -> list[str]:
    sql = "SELECT s.translation FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid"
    return db.read(lambda conn: [row[0] for row in conn.execute(f"{sql} WHERE sentences_fts MATCH ?", (query,))])


def test_an_fts5_schema_is_created_once_and_searched_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "library.sqlite3"
    with database(path) as db:
        assert not path.exists()  # nothing happens before the first call
        insert(db, "البنك المركزي يثبت الفائدة", "The central bank holds interest rates")
        insert(db, "ارتفعت الأسعار", "Prices rose")
        assert search(db, "holding") == ["The central bank holds interest rates"]  # porter stemming
        assert search(db, "الأسعار") == ["Prices rose"]
    with database(path) as again, sqlite3.connect(path) as raw:
        assert search(again, "prices") == ["Prices rose"]
        assert raw.execute("PRAGMA user_version").fetchone() == (1,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()


def test_a_write_is_all_or_nothing(tmp_path: Path) -> None:
    db = database(tmp_path / "x.sqlite3")

    def half(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO sentences (source, translation) VALUES ('أ', 'a')")
        raise RuntimeError("crash between two statements")

    with pytest.raises(RuntimeError):
        db.write(half)
    assert db.read(lambda conn: conn.execute("SELECT COUNT(*) FROM sentences").fetchone()) == (0,)
    db.close()


def test_a_store_of_the_users_data_is_never_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"not a database, but maybe the user's only copy" * 100)
    with pytest.raises(IndexError_, match=r"the test index at .* cannot be used \(.*\); use another file"):
        database(path).read(lambda conn: None)
    assert path.read_bytes().startswith(b"not a database")
    assert list(tmp_path.iterdir()) == [path]


def test_a_disposable_store_is_moved_aside_and_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    db = database(path, disposable=True)
    with pytest.warns(DatabaseWarning, match=r"the test index .* was damaged .* a new, empty index was started"):
        insert(db, "أ", "a")
    assert search(db, "a") == ["a"]
    assert len(list(tmp_path.glob("index.sqlite3.corrupt-*"))) == 1
    db.close()


def test_a_file_from_a_newer_reader_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    database(path).read(lambda conn: None)
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 2")
    raw.close()
    with pytest.raises(IndexError_, match=r"newer version of reader \(schema 2\); upgrade reader or use another"):
        database(path, disposable=True).read(lambda conn: None)
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_threads_do_not_accumulate_connections(tmp_path: Path) -> None:
    db = database(tmp_path / "x.sqlite3")
    insert(db, "أ", "a")
    for _ in range(20):
        thread = threading.Thread(target=search, args=(db, "a"))
        thread.start()
        thread.join()
    assert len(db._idle) == 1
    db.close()


def test_an_older_file_of_the_users_data_is_migrated_step_by_step_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    v1 = Schema(1, ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",), frozenset({"notes"}))
    with Database(path, v1, names=NAMES, error=IndexError_, disposable=False) as db:
        db.write(lambda conn: conn.execute("INSERT INTO notes (text) VALUES ('kept')"))
    v3 = Schema(
        3,
        (
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, starred INTEGER NOT NULL DEFAULT 0)",
            "CREATE TABLE edits (note INTEGER NOT NULL, text TEXT NOT NULL)",
        ),
        frozenset({"notes", "edits"}),
        columns={"notes": ("id", "text", "starred")},
        migrations={
            1: ("ALTER TABLE notes ADD COLUMN starred INTEGER NOT NULL DEFAULT 0",),
            2: ("CREATE TABLE edits (note INTEGER NOT NULL, text TEXT NOT NULL)",),
        },
    )
    with Database(path, v3, names=NAMES, error=IndexError_, disposable=False) as db:
        rows = db.read(lambda conn: conn.execute("SELECT text, starred FROM notes").fetchall())
        assert rows == [("kept", 0)]
        assert db.read(lambda conn: conn.execute("PRAGMA user_version").fetchone()) == (3,)
    without_a_step = Schema(4, v3.statements, v3.tables, migrations={1: (), 2: ()})
    with pytest.raises(IndexError_, match=r"cannot be used \(old index schema 3\)"):
        Database(path, without_a_step, names=NAMES, error=IndexError_, disposable=False).read(lambda conn: None)


def test_attached_files_and_functions_reach_every_connection(tmp_path: Path) -> None:
    state_path = tmp_path / "state.sqlite3"
    state_schema = Schema(1, ("CREATE TABLE starred (source TEXT PRIMARY KEY)",), frozenset({"starred"}))
    with Database(state_path, state_schema, names=NAMES, error=IndexError_, disposable=False) as state:
        state.write(lambda conn: conn.execute("INSERT INTO starred VALUES ('ب')"))
    db = Database(
        tmp_path / "index.sqlite3",
        FTS_SCHEMA,
        names=NAMES,
        error=IndexError_,
        disposable=True,
        attach={"state": state_path},
        functions={"shout": lambda text: text.upper() + "!"},
    )
    insert(db, "أ", "a")
    insert(db, "ب", "b")

    def starred(conn: sqlite3.Connection) -> list[tuple[str, str]]:
        sql = "SELECT shout(translation), source FROM sentences JOIN state.starred USING (source)"
        return conn.execute(sql).fetchall()

    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(db.read(starred)))
    thread.start()
    thread.join()
    assert results == [[("B!", "ب")]] and db.read(starred) == [("B!", "ب")]
    db.close()
