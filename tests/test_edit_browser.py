"""Post-editing in a real browser: the Read page's side panel, with the toy model, driven by Chromium.

Click a sentence, type an edit, save: the view shows it (marked edited), a reload still does, the
PDF (pdftotext) and the TMX downloaded from the page carry it, and the same sentence in a second
article shows it. "Continue from here" completes the reader's first words; Esc closes the panel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.document import How
from reader.library import Library
from tests.support.streamlit_server import reading_frame, streamlit_app
from tests.support.toy import make_example, spec

pytestmark = pytest.mark.browser

TIMEOUT_MS = 240_000
BOY = make_example(spec("boy", "writes", "letter", subject_adj="small", obj_adj="new", period=True))
QUEEN = make_example(spec("queen", "buys", "house", adverb="today", period=True))
EDIT = "Today the queen buys a <b>house</b>."


@pytest.fixture(scope="module")
def app(toy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("edit-app")
    (folder / "first.txt").write_text(f"{QUEEN.source} {BOY.source}\n", encoding="utf-8")
    (folder / "second.txt").write_text(f"{BOY.source}\n{QUEEN.source}\n", encoding="utf-8")
    env = dict(
        os.environ,
        READER_MODEL=str(toy_model_dir),
        READER_CACHE_PATH=str(folder / "cache.sqlite3"),
        READER_LIBRARY=str(folder / "library"),
        READER_THREADS="1",
    )
    translated = subprocess.run(
        [sys.executable, "-m", "reader", "translate", str(folder / "first.txt"), str(folder / "second.txt")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert translated.returncode == 0, translated.stderr
    with Library(folder / "library") as library:
        ids = {Path(r.source).stem: r.id for r in library.page().rows}
    with streamlit_app(folder, READER_MODEL=str(toy_model_dir), READER_EDITOR="Hala") as url:
        yield url, folder / "library", ids


def english(frame, index: int) -> str:
    return frame.locator(f'.cell.en .s[data-s="{index}"]').inner_text().strip()


def wait_for_english(tab, frame_getter, index: int, text: str) -> None:
    for _ in range(240):
        try:
            if english(frame_getter(), index) == text:
                return
        except Exception:  # the frame is being replaced by the saved page
            pass
        tab.wait_for_timeout(500)
    raise AssertionError(f"sentence {index} never showed {text!r}")


def wait_for_value(tab, box, text: str) -> None:
    """The edit box holds ``text`` (its value arrives with a rerun of the page)."""
    for _ in range(240):
        if box.input_value() == text:
            return
        tab.wait_for_timeout(250)
    raise AssertionError(f"the edit box never held {text!r}: {box.input_value()!r}")


def test_click_edit_save_reload_download_and_see_it_in_another_article(browser, app, tmp_path, artifacts_dir):
    url, library_dir, ids = app
    tab = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(f"{url}/read?doc={ids['first']}")
    frame = reading_frame(tab)
    frame.locator('.cell.en .s[data-s="0"]').wait_for()
    assert english(frame, 0) == QUEEN.target

    # Click the sentence: the panel shows the machine version and an edit box; type, save.
    frame.locator('.cell.en .s[data-s="0"]').click()
    tab.get_by_text("Sentence 1 of 2").wait_for()
    tab.get_by_text("Machine version").wait_for()
    box = tab.get_by_role("textbox", name="Your version")
    wait_for_value(tab, box, QUEEN.target)
    box.fill(EDIT)
    tab.get_by_role("button", name="Save").click()
    wait_for_english(tab, lambda: reading_frame(tab), 0, EDIT)
    frame = reading_frame(tab)
    assert frame.locator('.cell.en .s[data-s="0"] b').count() == 0  # the markup is text
    assert frame.locator('.marks .mark[title^="edited"]').count() == 1
    with Library(library_dir) as library:
        pair = library.get(ids["first"]).sentences[0]
        assert pair.shown == EDIT and pair.translation == QUEEN.target
        assert pair.edit.how == How.TYPED and pair.edit.by == "Hala" and pair.edit.alignment
    tab.screenshot(path=str(artifacts_dir / "edit-panel.png"))

    # A reload shows the edit.
    tab.reload()
    wait_for_english(tab, lambda: reading_frame(tab), 0, EDIT)

    # The PDF and the TMX downloaded from the page carry it.
    for label, suffix in (("PDF", "pdf"), ("TMX", "tmx")):
        with tab.expect_download() as download:
            tab.get_by_role("button", name=f"Download {label}").click()
        path = tmp_path / f"article.{suffix}"
        download.value.save_as(path)
        if suffix == "tmx":
            target = ET.parse(path).getroot().find("body/tu").findall("tuv")[1]
            assert target.find("seg").text == EDIT and target.get("changeid") == "Hala"
        elif shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
            assert "Today the queen buys a <b>house</b>." in " ".join(text.split())

    # "Continue from here" finishes the reader's first words; e opens the panel, Esc closes it.
    frame = reading_frame(tab)
    frame.locator('.cell.ar .s[data-s="1"]').focus()
    tab.keyboard.press("e")
    tab.get_by_text("Sentence 2 of 2").wait_for()
    box = tab.get_by_role("textbox", name="Your version of sentence 2")
    for _ in range(100):  # "e" puts the focus in the edit box: the reader types at once
        if box.evaluate("el => el === document.activeElement"):
            break
        tab.wait_for_timeout(100)
    assert box.evaluate("el => el === document.activeElement"), "e did not put the focus in the edit box"
    tab.keyboard.press("Control+A")
    tab.keyboard.type("A small boy")
    wait_for_value(tab, box, "A small boy")
    tab.get_by_role("button", name="Continue from here").click()
    tab.get_by_text("Save to keep the completion.").wait_for()
    tab.get_by_text("Or the next word:").wait_for()  # the model's next words after "A small boy", as buttons
    assert tab.get_by_role("button", name="writes", exact=True).count() == 1
    wait_for_value(tab, tab.get_by_role("textbox", name="Your version"), "A small boy writes a new letter.")
    tab.get_by_role("button", name="Save").click()
    wait_for_english(tab, lambda: reading_frame(tab), 1, "A small boy writes a new letter.")
    with Library(library_dir) as library:
        assert library.get(ids["first"]).sentences[1].edit.how == How.COMPLETION
    tab.get_by_role("textbox", name="Your version").wait_for()
    tab.get_by_role("textbox", name="Your version").press("Escape")
    tab.get_by_text("Click a sentence (or press e on it)").wait_for()

    # Alternatives: the machine version first; choosing another makes it the human version.
    frame = reading_frame(tab)
    frame.locator('.cell.en .s[data-s="1"]').click()
    tab.get_by_text("Sentence 2 of 2").wait_for()
    tab.get_by_role("button", name="Alternatives").click()
    tab.get_by_role("button", name="Use this one").nth(1).wait_for()
    with Library(library_dir) as library:
        machine = library.get(ids["first"]).sentences[1].translation
    assert tab.get_by_text(machine, exact=True).count() >= 1
    tab.get_by_role("button", name="Use this one").nth(1).click()
    for _ in range(240):
        with Library(library_dir) as library:
            chosen = library.get(ids["first"]).sentences[1]
        if chosen.edit is not None and chosen.edit.how == How.ALTERNATIVE:
            break
        tab.wait_for_timeout(250)
    assert chosen.edit.how == How.ALTERNATIVE and chosen.shown != machine
    wait_for_english(tab, lambda: reading_frame(tab), 1, chosen.shown)

    # A glossary term the English lacks: listed as missing, and one button fixes it.
    subprocess.run(
        [sys.executable, "-m", "reader", "glossary", "add", "رسالة", "story", "--library", str(library_dir)],
        env=dict(os.environ, READER_LIBRARY=str(library_dir)),
        check=True,
        capture_output=True,
    )
    tab.get_by_role("button", name="Revert to the machine version").click()
    wait_for_english(tab, lambda: reading_frame(tab), 1, BOY.target)
    tab.get_by_text("رسالة → story (missing)").wait_for()
    tab.get_by_role("button", name="Fix with the glossary").click()
    wait_for_english(tab, lambda: reading_frame(tab), 1, "The small boy writes a new story.")
    tab.get_by_text("رسالة → story (✓)").wait_for()
    with Library(library_dir) as library:
        assert library.get(ids["first"]).sentences[1].edit.how == How.GLOSSARY
    subprocess.run(  # and the CLI's edit reaches the same library
        [sys.executable, "-m", "reader", "edit", ids["first"], "-s", "1", "--text", "A small boy writes a new letter."],
        env=dict(os.environ, READER_LIBRARY=str(library_dir)),
        check=True,
        capture_output=True,
    )

    # The same sentences in the second article show the edits.
    tab.goto(f"{url}/read?doc={ids['second']}")
    wait_for_english(tab, lambda: reading_frame(tab), 1, EDIT)
    assert english(reading_frame(tab), 0) == "A small boy writes a new letter."
    tab.close()
