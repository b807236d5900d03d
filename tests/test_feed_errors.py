"""A feed's error is its own: an article URL subscribed by mistake fails on its own row, and the real feed that
lists the same article keeps it translated, unfailed; a page is told apart from a feed before it is subscribed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.batch import MANIFEST_NAME, BatchOptions, Manifest
from reader.batch.feeds import check_feeds
from reader.batch.sources import FEED_PAGE, WEB_PAGE, probe_feed
from reader.errors import ReaderError
from reader.library import Library
from tests.support.batching import serve_feed
from tests.support.http_server import LocalServer, article_page, page

FEED = [("/news/rates", "البنك المركزي يثبت أسعار الفائدة", 21), ("/news/solar", "محطة شمسية في الصحراء", 22)]


def test_an_article_subscribed_as_a_feed_fails_alone(fake_model, isolated_settings: Path) -> None:
    root = isolated_settings / "library"
    options = BatchOptions(fake_model.settings(allow_private_urls=True), formats=["json"])
    with LocalServer() as server:
        feed = serve_feed(server, "/feed.xml", FEED)
        mistake = server.url("/news/rates")  # an article's own URL, subscribed as if it were a feed
        with Library(root) as library:
            library.subscribe(feed)
            library.subscribe(mistake)
        for _ in range(2):  # the first check translates the feed's articles; the second finds them unchanged
            check = check_feeds(root, options)
            results = {r.url: r for r in check.feeds}
            assert (results[feed].failed, results[feed].error) == (0, "")
            assert results[mistake].failed == 0
            assert "not an RSS or Atom feed" in results[mistake].error
            with Manifest(root / MANIFEST_NAME) as manifest:
                row = {r.key: r for r in manifest.rows()}[mistake]
            assert (row.status, row.error) == ("done", ""), "the real feed's article was marked failed"
            with Library(root) as library:
                feeds = {f.url: f for f in library.feeds()}
            assert (feeds[feed].last_error, feeds[feed].last_failed) == ("", 0)
            assert "not an RSS or Atom feed" in feeds[mistake].last_error


def test_a_page_is_told_apart_from_a_feed_and_its_own_feeds_are_found(fake_model) -> None:
    settings = fake_model.settings(allow_private_urls=True)
    with LocalServer() as server:
        feed = serve_feed(server, "/feed.xml", FEED)
        plain = article_page("خبر", ["قال الوزير إن النمو قوي."])
        alternates = (
            '<link rel="alternate" type="application/rss+xml" title="الأخبار" href="/feed.xml">'
            '<link rel="alternate" type="application/atom+xml" href="https://example.com/atom.xml">'
            '<link rel="alternate" hreflang="en" href="/en/">'
            '<link rel="stylesheet" type="text/css" href="/style.css">'
        )
        server.routes["/page"] = page(plain)
        server.routes["/home"] = page(plain.replace("</head>", alternates + "</head>"))
        assert (probe_feed(feed, settings).kind, probe_feed(feed, settings).title) == (FEED_PAGE, "الخبر")
        found = probe_feed(server.url("/page"), settings)
        assert (found.kind, found.feeds) == (WEB_PAGE, ())
        found = probe_feed(server.url("/home"), settings)
        assert (found.kind, found.feeds) == (WEB_PAGE, (feed, "https://example.com/atom.xml"))
        with pytest.raises(ReaderError, match="HTTP 404"):
            probe_feed(server.url("/missing"), settings)
