"""A new user's whole loop in Chromium, with the toy model: subscribe, check, list, read, edit, search, export, return.

The feed serves two toy-language articles on 127.0.0.1 whose pages give no date of their own (one only a
footer's copyright year), and a home page that links its feed. The walk makes a new user's first
mistakes: an article's URL given as a feed, then the home page. A screenshot of each page goes to
test-artifacts/walk-*.png. What it checks: the page offers the feed and subscribes nothing wrong; the
Library's dates are the feed's; the side panel's Arabic is right to left, right-aligned, in the Arabic
font; "Continue from here" fits at 1400 and 1024 px; an edit shows ✎; a search hit opens its sentence
without the side panel; a download is named after the article; the Library shows it read afterwards.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.library import Library
from tests.support.http_server import LocalServer, page
from tests.support.streamlit_server import reading_frame, streamlit_app
from tests.support.toy import heldout_pairs

pytestmark = pytest.mark.browser

TIMEOUT_MS = 120_000
ENDED = [p for p in heldout_pairs() if p.source.endswith((".", "؟"))]
FIRST, SECOND = ENDED[80:93], ENDED[100:113]  # a title, then 12 sentences: 4 paragraphs of 3
DATES = {"/news/first": "2024-11-21", "/news/second": "2024-11-22"}


def news_page(pairs, footer: str) -> str:
    """A page without a date of its own: no meta tag, no <time>, nothing in the URL."""
    title, body = pairs[0].source, pairs[1:]
    paragraphs = "".join(
        "<p>" + html.escape(" ".join(p.source for p in body[i : i + 3])) + "</p>" for i in range(0, 12, 3)
    )
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><article><h1>{title}</h1>{paragraphs}</article></main><footer>{footer}</footer></body></html>"
    )


def rss(server: LocalServer) -> str:
    items = "".join(
        f"<item><title>{pairs[0].source}</title><link>{server.url(path)}</link>"
        f"<pubDate>{'Thu, 21' if path.endswith('first') else 'Fri, 22'} Nov 2024 08:00:00 GMT</pubDate></item>"
        for path, pairs in (("/news/first", FIRST), ("/news/second", SECOND))
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Toy</title>{items}</channel></rss>'
    )


@pytest.fixture(scope="module")
def app(toy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, LocalServer]]:
    folder = tmp_path_factory.mktemp("walk-app")
    with LocalServer() as server:
        server.routes["/news/first"] = page(news_page(FIRST, "<p>© 2025 صحيفة الخبر. جميع الحقوق محفوظة</p>"))
        server.routes["/news/second"] = page(news_page(SECOND, ""))
        server.routes["/feed.xml"] = page(rss(server), content_type="application/rss+xml")
        alternate = f'<link rel="alternate" type="application/rss+xml" title="Toy" href="{server.url("/feed.xml")}">'
        server.routes["/"] = page(f'<html lang="ar"><head>{alternate}</head><body><p>الأخبار</p></body></html>')
        with streamlit_app(folder, READER_MODEL=str(toy_model_dir), READER_ALLOW_PRIVATE_URLS="1") as url:
            yield url, folder / "library", server


def shot(tab, artifacts_dir: Path, name: str) -> None:
    tab.wait_for_timeout(700)  # let the rerun's last elements settle
    tab.screenshot(path=str(artifacts_dir / f"walk-{name}.png"), full_page=True)


def fits(button) -> bool:
    """The button's whole label is on one line inside it (Streamlit cuts a long one with "…"), and the button
    inside its column."""
    return button.evaluate(
        """el => {
            const column = el.closest('[data-testid="stColumn"]') || document.body;
            const b = el.getBoundingClientRect(), c = column.getBoundingClientRect();
            const label = el.querySelector('p') || el;
            const line = parseFloat(getComputedStyle(label).lineHeight) || 24;
            const oneLine = label.getBoundingClientRect().height < 1.8 * line;
            const whole = [el, ...el.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth + 1);
            return whole && b.right <= c.right + 1 && oneLine;
        }"""
    )


def test_a_new_users_whole_loop(browser, app, artifacts_dir, tmp_path):
    url, library_dir, server = app
    tab = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(f"{url}/feeds")

    # Subscribe: an article's URL is a web page, not a feed, and nothing is subscribed.
    article_url = server.url("/news/first")
    tab.get_by_label("Feed URL").fill(article_url)
    tab.get_by_role("button", name="Subscribe").click()
    tab.get_by_text(f"{article_url} is a web page, not a feed, and it names no feed of its own.").wait_for()
    tab.get_by_role("link", name="Add it as an article").wait_for()
    shot(tab, artifacts_dir, "01-not-a-feed")
    # The site's home page names its feed: one button subscribes to it.
    tab.get_by_label("Feed URL").fill(server.url("/"))
    tab.get_by_role("button", name="Subscribe").click()
    feed = server.url("/feed.xml")
    tab.get_by_role("button", name=f"Subscribe to {feed}").click()
    tab.get_by_text(f"Subscribed to {feed}.").wait_for()
    with Library(library_dir) as library:
        assert [f.url for f in library.feeds()] == [feed]
    shot(tab, artifacts_dir, "02-feed-found")

    # Check.
    tab.get_by_role("button", name="Check now").click()
    tab.get_by_text("2 new articles from 1 feed.").wait_for()
    shot(tab, artifacts_dir, "03-checked")

    # List: the feed's dates, not the footer's year or today; the English title first.
    tab.get_by_role("link", name="Library").first.click()
    tab.get_by_text("2 articles").wait_for()
    captions = tab.locator('[data-testid="stCaptionContainer"]')
    for day in ("2024-11-22", "2024-11-21"):  # the feed's dates: not the footer's year (2025-01-01), not today
        tab.get_by_text(re.compile(f"^{day} · Toy · 12 sentences · unread$")).wait_for()
    assert "2025-01-01" not in " ".join(captions.all_inner_texts())
    titles = tab.locator(".lib-ar")
    assert titles.first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    shot(tab, artifacts_dir, "04-library")

    # Read: one article side by side.
    with Library(library_dir) as library:
        first = next(r for r in library.page().rows if r.date == DATES["/news/first"])
    tab.get_by_role("link", name=f"● {first.title_en}").click()
    frame = reading_frame(tab)
    frame.locator(".cell.ar").first.wait_for()
    shot(tab, artifacts_dir, "05-read")

    # Edit: the panel's Arabic reads right to left, right-aligned, in the Arabic font.
    frame.locator('.cell.en .s[data-s="2"]').click()
    tab.get_by_text("Sentence 3 of 12").wait_for()
    arabic = tab.locator('.reader-ar[dir="rtl"]').first
    arabic.wait_for()
    style = arabic.evaluate("e => { const s = getComputedStyle(e); return [s.direction, s.textAlign, s.fontFamily]; }")
    assert style[0] == "rtl" and style[1] in ("right", "start") and "Reader Naskh" in style[2], style
    assert arabic.inner_text().strip() == FIRST[3].source
    continue_button = tab.get_by_role("button", name="Continue from here")
    assert fits(continue_button), "Continue from here does not fit at 1400 px"
    shot(tab, artifacts_dir, "06-panel")
    tab.set_viewport_size({"width": 1024, "height": 900})
    tab.wait_for_timeout(800)
    assert fits(continue_button), "Continue from here does not fit at 1024 px"
    assert fits(tab.get_by_role("link", name="← Newer")), "the Newer link is cut at 1024 px"
    shot(tab, artifacts_dir, "07-panel-1024")
    tab.set_viewport_size({"width": 1400, "height": 1000})
    box = tab.get_by_role("textbox", name="Your version of sentence 3")
    box.fill("My own version of this sentence.")
    tab.get_by_role("button", name="Save").click()
    for _ in range(240):
        frame = reading_frame(tab)
        if frame.locator('.marks .mark.edited[title^="edited"]').count() == 1:
            break
        tab.wait_for_timeout(250)
    mark = frame.locator(".marks .mark.edited").first
    assert mark.inner_text() == "✎"
    assert float(mark.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12
    shot(tab, artifacts_dir, "08-edited")

    # Export: the download is named after the article.
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Download HTML").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"2024-11-21-[a-z0-9-]+\.ar-en\.html", name), name
    saved = tmp_path / name
    download.value.save_as(saved)
    exported = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", saved.read_text(encoding="utf-8"))).split())
    assert "My own version of this sentence." in exported.replace(" .", ".") and "✎" in exported

    # Search: an English word of the other article; its hit opens the sentence, not the side panel.
    tab.get_by_role("link", name="Library").first.click()
    with Library(library_dir) as library:
        second = library.get(next(r.id for r in library.page().rows if r.date == DATES["/news/second"]))
        first_doc = library.get(first.id)
    known = set(" ".join(s.shown for s in first_doc.sentences).lower().replace(".", " ").split())
    words = [w.strip(".?").lower() for s in second.sentences[1:] for w in s.translation.split()]
    wanted = next(w for w in words if w.isalpha() and len(w) > 3 and w not in known)
    search = tab.get_by_label("Search")
    search.fill(wanted)
    search.press("Enter")
    tab.get_by_text("1 article matches").wait_for()
    tab.get_by_role("link", name="Open at this sentence").first.click()
    frame = reading_frame(tab)
    frame.locator(".cell.ar .s.pin").wait_for()
    tab.get_by_text("Click a sentence (or press e on it)").wait_for()
    tab.wait_for_timeout(1500)  # a select event, had one been sent, would have opened the panel by now
    assert tab.get_by_text("Machine version").count() == 0, "opening a search hit opened the edit panel"
    shot(tab, artifacts_dir, "09-search-hit")

    # Return: both read now, the first with its edit.
    tab.get_by_role("link", name="Library").first.click()
    tab.get_by_text("2 articles").wait_for()
    tab.get_by_role("link", name=first.title_en, exact=True).wait_for()  # no longer marked unread
    for day in ("2024-11-22", "2024-11-21"):
        tab.get_by_text(re.compile(f"^{day} · Toy · 12 sentences$")).wait_for()
    shot(tab, artifacts_dir, "10-return")
    with Library(library_dir) as library:
        assert not any(r.unread for r in library.page().rows)
    tab.close()
