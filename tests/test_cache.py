"""The SQLite sentence cache: round trips, keys, clearing, LRU limit, damage recovery, threads and processes."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reader.errors import CacheError
from reader.translate.base import Translation
from reader.translate.cache import SCHEMA_VERSION, CacheWarning, SentenceCache

FP = "opus-mt-ar-en:abc123;transformers;beam=4;max=512;nrng=0"
OTHER_FP = "opus-mt-ar-en:abc123;transformers;beam=1;max=512;nrng=0"

HELLO = Translation(text="Hello world", alignment=((0, 0), (1, 1)), score=-0.125)
BOOK = Translation(text="The book is on the table", alignment=((0, 1), (1, 2), (2, 5)), score=-0.5)


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "cache.sqlite3"


@pytest.fixture
def cache(cache_path: Path):
    store = SentenceCache(cache_path)
    yield store
    store.close()


def _fill(path: Path, n: int) -> None:
    with SentenceCache(path) as store:
        store.put_many(FP, {f"جملة رقم {i}": Translation(f"sentence number {i}", ((0, 0),), -0.1) for i in range(n)})


def _corrupt_files(path: Path) -> list[Path]:
    """Damaged files moved aside (their moved logs excluded)."""
    return sorted(p for p in path.parent.glob(f"{path.name}.corrupt-*") if not p.name.endswith("-wal"))


# ---- round trip and keys ----------------------------------------------------------------------


def test_nothing_touches_the_disk_until_first_use(cache_path: Path) -> None:
    store = SentenceCache(cache_path)
    assert not cache_path.parent.exists()
    assert store.get_many(FP, []) == {}
    store.put_many(FP, {})
    assert not cache_path.parent.exists()
    assert store.get_many(FP, ["مرحبا"]) == {}
    assert cache_path.is_file()
    with sqlite3.connect(cache_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_round_trip_keeps_text_alignment_and_score(cache: SentenceCache) -> None:
    cache.put_many(FP, {"مرحبا بالعالم": HELLO, "الكتاب على الطاولة": BOOK})
    got = cache.get_many(FP, ["الكتاب على الطاولة", "مرحبا بالعالم", "غير موجود"])
    assert got == {
        "الكتاب على الطاولة": Translation("The book is on the table", ((0, 1), (1, 2), (2, 5)), -0.5, cached=True),
        "مرحبا بالعالم": Translation("Hello world", ((0, 0), (1, 1)), -0.125, cached=True),
    }


def test_a_new_instance_reads_what_another_wrote(cache_path: Path) -> None:
    with SentenceCache(cache_path) as first:
        first.put_many(FP, {"مرحبا بالعالم": HELLO})
    with SentenceCache(cache_path) as second:
        assert second.get_many(FP, ["مرحبا بالعالم"])["مرحبا بالعالم"].text == "Hello world"


def test_another_fingerprint_misses(cache: SentenceCache) -> None:
    cache.put_many(FP, {"مرحبا بالعالم": HELLO})
    assert cache.get_many(OTHER_FP, ["مرحبا بالعالم"]) == {}
    cache.put_many(OTHER_FP, {"مرحبا بالعالم": BOOK})
    assert cache.get_many(FP, ["مرحبا بالعالم"])["مرحبا بالعالم"].text == "Hello world"
    assert cache.get_many(OTHER_FP, ["مرحبا بالعالم"])["مرحبا بالعالم"].text == "The book is on the table"


def test_whitespace_and_unicode_form_do_not_change_the_key(cache: SentenceCache) -> None:
    cache.put_many(FP, {"  مرحبا   بالعالم\n": HELLO, "cafe\u0301 noir": BOOK})
    got = cache.get_many(FP, ["مرحبا بالعالم", "مرحبا\tبالعالم", "caf\u00e9 noir"])
    assert set(got) == {"مرحبا بالعالم", "مرحبا\tبالعالم", "caf\u00e9 noir"}
    assert got["مرحبا\tبالعالم"].text == "Hello world"
    assert got["caf\u00e9 noir"].text == "The book is on the table"


def test_put_replaces_an_existing_entry(cache: SentenceCache) -> None:
    cache.put_many(FP, {"مرحبا بالعالم": HELLO})
    cache.put_many(FP, {"مرحبا بالعالم": BOOK})
    assert cache.get_many(FP, ["مرحبا بالعالم"])["مرحبا بالعالم"] == Translation(
        BOOK.text, BOOK.alignment, BOOK.score, cached=True
    )
    assert cache.stats().entries == 1


def test_many_sentences_in_one_call_exceed_the_sqlite_variable_limit(cache: SentenceCache) -> None:
    items = {f"جملة {i}": Translation(f"sentence {i}", ((0, 0), (1, 1)), -0.01 * (i % 7)) for i in range(2500)}
    cache.put_many(FP, items)
    got = cache.get_many(FP, [*items, "ليست هنا"])
    assert len(got) == 2500
    assert got["جملة 1234"] == Translation("sentence 1234", ((0, 0), (1, 1)), -0.01 * (1234 % 7), cached=True)


# ---- stats and clearing -----------------------------------------------------------------------


def test_stats(cache: SentenceCache, cache_path: Path) -> None:
    cache.put_many(FP, {"أ": HELLO, "ب": BOOK})
    cache.put_many(OTHER_FP, {"أ": HELLO})
    cache.get_many(FP, ["أ", "ب"])
    cache.get_many(FP, ["أ"])
    stats = cache.stats()
    assert stats.path == cache_path
    assert stats.entries == 3
    assert stats.per_fingerprint == {FP: 2, OTHER_FP: 1}
    assert stats.hits == 3
    assert stats.max_entries == 2_000_000
    assert stats.size_bytes > 0
    assert stats.oldest is not None and stats.newest is not None
    assert stats.oldest < stats.newest


def test_stats_of_an_empty_cache(cache: SentenceCache) -> None:
    stats = cache.stats()
    assert (stats.entries, stats.per_fingerprint, stats.hits, stats.oldest, stats.newest) == (0, {}, 0, None, None)


def _three_entries(cache: SentenceCache) -> None:
    cache.put_many(FP, {"أ": HELLO, "ب": BOOK, "ج": HELLO})
    cache.put_many(OTHER_FP, {"أ": HELLO, "ب": BOOK})


def test_clear_everything(cache: SentenceCache) -> None:
    _three_entries(cache)
    assert cache.clear() == 5
    assert cache.stats().entries == 0
    assert cache.get_many(FP, ["أ"]) == {}


def test_clear_one_model(cache: SentenceCache) -> None:
    _three_entries(cache)
    assert cache.clear(OTHER_FP) == 2
    assert cache.stats().per_fingerprint == {FP: 3}
    assert cache.clear("never-seen") == 0


def test_clear_an_articles_sentences_for_every_model(cache: SentenceCache) -> None:
    _three_entries(cache)
    assert cache.clear(sentences=["أ", " ب ", "غير موجود"]) == 4
    assert set(cache.get_many(FP, ["أ", "ب", "ج"])) == {"ج"}
    assert cache.get_many(OTHER_FP, ["أ", "ب"]) == {}


def test_clear_an_articles_sentences_for_one_model(cache: SentenceCache) -> None:
    _three_entries(cache)
    assert cache.clear(FP, sentences=["أ", "ب"]) == 2
    assert set(cache.get_many(FP, ["أ", "ب", "ج"])) == {"ج"}
    assert set(cache.get_many(OTHER_FP, ["أ", "ب"])) == {"أ", "ب"}


# ---- size limit ---------------------------------------------------------------------------------


def test_limit_evicts_the_least_recently_used(cache_path: Path) -> None:
    with SentenceCache(cache_path, max_entries=3) as store:
        store.put_many(FP, {"old": HELLO})
        store.put_many(FP, {"middle": HELLO})
        store.put_many(FP, {"newer": HELLO})
        assert set(store.get_many(FP, ["old"])) == {"old"}  # reading makes "old" the most recent
        store.put_many(FP, {"newest": BOOK})
        assert store.get_many(FP, ["middle"]) == {}
        assert store.stats().per_fingerprint == {FP: 3}
        # Least recent first: newer, old, newest.
        store.put_many(FP, {"another": BOOK})
        assert store.get_many(FP, ["newer"]) == {}
        assert set(store.get_many(FP, ["old", "newest", "another"])) == {"old", "newest", "another"}
        assert store.stats().entries == 3


def test_limit_applies_within_one_large_put(cache_path: Path) -> None:
    with SentenceCache(cache_path, max_entries=2) as store:
        store.put_many(FP, {"one": HELLO, "two": HELLO, "three": HELLO, "four": HELLO})
        assert set(store.get_many(FP, ["one", "two", "three", "four"])) == {"three", "four"}
        assert store.stats().entries == 2


def test_limit_counts_entries_of_every_model(cache_path: Path) -> None:
    with SentenceCache(cache_path, max_entries=2) as store:
        store.put_many(FP, {"one": HELLO})
        store.put_many(OTHER_FP, {"two": HELLO, "three": HELLO})
        assert store.stats().per_fingerprint == {OTHER_FP: 2}


def test_a_limit_below_one_is_refused(cache_path: Path) -> None:
    with pytest.raises(CacheError, match="at least 1"):
        SentenceCache(cache_path, max_entries=0)


# ---- damaged files ------------------------------------------------------------------------------


def test_garbage_file_is_moved_aside_and_rebuilt(cache_path: Path) -> None:
    _fill(cache_path, 10)
    garbage = b"\x00\xffnot an sqlite database at all\n" * 200
    cache_path.write_bytes(garbage)
    store = SentenceCache(cache_path)
    with pytest.warns(CacheWarning, match=r"damaged .* moved to cache\.sqlite3\.corrupt-"):
        assert store.get_many(FP, ["جملة رقم 1"]) == {}
    (moved,) = _corrupt_files(cache_path)
    assert moved.read_bytes() == garbage
    store.put_many(FP, {"مرحبا بالعالم": HELLO})
    assert store.get_many(FP, ["مرحبا بالعالم"])["مرحبا بالعالم"].text == "Hello world"
    store.close()
    with SentenceCache(cache_path) as again:  # the rebuilt file opens cleanly: no second warning
        assert again.stats().entries == 1
    assert len(_corrupt_files(cache_path)) == 1


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_file_is_moved_aside_and_rebuilt(cache_path: Path, keep: float) -> None:
    _fill(cache_path, 3000)
    size = cache_path.stat().st_size
    assert size > 100_000
    with cache_path.open("r+b") as fh:
        fh.truncate(int(size * keep))
    store = SentenceCache(cache_path)
    with pytest.warns(CacheWarning, match="damaged"):
        assert store.stats().entries == 0
    assert len(_corrupt_files(cache_path)) == 1
    store.put_many(FP, {"مرحبا بالعالم": HELLO})
    assert store.stats().entries == 1
    store.close()


def test_file_cut_inside_the_header_is_moved_aside(cache_path: Path) -> None:
    _fill(cache_path, 10)
    with cache_path.open("r+b") as fh:
        fh.truncate(50)
    store = SentenceCache(cache_path)
    with pytest.warns(CacheWarning):
        store.put_many(FP, {"مرحبا بالعالم": HELLO})
    assert store.stats().entries == 1
    assert len(_corrupt_files(cache_path)) == 1
    store.close()


def test_a_damaged_file_still_open_elsewhere_shares_nothing_with_the_new_one(cache_path: Path) -> None:
    # Another process (here a raw connection) holds the damaged file open and keeps writing to its log.
    _fill(cache_path, 200)
    other = sqlite3.connect(cache_path, isolation_level=None)
    other.execute("CREATE TABLE side (n INTEGER)")
    other.execute("PRAGMA wal_checkpoint")
    assert Path(f"{cache_path}-wal").stat().st_size > 0
    with cache_path.open("r+b") as fh:  # damage the sentences' pages in the middle of the file
        fh.seek(cache_path.stat().st_size // 2)
        fh.write(b"garbage" * 2000)
    store = SentenceCache(cache_path)
    with pytest.warns(CacheWarning, match="damaged"):
        store.put_many(FP, {"مرحبا بالعالم": HELLO})
    (moved,) = _corrupt_files(cache_path)
    assert Path(f"{moved}-wal").stat().st_size > 0  # the damaged file's recent writes are kept with it
    for i in range(50):
        other.execute("INSERT INTO side VALUES (?)", (i,))
        store.put_many(FP, {f"جديدة {i}": BOOK})
    assert store.stats().per_fingerprint == {FP: 51}
    got = store.get_many(FP, ["مرحبا بالعالم", "جديدة 49", "جملة رقم 1"])
    assert got == {
        "مرحبا بالعالم": Translation(HELLO.text, HELLO.alignment, HELLO.score, cached=True),
        "جديدة 49": Translation(BOOK.text, BOOK.alignment, BOOK.score, cached=True),
    }
    store.close()
    other.close()
    with sqlite3.connect(cache_path) as raw:
        assert raw.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert raw.execute("SELECT COUNT(*) FROM sentences").fetchone() == (51,)
    raw.close()


def test_another_sqlite_database_is_not_used_as_the_cache(cache_path: Path) -> None:
    cache_path.parent.mkdir(parents=True)
    with sqlite3.connect(cache_path) as raw:
        raw.execute("CREATE TABLE notes (body TEXT)")
        raw.execute("INSERT INTO notes VALUES ('keep me')")
    raw.close()
    store = SentenceCache(cache_path)
    with pytest.warns(CacheWarning, match="not a reader cache"):
        assert store.stats().entries == 0
    (moved,) = _corrupt_files(cache_path)
    with sqlite3.connect(moved) as raw:
        assert raw.execute("SELECT body FROM notes").fetchall() == [("keep me",)]
    raw.close()
    store.close()


def test_a_cache_from_a_newer_version_is_left_alone(cache_path: Path) -> None:
    _fill(cache_path, 1)
    with sqlite3.connect(cache_path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(CacheError, match="newer version of reader"):
        SentenceCache(cache_path).stats()
    assert _corrupt_files(cache_path) == []


# ---- unusable locations -------------------------------------------------------------------------


def test_a_folder_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheError, match=r"cannot create the cache folder .*READER_CACHE_PATH"):
        SentenceCache(blocker / "cache.sqlite3").get_many(FP, ["أ"])


def test_a_path_that_is_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="is a folder"):
        SentenceCache(tmp_path).stats()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CacheError, match="not writable"):
            SentenceCache(folder / "cache.sqlite3").put_many(FP, {"أ": HELLO})
    finally:
        folder.chmod(0o700)


# ---- threads and processes ----------------------------------------------------------------------


def test_threads_share_one_instance(cache: SentenceCache) -> None:
    def work(n: int) -> int:
        for i in range(30):
            cache.put_many(FP, {f"t{n} s{i}": Translation(f"thread {n} sentence {i}")})
            assert cache.get_many(FP, [f"t{n} s{i}"])[f"t{n} s{i}"].text == f"thread {n} sentence {i}"
        return n

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sorted(pool.map(work, range(6))) == list(range(6))
    assert cache.stats().entries == 180


def _forked_child(store: SentenceCache) -> None:
    store.put_many(FP, {"from the child": BOOK})
    store.get_many(FP, ["مرحبا بالعالم"])


def test_a_forked_child_reopens_instead_of_sharing_connections(cache: SentenceCache) -> None:
    cache.put_many(FP, {"مرحبا بالعالم": HELLO})
    child = multiprocessing.get_context("fork").Process(target=_forked_child, args=(cache,))
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0
    got = cache.get_many(FP, ["from the child", "مرحبا بالعالم"])
    assert got["from the child"].text == BOOK.text
    assert cache.stats().hits == 3  # one read in the child, two here


ROUNDS = 150


def _concurrent_writer(path: str, worker: int, start, errors) -> None:
    try:
        store = SentenceCache(Path(path))
        start.wait(timeout=120)
        for i in range(ROUNDS):
            store.put_many(
                FP,
                {
                    f"own {worker} {i}": Translation(f"worker {worker} line {i}", ((0, 0), (1, 1)), -0.5),
                    f"shared {i}": Translation(f"shared line {i}", ((0, 0),), -0.25),
                },
            )
            store.get_many(FP, [f"shared {i}", f"own {worker} {max(i - 1, 0)}"])
        store.close()
    except BaseException:
        errors.put(f"worker {worker}: {traceback.format_exc()}")
        raise


@pytest.mark.slow
def test_three_processes_write_at_once_without_errors_or_lost_writes(cache_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    errors = ctx.Queue()
    workers = [ctx.Process(target=_concurrent_writer, args=(str(cache_path), n, start, errors)) for n in range(3)]
    for proc in workers:
        proc.start()
    start.set()  # all three create the (missing) file and write at the same moment
    for proc in workers:
        proc.join(timeout=300)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    assert [proc.exitcode for proc in workers] == [0, 0, 0]

    with SentenceCache(cache_path) as store:
        own = [f"own {w} {i}" for w in range(3) for i in range(ROUNDS)]
        shared = [f"shared {i}" for i in range(ROUNDS)]
        got = store.get_many(FP, own + shared)
        assert len(got) == 4 * ROUNDS
        assert got["own 2 149"] == Translation("worker 2 line 149", ((0, 0), (1, 1)), -0.5, cached=True)
        assert all(got[f"own {w} {i}"].text == f"worker {w} line {i}" for w in range(3) for i in range(ROUNDS))
        assert all(got[s].text == f"shared line {s.split()[1]}" for s in shared)
        assert store.stats().entries == 4 * ROUNDS
