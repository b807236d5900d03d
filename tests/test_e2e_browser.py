"""End to end in a real browser: `streamlit run streamlit_app.py` with the toy model, driven by Chromium.

The reading view is a Streamlit component (an iframe), so everything inside it is reached
through a frame locator. Colours are read with getComputedStyle, as a reader would see them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.lookup import available
from reader.translate.cache import SentenceCache
from tests.support.browser import PINNED, SENTENCE_HIGHLIGHT, TRANSPARENT, WORD_HIGHLIGHT, background
from tests.support.streamlit_server import reading_frame, streamlit_app
from tests.support.toy import TOY_ARTICLE, TOY_ARTICLE_EN, TOY_ARTICLE_PAIRS, heldout_pairs

pytestmark = pytest.mark.browser

TIMEOUT_MS = 240_000
"""Generous: the machine's CPUs are shared, and the first translation loads the model."""


@pytest.fixture(scope="module")
def app(toy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app in its own process on a free port, with the toy model and a cache and library of its own.

    Returns the URL and the cache file. One server serves the module's tests (starting one costs
    seconds of shared CPU); the tests use different sentences so neither sees the other's cache.
    """
    folder = tmp_path_factory.mktemp("app")
    with streamlit_app(folder, READER_MODEL=str(toy_model_dir)) as url:
        yield url, folder / "cache.sqlite3"


def translate_in_new_session(browser, url: str, text: str):
    """Open the app's Add page in a fresh page (a new Streamlit session), paste ``text``, translate, and wait
    for the Read page it opens."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/add")
    box = page.get_by_label("Arabic text")
    box.fill(text)
    box.press("Control+Enter")  # commit the value before clicking
    page.get_by_role("button", name="Translate").click()
    page.get_by_text(re.compile(r"^\d+ sentences(,| translated)")).wait_for()  # what it took, in words
    page.get_by_text("Translation details").click()  # and in numbers, folded away
    page.get_by_text("model calls:").wait_for()
    frame = reading_frame(page)
    frame.locator(".cell.ar").first.wait_for()
    return page, frame


def summary(page) -> str:
    return page.get_by_text("model calls:").inner_text()


def test_read_side_by_side_with_highlighting_then_reopen_from_cache(browser, app, artifacts_dir):
    url, cache_path = app
    # 1. Paste an article and translate it.
    page, frame = translate_in_new_session(browser, url, TOY_ARTICLE)
    expected_en = [p for p in TOY_ARTICLE_EN.strip().split("\n\n")]
    assert frame.locator(".cell.en").all_inner_texts() == expected_en
    n_sentences = sum(len(p) for p in TOY_ARTICLE_PAIRS)
    assert re.fullmatch(
        rf"{n_sentences} sentences · 0 from cache · 0 passed through · model calls: [1-9]\d*", summary(page)
    )

    # 2. Hover an Arabic sentence: it and its English counterpart light up; then the reverse.
    ar = frame.locator('.cell.ar .s[data-s="1"]')
    en = frame.locator('.cell.en .s[data-s="1"]')
    assert background(en) == TRANSPARENT
    ar.locator(".w").last.hover()
    assert background(en) == SENTENCE_HIGHLIGHT
    assert background(ar) == SENTENCE_HIGHLIGHT
    en2 = frame.locator('.cell.en .s[data-s="2"]')
    ar2 = frame.locator('.cell.ar .s[data-s="2"]')
    en2.locator(".w").first.hover()
    assert background(ar2) == SENTENCE_HIGHLIGHT
    assert background(en) == TRANSPARENT and background(ar) == TRANSPARENT

    # 3. Hover a word: its aligned word(s) on the other side light up, and only those.
    # Sentence 1 is "يكتب الولد الصغير رسالة جديدة." = "The small boy writes a new letter.":
    # الولد (word 1) is "The ... boy" (words 0 and 2), across the verb-first reordering.
    boy = frame.locator('.cell.ar .w[data-w="1:1"]')
    assert boy.inner_text() == "الولد"
    gold = sorted(t for s, t in TOY_ARTICLE_PAIRS[1][0].alignment if s == 1)
    assert gold == [0, 2]
    assert sorted(int(t) for t in boy.get_attribute("data-a").split()) == gold
    boy.hover()
    lit = frame.locator(".cell.en .w.whl")
    assert lit.all_inner_texts() == ["The", "boy"]
    assert [background(lit.nth(i)) for i in range(2)] == [WORD_HIGHLIGHT, WORD_HIGHLIGHT]
    assert background(frame.locator('.cell.en .w[data-w="1:1"]')) == TRANSPARENT  # "small": not aligned
    writes = frame.locator('.cell.en .w[data-w="1:3"]')
    assert writes.inner_text() == "writes"
    writes.hover()
    assert frame.locator(".cell.ar .w.whl").all_inner_texts() == ["يكتب"]

    # A click pins the pair; it stays lit while the mouse moves on. The click lands on a word, which
    # (with the lookup extra installed) also opens that word's lookup: Esc closes it and keeps the pin.
    ar.click()
    if available():
        popover = frame.locator(".lookup")
        assert popover.is_visible() and popover.locator(".lk-word").inner_text() in TOY_ARTICLE
        page.screenshot(path=str(artifacts_dir / "app-lookup.png"))
        page.keyboard.press("Escape")
        assert popover.count() == 0
    frame.locator('.cell.ar .s[data-s="3"]').locator(".w").first.hover()
    assert background(en) == PINNED

    # 4. The Arabic column is right-to-left, in Arabic; the English one left-to-right.
    for cell in frame.locator(".cell.ar").all():
        assert cell.get_attribute("dir") == "rtl" and cell.get_attribute("lang") == "ar"
        assert cell.evaluate("e => getComputedStyle(e).direction") == "rtl"
    for cell in frame.locator(".cell.en").all():
        assert cell.get_attribute("dir") == "ltr" and cell.get_attribute("lang") == "en"

    # 6. The screenshot (taken while a sentence and a word are highlighted).
    frame.locator('.cell.ar .w[data-w="1:1"]').hover()
    page.screenshot(path=str(artifacts_dir / "app-reader.png"), full_page=True)
    page.close()

    # 5. Re-open the same article in a new session: every sentence comes from the cache, no model call.
    hits_before = SentenceCache(cache_path).stats().hits
    page, frame = translate_in_new_session(browser, url, TOY_ARTICLE)
    assert summary(page) == (
        f"{n_sentences} sentences · {n_sentences} from cache · 0 passed through · model calls: 0"
        " (nothing sent to the model)"
    )
    assert frame.locator(".cell.en").all_inner_texts() != []
    assert frame.locator('.mark[title="from the cache"]').count() == n_sentences
    assert SentenceCache(cache_path).stats().hits == hits_before + n_sentences
    page.close()


def test_keyboard_moves_sentence_by_sentence_and_pins(browser, app):
    url, _ = app
    text = " ".join(e.source for e in heldout_pairs()[:4])  # sentences the other test never translates
    page, frame = translate_in_new_session(browser, url, text)

    def focused() -> tuple[str, str]:
        side = frame.locator(":focus").evaluate("e => e.closest('.cell').classList.contains('ar') ? 'ar' : 'en'")
        return side, frame.locator(":focus").get_attribute("data-s")

    def lit() -> list[str]:
        return [el.get_attribute("data-s") for el in frame.locator(".cell.en .s.hl").all()]

    frame.locator('.cell.ar .s[data-s="0"]').focus()
    assert focused() == ("ar", "0") and lit() == ["0"]
    page.keyboard.press("j")
    assert focused() == ("ar", "1") and lit() == ["1"]
    page.keyboard.press("ArrowDown")
    assert focused() == ("ar", "2") and lit() == ["2"]
    page.keyboard.press("k")
    assert focused() == ("ar", "1") and lit() == ["1"]
    page.keyboard.press("ArrowLeft")  # across to the counterpart
    assert focused() == ("en", "1")
    page.keyboard.press("Enter")
    assert background(frame.locator('.cell.ar .s[data-s="1"]')) == PINNED
    page.keyboard.press("Escape")
    assert background(frame.locator('.cell.ar .s[data-s="1"]')) == SENTENCE_HIGHLIGHT
    page.close()


def test_standalone_html_export_works_offline_and_runs_nothing_from_the_article(browser, tmp_path):
    """The exported file: highlighting runs (its script is allowed by hash), the article's markup never does."""
    from reader import export
    from tests.support.documents import HOSTILE_SNIPPETS, make_document

    hostile = [f"قال {text} انتهى" for text in HOSTILE_SNIPPETS]
    document = make_document(
        [
            [
                (source, f"He said {text} end", [(0, 0), (1, 2), (2, 3)], [])
                for source, text in zip(hostile, HOSTILE_SNIPPETS, strict=True)
            ]
        ]
    )
    path = export.write(document, "html", tmp_path / "article.html")
    page = browser.new_page()
    dialogs, requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.blockedURI));"
    )
    page.goto(path.as_uri())
    ar = page.locator('.cell.ar .s[data-s="2"]')
    ar.locator(".w").first.hover()
    assert background(page.locator('.cell.en .s[data-s="2"]')) == SENTENCE_HIGHLIGHT
    assert page.evaluate("document.fonts.check('20px \"Reader Naskh\"')")
    assert page.locator("script:not([type='application/json'])").count() == 1  # the lookup data block never runs
    assert page.locator("img, svg, iframe, a").count() == 0
    assert dialogs == [] and page.evaluate("window.__csp") == []
    assert requests == [path.as_uri()]
    page.close()


def test_an_opened_sentence_is_put_back_under_the_heads_when_the_arabic_text_reflows(browser):
    """The app opens the page at a sentence. When the Arabic text above it reflows afterwards (its web font
    can arrive late on a busy machine), the page places that sentence again, until the reader scrolls.

    Scroll anchoring alone does not: it keeps the English column still, and the Arabic one moves inside it.
    """
    from reader.export.html import render_page
    from tests.support.documents import make_document

    document = make_document(
        [
            [(f"هذه جملة عربية طويلة رقمها {n} " * 5, f"This is long English sentence {n}. " * 2, [], []) for n in p]
            for p in (range(0, 8), range(8, 16), range(16, 24))
        ]
    )
    opened = 13  # in the middle of the second paragraph: its row starts above the view
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.set_default_timeout(TIMEOUT_MS)
    page.set_content('<iframe id="view" style="width: 900px; height: 500px"></iframe>')
    page.eval_on_selector("#view", "(frame, html) => { frame.srcdoc = html; }", render_page(document, standalone=False))
    frame = page.frame_locator("#view")
    frame.locator(f'.cell.ar .s[data-s="{opened}"]').wait_for()
    message = f"{{reader: 1, type: 'scroll', sentence: {opened}}}"
    page.evaluate(f"document.getElementById('view').contentWindow.postMessage({message}, '*')")

    def below_heads() -> float:
        """How far the opened Arabic sentence's top is below the column heads (the page puts it 4 px below)."""
        return frame.locator("html").evaluate(
            f"""() => document.querySelector('.cell.ar .s[data-s="{opened}"]').getBoundingClientRect().top
                - document.querySelector('.row.heads').getBoundingClientRect().bottom"""
        )

    def reflow_arabic_above(size: str) -> None:
        frame.locator("html").evaluate(
            f"""() => {{ for (const s of document.querySelectorAll('.cell.ar .s')) {{
                if (+s.dataset.s < {opened}) s.style.fontSize = '{size}'; }} }}"""
        )
        page.wait_for_timeout(300)

    page.wait_for_timeout(300)
    assert abs(below_heads() - 4) <= 1
    reflow_arabic_above("140%")
    assert abs(below_heads() - 4) <= 1, "placed again after the reflow"
    page.mouse.move(450, 250)
    page.mouse.wheel(0, 150)  # the reader scrolls: from now on the view is theirs
    page.wait_for_timeout(300)
    reflow_arabic_above("180%")
    assert abs(below_heads() - 4) > 20
    page.close()
