"""Triage in the app, driven by AppTest: the Watch and Digest pages (reader.app.watch, reader.app.digest), and
on the Library and Read pages the clitic search, the watchlist filter, one row per story and the watched words."""

from __future__ import annotations

import re

from reader.app import watch
from reader.config import Settings
from reader.document import Metadata
from reader.library import Library
from tests.support.app import new_app, shown
from tests.support.documents import make_document

WATCH, DIGEST = "app_pages/watch.py", "app_pages/digest.py"


def library() -> Library:
    return Library(Settings.load().library).open()


def add(lib: Library, name: str, arabic: str, english: str) -> str:
    meta = Metadata(title=arabic, title_translation=english, source=f"https://a.example/{name}", date="2024-11-01")
    return lib.add(make_document([[(arabic, english, [], [])]], meta), meta.source)


def test_terms_typed_in_a_box() -> None:
    assert watch.parse_terms("السيسي=Sisi\n الرئيس ، summit;  ") == ["السيسي=Sisi", "الرئيس", "summit"]


def test_a_watchlist_made_on_the_watch_page_marks_what_the_library_has_and_counts_unread() -> None:
    lib = library()
    hostile = add(lib, "x", "والرئيس <b>يصل</b>", "<b>The president</b> arrives [x](javascript:alert(1))")
    add(lib, "y", "محطة شمسية", "A solar plant")
    at = new_app(WATCH).run()
    assert not at.exception and "No watchlists yet" in at.info[0].value
    at.text_input(key="watch_name").input("people")
    at.text_area(key="watch_terms").input("رئيس")
    at.button[0].click().run()
    assert not at.exception
    assert shown(at.success[0].value) == "Watching people: 1 article(s) in the library match."
    texts = [m.value for m in at.markdown]
    assert any(f"(/read?doc={hostile})" in t and "<b>" not in t for t in texts)
    assert [row.unread for row in watch.watch_rows(library())] == [1]
    assert watch.unread_total(library()) == 1


def test_the_digest_page_lists_the_new_articles_and_renders_a_download() -> None:
    lib = library()
    lib.watch("solar", ["شمسية"])
    add(lib, "y", "محطة شمسية", "A solar plant")
    at = new_app(DIGEST).run()
    assert not at.exception
    assert "1 new articles in 1 stories" in at.caption[0].value
    assert [shown(h.value) for h in at.subheader][:2] == ["Watchlist: solar", "Stories (1)"]
    at.button(key="digest-md").click().run()
    assert not at.exception and at.get("download_button")


def test_an_opened_article_marks_its_watched_words_on_both_sides() -> None:
    from reader.app.read import open_view, view_page

    lib = library()
    lib.watch("people", ["رئيس"])
    meta = Metadata(title="", source="https://a.example/z", date="2024-11-01")
    pairs = [("وصل الرئيس أمس", "The president arrived yesterday", [(0, 2), (1, 1), (2, 3)], [])]
    id_ = lib.add(make_document([pairs], meta), meta.source)
    page = view_page(lib, open_view(lib, id_))
    watched = re.findall(r'<span class="w watch" data-w="0:(\d+)"[^>]*>([^<]*)</span>', page)
    assert watched == [("1", "president"), ("1", "الرئيس")]  # the match, and its counterpart by the alignment
    lib.watch("people", ["وصل"])
    assert lib.rewatch() == 1
    page = view_page(lib, open_view(lib, id_))  # the hits changed, the file did not: rendered again
    watched = re.findall(r'<span class="w watch" data-w="0:(\d+)"[^>]*>([^<]*)</span>', page)
    assert watched == [("2", "arrived"), ("0", "وصل")]


def test_the_library_filters_on_a_watchlist_with_its_counts() -> None:
    lib = library()
    add(lib, "x", "وصل الرئيس", "The president arrived")
    add(lib, "y", "محطة شمسية", "A solar plant")
    at = new_app().run()
    assert not at.exception and not [s for s in at.selectbox if s.key == "lib_watch"]  # no watchlists: no filter
    lib.watch("people", ["رئيس"])
    lib.rewatch()
    at = new_app().run()
    choice = next(s for s in at.selectbox if s.key == "lib_watch")
    assert choice.options == ["All articles", "people (1, 1 unread)"]
    choice.select("people").run()
    assert not at.exception
    assert "1 article" in [c.value for c in at.caption]


def test_the_library_shows_one_row_per_story_and_a_wrong_grouping_is_undone() -> None:
    from tests.support.stories import labelled

    lib = library()
    articles = [a for a in labelled() if a[0] == "cbe-rates"]
    for _, key, document in articles:
        lib.add(document, key)
    at = new_app().run()
    at.toggle(key="lib_stories").set_value(True).run()
    assert not at.exception
    assert "1 story" in [c.value for c in at.caption]
    assert any("3 sources" in shown(c.value) for c in at.caption)
    undo = [b for b in at.button if b.key and b.key.startswith("split-")]
    assert len(undo) == 2
    undo[0].click().run()
    assert not at.exception
    assert "2 stories" in [c.value for c in at.caption]


def test_the_library_search_finds_every_clitic_form_through_the_app() -> None:
    lib = library()
    ids = {
        add(lib, name, arabic, english)
        for name, arabic, english in [
            ("a", "وصل الرئيس", "The president arrived"),
            ("b", "رحب الشعب بالرئيس", "The people welcomed the president"),
            ("c", "قدمت الهدية للرئيس", "The gift was given to the president"),
            ("d", "محطة شمسية", "A solar plant"),
        ]
    }
    assert len(ids) == 4
    for typed in ("رئيس", "والرئيس", "للرئيس"):
        at = new_app().run()
        at.text_input(key="lib_search").input(typed).run()
        assert not at.exception
        assert shown(at.caption[0].value).startswith("3 articles match")
        markup = " ".join(h.proto.body for h in at.get("html"))
        assert {"الرئيس", "بالرئيس", "للرئيس"} <= set(re.findall(r'<mark class="match">([^<]*)</mark>', markup))


def test_a_watchlist_made_on_the_watch_page_translates_whole_the_titles_first_articles_it_finds(fake_model) -> None:
    from reader.document import SCOPE_LEAD, Flag

    lib = library()
    meta = Metadata(title="قال الرئيس", source="https://a.example/lead", date="2024-11-01", scope=SCOPE_LEAD)
    pairs = [[("قال الرئيس", "qal alr'ys", [], [])], [("وصل الوزير", "", [], [Flag.PENDING])]]
    id_ = lib.add(make_document(pairs, meta), meta.source)
    at = new_app(WATCH).run()
    at.text_input(key="watch_name").input("people")
    at.text_area(key="watch_terms").input("رئيس")
    at.button[0].click().run()
    assert not at.exception
    whole = library().get(id_)
    assert whole.meta.scope == "" and [s.translation for s in whole.sentences][1] == "wSl alwzyr"
