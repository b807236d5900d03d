"""The reading library in a real browser: `streamlit run streamlit_app.py` with the toy model, driven by Chromium.

A feed on 127.0.0.1 lists two articles in the toy language. The reader subscribes and presses
Check now; the articles appear unread; one opens side by side with highlighting and becomes read;
a reload opens it at the same place; an Arabic word typed with diacritics finds it; an English
word finds the other and opens it at the matching sentence.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from reader.chars import ARABIC_DIACRITICS
from reader.clitics import letters, readings
from reader.library import Library
from tests.support.browser import PINNED, SENTENCE_HIGHLIGHT, background
from tests.support.http_server import LocalServer, article_page, page
from tests.support.streamlit_server import reading_frame, streamlit_app
from tests.support.toy import heldout_pairs

pytestmark = pytest.mark.browser

TIMEOUT_MS = 240_000


def article(first: int, paragraphs: int = 12, per: int = 3) -> tuple[str, str, list[str], list[str]]:
    """A toy-language article from the held-out pairs: title, its English, paragraphs, their sentences' English."""
    ended = [p for p in heldout_pairs() if p.source.endswith((".", "؟"))]  # so each is one sentence in its paragraph
    pairs = ended[first : first + 1 + paragraphs * per]
    title, body = pairs[0], pairs[1:]
    texts = [" ".join(p.source for p in body[i : i + per]) for i in range(0, len(body), per)]
    return title.source, title.target, texts, [p.target for p in body]


FIRST = article(0)
SECOND = article(40)


def rss(server: LocalServer) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link>"
        f"<pubDate>Thu, 2{n} Nov 2024 08:00:00 GMT</pubDate></item>"
        for n, (path, title) in enumerate([("/news/first", FIRST[0]), ("/news/second", SECOND[0])], start=1)
    )
    channel = f"<channel><title>Toy</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'


@pytest.fixture(scope="module")
def app(toy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, LocalServer]]:
    folder = tmp_path_factory.mktemp("library-app")
    with LocalServer() as server:
        server.routes["/news/first"] = page(article_page(FIRST[0], FIRST[2], date="2024-11-21"))
        server.routes["/news/second"] = page(article_page(SECOND[0], SECOND[2], date="2024-11-22"))
        server.routes["/feed.xml"] = page(rss(server), content_type="application/rss+xml")
        with streamlit_app(folder, READER_MODEL=str(toy_model_dir), READER_ALLOW_PRIVATE_URLS="1") as url:
            yield url, folder / "library", server


LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


def new_page(browser, url: str, *, watch: list[str]):
    """A new tab on the app; every request it makes to anywhere but the app goes into ``watch``."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1100})
    tab.set_default_timeout(TIMEOUT_MS)
    tab.on("request", lambda request: None if request.url.startswith(LOCAL) else watch.append(request.url))
    tab.goto(url)
    return tab


def links(tab, expected: list[str], within_s: float = 60.0) -> list[str]:
    """The page's links (without their icons' names) once they read ``expected``, or as they stand after
    ``within_s``: a rerun replaces the page's elements in parts, so the old list can linger a moment."""
    labels = tab.locator('[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"]')
    labels.nth(len(expected) - 1).wait_for()
    deadline = time.monotonic() + within_s
    while True:
        seen = [label.inner_text().strip() for label in labels.all()]
        if seen[: len(expected)] == expected or time.monotonic() > deadline:
            return seen[: len(expected)]
        tab.wait_for_timeout(200)


def row_of(library_dir: Path, title: str) -> str:
    with Library(library_dir) as library:
        (row,) = [r for r in library.page().rows if r.title == title]
        return row.id


def test_follow_a_feed_read_search_and_come_back(browser, app, artifacts_dir):
    url, library_dir, server = app
    feed = server.url("/feed.xml")
    outside: list[str] = []
    tab = new_page(browser, url, watch=outside)
    # A first run: the empty library says how to start, and the developer chrome is hidden.
    tab.get_by_text("Your library is empty").wait_for()
    intro = ["Subscribe to a feed", "Paste an article", "Open a sample article"]
    assert links(tab, intro) == intro
    assert tab.get_by_role("button", name="Deploy").count() == 0
    assert tab.locator('[data-testid="stMainMenu"]').count() == 0

    # 1. Subscribe to the feed and press Check now; subscribing again is refused, the message as written.
    tab.get_by_role("link", name="Subscribe to a feed").click()
    for _ in range(2):
        tab.get_by_label("Feed URL").fill(feed)
        tab.get_by_role("button", name="Subscribe").click()
        tab.wait_for_timeout(500)
    refusal = tab.locator('[data-testid="stAlertContentError"]').first
    refusal.wait_for()
    assert refusal.inner_text().strip() == f"already subscribed to {feed}"
    tab.get_by_role("button", name="Check now").click()
    tab.get_by_text("2 new articles from 1 feed.").wait_for()
    tab.get_by_text(re.compile(r"2 articles, 2 unread")).wait_for()

    # 2. The new articles appear unread in the Library, newest first, with their English titles.
    tab.get_by_role("link", name="Library").first.click()
    tab.get_by_text("2 articles").wait_for()
    assert links(tab, unread := [f"● {SECOND[1]}", f"● {FIRST[1]}"]) == unread

    # 3. Open one: side by side, with highlighting; it is read now.
    tab.get_by_role("link", name=f"● {FIRST[1]}").click()
    frame = reading_frame(tab)
    frame.locator(".cell.ar").first.wait_for()
    assert frame.locator(".cell.en").count() >= 8 and frame.locator(".cell.ar").count() >= 8
    ar, en = frame.locator('.cell.ar .s[data-s="1"]'), frame.locator('.cell.en .s[data-s="1"]')
    ar.locator(".w").first.hover()
    assert background(en) == SENTENCE_HIGHLIGHT
    # Word lookup works in the app's frame as in the HTML export: a click opens the popover, Esc closes it.
    ar.locator(".w").first.click()
    popover = frame.locator(".lookup")
    assert popover.locator(".lk-word").inner_text() == ar.locator(".w").first.inner_text()
    frame.locator("html").press("Escape")
    popover.wait_for(state="detached")
    first_id = row_of(library_dir, FIRST[0])
    assert tab.url.endswith(f"/read?doc={first_id}")
    with Library(library_dir) as library:
        assert not library.reading(first_id).unread
        first, second = library.get(first_id), library.get(row_of(library_dir, SECOND[0]))
    gold = {pair.source: pair.target for pair in heldout_pairs()}
    for document in (first, second):  # the toy model's translations, exactly, for what extraction kept
        assert len(document.sentences) == 36
        assert [s.translation for s in document.sentences] == [gold[s.source] for s in document.sentences]
    # The view's events reach the app: "e" on a sentence (edit), a click (select).
    frame.locator('.cell.ar .s[data-s="3"]').focus()
    tab.keyboard.press("e")
    tab.get_by_text(f"Sentence 4 of {len(first.sentences)}").wait_for()
    frame.locator('.cell.en .s[data-s="5"]').click()
    tab.get_by_text(f"Sentence 6 of {len(first.sentences)}").wait_for()

    # 4. Scroll down, reload: the same article, at the same position.
    frame.locator("html").evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")  # the end
    position = wait_for_position(library_dir, first_id)
    assert position >= 6
    top_before = top_sentence(frame)
    tab.screenshot(path=str(artifacts_dir / "library-read.png"))
    tab.reload()
    frame = reading_frame(tab)
    frame.locator(".cell.ar").first.wait_for()
    tab.wait_for_timeout(1500)
    assert tab.url.endswith(f"/read?doc={first_id}")
    assert frame.locator("html").evaluate("() => window.scrollY") > 0
    assert top_sentence(frame) == top_before == position

    # Back in the Library, it is read; the other is not.
    tab.get_by_role("link", name="Library").first.click()
    tab.get_by_text("2 articles").wait_for()
    tab.get_by_text(FIRST[1], exact=True).wait_for()  # no longer marked unread
    assert links(tab, one_read := [f"● {SECOND[1]}", FIRST[1]]) == one_read

    # 5. An Arabic word typed with diacritics finds it.
    elsewhere = " ".join([second.title, *(s.source for s in second.sentences)]).split()
    words = [w.strip(".؟") for s in first.sentences[2:] for w in s.source.split()]
    seen = {r for w in elsewhere for r in readings(letters(w))}  # the search looks through clitics (reader.clitics)
    word = next(w for w in words if len(w) > 4 and not readings(letters(w)) & seen)
    typed = word[0] + ARABIC_DIACRITICS[0] + word[1:-1] + ARABIC_DIACRITICS[3] + word[-1]  # fatha, kasra... as typed
    search = tab.get_by_label("Search")
    search.fill(typed)
    search.press("Enter")
    tab.get_by_text("1 article matches").wait_for()
    assert links(tab, [FIRST[1]]) == [FIRST[1]]
    hit = tab.locator(".lib-hit").first
    assert hit.locator("mark.match").first.inner_text().rstrip(".،؟") == word  # the best sentence may end on it
    assert hit.locator(".lib-en mark").count() >= 1  # its counterpart, marked on the English side

    # 6. An English word finds the other article and opens it at the matching sentence.
    first_words = set(" ".join([first.title_en, *(s.translation for s in first.sentences)]).lower().split())
    second_words = {w.strip(".?").lower() for s in second.sentences for w in s.translation.split()}
    wanted = sorted(w for w in second_words - first_words if w.isalpha() and len(w) > 3)[0]
    index = next(i for i, s in enumerate(second.sentences) if wanted in s.translation.lower().replace(".", " ").split())
    search.fill(wanted)
    search.press("Enter")
    tab.get_by_text("1 article matches").wait_for()  # the Arabic search's count read the same: wait for this one's hit
    tab.locator(".lib-hit .lib-en mark").filter(has_text=re.compile(f"^{wanted}$", re.IGNORECASE)).first.wait_for()
    second_id = row_of(library_dir, SECOND[0])
    # The hit's own link: while the rerun replaces the page in parts, the Arabic search's link can linger a moment.
    hit_link = tab.get_by_role("link", name="Open at this sentence").and_(
        tab.locator(f'[href$="?{urlencode({"doc": second_id, "s": index})}"]')
    )
    hit_link.wait_for()
    hit_link.click()
    frame = reading_frame(tab)
    target = frame.locator(f'.cell.ar .s[data-s="{index}"]')
    frame.locator(f'.cell.ar .s.pin[data-s="{index}"]').wait_for()  # pinned once the page has loaded in the frame
    tab.wait_for_timeout(500)
    assert background(target) == PINNED
    top, bottom = target.evaluate("el => [el.getBoundingClientRect().top, window.innerHeight]")
    assert 0 <= top < bottom, "the matching sentence is in view"
    assert tab.url.endswith(f"/read?doc={second_id}")  # a reload opens where the reader is, not at the hit
    tab.screenshot(path=str(artifacts_dir / "library-search-hit.png"))
    tab.close()
    assert outside == [], "the app asked a server other than itself for something"


def wait_for_position(library_dir: Path, doc_id: str) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Library(library_dir) as library:
            position = library.reading(doc_id).position
        if position:
            time.sleep(1.0)  # let a last scroll event settle
            with Library(library_dir) as library:
                return library.reading(doc_id).position
        time.sleep(0.3)
    raise AssertionError("the reading position was never saved")


def top_sentence(frame) -> int:
    """The sentence at the top of the view, as the page itself reports it."""
    return int(
        frame.locator("html").evaluate(
            """() => {
                const line = document.querySelector('.row.heads').getBoundingClientRect().bottom;
                const all = [...document.querySelectorAll('.cell.ar .s[data-s]')];
                const first = all.find(el => el.getBoundingClientRect().top >= line - 2);
                return first.getAttribute('data-s');
            }"""
        )
    )
