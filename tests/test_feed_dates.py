"""The date of record: the page's own published date, else its feed entry's, else the day it was first seen.

Many news pages carry no date of their own, or only a copyright year in the footer, which a thorough
date search reads as 1 January of that year; the feed that listed the page knows when it was published.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from reader.batch import BatchOptions
from reader.batch.feeds import check_feeds
from reader.document import DATE_FIRST_SEEN, DATE_FROM_FEED, DATE_FROM_PAGE
from reader.library import Filters, Library, document_id
from tests.support.batching import sentences_for
from tests.support.http_server import LocalServer, page


def news_page(title: str, number: int, *, head: str = "", footer: str = "") -> str:
    body = "".join(f"<p>{html.escape(s)}</p>" for s in sentences_for(number, 5))
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><main><article><h1>{title}</h1>{body}</article></main><footer>{footer}</footer></body></html>"
    )


PAGES = {  # path: (title, page head, page footer)
    "/plain": ("خبر بلا تاريخ", "", ""),
    "/footer": ("خبر في تذييله سنة", "", "<p>© 2025 صحيفة الخبر. جميع الحقوق محفوظة</p>"),
    "/dated": ("خبر بتاريخه", '<meta property="article:published_time" content="2024-10-01T08:00:00Z">', "© 2025"),
    "/undated": ("خبر لا يعرف أحد تاريخه", "", "<p>جميع الحقوق محفوظة 2023</p>"),
    "/atom": ("خبر من أتوم", "", "<p>© 2025</p>"),
}


def rss(server: LocalServer) -> str:
    items = [
        ("/plain", "<pubDate>Mon, 04 Nov 2024 23:30:00 -0100</pubDate>"),  # 2024-11-05 in UTC
        ("/footer", "<pubDate>Wed, 06 Nov 2024 08:00:00 GMT</pubDate>"),
        ("/dated", "<pubDate>Thu, 07 Nov 2024 08:00:00 GMT</pubDate>"),
        ("/undated", ""),
    ]
    entries = "".join(f"<item><title>t</title><link>{server.url(path)}</link>{date}</item>" for path, date in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>الخبر</title>{entries}</channel></rss>'


def atom(server: LocalServer) -> str:
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>أتوم</title><id>urn:a</id>'
        "<updated>2024-11-20T00:00:00Z</updated><entry><title>t</title><id>urn:a:1</id>"
        f'<link href="{server.url("/atom")}"/>'
        "<published>2024-09-03T10:00:00Z</published><updated>2024-11-20T00:00:00Z</updated></entry></feed>"
    )


def test_the_date_of_record_is_the_pages_own_else_the_feeds_else_first_seen(
    fake_model, isolated_settings: Path, monkeypatch
):
    root = isolated_settings / "library"
    with LocalServer() as server:
        for path, (title, head, footer) in PAGES.items():
            server.routes[path] = page(news_page(title, len(path), head=head, footer=footer))
        server.routes["/feed.xml"] = page(rss(server), content_type="application/rss+xml")
        server.routes["/atom.xml"] = page(atom(server), content_type="application/atom+xml")
        with Library(root) as library:
            library.subscribe(server.url("/feed.xml"))
            library.subscribe(server.url("/atom.xml"))
        check = check_feeds(root, BatchOptions(fake_model.settings(allow_private_urls=True), formats=["json"]))
        assert check.ok, check.summary.report()
        today = datetime.now(UTC).date().isoformat()
        expected = {
            "/plain": ("2024-11-05", DATE_FROM_FEED),
            "/footer": ("2024-11-06", DATE_FROM_FEED),  # not 2025-01-01, the footer's copyright year
            "/dated": ("2024-10-01", DATE_FROM_PAGE),
            "/undated": (today, DATE_FIRST_SEEN),
            "/atom": ("2024-09-03", DATE_FROM_FEED),  # published, not updated
        }
        with Library(root) as library:
            for path, (date, where) in expected.items():
                id_ = document_id(server.url(path))
                meta = library.get(id_).meta
                assert (meta.date, meta.date_source, library.row(id_).date) == (date, where, date), path
            listed = [row.id for row in library.page().rows]
            newest_first = sorted(expected, key=lambda path: expected[path][0], reverse=True)
            assert listed == [document_id(server.url(path)) for path in newest_first]
            november = library.page(Filters(since="2024-11-01", until="2024-11-30")).rows
            assert sorted(row.title for row in november) == sorted(PAGES[p][0] for p in ("/plain", "/footer"))

        # Days later: the undated page (fetched again: its entry has no stamp) is unchanged, not translated
        # again for a new "first seen"; changed, it is translated again and keeps the day it was first seen.
        monkeypatch.setattr("reader.batch.runner.today", lambda: "2030-01-01")
        options = BatchOptions(fake_model.settings(allow_private_urls=True), formats=["json"])
        assert check_feeds(root, options).summary.translated == 0
        title, head, footer = PAGES["/undated"]
        server.routes["/undated"] = page(news_page(title, 99, head=head, footer=footer))
        assert check_feeds(root, options).summary.changed == [server.url("/undated")]
        with Library(root) as library:
            meta = library.get(document_id(server.url("/undated"))).meta
        assert (meta.date, meta.date_source) == (today, DATE_FIRST_SEEN)
