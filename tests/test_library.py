"""The reading library (reader.library): documents, the derived index, search in both languages, the reader's data."""

from __future__ import annotations

import os
import sqlite3
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.document import Flag, Metadata
from reader.errors import LibraryError
from reader.library import ALIGNED, MATCH, Filters, Library, LibraryWarning, document_id, store
from reader.library.layout import INDEX_NAME, STATE_NAME
from tests.support.documents import make_document

# Three small articles: (key, date, sentences as (Arabic, English, alignment)).
BANK = (
    "https://news.example/economy/bank-holds-rates",
    "2024-11-21",
    [
        ("البنك المركزي يثبت الفائدة", "The central bank holds rates", [(0, 1), (1, 2), (2, 3), (3, 4)]),
        (
            "وقال الرَّئِيسُ إن التضخم تراجع",
            "And the president said inflation eased",
            [(0, 0), (0, 3), (1, 1), (1, 2), (3, 4), (4, 5)],
        ),
    ],
)
SOLAR = (
    "/srv/feeds/desert-solar.txt",
    "2024-11-23",
    [("محطة شمسية جديدة في الصحراء", "A new solar plant in the desert", [(0, 2), (1, 3), (2, 1), (3, 4), (4, 6)])],
)
CYBER = (
    "https://news.example/world/cyber",
    "2024-11-22",
    [
        ("قمة هلسنكي تبحث الأمن", "The Helsinki summit discusses security", [(0, 2), (1, 1), (2, 3), (3, 4)]),
        ("وحذر الرئيس من اختراقات جديدة", "The president warned of new breaches", [(0, 2), (1, 1), (3, 5), (4, 4)]),
    ],
)


def article(spec, *, feed: str = "", flags=(), title: str = "", title_en: str = ""):
    key, date, sentences = spec
    meta = Metadata(title=title, title_translation=title_en, source=key, feed=feed, date=date, model="toy")
    pairs = [(ar, en, al, list(flags)) for ar, en, al in sentences]
    return key, make_document([pairs[:1], pairs[1:]] if len(pairs) > 1 else [pairs], meta)  # a headline, then text


@pytest.fixture
def library(tmp_path: Path) -> Library:
    with Library(tmp_path / "library") as lib:
        yield lib


def fill(library: Library) -> dict[str, str]:
    ids = {}
    for name, spec, extra in (
        ("bank", BANK, {"feed": "https://news.example/feed.xml"}),
        ("solar", SOLAR, {"flags": (Flag.LOW_SCORE,)}),
        ("cyber", CYBER, {"feed": "https://news.example/feed.xml", "title": "اختراق", "title_en": "Breach"}),
    ):
        key, document = article(spec, **extra)
        ids[name] = library.add(document, key)
    return ids


def test_documents_are_files_named_by_their_key_and_listed_newest_first(library: Library) -> None:
    ids = fill(library)
    assert ids["bank"] == document_id(BANK[0]) == "bank-holds-rates-" + ids["bank"].rsplit("-", 1)[1]
    assert (library.root / "articles" / f"{ids['bank']}.json").is_file()
    page = library.page()
    assert page.total == 3 and [r.id for r in page.rows] == [ids["solar"], ids["cyber"], ids["bank"]]
    bank = page.rows[2]
    assert (bank.title, bank.title_en, bank.source, bank.date, bank.unread) == (
        "البنك المركزي يثبت الفائدة",
        "The central bank holds rates",
        BANK[0],
        "2024-11-21",
        True,
    )
    assert page.rows[1].title_en == "Breach"  # the page title's own translation
    assert library.get(ids["bank"]).sentences[1].translation == "And the president said inflation eased"
    assert [r.id for r in library.page(offset=1, limit=1).rows] == [ids["cyber"]]


def test_adding_an_article_again_replaces_it_and_keeps_the_readers_data(library: Library) -> None:
    ids = fill(library)
    library.mark_read(ids["bank"])
    library.set_position(ids["bank"], 1)
    key, document = article(BANK)
    changed = replace(document, meta=replace(document.meta, title="عنوان جديد", title_translation="New title"))
    assert library.add(changed, key) == ids["bank"]
    assert library.page().total == 3 and library.row(ids["bank"]).title_en == "New title"
    assert library.reading(ids["bank"]) == replace(library.reading(ids["bank"]), unread=False, position=1)


def test_filters_and_counts(library: Library) -> None:
    ids = fill(library)
    library.mark_read(ids["cyber"])
    library.star(ids["bank"])
    feed = "https://news.example/feed.xml"
    assert [r.id for r in library.page(Filters(feed=feed)).rows] == [ids["cyber"], ids["bank"]]
    assert [r.id for r in library.page(Filters(unread=True)).rows] == [ids["solar"], ids["bank"]]
    assert [r.id for r in library.page(Filters(starred=True)).rows] == [ids["bank"]]
    assert [r.id for r in library.page(Filters(flagged=True)).rows] == [ids["solar"]]
    assert [r.id for r in library.page(Filters(since="2024-11-22", until="2024-11-22")).rows] == [ids["cyber"]]
    assert library.page(Filters(feed=feed, unread=True, starred=True)).total == 1
    assert library.row(ids["solar"]).flags == {"low-score": 1}
    assert library.feed_counts() == {feed: (2, 1)}
    assert library.neighbours(ids["cyber"]) == (ids["solar"], ids["bank"])
    assert library.neighbours(ids["cyber"], Filters(feed=feed)) == (None, ids["bank"])


def test_an_arabic_word_typed_with_or_without_diacritics_finds_both_spellings(library: Library) -> None:
    ids = fill(library)
    for typed in ("الرئيس", "الرَّئِيسُ", "الرئيـــس"):
        found = library.search(typed)
        assert [r.row.id for r in found.results] == [ids["cyber"], ids["bank"]], typed
    bank_hit = library.search("الرئيس").results[1].hits[0]
    assert bank_hit.sentence == 1
    # The match on the Arabic side (as written, with its marks), its aligned words on the English side.
    assert [(t, k) for t, k in bank_hit.source_segments() if k] == [("الرَّئِيسُ", MATCH)]
    assert [(t, k) for t, k in bank_hit.translation_segments() if k] == [("the", ALIGNED), ("president", ALIGNED)]
    assert library.search("اختراق").results[0].hits[0].sentence is None  # the title matches, not a sentence


def test_an_english_word_is_stemmed_and_marked_with_its_arabic_counterpart(library: Library) -> None:
    ids = fill(library)
    found = library.search("breach")
    assert [r.row.id for r in found.results] == [ids["cyber"]]
    hits = found.results[0].hits
    assert [h.sentence for h in hits] == [None, 1]  # the title first, then the sentence
    assert [(t, k) for t, k in hits[1].translation_segments() if k] == [("breaches", MATCH)]
    assert [(t, k) for t, k in hits[1].source_segments() if k] == [("اختراقات", ALIGNED)]
    assert library.search('"new solar plant"').results[0].row.id == ids["solar"]
    assert library.search("president OR plant").total == 3
    assert library.search("president NOT warned").total == 1
    assert library.search("presid*").total == 2
    assert library.search("president", Filters(starred=True)).total == 0


@pytest.mark.parametrize(
    "typed",
    ['"', '"the president', "NEAR(a b)", "* ** ***", "AND", "OR OR", "NOT president", "a AND", "(", ")", '""',
     "president)(", "col:umn", "{ar}: الرئيس", "^president", "president -warned", "'; DROP TABLE documents; --"],
)  # fmt: skip
def test_whatever_is_typed_never_raises_from_the_query_syntax(library: Library, typed: str) -> None:
    fill(library)
    try:
        library.search(typed)
    except LibraryError as exc:
        assert str(exc).startswith("nothing to search for") and "\n" not in str(exc)
    assert library.page().total == 3


@given(st.text(alphabet=st.sampled_from('ab الرئيس"*():^-+{}AND OR NOT NEAR\\\'\x00\u200f'), max_size=30))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_queries_never_raise_anything_but_one_line(library: Library, typed: str) -> None:
    if not library.page().total:
        fill(library)
    try:
        library.search(typed)
    except LibraryError as exc:
        assert "\n" not in str(exc)


def test_nothing_to_search_for_is_one_line() -> None:
    from reader.library import parse_query

    with pytest.raises(LibraryError, match=r"^nothing to search for in '\* \(\)': type a word in Arabic or English$"):
        parse_query("  *   () ")
    assert parse_query('"الرَّئِيسُ" "new plant" bank* OR x').fts == '"الرييس" AND "new plant" AND "bank"* OR "x"'


def test_corrupt_and_foreign_json_files_are_skipped_with_a_warning_naming_them(library: Library) -> None:
    fill(library)
    articles = library.root / "articles"
    (articles / "broken.json").write_text('{"format": "reader.document", "version": 1, "text": ', encoding="utf-8")
    (articles / "foreign.json").write_text('{"name": "not ours"}', encoding="utf-8")
    (articles / "binary.json").write_bytes(b"\xff\xfe\x00junk")
    with Library(library.root) as again, pytest.warns(LibraryWarning) as caught:
        assert again.open().page().total == 3
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 3
    for name, message in zip(("binary.json", "broken.json", "foreign.json"), messages, strict=True):
        assert message.startswith(f"{articles / name}: skipped, not a readable reader document (")
    with Library(library.root) as third, warnings.catch_warnings():
        warnings.simplefilter("error")  # each unreadable file is reported once, not at every open
        assert third.open().page().total == 3


def test_a_missing_index_is_rebuilt_from_the_files_with_nothing_lost(library: Library) -> None:
    ids = fill(library)
    library.mark_read(ids["bank"])
    library.star(ids["solar"])
    library.set_position(ids["cyber"], 1)
    library.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{library.root / INDEX_NAME}{suffix}").unlink(missing_ok=True)
    with Library(library.root) as again:
        assert again.page().total == 3
        assert [r.row.id for r in again.search("breach").results] == [ids["cyber"]]
        assert (again.row(ids["bank"]).unread, again.row(ids["solar"]).starred) == (False, True)
        assert again.reading(ids["cyber"]).position == 1


def test_a_damaged_index_is_moved_aside_and_rebuilt_by_itself(library: Library) -> None:
    ids = fill(library)
    library.mark_read(ids["bank"])
    library.close()
    index = library.root / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    index.write_bytes(b"not sqlite at all " * 500)
    with Library(library.root) as again, pytest.warns(LibraryWarning, match="library index .* was damaged"):
        assert again.page().total == 3
        assert not again.row(ids["bank"]).unread
    assert len(list(library.root.glob(f"{INDEX_NAME}.corrupt-*"))) == 1


def test_a_damaged_store_of_the_readers_data_is_reported_and_never_replaced(library: Library) -> None:
    fill(library)
    library.close()
    state = library.root / STATE_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{state}{suffix}").unlink(missing_ok=True)
    state.write_bytes(b"damaged" * 1000)
    with pytest.raises(LibraryError, match=r"the library at .* cannot be used .*; set READER_LIBRARY"):
        Library(library.root).open()
    assert state.read_bytes().startswith(b"damaged")


def test_reindex_rebuilds_from_the_files_and_keeps_the_readers_data(library: Library) -> None:
    ids = fill(library)
    library.star(ids["bank"])
    with sqlite3.connect(library.root / INDEX_NAME) as raw:  # an index out of step with the files
        raw.execute("DELETE FROM documents WHERE id = ?", (ids["solar"],))
        raw.execute("UPDATE documents SET title_en = 'stale'")
    raw.close()
    report = library.reindex()
    assert (report.indexed, report.skipped) == (3, [])
    assert {r.title_en for r in library.page().rows} >= {"Breach", "A new solar plant in the desert"}
    assert library.row(ids["bank"]).starred


def test_files_added_or_deleted_behind_its_back_are_picked_up_on_the_next_open(library: Library) -> None:
    ids = fill(library)
    (library.root / "articles" / f"{ids['solar']}.json").unlink()
    copy = library.root / "articles" / "copied-by-hand.json"
    copy.write_bytes((library.root / "articles" / f"{ids['bank']}.json").read_bytes())
    with Library(library.root) as again:
        assert sorted(r.id for r in again.page().rows) == sorted([ids["bank"], ids["cyber"], "copied-by-hand"])
        with pytest.raises(LibraryError, match="no document"):
            again.get(ids["solar"])


def test_removing_a_document_removes_its_files_rows_and_state_together(library: Library) -> None:
    ids = fill(library)
    articles = library.root / "articles"
    (articles / f"{ids['bank']}.html").write_text("<html></html>", encoding="utf-8")
    lookalike = articles / f"{ids['bank']}.backup.json"  # starts alike, but is another document's file
    lookalike.write_bytes((articles / f"{ids['bank']}.json").read_bytes())
    library.refresh()
    library.star(ids["bank"])
    library.remove(ids["bank"])
    assert not (articles / f"{ids['bank']}.json").exists() and not (articles / f"{ids['bank']}.html").exists()
    assert lookalike.exists()
    assert ids["bank"] not in [r.id for r in library.page().rows]
    assert library.search("البنك").total == 1  # only the look-alike copy is left to find
    assert not library.reading(ids["bank"]).starred
    assert ids["bank"] in library.removed()
    with pytest.raises(LibraryError, match="no document"):
        library.remove(ids["bank"])
    key, document = article(BANK)
    assert library.add(document, key) == ids["bank"] and ids["bank"] not in library.removed()  # wanted again


def test_a_removal_cut_short_is_finished_on_the_next_open(library: Library) -> None:
    ids = fill(library)
    library.state.mark_removed([ids["solar"]])  # what remove() records first; then the process dies
    assert (library.root / "articles" / f"{ids['solar']}.json").exists()
    with Library(library.root) as again:
        assert ids["solar"] not in [r.id for r in again.page().rows]
    assert not (library.root / "articles" / f"{ids['solar']}.json").exists()


def test_feeds_are_subscribed_once(library: Library) -> None:
    feed = library.subscribe("  https://news.example/feed.xml ", title=" Example  News ")
    assert (feed.url, feed.title, feed.auto_translate) == ("https://news.example/feed.xml", "Example News", True)
    with pytest.raises(LibraryError, match=r"^already subscribed to https://news.example/feed.xml$"):
        library.subscribe("https://news.example/feed.xml")
    for bad in ("ftp://news.example/feed", "news.example/feed.xml", "https://a b/feed"):
        with pytest.raises(LibraryError, match="not a feed URL"):
            library.subscribe(bad)
    library.update_feed(feed.url, auto_translate=False, last_error="timed out", last_checked=12.0)
    assert library.feeds() == [replace(feed, auto_translate=False, last_error="timed out", last_checked=12.0)]
    library.unsubscribe(feed.url)
    with pytest.raises(LibraryError, match="not subscribed"):
        library.unsubscribe(feed.url)


def test_importing_a_batch_folder_copies_its_documents_and_exports(library: Library, tmp_path: Path) -> None:
    with Library(tmp_path / "batch-out") as other:
        ids = fill(other)
    (tmp_path / "batch-out" / "articles" / f"{ids['bank']}.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "batch-out" / "articles" / "junk.json").write_text("[]", encoding="utf-8")
    with pytest.warns(LibraryWarning, match="junk.json: skipped"):
        assert library.import_folder(tmp_path / "batch-out") == (3, 0)
    assert library.page().total == 3 and (library.root / "articles" / f"{ids['bank']}.html").is_file()
    assert library.search("breach").total == 1
    with pytest.warns(LibraryWarning):
        assert library.import_folder(tmp_path / "batch-out") == (0, 3)
    with pytest.raises(LibraryError, match="not a library or batch output folder"):
        library.import_folder(tmp_path / "nothing-here")


def test_the_index_stays_small_next_to_the_documents(library: Library) -> None:
    """A guard against bloat; benchmarks/library.py measures the ratio on 10,000 documents."""
    from tests.support.documents import seed_document

    for copy in range(20):
        for name in ("central-bank-rates.ar.txt", "desert-solar-farm.ar.txt", "helsinki-summit-cyber.ar.txt"):
            library.add(seed_document(name), f"/seeds/{copy}/{name}")
    library.reindex()  # a rebuild ends merged and compacted
    library.close()
    json_bytes = sum(p.stat().st_size for p in (library.root / "articles").glob("*.json"))
    for suffix in ("-wal", "-shm"):
        Path(f"{library.root / INDEX_NAME}{suffix}").unlink(missing_ok=True)
    assert os.path.getsize(library.root / INDEX_NAME) < 0.35 * json_bytes


def test_an_unchanged_articles_folder_is_not_looked_through_again(library: Library, monkeypatch) -> None:
    ids = fill(library)
    articles = library.root / "articles"
    old = time.time() - 60
    os.utime(articles, (old, old))  # settled: its time will change with the next file renamed in or out
    library.refresh()
    looked = []
    real_scan = store.scan
    monkeypatch.setattr(store, "scan", lambda root: looked.append(root) or real_scan(root))
    with Library(library.root) as again:
        assert again.open().page().total == 3 and looked == []
    (articles / f"{ids['solar']}.json").unlink()  # changes the folder's time
    with Library(library.root) as third:
        assert third.open().page().total == 2 and looked == [library.root]


def test_damage_met_in_use_is_moved_aside_and_the_index_rebuilt_by_itself(library: Library) -> None:
    """Opening does not read the whole index (too slow on a large library): damage found later is handled then."""
    ids = fill(library)
    library.close()
    index = library.root / INDEX_NAME
    with sqlite3.connect(index) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root_page,) = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sentence_fts_data'").fetchone()
        (page_size,) = raw.execute("PRAGMA page_size").fetchone()
    raw.close()
    with index.open("r+b") as handle:  # the full-text index's first page, garbage; the rest of the file intact
        handle.seek((root_page - 1) * page_size)
        handle.write(b"\xde\xad" * (page_size // 2))
    with Library(library.root) as again, pytest.warns(LibraryWarning, match="library index .* was damaged"):
        found = again.search("breach")
        assert [r.row.id for r in found.results] == [ids["cyber"]]
        assert again.page().total == 3
    assert len(list(library.root.glob(f"{INDEX_NAME}.corrupt-*"))) == 1
