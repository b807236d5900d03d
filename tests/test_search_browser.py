"""Arabic search through clitics in a real browser: the Library page of `streamlit run streamlit_app.py`.

In Arabic و ف ب ل ك and ال attach to the word, so the forms a reader types (ملكة, والملكة, وتشتري,
القصة) are rarely the forms an article wrote (الملكة, بالملكة, تشتري, قصة). Each typed form must find
every article holding any of its forms, and mark the written form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.document import Metadata
from reader.library import Library
from tests.support.documents import make_document
from tests.support.streamlit_server import streamlit_app

pytestmark = pytest.mark.browser

ARTICLES = [
    ("a", "وصلت الملكة إلى المدينة", "The queen arrived in the city"),
    ("b", "رحب الشعب بالملكة", "The people welcomed the queen"),
    ("c", "تشتري المرأة القصة", "The woman buys the story"),
    ("d", "وتشتري البنت قصة جديدة", "And the girl buys a new story"),
    ("e", "محطة شمسية في الصحراء", "A solar plant in the desert"),
]
# What a reader types -> the written forms it must find and mark.
TYPED = {
    "ملكة": {"الملكة", "بالملكة"},
    "والملكة": {"الملكة", "بالملكة"},
    "وتشتري": {"تشتري", "وتشتري"},
    "القصة": {"القصة", "قصة"},
}


@pytest.fixture(scope="module")
def app(toy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("search-app")
    with Library(folder / "library").open() as library:
        for name, arabic, english in ARTICLES:
            meta = Metadata(title=arabic, title_translation=english, source=f"https://a.example/{name}")
            library.add(make_document([[(arabic, english, [], [])]], meta), meta.source)
    with streamlit_app(folder, READER_MODEL=str(toy_model_dir)) as url:
        yield url


@pytest.mark.parametrize("typed", list(TYPED))
def test_a_typed_arabic_form_finds_the_articles_that_wrote_another(browser, app, typed, artifacts_dir) -> None:
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.set_default_timeout(120_000)
    tab.goto(app)
    search = tab.get_by_label("Search")
    search.fill(typed)
    search.press("Enter")
    tab.get_by_text("2 articles match").wait_for()
    hits = tab.locator(".lib-hit")
    hits.nth(1).wait_for()
    marked = {m.inner_text().strip() for m in tab.locator(".lib-hit mark.match").all()}
    assert marked == TYPED[typed]
    assert all(re.search(r"[\u0600-\u06ff]", word) for word in marked)
    tab.screenshot(path=str(artifacts_dir / f"search-clitics-{list(TYPED).index(typed)}.png"))
    tab.close()
