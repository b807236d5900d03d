"""The reader app: its logic (reader.app) and the Streamlit pages, driven by AppTest.

The app opens its translator through reader.open_translator, so the tests use the ``fake_model``
fixture: READER_MODEL names a folder that looks like a model, READER_BACKEND the registered fake.
Every test has a library of its own (READER_LIBRARY, tests/conftest.py).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.app import component, feeds, inputs, listing, messages, models, reading, translating
from reader.cache import SentenceCache
from reader.config import Settings
from reader.document import Flag, Metadata
from reader.errors import ExportError, InputError, ReaderError
from reader.library import Library
from reader.translate.base import Translation
from reader.translate.cached import CachedTranslator
from reader.translate.shared import SharedTranslator
from tests.support.app import ADD, FEEDS, READ, new_app, shown, srcdoc, translate_pasted, view_data
from tests.support.batching import serve_feed
from tests.support.documents import make_document
from tests.support.fake import FakeTranslator, transliterate
from tests.support.http_server import LocalServer, page
from tests.support.models import fake_model_folder

ARTICLE = "قال الوزير إن الاقتصاد ينمو بسرعة.\n\nوأضاف أن البطالة تراجعت في العام الماضي."
EXPECTED = [" ".join(transliterate(w) for w in line.split()) for line in ARTICLE.split("\n\n")]


def settings(**flags) -> Settings:
    return Settings.load(**flags)


def library() -> Library:
    return Library(settings().library).open()


# ---- the Add page, and what it opens -------------------------------------------------------------


def test_paste_and_translate_opens_the_bilingual_view_of_the_kept_article(fake_model):
    at = translate_pasted(ARTICLE)
    assert not at.exception and not at.error
    view = srcdoc(at)
    for english in EXPECTED:
        assert english.split()[0] in view
    assert 'class="cell ar" dir="rtl" lang="ar"' in view
    assert 'data-w="0:0"' in view and "Content-Security-Policy" in view
    captions = [c.value for c in at.caption]
    assert "2 sentences · 0 from cache · 0 passed through · model calls: 2" in captions
    # The first sentence goes alone (one input per worker; the fake runs one batch at a time), so it shows at once.
    assert fake_model.calls == [["قال الوزير إن الاقتصاد ينمو بسرعة."], ["وأضاف أن البطالة تراجعت في العام الماضي."]]
    labels = [b.label for b in at.get("download_button")]
    assert "Download JSON" in labels and "Download HTML" in labels
    # It is in the library now, read (it was opened), and the page's URL names it.
    (row,) = library().page().rows
    assert at.query_params["doc"] == row.id and not row.unread
    assert view_data(at)["sentences"] == 2 and view_data(at)["start"] == 0


def test_reopened_article_comes_from_the_cache_without_the_model(fake_model):
    translate_pasted(ARTICLE)
    calls = len(fake_model.calls)
    at = translate_pasted(ARTICLE)  # a new session, same process: shared model, same cache, same document
    assert len(fake_model.calls) == calls
    assert "2 sentences · 2 from cache · 0 passed through · model calls: 0 (nothing sent to the model)" in [
        c.value for c in at.caption
    ]
    assert srcdoc(at).count('title="from the cache"') == 2
    assert library().page().total == 1


def test_word_alignment_toggle_rerenders_without_translating(fake_model):
    at = translate_pasted(ARTICLE)
    calls = len(fake_model.calls)
    at.toggle(key="word_alignment").set_value(False).run()
    assert 'class="w"' not in srcdoc(at) and 'data-s="1"' in srcdoc(at)
    assert len(fake_model.calls) == calls


def test_hostile_paste_is_escaped_in_the_view(fake_model):
    at = translate_pasted("قال <script>alert(1)</script> و<img src=x onerror=alert(2)> انتهى.")
    view = srcdoc(at)
    body = view[view.index("<body>") : view.index("</main>")]  # the view; the lookup data block is JSON
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_no_model_installed_shows_how_to_get_one():
    at = new_app(ADD).run()
    assert not at.exception and not at.error
    panel = " ".join(w.value for w in at.warning)
    assert "reader models pull opus-mt-ar-en" in panel
    assert "reader models import PATH" in panel
    assert at.button(key="translate").disabled


def test_binary_upload_is_refused_with_a_message_shown_as_written(fake_model):
    at = new_app(ADD).run()
    at.radio(key="kind").set_value(inputs.UPLOAD).run()
    at.file_uploader[0].set_value(("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain")).run()
    at.button(key="translate").click().run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [
        "photo.txt: looks like a binary file (it contains NUL bytes), not text"
    ]
    assert fake_model.calls == [] and not at.get("bidi_component")


def test_oversized_upload_is_refused_with_a_message(fake_model, monkeypatch):
    monkeypatch.setenv("READER_MAX_INPUT_BYTES", "100")
    at = new_app(ADD).run()
    at.radio(key="kind").set_value(inputs.UPLOAD).run()
    at.file_uploader[0].set_value(("long.txt", ("نص " * 100).encode(), "text/plain")).run()
    at.button(key="translate").click().run()
    assert [shown(e.value) for e in at.error] == [
        "long.txt: is 500 bytes, over the limit of 100 (READER_MAX_INPUT_BYTES)"
    ]


def test_sample_article_translates(fake_model):
    at = new_app(ADD)
    at.query_params["kind"] = "sample"  # the empty Library's "Open a sample article" link
    at.run()
    assert at.radio(key="kind").value == inputs.SAMPLE
    at.selectbox(key="seed").set_value("desert-solar-farm.ar.txt").run()
    at.button(key="translate").click().run()
    assert not at.error
    view = srcdoc(at)
    assert "seeds/desert-solar-farm.ar.txt" in view
    assert transliterate("محطة") in view


def test_empty_paste_is_an_error_not_a_traceback(fake_model):
    at = translate_pasted("   \n ")
    assert not at.exception
    assert [shown(e.value) for e in at.error] == ["the pasted text: is empty (no text to translate)"]


def test_a_refused_url_reads_as_written(fake_model):
    at = new_app(ADD).run()
    at.radio(key="kind").set_value(inputs.URL).run()
    at.text_input(key="url").input("http://127.0.0.1:8501/").run()
    at.button(key="translate").click().run()
    assert not at.exception
    (error,) = at.error
    assert shown(error.value).startswith("cannot fetch http://127.0.0.1:8501/: ")
    assert "\\:" in error.value  # escaped, so no link is made of it (a link would show the escapes)


def test_article_url_is_fetched_and_linked(fake_model, monkeypatch):
    body = (
        "<html><head><title>خبر اليوم</title></head><body><article><h1>خبر اليوم</h1>"
        + "".join(f"<p>هذه فقرة رقم {i} من نص الخبر الطويل بما يكفي للاستخراج.</p>" for i in range(4))
        + "</article></body></html>"
    )
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    with LocalServer() as server:
        server.routes["/news/1"] = page(body)
        url = server.url("/news/1")
        at = new_app(ADD).run()
        at.radio(key="kind").set_value(inputs.URL).run()
        at.text_input(key="url").input(url).run()
        at.button(key="translate").click().run()
    assert not at.error
    view = srcdoc(at)
    assert f'<a href="{url}"' in view and "<h1" in view and "خبر اليوم" in view
    assert transliterate("فقرة") in view
    assert library().page().rows[0].title_en == transliterate("خبر") + " " + transliterate("اليوم")


def test_sidebar_offers_best_and_fast_and_fast_is_greedy(fake_model):
    at = translate_pasted(ARTICLE)
    speed = at.radio(key="speed")
    assert speed.options == ["Best (beam 4)", "Fast (greedy)"] and speed.value == models.BEST
    assert "Cached sentences: **2**" in [c.value for c in at.sidebar.caption]
    assert models.beam_for(models.FAST, settings()) == 1 and models.beam_for(models.BEST, settings(beam=6)) == 6


# ---- the Library and Read pages ----------------------------------------------------------------


def add(title: str, sentences: list[tuple[str, str]], key: str, **meta) -> str:
    document = make_document(
        [[(ar, en, [(i, i) for i in range(min(len(ar.split()), len(en.split())))], []) for ar, en in sentences]],
        Metadata(title=title, source=key, **meta),
    )
    return library().add(document, key)


def test_an_empty_library_shows_how_to_start():
    at = new_app().run()
    assert not at.exception
    assert "Your library is empty" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == [
        "Subscribe to a feed",
        "Paste an article",
        "Open a sample article",
    ]


def test_the_library_lists_newest_first_marks_unread_and_escapes_titles(fake_model):
    hostile = "<b>عنوان</b> [x](javascript:alert(1))"
    add(hostile, [("قال الوزير.", "The minister said.")], "https://a.example/1", date="2024-11-01")
    add("خبر ثان", [("غادر الوفد.", "The delegation left.")], "https://a.example/2", date="2024-11-02")
    at = new_app().run()
    assert not at.exception
    labels = [shown(link.label) for link in at.get("page_link")]
    assert labels == ["● خبر ثان", "● <b>عنوان</b> [x](javascript:alert(1))"]
    markup = " ".join(h.proto.body for h in at.get("html"))
    assert "&lt;b&gt;عنوان&lt;/b&gt;" in markup and "<b>عنوان" not in markup
    assert "2 articles" in [c.value for c in at.caption]


def test_search_in_both_languages_shows_the_pair_marked_and_links_to_the_sentence(fake_model):
    pairs = [("البنك يثبت الفائدة", "Bank holds rates"), ("الرئيس حذر الاختراقات", "President warned breaches")]
    first = add("البنك", pairs, "k1")
    add("آخر", [("غادر الوفد", "Delegation left")], "k2")
    at = new_app().run()
    at.text_input(key="lib_search").input("breach").run()
    hits = [h.proto.body for h in at.get("html") if h.proto.body.startswith('<div class="lib-hit"')]
    assert len(hits) == 1 and '<mark class="match">breaches</mark>' in hits[0]
    assert '<mark class="aligned">الاختراقات</mark>' in hits[0]  # the counterpart, through the alignment
    opens = [link.proto.query_string for link in at.get("page_link") if link.label == "Open at this sentence"]
    assert opens == [f"doc={first}&s=1"]  # the matching sentence, to open the article at
    at.text_input(key="lib_search").input("الرَّئِيسُ").run()  # with diacritics
    assert any("<mark class=\"match\">الرئيس</mark>" in h.proto.body for h in at.get("html"))
    at.text_input(key="lib_search").input('"AND (').run()
    assert not at.exception and not at.error
    assert library().row(first).unread  # searching reads nothing


def test_a_deep_link_opens_the_document_at_its_position_and_marks_it_read(fake_model):
    doc = add("خبر", [("جملة أولى هنا", "First sentence here"), ("جملة ثانية هنا", "Second sentence here")], "k3")
    library().set_position(doc, 1)
    at = new_app()
    at.query_params["doc"] = doc  # /?doc=ID
    at.run()
    assert not at.exception and not at.error
    data = view_data(at)
    assert (data["start"], data["pin"], data["sentences"]) == (1, False, 2)
    assert not library().row(doc).unread
    hit = new_app(READ)
    hit.query_params["doc"] = doc
    hit.query_params["s"] = "0"  # a search hit: open at its sentence, pinned
    hit.run()
    assert (view_data(hit)["start"], view_data(hit)["pin"]) == (0, True) and "s" not in hit.query_params
    missing = new_app(READ)
    missing.query_params["doc"] = "no-such-document"
    missing.run()
    assert not missing.exception and "no document 'no-such-document'" in shown(missing.error[0].value)


def test_star_and_remove_from_the_read_page(fake_model):
    doc = add("خبر", [("جملة أولى", "First sentence")], "k4")
    at = new_app(READ)
    at.query_params["doc"] = doc
    at.run()
    at.toggle(key=f"star-{doc}").set_value(True).run()
    assert library().row(doc).starred
    at.button(key=f"remove-{doc}").click().run()
    assert library().page().total == 0 and doc in library().removed()


# ---- the Feeds page ----------------------------------------------------------------------------


def test_subscribe_twice_is_refused_and_check_now_fills_the_library(fake_model, monkeypatch):
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    items = [("/news/a", "البنك المركزي يثبت الفائدة", 31), ("/news/b", "محطة شمسية جديدة", 32)]
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", items)
        at = new_app(FEEDS).run()
        for _ in range(2):
            at.text_input(key="feed_url").input(url)
            at.button[0].click().run()  # Subscribe (the form's button)
        assert [shown(e.value) for e in at.error] == [f"already subscribed to {url}"]
        broken = server.url("/gone.xml")
        at.text_input(key="feed_url").input(broken)
        at.button[0].click().run()
        at.button(key="check_all").click().run()
    assert not at.exception
    assert shown(at.warning[0].value) == "2 new articles from 2 feeds. 1 feed failed: see its row."
    assert any("HTTP 404" in shown(e.value) for e in at.error)
    rows = library().page().rows
    assert sorted(r.title for r in rows) == sorted(t for _, t, _ in items) and all(r.unread for r in rows)


# ---- the logic, without Streamlit -----------------------------------------------------------------


def test_read_upload_extracts_html_articles():
    html_page = (
        "<html><head><title>عنوان الخبر</title></head><body><article><h1>عنوان الخبر</h1>"
        + "".join(f"<p>هذه فقرة رقم {i} من نص الخبر الطويل بما يكفي للاستخراج.</p>" for i in range(5))
        + "<script>alert(1)</script></article></body></html>"
    )
    article = inputs.read_upload("news.html", html_page.encode(), settings())
    assert "هذه فقرة رقم 0" in article.text and "alert" not in article.text
    assert article.source == "news.html"


def test_read_upload_keeps_text_and_reports_repaired_bytes():
    article = inputs.read_upload("a.md", "نص أول".encode() + b"\xff" + "نص ثان".encode(), settings())
    assert article.text == "نص أول\ufffdنص ثان"
    assert article.warnings == ("a.md: invalid UTF-8 at byte offset 11 replaced with U+FFFD",)


@pytest.mark.parametrize("name", ["photo.png", "archive", "doc.odt"])
def test_read_upload_refuses_other_types(name):
    with pytest.raises(InputError, match="unsupported file type"):
        inputs.read_upload(name, b"text", settings())


def test_read_upload_reads_a_pdf_with_its_pages():
    data = (Path(__file__).parent / "data" / "documents" / "pdf" / "libreoffice-sans.pdf").read_bytes()
    article = inputs.read_upload("report.pdf", data, settings())
    assert article.source == "report.pdf" and article.blocks[0].page == 1
    with pytest.raises(InputError, match=r"^doc\.pdf: not a readable PDF"):
        inputs.read_upload("doc.pdf", b"text", settings())


def test_seeds_are_listed_and_nothing_else_can_be_read():
    assert inputs.seed_names() == [
        "central-bank-rates.ar.txt",
        "desert-solar-farm.ar.txt",
        "helsinki-summit-cyber.ar.txt",
    ]
    article = inputs.read_seed("central-bank-rates.ar.txt", settings())
    assert article.source == "seeds/central-bank-rates.ar.txt"
    assert article.text.startswith("البنك المركزي")
    with pytest.raises(InputError, match="no sample article"):
        inputs.read_seed("../pyproject.toml", settings())


def test_every_input_has_a_stable_library_key():
    pasted = inputs.read_article(inputs.PASTE, "قال الوزير.", settings())
    assert inputs.library_key(inputs.PASTE, "قال الوزير.", pasted) == inputs.library_key(inputs.PASTE, "x", pasted)
    assert inputs.library_key(inputs.URL, " https://a.example/n ", pasted) == "https://a.example/n"
    seed = inputs.read_seed("central-bank-rates.ar.txt", settings())
    assert inputs.library_key(inputs.SAMPLE, "central-bank-rates.ar.txt", seed) == "seeds/central-bank-rates.ar.txt"


def test_model_choices_put_the_configured_folder_first(tmp_path):
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    for name in ("b-model", "a-model"):
        folder = models_dir / name
        folder.mkdir()
        (folder / "config.json").write_text("{}", encoding="utf-8")
        (folder / "model.safetensors").write_bytes(b"x")
    assert models.model_choices(settings(models_dir=models_dir)) == ["a-model", "b-model"]
    assert models.model_choices(settings(models_dir=models_dir, model="b-model")) == ["b-model", "a-model"]
    external = fake_model_folder(tmp_path / "fake-model")
    assert models.model_choices(settings(models_dir=models_dir, model=str(external))) == [
        str(external),
        "a-model",
        "b-model",
    ]
    assert models.model_choices(settings(models_dir=tmp_path / "none")) == []


def shared_fake(tmp_path) -> tuple[SharedTranslator, FakeTranslator]:
    fake = FakeTranslator()
    cached = CachedTranslator(fake, SentenceCache(tmp_path / "cache.sqlite3"))
    return SharedTranslator(cached), fake


def test_translate_fills_in_chunk_by_chunk_then_comes_back_from_the_cache(tmp_path):
    shared, fake = shared_fake(tmp_path)
    article = inputs.ingest.read_text("جملة أولى. جملة ثانية. جملة ثالثة.")
    readings = list(translating.translate(article, shared, settings(), chunk_sentences=1))
    assert [(r.done, r.total, r.model_calls) for r in readings] == [(0, 3, 0), (1, 3, 1), (2, 3, 2), (3, 3, 3)]
    assert [s.has(Flag.PENDING) for s in readings[1].document.sentences] == [False, True, True]
    assert readings[-1].finished and readings[-1].status == "Translated 3 sentences"
    assert readings[1].status == "Translating… 1 of 3 sentences"
    assert len(fake.calls) == 3

    again = list(translating.translate(article, shared, settings(), chunk_sentences=1))
    assert [(r.done, r.total, r.model_calls) for r in again] == [(3, 3, 0)]
    assert all(s.has(Flag.CACHED) for s in again[0].document.sentences)
    assert len(fake.calls) == 3
    assert (
        again[0].summary == "3 sentences · 3 from cache · 0 passed through · model calls: 0 (nothing sent to the model)"
    )


def test_runs_share_one_model_one_call_at_a_time(tmp_path):
    shared, _ = shared_fake(tmp_path)
    inside = []
    overlaps = []
    original = shared.inner.inner.translate_batch

    def slow(sentences):
        inside.append(1)
        if len(inside) > 1:
            overlaps.append(len(inside))
        threading.Event().wait(0.05)
        inside.pop()
        return original(sentences)

    shared.inner.inner.translate_batch = slow
    runs = [shared.for_run() for _ in range(4)]
    threads = [threading.Thread(target=r.translate_batch, args=([f"جملة رقم {i}"],)) for i, r in enumerate(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []
    assert [r.model_calls for r in runs] == [1, 1, 1, 1]


def test_downloads_render_when_asked_or_say_why_not(tmp_path, monkeypatch):
    shared, _ = shared_fake(tmp_path)
    article = inputs.read_seed("desert-solar-farm.ar.txt", settings())
    *_, done = translating.translate(article, shared, settings())

    def broken(document, fmt, **options):
        if fmt == "md":
            raise ExportError("the md export broke")
        return f"{fmt}:{len(document.sentences)}".encode()

    real_import = reading.importlib.import_module

    def without_pdf(name):
        if name.endswith(".pdf"):
            raise ImportError("no fpdf", name="fpdf")
        return real_import(name)

    monkeypatch.setattr(reading.export, "render", broken)
    monkeypatch.setattr(reading.importlib, "import_module", without_pdf)
    monkeypatch.setattr(reading.importlib.util, "find_spec", lambda name: None if name.endswith("tmx") else name)
    items = reading.downloads(done.document)
    n = len(done.document.sentences)
    assert [(d.label, d.file_name, d.error) for d in items] == [
        ("JSON", "desert-solar-farm.ar-en.json", ""),
        ("HTML", "desert-solar-farm.ar-en.html", ""),
        ("PDF", "desert-solar-farm.ar-en.pdf", "needs packages that are not installed (fpdf)"),
        ("Markdown", "desert-solar-farm.ar-en.md", ""),
    ]  # TMX is left out: its exporter is "not installed"
    assert items[0].render() == f"json:{n}".encode() and items[2].render is None
    assert items[3].render() == b"This md export could not be made: the md export broke\n"


def test_the_view_page_is_rendered_once_per_document_file(fake_model, monkeypatch):
    doc = add("خبر", [("جملة أولى", "First sentence")], "k5")
    lib = library()
    rendered = []
    real = reading.render_page
    monkeypatch.setattr(reading, "render_page", lambda *a, **k: rendered.append(1) or real(*a, **k))
    view = reading.open_view(lib, doc)
    assert reading.view_page(lib, view) == reading.view_page(lib, reading.open_view(lib, doc))
    assert len(rendered) == 1
    reading.view_page(lib, view, word_alignment=False)
    assert len(rendered) == 2


def test_positions_and_events_are_checked_before_they_are_kept(fake_model):
    doc = add("خبر", [("جملة أولى", "First"), ("جملة ثانية", "Second")], "k6")
    lib = library()
    view = reading.open_view(lib, doc)
    assert reading.keep_position(lib, view, 1, 0) == 1 and lib.reading(doc).position == 1
    for bad in (5, -1, True, "1", 1.0, None, {"sentence": 1}):
        assert reading.keep_position(lib, view, bad, 1) == 1
        assert component.sentence_event(bad, 2) is None
    view = reading.open_view(lib, doc)  # as the page opens it again
    assert reading.start_at(view, None) == (1, False)
    assert reading.start_at(view, "0") == (0, True) and reading.start_at(view, "9") == (1, False)
    assert reading.start_at(view, "<script>") == (1, False)
    assert reading.sentence_details(view.document, 1) == "Sentence 2 of 2 · model score -0.30"


def test_component_script_holds_no_document_data_and_checks_the_frame():
    script = component.script()
    assert 'sandbox", "allow-scripts' in script and "allow-same-origin" not in script.split("*/", 1)[1]
    assert "event.source !== target.contentWindow" in script and "Number.isInteger(sentence)" in script
    data = component.view_data("<p>x</p>", sentences=3, start=2, pin=True)
    assert set(data) == {"html", "digest", "sentences", "start", "pin"}


def test_lookup_note_says_how_to_install_the_analyzer(monkeypatch):
    import reader.lookup

    monkeypatch.setattr(reader.lookup, "available", lambda: False)
    assert reading.lookup_note() == reading.LOOKUP_NOTE and "pip install 'reader[lookup]'" in reading.LOOKUP_NOTE
    monkeypatch.setattr(reader.lookup, "available", lambda: True)
    assert reading.lookup_note() is None


def test_feed_rows_and_check_messages(tmp_path):
    lib = Library(tmp_path / "lib").open()
    lib.subscribe("https://a.example/feed.xml", title="A")
    lib.update_feed("https://a.example/feed.xml", last_checked=1000.0, last_new=3, last_failed=1)
    (row,) = feeds.feed_rows(lib, now=1000.0 + 7200)
    assert (row.name, row.status, row.error) == ("A", "checked 2 h ago: 3 new, 1 article failed", "")


def test_cache_figures_read_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_CACHE_PATH", str(tmp_path / "c.sqlite3"))
    SentenceCache(tmp_path / "c.sqlite3").put_many("m:v1", {"جملة": Translation("sentence", ((0, 0),), -0.1)})
    figures = dict(messages.cache_figures(settings()))
    assert figures["Cached sentences"] == "1" and figures["Models in cache"] == "1"


def test_messages_escape_every_markdown_character_and_name_unexpected_errors():
    assert messages.error_message(ReaderError("[x](javascript:alert(1)) *bold* :red[x] $x$")) == (
        "\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\*bold\\* \\:red\\[x\\] \\$x\\$"
    )
    message = messages.error_message(RuntimeError("boom"))
    assert shown(message).startswith("Unexpected error (RuntimeError): boom")
    assert re.search("server log", message)


@given(st.text(max_size=60))
def test_plain_text_is_shown_exactly_as_written(text):
    assert shown(messages.plain(text)) == text


def test_listing_counts_and_dates():
    import datetime as dt

    assert listing.dates(()) == (None, None)
    assert listing.dates((dt.date(2024, 11, 3), dt.date(2024, 11, 1))) == (dt.date(2024, 11, 1), dt.date(2024, 11, 3))
    assert listing.dates((dt.date(2024, 11, 3),)) == (dt.date(2024, 11, 3), None)
    assert listing.pages(0) == 1 and listing.pages(26) == 2


def test_the_side_panel_edits_a_sentence_and_shows_hostile_text_as_text(fake_model):
    hostile = "<img src=x onerror=alert(1)> **bold** [link](https://example.org)"
    doc = add("خبر", [("جملة أولى", "First"), ("جملة ثانية", "Second")], "k-panel")
    at = new_app(READ)
    at.query_params["doc"] = doc
    at.run()
    assert any("Click a sentence" in c.value for c in at.caption)
    at.session_state[f"picked-{doc}"] = 1  # as a click on sentence 1 leaves it
    at.run()
    assert not at.exception
    assert [t.value for t in at.text][-2:] == ["جملة ثانية", "Second"]  # the source, the machine version
    box = at.text_area(key=f"edit-text-{doc}-1")
    assert box.value == "Second" and box.label == "Your version of sentence 2"
    box.input(hostile)
    at.button(key=f"save-edit-text-{doc}-1").click().run()
    assert not at.exception and not at.error
    pair = library().get(doc).sentences[1]
    assert pair.shown == hostile and pair.translation == "Second" and pair.edit.alignment == ()  # no forced decoding
    assert at.text_area(key=f"edit-text-{doc}-1").value == hostile
    assert "&lt;img" in srcdoc(at) and "<img" not in srcdoc(at)
    assert any(shown(c.value).startswith("Your version: typed") for c in at.caption)
    at.button(key=f"alts-edit-text-{doc}-1").click().run()  # the fake backend has no post-editing: one line
    assert not at.exception and "cannot offer alternatives" in shown(at.error[0].value)
    at.button(key=f"revert-edit-text-{doc}-1").click().run()
    assert library().get(doc).sentences[1].edit is None
    at.button(key=f"close-edit-text-{doc}-1").click().run()
    assert any("Click a sentence" in c.value for c in at.caption)
