"""Titles first: a feed checked titles first has the toy model translate each new entry's title and first
paragraph only; opening the article, or a watchlist hit on it, translates the rest (the lead from the
sentence cache, never twice), and checking again translates nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from reader.api import open_translator
from reader.batch import BatchOptions
from reader.batch.feeds import check_feeds
from reader.config import Settings
from reader.document import SCOPE_LEAD, Document, Flag
from reader.library import Library
from reader.translate.base import Translation
from reader.translate.cache import SentenceCache
from reader.translate.cached import CachedTranslator
from tests.support.batching import rss
from tests.support.http_server import LocalServer, article_page, page
from tests.support.toy import SUBJECTS, Spec, make_example, spec

TITLES = [make_example(spec("queen", "buys", "horse")), make_example(spec("king", "sells", "car"))]
MEN = [i for i, subject in enumerate(SUBJECTS) if not subject[2] and subject[1] != "king"]


def paragraphs(entry: int) -> list[list[str]]:
    """Three paragraphs of two toy sentences, every sentence of every entry distinct, no queen or king."""
    numbers = [[entry * 6 + p * 2 + s for s in range(2)] for p in range(3)]
    return [
        [make_example(Spec(MEN[n % len(MEN)], (n + entry * 3) % 10, n % 14, period=True)).source for n in paragraph]
        for paragraph in numbers
    ]


class Counting:
    """The toy backend, with every sentence it is asked to translate recorded (cache misses only)."""

    def __init__(self, inner: object, seen: list[str]) -> None:
        self.inner = inner
        self.seen = seen

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.seen.extend(sentences)
        return self.inner.translate_batch(sentences)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


@pytest.fixture
def toy(toy_model_dir: Path, monkeypatch: pytest.MonkeyPatch, isolated_settings: Path) -> Settings:
    monkeypatch.setenv("READER_MODEL", str(toy_model_dir))
    monkeypatch.setenv("READER_BACKEND", "transformers")
    monkeypatch.setenv("READER_THREADS", "1")
    monkeypatch.setenv("READER_DEVICE", "cpu")
    return Settings.load(allow_private_urls=True)


def serve(server: LocalServer) -> str:
    items = [(f"/news/{n}", example.source, n) for n, example in enumerate(TITLES)]
    for path, title, n in items:
        server.routes[path] = page(article_page(title, [" ".join(p) for p in paragraphs(n)]))
    server.routes["/feed.xml"] = page(rss(server, items), content_type="application/rss+xml")
    return server.url("/feed.xml")


def subscribed(server: LocalServer, root: Path) -> str:
    """The two entries' feed on ``server``, subscribed titles first in the library at ``root``."""
    feed = serve(server)
    with Library(root) as library:
        library.subscribe(feed, titles_first=True)
    return feed


def lead_of(entry: int) -> set[str]:
    return {TITLES[entry].source, *paragraphs(entry)[0]}


def rest_of(entry: int) -> set[str]:
    return {s for p in paragraphs(entry)[1:] for s in p}


def documents(root: Path) -> dict[int, Document]:
    with Library(root) as library:
        by_source = {row.source: library.get(row.id) for row in library.page().rows}
    return {n: doc for source, doc in by_source.items() for n in range(2) if source.endswith(f"/news/{n}")}


def counted(toy: Settings, seen: list[str]) -> tuple[Callable[[], CachedTranslator], BatchOptions]:
    """A translator factory whose model calls record each sentence in ``seen``, and batch options that use it."""
    factory = open_translator(toy)

    def translator() -> CachedTranslator:
        return CachedTranslator(Counting(factory.open_backend(), seen), SentenceCache.for_settings(toy))

    return translator, BatchOptions(toy, formats=["json"], translator_factory=translator)


def test_titles_first_translates_the_lead_then_the_rest_on_opening_and_never_twice(toy: Settings, tmp_path) -> None:
    root = tmp_path / "library"
    seen: list[str] = []
    translator, options = counted(toy, seen)
    with LocalServer() as server:
        subscribed(server, root)
        with Library(root) as library:
            assert library.feeds()[0].titles_first
        check = check_feeds(root, options)
        assert check.ok and check.feeds[0].new == 2
        assert set(seen) == lead_of(0) | lead_of(1), "the model saw more (or less) than titles and first paragraphs"
        docs = documents(root)
        for n, doc in docs.items():
            assert doc.meta.scope == SCOPE_LEAD
            assert doc.title_en == TITLES[n].target
            pending = {s.source for s in doc.sentences if s.has(Flag.PENDING)}
            assert pending == rest_of(n)
        with Library(root) as library:
            rows = {row.source.rsplit("/", 1)[1]: row for row in library.page().rows}
            assert rows["0"].pending == rows["1"].pending == 4  # the Library shows what opening will translate

            seen.clear()
            whole = library.complete(rows["0"].id, translator(), toy)  # what the Read page does on opening
            assert set(seen) == rest_of(0), "opening translated the lead again, or not the rest"
            assert whole.meta.scope == "" and not any(s.has(Flag.PENDING) for s in whole.sentences)
            lead = [s for s in whole.sentences if s.source in lead_of(0)]
            assert lead and all(s.has(Flag.CACHED) for s in lead)
            assert library.get(rows["0"].id) == whole and library.row(rows["0"].id).pending == 0
            seen.clear()
            assert library.complete(rows["0"].id, translator(), toy) == whole and seen == []

        again = check_feeds(root, options)  # nothing new: nothing is translated, the opened article stays whole
        assert seen == [] and again.summary.unchanged == 2 and again.feeds[0].new == 0
        docs = documents(root)
        assert docs[0].meta.scope == "" and docs[1].meta.scope == SCOPE_LEAD


def test_a_watchlist_hit_on_the_lead_translates_the_rest_in_the_same_check(toy: Settings, tmp_path) -> None:
    root = tmp_path / "library"
    seen: list[str] = []
    _, options = counted(toy, seen)
    with LocalServer() as server:
        subscribed(server, root)
        with Library(root) as library:
            library.watch("royals", ["الملكة"])  # in entry 0's title only
        check = check_feeds(root, options)
        assert check.ok and check.feeds[0].new == 2 and len(check.summary.new) == 2
        assert Counter(seen) == Counter(lead_of(0) | rest_of(0) | lead_of(1)), "a sentence was translated twice"
        docs = documents(root)
        assert docs[0].meta.scope == "" and not any(s.has(Flag.PENDING) for s in docs[0].sentences)
        assert docs[1].meta.scope == SCOPE_LEAD
        with Library(root) as library:
            assert library.watch_counts()["royals"][0] == 1
        seen.clear()
        again = check_feeds(root, options)
        assert seen == [] and again.summary.unchanged == 2


def test_full_translation_stays_the_default(toy: Settings, tmp_path) -> None:
    root = tmp_path / "library"
    with LocalServer() as server:
        feed = serve(server)
        with Library(root) as library:
            assert not library.subscribe(feed).titles_first
        assert check_feeds(root, BatchOptions(toy, formats=["json"])).ok
    for doc in documents(root).values():
        assert doc.meta.scope == "" and not any(s.has(Flag.PENDING) for s in doc.sentences)


def test_the_feeds_page_toggles_it_and_the_read_page_completes_on_opening(fake_model, monkeypatch) -> None:
    """Through the app, with the fake model: the toggle, a check, the Library's note, opening the article."""
    import hashlib

    from reader.app import library as listing
    from tests.support.app import FEEDS, READ, new_app
    from tests.support.batching import serve_feed

    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    root = Settings.load().library
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", [("/news/a", "البنك المركزي يثبت الفائدة", 31)])
        with Library(root) as library:
            library.subscribe(url)
        at = new_app(FEEDS).run()
        at.toggle(key=f"lead-{hashlib.sha256(url.encode()).hexdigest()[:12]}").set_value(True).run()
        with Library(root) as library:
            assert library.feeds()[0].titles_first
        at.button(key="check_all").click().run()
        assert not at.exception
        at = new_app(FEEDS).run()  # back to full: the article waits for the next check (Library.set_titles_first)
        at.toggle(key=f"lead-{hashlib.sha256(url.encode()).hexdigest()[:12]}").set_value(False).run()
        assert "1 titles-first articles are translated whole on the next check." in [i.value for i in at.info]
    with Library(root) as library:
        (row,) = library.page().rows
        assert library.get(row.id).meta.scope == SCOPE_LEAD and row.pending == 3  # 4 sentences, 1 in the lead
        assert "titles first: 3 sentences to translate on opening" in listing.row_meta(row)
    calls = len(fake_model.calls)
    read = new_app(READ)
    read.query_params["doc"] = row.id
    read.run()
    assert not read.exception and not read.error
    with Library(root) as library:
        whole = library.get(row.id)
        assert whole.meta.scope == "" and library.row(row.id).pending == 0
    assert all(s.translation for s in whole.sentences)
    assert len(fake_model.calls) > calls


def test_feeds_add_titles_first_on_the_command_line_and_an_older_library_gains_it(tmp_path: Path, monkeypatch) -> None:
    import json
    import sqlite3

    from click.testing import CliRunner

    from reader.cli import cli
    from reader.library.layout import STATE_NAME
    from tests.support.batching import serve_feed

    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")  # a loopback feed, should the command fetch it first
    folder = tmp_path / "library"
    with Library(folder) as library:
        library.subscribe("https://news.example/old.xml")
    conn = sqlite3.connect(folder / STATE_NAME)
    conn.execute("ALTER TABLE feeds DROP COLUMN titles_first")  # a library of schema 3
    conn.execute("ALTER TABLE outbox DROP COLUMN sending")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", [("/news/a", "خبر", 1)])
        added = CliRunner().invoke(cli, ["feeds", "add", url, "--titles-first", "--library", str(folder)])
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(cli, ["feeds", "list", "--json", "--library", str(folder)])
    feeds = {f["url"]: f["titles_first"] for f in map(json.loads, listed.output.splitlines())}
    assert feeds == {"https://news.example/old.xml": False, url: True}
    text = CliRunner().invoke(cli, ["feeds", "list", "--library", str(folder)]).output
    assert "feed.xml (titles first)" in text and "old.xml (titles first)" not in text


def test_watch_add_scan_translates_whole_the_titles_first_articles_it_hits(toy: Settings, tmp_path) -> None:
    from click.testing import CliRunner

    from reader.cli import cli

    root = tmp_path / "library"
    with LocalServer() as server:
        subscribed(server, root)
        assert check_feeds(root, BatchOptions(toy, formats=["json"])).ok
    added = CliRunner().invoke(cli, ["watch", "add", "royals", "الملكة", "--scan", "--library", str(root)])
    assert added.exit_code == 0, added.output
    assert "1 article(s) in the library match" in added.output and "1 titles-first article(s)" in added.output
    docs = documents(root)
    assert docs[0].meta.scope == "" and all(s.translation for s in docs[0].sentences)
    assert docs[1].meta.scope == SCOPE_LEAD  # no hit: still titles first
    with Library(root) as library:
        assert library.watched_leads() == [] and len(library.leads()) == 1


def test_a_feed_back_to_full_translation_completes_its_titles_first_articles_on_the_next_check(
    toy: Settings, tmp_path
) -> None:
    """Even an entry that has left the feed since: the rest is translated from the library's own text."""
    from click.testing import CliRunner

    from reader.cli import cli

    root = tmp_path / "library"
    seen: list[str] = []
    translator, options = counted(toy, seen)
    with LocalServer() as server:
        feed = subscribed(server, root)
        assert check_feeds(root, options).ok
        with Library(root) as library:
            (opened,) = [r.id for r in library.page().rows if r.source.endswith("/news/0")]
            library.complete(opened, translator(), toy)
        switched = CliRunner().invoke(cli, ["feeds", "set", feed, "--full", "--library", str(root)])
        assert switched.exit_code == 0, switched.output
        assert (
            "full translation" in switched.output and "1 titles-first article(s) will be translated" in switched.output
        )
        items = [("/news/0", TITLES[0].source, 0)]  # entry 1 has left the feed
        server.routes["/feed.xml"] = page(rss(server, items), content_type="application/rss+xml")
        seen.clear()
        check = check_feeds(root, options)
        assert check.ok and check.feeds[0].new == 0 and len(check.summary.completed) == 1
        assert set(seen) == rest_of(1), "the switch translated the lead again, or not the rest"
        assert all(
            doc.meta.scope == "" and all(s.translation for s in doc.sentences) for doc in documents(root).values()
        )
        seen.clear()
        again = check_feeds(root, options)
        assert seen == [] and again.summary.completed == [] and again.ok
    with Library(root) as library:
        assert library.leads() == [] and library.set_titles_first(feed, True) == 0
    bad = CliRunner().invoke(cli, ["feeds", "set", feed, "--library", str(root)])
    assert bad.exit_code == 2 and "--titles-first or --full" in bad.output
