"""`reader library`, `reader feeds` and the library seen by `reader translate` and `reader batch` (in-process CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.batch import MANIFEST_NAME, BatchOptions, Manifest
from reader.batch.feeds import check_feeds, watch_feeds
from reader.cli import cli
from reader.config import Settings
from reader.library import Library, document_id
from tests.support.batching import batch, expected_translation, rss, sentences_for, serve_articles, serve_feed
from tests.support.http_server import LocalServer, page

ARTICLE = "البنك يثبت الفائدة\nقال الوزير إن النمو قوي. وأضاف أن التضخم تراجع.\n"
FEED = [("/news/rates", "البنك المركزي يثبت أسعار الفائدة", 21), ("/news/solar", "محطة شمسية في الصحراء", 22)]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def library_dir(isolated_settings: Path) -> Path:
    return isolated_settings / "library"  # READER_LIBRARY in every test (tests/conftest.py)


@pytest.fixture
def settings(fake_model) -> Settings:
    return fake_model.settings(allow_private_urls=True, fetch_timeout=5)


def test_translate_keeps_every_article_in_the_library_unless_told_not_to(tmp_path, fake_model, library_dir):
    article = tmp_path / "news.ar.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert run("translate", str(article)).exit_code == 0
    assert run("translate", "-", input="قال الوزير.").exit_code == 0
    assert run("translate", "--no-library", "-", input="غادر الوفد.").exit_code == 0
    rows = lines(run("library", "list", "--json"))
    assert len(rows) == 2
    by_source = {row["source"]: row for row in rows}
    row = by_source[str(article)]
    assert row["id"] == document_id(str(article.resolve()))
    assert (row["title"], row["title_en"], row["feed"], row["unread"]) == (
        "البنك يثبت الفائدة",
        expected_translation("البنك يثبت الفائدة"),
        "",
        True,
    )
    assert set(row) >= {"id", "title", "title_en", "source", "feed", "date", "unread"}
    again = run("translate", str(article))  # the same article again: the same document, replaced
    assert again.exit_code == 0 and len(lines(run("library", "list", "--json"))) == 2
    other = tmp_path / "elsewhere"
    assert run("translate", "--library", str(other), str(article)).exit_code == 0
    assert [r["id"] for r in lines(run("library", "list", "--json", "--library", str(other)))] == [row["id"]]


def test_search_show_remove_and_reindex(tmp_path, fake_model, library_dir):
    article = tmp_path / "news.ar.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    run("translate", str(article))
    (hit,) = lines(run("library", "search", "التَّضَخُّم", "--json"))  # typed with diacritics
    assert (hit["sentence"], hit["source"], hit["translation"]) == (
        2,
        "وأضاف أن التضخم تراجع.",
        expected_translation("وأضاف أن التضخم تراجع."),
    )
    assert hit["marks"] == {"source": [[9, 15, "match"]], "translation": [[9, 16, "aligned"]]}
    text = run("library", "search", '"unbalanced AND NEAR(')
    assert text.exit_code == 0 and "0 of 0 document(s) match" in text.stderr
    nothing = CliRunner().invoke(cli, ["library", "search", "***"])
    assert nothing.exit_code == 1 and nothing.output.strip().endswith("type a word in Arabic or English")
    doc_id = hit["id"]
    shown = run("library", "show", doc_id)
    assert shown.stdout.startswith("# البنك يثبت الفائدة")
    assert json.loads(run("library", "show", doc_id, "--format", "json").stdout)["format"] == "reader.document"
    (library_dir / "library-index.sqlite3").unlink()
    assert run("library", "reindex").stdout.strip() == "indexed 1 document(s); 0 file(s) skipped"
    assert run("library", "remove", doc_id).stdout.strip() == f"removed {doc_id}"
    assert lines(run("library", "list", "--json")) == []
    gone = CliRunner().invoke(cli, ["library", "show", doc_id])
    assert gone.exit_code == 1 and "no document" in gone.output


def test_terminal_controls_in_titles_are_printed_as_escapes(tmp_path, fake_model, library_dir):
    article = tmp_path / "evil.txt"
    body = "قال الوزير إن الحكومة ستبني مدرسة جديدة في المدينة هذا العام. " * 3
    article.write_text(f"عنوان \x1b[2J\x1b]0;pwned\x07 هنا\n{body}\n", encoding="utf-8")
    assert run("translate", str(article)).exit_code == 0
    listed = run("library", "list")
    assert "\x1b" not in listed.stdout and "\\x1b[2J" in listed.stdout
    assert json.loads(run("library", "list", "--json").stdout)["title"].startswith("عنوان \x1b[2J")


def test_a_batch_output_folder_is_a_library_and_can_be_imported(tmp_path, settings, library_dir):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    batch([str(src)], out, formats=["html"], settings=settings)  # JSON is always written: it is the library
    listed = lines(run("library", "list", "--json", "--library", str(out)))
    assert [row["title"] for row in listed] == ["البنك يثبت الفائدة"]
    assert (out / "articles" / f"{listed[0]['id']}.html").is_file()
    result = run("library", "import", str(out))
    assert result.stdout.strip() == "imported 1 document(s), 0 already here; 1 manifest row(s) adopted"
    assert [row["id"] for row in lines(run("library", "list", "--json"))] == [listed[0]["id"]]
    with Manifest(library_dir / MANIFEST_NAME) as manifest:
        assert [row.key for row in manifest.rows()] == [str((src / "a.txt").resolve())]


def test_feeds_are_added_once_listed_and_removed(library_dir):
    assert run("feeds", "add", "https://news.example/feed.xml", "--title", "News").exit_code == 0
    twice = CliRunner().invoke(cli, ["feeds", "add", "https://news.example/feed.xml"])
    assert twice.exit_code == 1 and twice.output.strip() == "Error: already subscribed to https://news.example/feed.xml"
    bad = CliRunner().invoke(cli, ["feeds", "add", "file:///etc/passwd"])
    assert bad.exit_code == 1 and "not a feed URL" in bad.output
    (feed,) = lines(run("feeds", "list", "--json"))
    assert (feed["url"], feed["title"], feed["auto_translate"], feed["articles"]) == (
        "https://news.example/feed.xml",
        "News",
        True,
        0,
    )
    assert run("feeds", "remove", "https://news.example/feed.xml").exit_code == 0
    assert CliRunner().invoke(cli, ["feeds", "remove", "https://news.example/feed.xml"]).exit_code == 1


def test_feeds_add_subscribes_a_feed_but_not_a_web_page_and_names_the_pages_feeds(library_dir, monkeypatch):
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    with LocalServer() as server:
        feed = serve_feed(server, "/feed.xml", FEED)
        link = '<link rel="alternate" type="application/rss+xml" href="{}">'
        body = "<html><head>{}</head><body><p>صفحة عادية وليست تغذية.</p></body></html>"
        server.routes["/one"] = page(body.format(link.format("/feed.xml")))
        server.routes["/two"] = page(body.format(link.format("/feed.xml") + link.format("/other.xml")))
        server.routes["/none"] = page(body.format(""))
        for path, names in [("/one", "the feed " + feed), ("/two", f"2 feeds: {feed}, "), ("/none", "no feed")]:
            refused = CliRunner().invoke(cli, ["feeds", "add", server.url(path)])
            assert refused.exit_code == 1 and len(refused.output.splitlines()) == 1, refused.output
            assert f"Error: {server.url(path)} is a web page, not a feed" in refused.output and names in refused.output
        assert CliRunner().invoke(cli, ["feeds", "add", server.url("/two"), "--discover"]).exit_code == 1
        assert lines(run("feeds", "list", "--json")) == []  # nothing subscribed
        found = run("feeds", "add", server.url("/one"), "--discover")
        assert found.stdout == f"subscribed to {feed} (الخبر)\n"  # the feed, named by its own title
        assert [(f["url"], f["title"]) for f in lines(run("feeds", "list", "--json"))] == [(feed, "الخبر")]
        server.requests.clear()
        assert run("feeds", "add", server.url("/none"), "--no-check").exit_code == 0 and server.requests == []
    down = server.url("/later.xml")  # the server is gone: offline, or the site is down
    added = run("feeds", "add", down, "--title", "Later")
    assert added.exit_code == 0 and added.stdout == f"subscribed to {down} (Later)\n"
    assert added.stderr.startswith(f"Warning: not checked that it is a feed: cannot fetch {down}")
    assert [f["url"] for f in lines(run("feeds", "list", "--json"))] == [feed, server.url("/none"), down]


def test_feeds_check_translates_new_entries_and_a_failing_feed_does_not_stop_the_others(
    settings, fake_model, library_dir, monkeypatch
):
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    with LocalServer() as server:
        good = serve_feed(server, "/feed.xml", FEED)
        server.routes["/page"] = page("<html><body><p>ليست تغذية بل صفحة عادية طويلة بما يكفي.</p></body></html>")
        truncated = '<?xml version="1.0"?><rss><channel><item><title>x</ti'
        server.routes["/broken.xml"] = page(truncated, content_type="text/xml")
        broken = {"missing": server.url("/missing.xml"), "page": server.url("/page"), "xml": server.url("/broken.xml")}
        assert run("feeds", "add", good).exit_code == 0
        for url in broken.values():  # feeds that broke after they were subscribed: added unchecked
            assert run("feeds", "add", url, "--no-check").exit_code == 0
        result = CliRunner().invoke(cli, ["feeds", "check"])
        assert result.exit_code == 1  # some feeds failed
        feeds = {row["url"]: row for row in lines(run("feeds", "list", "--json"))}
        assert (feeds[good]["last_error"], feeds[good]["last_new"], feeds[good]["articles"]) == ("", 2, 2)
        assert "HTTP 404" in feeds[broken["missing"]]["last_error"]
        assert "not an RSS or Atom feed (the server sent text/html)" in feeds[broken["page"]]["last_error"]
        assert "not an RSS or Atom feed (malformed XML" in feeds[broken["xml"]]["last_error"]
        assert all(row["last_checked"] for row in feeds.values())
        rows = lines(run("library", "list", "--json", "--unread", "--feed", good))
        assert sorted(r["title"] for r in rows) == sorted(title for _, title, _ in FEED)
        assert all(r["title_en"] == expected_translation(r["title"]) for r in rows)  # the page titles, translated

        # Checked again: each feed is fetched once, its unchanged entries not at all.
        server.requests.clear()
        assert CliRunner().invoke(cli, ["feeds", "check"]).exit_code == 1
        assert sorted(server.requests) == ["/broken.xml", "/feed.xml", "/missing.xml", "/page"]
        assert lines(run("feeds", "list", "--json"))[0]["last_new"] == 0


def test_removed_articles_stay_removed_and_auto_translate_off_waits_to_be_asked(settings, fake_model, library_dir):
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", FEED)
        with Library(library_dir) as library:
            library.subscribe(url, auto_translate=False)
        options = BatchOptions(settings, formats=["json"])
        assert check_feeds(library_dir, options).feeds == []  # auto-translate off: not checked
        check = check_feeds(library_dir, options, urls=[url])  # asked for by name
        assert [(r.url, r.new, r.failed, r.error) for r in check.feeds] == [(url, 2, 0, "")]
        with Library(library_dir) as library:
            first = library.page().rows[0].id
            library.remove(first)
        extended = [*FEED, ("/news/summit", "قمة في هلسنكي", 23)]
        serve_articles(server, extended)
        server.routes["/feed.xml"] = page(rss(server, extended), content_type="application/rss+xml")
        check = check_feeds(library_dir, options, urls=[url])
        assert (check.feeds[0].new, check.summary.removed) == (1, 1)
        with Library(library_dir) as library:
            assert first not in {r.id for r in library.page().rows} and library.page().total == 2


def test_watch_checks_the_subscriptions_of_each_round(settings, fake_model, library_dir):
    with LocalServer() as server:
        first = serve_feed(server, "/one.xml", FEED[:1])
        second = serve_feed(server, "/two.xml", FEED[1:])
        with Library(library_dir) as library:
            library.subscribe(first)
        rounds = []

        def between_rounds(seconds: float) -> None:  # a subscription added while watching
            with Library(library_dir) as library:
                library.subscribe(second)

        watch_feeds(
            library_dir,
            BatchOptions(settings, formats=["json"]),
            interval=600,
            max_rounds=2,
            on_round=lambda n, check: rounds.append([(r.url, r.new) for r in check.feeds]),
            sleep=between_rounds,
        )
    assert rounds == [[(first, 1)], [(first, 0), (second, 1)]]
    assert fake_model.loads == 1  # one model for every round
    assert sorted(s for call in fake_model.calls for s in call) == sorted(
        [*sentences_for(21, 4), *sentences_for(22, 4), FEED[0][1], FEED[1][1]]
    )
