"""The library under faults: writers killed at random moments, and two processes writing one library at once.

Every check reads the library as the next process would find it: straight after a kill, every
indexed document has its file; after the next open, every document file is indexed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reader.library import Filters, Library
from reader.library.layout import INDEX_NAME, scan
from tests.support.batching import rss, sentences_for, serve_articles
from tests.support.documents import make_document
from tests.support.fake import FakeModel
from tests.support.http_server import LocalServer, page

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def child_env(fake_model: FakeModel, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "READER_MODEL": str(fake_model.folder),
        "READER_BACKEND": "fake",
        "READER_ALLOW_PRIVATE_URLS": "1",
        **extra,
    }


def reader_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.support.fake_cli", *args], cwd=ROOT, env=env, stdout=handle, stderr=handle
        )
    finally:
        handle.close()


def indexed_files(root: Path) -> dict[str, str]:
    """What the index holds, read as it was left (no refresh, as a reader opening it would see it)."""
    path = root / INDEX_NAME
    if not path.exists():
        return {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute("SELECT id, file FROM documents").fetchall()
    conn.close()
    return dict(rows)


def assert_consistent(root: Path) -> int:
    """Every indexed document has its file now; every file is indexed once the library is opened. The count."""
    for id_, file in indexed_files(root).items():
        assert (root / file).is_file(), f"{id_} is indexed but its file {file} is missing"
    with Library(root) as library:
        library.open()
        files = dict(scan(root))
        assert set(library.index.stamps()) == set(files), "a document file is not indexed after the open"
        assert library.index.unreadable() == {}, "a half-written document file"
        for id_ in files:
            assert library.get(id_).sentences  # whole, parseable documents only
        return library.page().total


def feed_items(start: int, count: int) -> list[tuple[str, str, int]]:
    return [(f"/news/{n}", f"خبر رقم {n}", n) for n in range(start, start + count)]


def test_kill_9_of_a_feed_check_at_any_moment_leaves_the_library_consistent(tmp_path, fake_model):
    root, log = tmp_path / "library", tmp_path / "child.log"
    rng = random.Random(15)
    env = child_env(fake_model, FAKE_DELAY="0.05")
    items: list[tuple[str, str, int]] = []
    with LocalServer() as server:
        url = server.url("/feed.xml")
        with Library(root) as library:
            library.subscribe(url)
        for round_number in range(6):
            items += feed_items(10 + 4 * round_number, 4)  # every round finds new entries to work on
            serve_articles(server, items)
            server.routes["/feed.xml"] = page(rss(server, items), content_type="application/rss+xml")
            child = reader_process(["feeds", "check", "--library", str(root), "--quiet"], env, log)
            time.sleep(rng.uniform(0.4, 2.5))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            assert_consistent(root)
        finished = subprocess.run(
            [sys.executable, "-m", "tests.support.fake_cli", "feeds", "check", "--library", str(root), "--quiet"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finished.returncode == 0, finished.stderr
    assert assert_consistent(root) == len(items)
    with Library(root) as library:
        for _, title, number in items:
            (row,) = [r for r in library.page(limit=100).rows if r.title == title]
            assert [s.source for s in library.get(row.id).sentences] == sentences_for(number, 4)


_APP_WRITER = """
import sys
from pathlib import Path
from reader.library import Library
from tests.support.documents import make_document

# What the app writes, as fast as it can: a saved translation, then "read" and a reading position.
library = Library(Path(sys.argv[1])).open()
for n in range(100000):
    document = make_document([[(f"جملة رقم {n} هنا", f"sentence number {n} here", [(0, 0), (1, 1)], [])] * 30])
    id_ = library.add(document, f"pasted:{n}")
    library.mark_read(id_)
    library.set_position(id_, n % 30)
    if n % 7 == 3:
        library.remove(id_)
"""


def test_kill_9_of_the_app_writing_at_any_moment_leaves_the_library_consistent(tmp_path):
    root = tmp_path / "library"
    rng = random.Random(14)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(8):
        child = subprocess.Popen([sys.executable, "-c", _APP_WRITER, str(root)], cwd=ROOT, env=env)
        time.sleep(rng.uniform(0.8, 2.0))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert_consistent(root)
    with Library(root) as library:
        assert library.page().total > 0


def test_the_app_and_a_watching_feed_check_write_one_library_at_once(tmp_path, fake_model):
    """No "database is locked", nothing lost: the feed check's articles and every write the app made are there."""
    root, log = tmp_path / "library", tmp_path / "watch.log"
    entries = feed_items(100, 24)
    errors: list[BaseException] = []
    app_ids: list[str] = []
    with LocalServer() as server:
        url = server.url("/feed.xml")
        serve_articles(server, entries)
        server.routes["/feed.xml"] = page(rss(server, entries[:4]), content_type="application/rss+xml")
        with Library(root) as library:
            library.subscribe(url)
        watcher = reader_process(["feeds", "check", "--library", str(root), "--watch", "1"], child_env(fake_model), log)

        def grow_the_feed() -> None:  # the feed publishes as the reader reads
            for shown in range(6, len(entries) + 1, 2):
                time.sleep(0.4)
                server.routes["/feed.xml"] = page(rss(server, entries[:shown]), content_type="application/rss+xml")

        finished = threading.Event()

        def app_session(number: int) -> None:
            try:
                with Library(root) as library:  # each session as the app opens it
                    for n in range(400):
                        if finished.is_set():
                            break
                        time.sleep(0.05)
                        arabic = f"مقال من الجلسة {number} رقم {n}"
                        document = make_document([[(arabic, f"article {number}.{n}", [(0, 0)], [])]])
                        id_ = library.add(document, f"pasted:{number}:{n}")
                        app_ids.append(id_)
                        library.mark_read(id_)
                        library.set_position(id_, 1)
                        for row in library.page(Filters(feed=url)).rows[:3]:
                            library.star(row.id)
                            library.get(row.id)
                        library.search("خبر")
            except Exception as exc:  # every failure of a session is the test's to report
                errors.append(exc)

        threads = [threading.Thread(target=grow_the_feed)] + [
            threading.Thread(target=app_session, args=(i,)) for i in range(3)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 180
        while True:
            with Library(root) as library:
                feed_total = library.page(Filters(feed=url)).total
            if feed_total == len(entries) or time.monotonic() > deadline:
                break
            assert watcher.poll() is None, log.read_text(encoding="utf-8")
            time.sleep(0.5)
        time.sleep(1)  # the sessions go on a little after the last article arrived
        finished.set()
        for thread in threads:
            thread.join(timeout=300)
        watcher.send_signal(signal.SIGINT)  # Ctrl-C: the watch stops between rounds
        assert watcher.wait(timeout=60) == 0, log.read_text(encoding="utf-8")
    output = log.read_text(encoding="utf-8")
    assert "locked" not in output and "Traceback" not in output, output
    assert errors == []
    assert feed_total == len(entries)
    assert assert_consistent(root) == len(entries) + len(app_ids)
    with Library(root) as library:
        assert all(not library.reading(id_).unread and library.reading(id_).position == 1 for id_ in app_ids)
        assert library.page(Filters(feed=url, starred=True)).total >= 1

