"""The reader's edits and glossary in the library, without a model: kept by sentence, spread, migrated, batched."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from reader.batch import BatchOptions, run_batch
from reader.config import Settings
from reader.document import Edit, Flag, How, Metadata
from reader.library import Library
from reader.library.edits import edit_key
from reader.library.glossary import entry
from reader.library.layout import STATE_NAME
from reader.library.state import SCHEMA
from tests.support.documents import make_document

PRESIDENT = "وقال الرَّئِيسُ إن التضخم تراجع"
ENGLISH = "And the president said inflation eased"
FIXED = "The president said inflation had eased"


def document(source_key: str, *sentences: tuple[str, str], feed: str = ""):
    pairs = [(ar, en, [(i, i) for i in range(min(len(ar.split()), len(en.split())))], []) for ar, en in sentences]
    return make_document([pairs], Metadata(source=source_key, feed=feed, model="toy", model_fingerprint="f" * 16))


@pytest.fixture
def library(tmp_path: Path):
    with Library(tmp_path / "library") as lib:
        yield lib


def test_an_edit_is_kept_by_its_sentence_and_spread_to_every_document_holding_it(library):
    first = library.add(document("/a.txt", (PRESIDENT, ENGLISH), ("قمة هلسنكي", "Helsinki summit")), "/a.txt")
    # the same sentence, written without diacritics and with other spacing
    second = library.add(
        document("/b.txt", ("البنك يثبت", "The bank holds"), ("وقال الرئيس  إن التضخم تراجع", ENGLISH)), "/b.txt"
    )
    assert edit_key(PRESIDENT) == edit_key("وقال الرئيس  إن التضخم تراجع")
    edit = Edit(FIXED, ((1, 1), (9, 9)), How.TYPED, "2026-12-02T01:00:00Z", "Hala", "toy", "f" * 16)
    library.save_edit(first, 0, edit)
    one, other = library.get(first).sentences[0], library.get(second).sentences[1]
    assert one.shown == other.shown == FIXED and other.has(Flag.EDITED)
    assert one.edit.alignment == ((1, 1),)  # pairs outside the words dropped
    assert library.search("had eased").total == 2  # the index reads the human version
    hit = library.search("said").results[0].hits[0]
    assert hit.translation == FIXED and hit.translation_marks  # marked over the human version's words
    assert library.search("president").total == 2
    later = library.add(document("/c.txt", (PRESIDENT, "Something else")), "/c.txt")  # a new article holding it
    assert library.get(later).sentences[0].shown == FIXED
    library.reindex()  # rebuilding the index keeps them: they are in the files and the reader's data
    assert library.get(second).sentences[1].shown == FIXED
    library.revert_edit(second, 1)
    assert all(library.get(i).sentences[0 if i != second else 1].edit is None for i in (first, second, later))
    assert library.edits() == []
    assert library.save_edit(first, 0, Edit("   ")).sentences[0].edit is None  # empty is a revert


def test_a_library_of_schema_1_is_migrated_with_its_data_kept(tmp_path: Path):
    folder = tmp_path / "library"
    folder.mkdir()
    old = [s for s in SCHEMA.statements if all(s not in m for m in SCHEMA.migrations.values())]  # version 1's
    with sqlite3.connect(folder / STATE_NAME) as conn:
        for statement in old:
            conn.execute(statement)
        conn.execute("INSERT INTO reading (id, starred, position, updated) VALUES ('x', 1, 3, 0)")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Library(folder) as library:
        assert library.reading("x").starred and library.reading("x").position == 3
        doc = library.add(document("/a.txt", (PRESIDENT, ENGLISH)), "/a.txt")
        library.save_edit(doc, 0, Edit(FIXED))
        library.add_terms([entry("الرئيس", "president")])
        assert [r.edit.text for r in library.edits()] == [FIXED]
    with sqlite3.connect(folder / STATE_NAME) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA.version,)
    conn.close()


def test_glossary_terms_global_and_per_feed_flag_what_lacks_them(library):
    feed = "https://news.example/feed.xml"
    plain = library.add(document("/a.txt", ("غادر الوفد العاصمة", "The delegation left the capital")), "/a.txt")
    fed = library.add(
        document("/b.txt", ("غادر الوفد العاصمة", "The delegation left the capital"), feed=feed), "/b.txt"
    )
    assert library.add_terms([entry("الوفد", "mission", feed)]) == 1
    assert library.get(fed).sentences[0].glossary == ("الوفد",) and library.get(fed).sentences[0].has(Flag.GLOSSARY)
    assert not library.get(plain).sentences[0].has(Flag.GLOSSARY)
    library.add_terms([entry("وفد", "delegation"), entry("العاصمة", "city")])  # global
    assert library.get(plain).sentences[0].glossary == ("العاصمة",)
    assert library.get(fed).sentences[0].glossary == ("الوفد", "العاصمة")  # the feed's term in place of the global
    assert library.row(plain).flags == {"glossary": 1}
    library.save_edit(plain, 0, Edit("The delegation left the city"))
    assert not library.get(plain).sentences[0].has(Flag.GLOSSARY)  # checked on what is shown
    library.remove_term("العاصمة")
    assert library.get(fed).sentences[0].glossary == ("الوفد",)


def test_batch_writes_every_output_with_the_readers_edits(fake_model, tmp_path: Path):
    settings = fake_model.settings()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "news.txt").write_text("قال الوزير إن النمو قوي.\n", encoding="utf-8")
    out = tmp_path / "out"
    options = dict(settings=settings, formats=("json", "html", "md"))
    run_batch([str(folder)], out, BatchOptions(**options))
    with Library(out) as library:
        (row,) = library.page().rows
        library.save_edit(row.id, 0, Edit("The minister said growth is strong."))
    (folder / "news.txt").write_text("قال الوزير إن النمو قوي.\nوأضاف أن التضخم تراجع.\n", encoding="utf-8")
    run_batch([str(folder)], out, BatchOptions(**options))  # the article changed: translated again
    saved = json.loads((out / "articles" / f"{row.id}.json").read_text(encoding="utf-8"))
    assert saved["paragraphs"][0]["sentences"][0]["edit"]["text"] == "The minister said growth is strong."
    assert len([s for p in saved["paragraphs"] for s in p["sentences"]]) == 2
    assert "The minister said growth is strong." in (out / "articles" / f"{row.id}.md").read_text()
    html = re.sub(r"<[^>]+>", "", (out / "articles" / f"{row.id}.html").read_text())  # the words are spans
    assert "The minister said growth is strong." in html


def test_settings_name_the_editor(monkeypatch):
    monkeypatch.setenv("READER_EDITOR", "Hala")
    assert Settings.load().editor == "Hala"
    assert Settings.load(editor="Sami").editor == "Sami"


def test_the_side_panel_shows_both_versions_the_terms_and_how_the_edit_was_made(library):
    from reader.app import edit_panel as panels
    from reader.translate.base import Translation

    doc = library.add(document("/a.txt", ("غادر الوفد العاصمة", "The delegation left the capital")), "/a.txt")
    library.add_terms([entry("وفد", "mission"), entry("العاصمة", "capital")])
    panel = panels.panel(library, library.get(doc), 0)
    assert panel.details.startswith("Sentence 1 of 1") and not panel.edited and panel.about == ""
    assert [(t.arabic, t.present) for t in panel.terms] == [("وفد", False), ("العاصمة", True)]
    assert panel.glossary_missing
    library.save_edit(doc, 0, Edit("The mission left the capital", how=How.ALTERNATIVE, at="2026-12-02T01:02:03Z"))
    panel = panels.panel(library, library.get(doc), 0)
    assert panel.machine == "The delegation left the capital" and panel.shown == "The mission left the capital"
    assert panel.about == "Your version: a chosen alternative, 2026-12-02 01:02:03 UTC"
    assert not panel.glossary_missing
    assert panels.panel(library, library.get(doc), 1) is None
    found = [Translation("The mission left"), Translation("The mission went home"), Translation("The")]
    assert panels.next_word_choices("The mission", found) == [
        ("left", "The mission left"),
        ("went", "The mission went home"),
    ]


def test_an_edit_cut_short_by_a_kill_reaches_every_document_when_the_library_opens_again(tmp_path: Path):
    folder = tmp_path / "library"
    with Library(folder) as library:
        first = library.add(document("/a.txt", (PRESIDENT, ENGLISH)), "/a.txt")
        second = library.add(document("/b.txt", (PRESIDENT, ENGLISH)), "/b.txt")
        # what save_edit writes first, in one transaction: the edit and its key marked unspread; then "killed"
        library.state.put_edits([(edit_key(PRESIDENT), PRESIDENT, Edit(FIXED))])
        assert library.get(second).sentences[0].edit is None
    with Library(folder) as library:
        assert [library.get(i).sentences[0].shown for i in (first, second)] == [FIXED, FIXED]
        assert library.state.unspread() == []
        library.state.drop_edits([edit_key(PRESIDENT)])  # a revert, killed before the files were rewritten
    with Library(folder) as library:
        assert [library.get(i).sentences[0].edit for i in (first, second)] == [None, None]


def test_a_glossary_change_cut_short_by_a_kill_is_checked_when_the_library_opens_again(tmp_path: Path):
    folder = tmp_path / "library"
    with Library(folder) as library:
        doc = library.add(document("/a.txt", ("غادر الوفد العاصمة", "The delegation left the capital")), "/a.txt")
        library.state.put_terms([("الوفد", "", "الوفد", "mission")])  # the term kept, then "killed"
        assert not library.get(doc).sentences[0].has(Flag.GLOSSARY)
    with Library(folder) as library:
        assert library.get(doc).sentences[0].glossary == ("الوفد",)
        assert not library.state.glossary_unchecked()
