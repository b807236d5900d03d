"""Translated feeds out (reader.publish): Atom 1.0 and JSON Feed 1.1 that feedparser, RFC 4287's schema,
JSON Feed's rules and a real feed reader (newsboat) all accept, kept in step with the reader's edits."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from reader.document import Edit, Metadata
from reader.errors import ReaderError
from reader.library import Library
from reader.publish import collection_feed, library_feed, media_type, render, source_feed
from reader.publish.static import FEEDS_DIR, feed_stem, write_feeds
from tests.support.batching import batch, expected_translation, serve_feed
from tests.support.documents import hostile_document, make_document
from tests.support.feeds import atom_problems, have_newsboat, json_feed_problems, newsboat_items
from tests.support.http_server import LocalServer, page

APP = "http://127.0.0.1:8501/"
NEWS_FEED = "https://news.example/rss.xml"
# (key, feed, meta title and its English or "", paragraphs of (Arabic, English) sentences)
ARTICLES = [
    (
        "https://news.example/economy/bank-holds-rates",
        NEWS_FEED,
        ("", ""),
        [
            [("البنك المركزي يثبت الفائدة", "The central bank holds rates")],
            [
                ("وقال الرئيس إن التضخم تراجع.", "The president said inflation eased."),
                ("وأضاف أن النمو قوي.", "He added that growth is strong."),
            ],
            [("ويتوقع المحللون خفضا العام المقبل.", "Analysts expect a cut next year.")],
        ],
    ),
    (
        "https://news.example/world/summit",
        NEWS_FEED,
        ("قمة هلسنكي", "The Helsinki summit"),
        [[("تبحث القمة الأمن السيبراني.", "The summit discusses cyber security.")]],
    ),
    (
        "/srv/texts/desert-solar.txt",
        "",
        ("", ""),
        [[("محطة شمسية جديدة", "A new solar plant")], [("تنتج المحطة الكهرباء.", "The plant produces electricity.")]],
    ),
]  # fmt: skip
TITLES = {"The central bank holds rates", "The Helsinki summit", "A new solar plant"}


def document(key: str, feed: str, title: tuple[str, str], paragraphs: list[list[tuple[str, str]]]):
    meta = Metadata(
        title=title[0], title_translation=title[1], source=key, feed=feed, date="2024-11-21", author="سارة", model="toy"
    )
    built = [
        [(ar, en, [(i, i) for i in range(min(len(ar.split()), len(en.split())))], []) for ar, en in p]
        for p in paragraphs
    ]
    return make_document(built, meta)


@pytest.fixture
def library(tmp_path: Path):
    with Library(tmp_path / "library") as lib:
        for key, feed, title, paragraphs in ARTICLES:
            lib.add(document(key, feed, title, paragraphs), key)
        yield lib


def ids(library: Library) -> dict[str, str]:
    return {row.source: row.id for row in library.page().rows}


def both(feed) -> tuple[bytes, bytes]:
    return render(feed, "atom"), render(feed, "json")


def assert_valid(atom: bytes, json_feed: bytes) -> feedparser.FeedParserDict:
    assert atom_problems(atom) == []
    assert json_feed_problems(json_feed) == []
    parsed = feedparser.parse(atom)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_every_feed_is_valid_atom_and_json_feed_with_the_english_titles(library: Library) -> None:
    chosen = list(ids(library).values())[:2]
    feeds = [
        library_feed(library, app_url=APP),
        source_feed(library, NEWS_FEED, app_url=APP),
        collection_feed(library, [*chosen, "not-in-the-library"], title="Watchlist: rates", key="watchlist:rates"),
    ]
    for feed, titles in zip(feeds, (TITLES, TITLES - {"A new solar plant"}, None), strict=True):
        atom, json_feed = both(feed)
        parsed = assert_valid(atom, json_feed)
        items = json.loads(json_feed)["items"]
        assert [e.title for e in parsed.entries] == [i["title"] for i in items]
        assert [e.id for e in parsed.entries] == [i["id"] for i in items]
        if titles is not None:
            assert {e.title for e in parsed.entries} == titles
    collection = json.loads(render(feeds[2], "json"))
    assert collection["title"] == "Watchlist: rates" and len(collection["items"]) == 2  # the unknown id skipped
    assert media_type("atom") == "application/atom+xml" and media_type("json") == "application/feed+json"
    # ids never change: the same library gives the same feed and entry ids, and every feed has its own
    assert library_feed(library, app_url=APP).id == feeds[0].id != feeds[1].id != feeds[2].id
    empty = render(collection_feed(library, [], title="Nothing yet", key="search:none"), "atom")
    assert_valid(empty, render(collection_feed(library, [], title="Nothing yet", key="search:none"), "json"))


def test_an_entry_is_the_english_summary_and_the_bilingual_article_with_both_links(library: Library) -> None:
    bank = ids(library)["https://news.example/economy/bank-holds-rates"]
    parsed = feedparser.parse(render(library_feed(library, app_url=APP), "atom"))
    entry = next(e for e in parsed.entries if e.title == "The central bank holds rates")
    assert entry.summary == "The president said inflation eased. He added that growth is strong."
    assert entry.link == f"{APP}?doc={bank}"  # a click opens the article side by side in the app
    assert [link.href for link in entry.links if link.rel == "via"] == ["https://news.example/economy/bank-holds-rates"]
    assert entry.published_parsed[:3] == (2024, 11, 21) and entry.author == "سارة"
    item = next(
        i for i in json.loads(render(library_feed(library, app_url=APP), "json"))["items"] if i["url"] == entry.link
    )
    assert item["external_url"] == "https://news.example/economy/bank-holds-rates"
    content = lxml_html.fragment_fromstring(item["content_html"], create_parent="div")
    paragraphs = [(p.get("lang"), p.get("dir"), p.text_content()) for p in content.iter("p")]
    assert paragraphs[:4] == [  # each paragraph in English, then its Arabic; the headline is the title
        ("en", "ltr", "The president said inflation eased. He added that growth is strong."),
        ("ar", "rtl", "وقال الرئيس إن التضخم تراجع. وأضاف أن النمو قوي."),
        ("en", "ltr", "Analysts expect a cut next year."),
        ("ar", "rtl", "ويتوقع المحللون خفضا العام المقبل."),
    ]
    assert [a.get("href") for a in content.iter("a")] == ["https://news.example/economy/bank-holds-rates", entry.link]
    assert entry.content[0].value.count('dir="rtl"') == 2  # the same HTML in Atom
    # without an app address, a click goes to the original; an article from a file has no link at all
    plain = json.loads(render(library_feed(library, app_url=""), "json"))["items"]
    assert {i["title"]: i.get("url") for i in plain} == {
        "The central bank holds rates": "https://news.example/economy/bank-holds-rates",
        "The Helsinki summit": "https://news.example/world/summit",
        "A new solar plant": None,
    }


def test_an_edit_changes_the_entry_its_updated_date_and_the_feeds(library: Library) -> None:
    bank = ids(library)["https://news.example/economy/bank-holds-rates"]
    hour_ago = time.time() - 3600
    for path in (library.root / "articles").glob("*.json"):
        os.utime(path, (hour_ago, hour_ago))  # translated an hour ago

    def entry() -> dict:
        items = json.loads(render(library_feed(library, app_url=APP), "json"))["items"]
        return next(i for i in items if i["url"].endswith(bank))

    before = entry()
    assert before["date_modified"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(hour_ago)))
    library.save_edit(bank, 1, Edit("The president said inflation had slowed."))  # the reader's version
    after = entry()
    assert after["id"] == before["id"] and after["date_modified"] > before["date_modified"]
    assert "The president said inflation had slowed." in after["content_html"]
    assert (
        "inflation eased" not in after["content_html"] and "1 sentence corrected by a reader" in after["content_html"]
    )
    assert after["summary"].startswith("The president said inflation had slowed.")
    atom = feedparser.parse(render(library_feed(library, app_url=APP), "atom"))
    assert atom.feed.updated == max(e.updated for e in atom.entries) == after["date_modified"]
    for path in (library.root / "articles").glob("*.json"):
        os.utime(path, (hour_ago, hour_ago))
    library.revert_edit(bank, 1)  # the machine version again: a change too
    reverted = entry()
    assert reverted["date_modified"] > before["date_modified"] and "inflation eased" in reverted["content_html"]


def test_hostile_article_text_is_escaped_everywhere(library: Library) -> None:
    hostile = library.add(hostile_document(), 'https://evil.example/<x>?a=1&b="2"')
    feed = collection_feed(library, [hostile], title='<script>alert("t")</script>', key="hostile")
    atom, json_feed = both(feed)
    assert_valid(atom, json_feed)  # NUL, bell and bidi overrides in the article: still well-formed XML
    (item,) = json.loads(json_feed)["items"]
    content = lxml_html.fragment_fromstring(item["content_html"], create_parent="div")
    assert {e.tag for e in content.iter()} <= {"div", "p", "small", "a"}  # no markup of the article's own
    assert all(set(e.attrib) <= {"lang", "dir", "href"} for e in content.iter())
    assert all(a.get("href").startswith(("https://", "http://")) for a in content.iter("a"))
    text = content.text_content()
    assert '<script>alert("x")</script>' in text and "<b>bold</b>" in text  # the article's markup, shown as text
    assert "\u202e" not in text and "\x00" not in text
    assert "<script" not in atom.decode().replace("&lt;script", "")  # only ever escaped in the XML
    assert item["title"] == '<img src=x onerror=alert(1)> & "title" | *x*'  # plain text, as the format says


def test_a_bad_app_address_is_a_one_line_error(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_APP_URL", "javascript:alert(1)")
    with pytest.raises(ReaderError, match="READER_APP_URL") as error:
        library_feed(library)
    assert "\n" not in str(error.value)
    monkeypatch.setenv("READER_APP_URL", "https://reader.example/app/")
    assert library_feed(library).entries[0].app_url.startswith("https://reader.example/app/?doc=")


def test_static_feeds_are_written_atomically_only_when_they_change_and_stale_ones_go(library: Library) -> None:
    library.subscribe("https://other.example/feed", title="Other <news>")
    published = write_feeds(library, app_url=APP)
    folder = library.root / FEEDS_DIR
    stems = {"library", feed_stem(NEWS_FEED), feed_stem("https://other.example/feed")}
    names = {f"{stem}{suffix}" for stem in stems for suffix in (".atom", ".json")} | {"index.html"}
    assert {p.name for p in folder.iterdir()} == names and set(published.written) == {folder / n for n in names}
    for stem in stems:
        assert_valid((folder / f"{stem}.atom").read_bytes(), (folder / f"{stem}.json").read_bytes())
    assert feedparser.parse((folder / f"{feed_stem('https://other.example/feed')}.atom").read_bytes()).feed.title == (
        "Other <news> (translated)"
    )
    index = (folder / "index.html").read_text()
    assert "Other &lt;news&gt; (translated)" in index and "default-src 'none'" in index
    assert write_feeds(library, app_url=APP).written == []  # nothing changed: no file touched
    library.unsubscribe("https://other.example/feed")
    (folder / "gone-feed-0123456789.atom").write_text("stale")
    write_feeds(library, app_url=APP)
    assert {p.name for p in folder.iterdir()} == names - {
        f"{feed_stem('https://other.example/feed')}{suffix}" for suffix in (".atom", ".json")
    }
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_batch_and_feed_checks_publish_the_feeds_in_the_library_folder(fake_model, tmp_path: Path) -> None:
    settings = fake_model.settings(allow_private_urls=True, fetch_timeout=5, app_url="")
    items = [("/news/rates", "البنك المركزي يثبت أسعار الفائدة", 21), ("/news/solar", "محطة شمسية في الصحراء", 22)]
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", items)
        out = tmp_path / "out"
        summary = batch([url], out, settings=settings)
        assert summary.feeds == out / FEEDS_DIR and "feeds: " in summary.report()
        atom = (out / FEEDS_DIR / f"{feed_stem(url)}.atom").read_bytes()
        parsed = assert_valid(atom, (out / FEEDS_DIR / f"{feed_stem(url)}.json").read_bytes())
        assert {e.title for e in parsed.entries} == {expected_translation(title) for _, title, _ in items}
        assert {e.link for e in parsed.entries} == {server.url(path) for path, _, _ in items}
        # a feed check (the library's subscriptions, through the same batch run) publishes too
        from reader.batch import BatchOptions
        from reader.batch.feeds import check_feeds

        library_dir = tmp_path / "library"
        with Library(library_dir) as library:
            library.subscribe(url, title="Local news")
        check_feeds(library_dir, BatchOptions(settings))
        parsed = feedparser.parse((library_dir / FEEDS_DIR / "library.atom").read_bytes())
        assert len(parsed.entries) == 2 and parsed.feed.title == "reader: translated articles"
        server.routes["/feed.xml"] = page("gone", status=404)
        mtime = (library_dir / FEEDS_DIR / "library.atom").stat().st_mtime_ns
        check_feeds(library_dir, BatchOptions(settings))
        assert (library_dir / FEEDS_DIR / "library.atom").stat().st_mtime_ns == mtime  # unchanged: not rewritten


@pytest.mark.skipif(not have_newsboat(), reason="newsboat is not installed (make system installs it)")
def test_newsboat_reads_the_translated_feed_from_a_loopback_url_and_sees_an_edit(library: Library, tmp_path) -> None:
    bank = ids(library)["https://news.example/economy/bank-holds-rates"]
    with LocalServer() as server:
        server.routes["/library.atom"] = page(
            render(library_feed(library, app_url=APP), "atom"), content_type=media_type("atom")
        )
        said, items = newsboat_items(server.url("/library.atom"), tmp_path / "newsboat")
        assert said == "3 unread articles"
        assert {i["title"] for i in items} == TITLES
        assert next(i for i in items if i["url"].endswith(bank))["content"].count('dir="rtl"') == 2
        library.save_edit(bank, 1, Edit("The president said inflation had slowed."))
        server.routes["/library.atom"] = page(
            render(library_feed(library, app_url=APP), "atom"), content_type=media_type("atom")
        )
        _, again = newsboat_items(server.url("/library.atom"), tmp_path / "newsboat")
    assert len(again) == 3  # the same entries (their ids did not change), one of them with the reader's version
    assert "inflation had slowed" in next(i for i in again if i["url"].endswith(bank))["content"]
