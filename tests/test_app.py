"""The reader app: library helpers (reader.app) and the Streamlit wiring, driven by AppTest.

The app resolves its translator through reader.store, so the tests point READER_MODEL at a
folder that looks like a model and READER_BACKEND at a registered fake backend.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from reader import app
from reader.cache import SentenceCache
from reader.config import Settings
from reader.document import Flag
from reader.errors import ExportError, InputError, ReaderError
from reader.translate import registry
from reader.translate.base import Translation
from reader.translate.cached import CachedTranslator
from tests.support.fake import FakeTranslator, transliterate

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "قال الوزير إن الاقتصاد ينمو بسرعة.\n\nوأضاف أن البطالة تراجعت في العام الماضي."
EXPECTED = [" ".join(transliterate(w) for w in line.split()) for line in ARTICLE.split("\n\n")]


def fake_model_dir(tmp_path: Path) -> Path:
    """A folder the store accepts as a model (config + weights file); the fake backend loads it."""
    folder = tmp_path / "fake-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"not real weights")
    return folder


@pytest.fixture
def fake_model(tmp_path, monkeypatch) -> FakeTranslator:
    """The one FakeTranslator every load returns, so the test can count real model calls."""
    fake = FakeTranslator("fake")
    registry.register("fake", lambda model_dir, **_: fake)
    monkeypatch.setenv("READER_BACKEND", "fake")
    monkeypatch.setenv("READER_MODEL", str(fake_model_dir(tmp_path)))
    st.cache_resource.clear()
    yield fake
    registry.unregister("fake")
    st.cache_resource.clear()


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)


def srcdoc(at: AppTest) -> str:
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


def translate_pasted(text: str) -> AppTest:
    at = new_app().run()
    at.text_area(key="paste").input(text)
    at.button(key="translate").click().run()
    return at


# ---- the Streamlit wiring ------------------------------------------------------------------


def test_paste_and_translate_shows_the_bilingual_view(fake_model):
    at = translate_pasted(ARTICLE)
    assert not at.exception and not at.error
    page = srcdoc(at)
    for english in EXPECTED:
        assert english.split()[0] in page
    assert 'class="cell ar" dir="rtl" lang="ar"' in page
    assert 'data-w="0:0"' in page and "Content-Security-Policy" in page
    captions = [c.value for c in at.caption]
    assert "2 sentences · 0 from cache · 0 passed through · model calls: 2" in captions
    # The first sentence goes alone (one input per worker; the fake runs one batch at a time), so it shows at once.
    assert fake_model.calls == [["قال الوزير إن الاقتصاد ينمو بسرعة."], ["وأضاف أن البطالة تراجعت في العام الماضي."]]
    labels = [b.label for b in at.get("download_button")]
    assert "Download JSON" in labels and "Download HTML" in labels


def test_reopened_article_comes_from_the_cache_without_the_model(fake_model):
    translate_pasted(ARTICLE)
    calls = len(fake_model.calls)
    at = translate_pasted(ARTICLE)  # a new session, same process: shared model, same cache
    assert len(fake_model.calls) == calls
    assert "2 sentences · 2 from cache · 0 passed through · model calls: 0 (nothing sent to the model)" in [
        c.value for c in at.caption
    ]
    page = srcdoc(at)
    assert page.count('title="from the cache"') == 2


def test_word_alignment_toggle_rerenders_without_translating(fake_model):
    at = translate_pasted(ARTICLE)
    calls = len(fake_model.calls)
    at.toggle(key="word_alignment").set_value(False).run()
    assert 'class="w"' not in srcdoc(at) and 'data-s="1"' in srcdoc(at)
    assert len(fake_model.calls) == calls


def test_hostile_paste_is_escaped_in_the_view(fake_model):
    at = translate_pasted("قال <script>alert(1)</script> و<img src=x onerror=alert(2)> انتهى.")
    page = srcdoc(at)
    body = page[page.index("<body>") : page.rindex("<script>")]
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_no_model_installed_shows_how_to_get_one():
    at = new_app().run()
    assert not at.exception and not at.error
    panel = " ".join(w.value for w in at.warning)
    assert "reader models pull opus-mt-ar-en" in panel
    assert "reader models import PATH" in panel
    assert at.button(key="translate").disabled


def test_binary_upload_is_refused_with_a_message(fake_model):
    at = new_app().run()
    at.radio(key="kind").set_value(app.UPLOAD).run()
    at.file_uploader[0].set_value(("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain")).run()
    at.button(key="translate").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "photo\\.txt: looks like a binary file \\(it contains NUL bytes\\), not text"
    ]
    assert fake_model.calls == [] and not at.get("iframe")


def test_oversized_upload_is_refused_with_a_message(fake_model, monkeypatch):
    monkeypatch.setenv("READER_MAX_INPUT_BYTES", "100")
    at = new_app().run()
    at.radio(key="kind").set_value(app.UPLOAD).run()
    at.file_uploader[0].set_value(("long.txt", ("نص " * 100).encode(), "text/plain")).run()
    at.button(key="translate").click().run()
    assert [e.value for e in at.error] == [
        "long\\.txt: is 500 bytes, over the limit of 100 \\(READER\\_MAX\\_INPUT\\_BYTES\\)"
    ]


def test_sample_article_translates(fake_model):
    at = new_app().run()
    at.radio(key="kind").set_value(app.SAMPLE).run()
    at.selectbox(key="seed").set_value("desert-solar-farm.ar.txt").run()
    at.button(key="translate").click().run()
    assert not at.error
    page = srcdoc(at)
    assert "seeds/desert-solar-farm.ar.txt" in page
    assert transliterate("محطة") in page


def test_empty_paste_is_an_error_not_a_traceback(fake_model):
    at = translate_pasted("   \n ")
    assert not at.exception
    assert [e.value for e in at.error] == ["the pasted text: is empty \\(no text to translate\\)"]


def test_bad_url_is_an_error_not_a_traceback(fake_model):
    at = new_app().run()
    at.radio(key="kind").set_value(app.URL).run()
    at.text_input(key="url").input("ftp://example.com/a").run()
    at.button(key="translate").click().run()
    assert not at.exception
    (error,) = at.error
    assert "only http and https" in error.value.replace("\\", "")


def test_article_url_is_fetched_and_linked(fake_model, monkeypatch):
    body = (
        "<html><head><title>خبر اليوم</title></head><body><article><h1>خبر اليوم</h1>"
        + "".join(f"<p>هذه فقرة رقم {i} من نص الخبر الطويل بما يكفي للاستخراج.</p>" for i in range(4))
        + "</article></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    url = f"http://127.0.0.1:{server.server_address[1]}/news/1"
    try:
        at = new_app().run()
        at.radio(key="kind").set_value(app.URL).run()
        at.text_input(key="url").input(url).run()
        at.button(key="translate").click().run()
    finally:
        server.shutdown()
    assert not at.error
    page = srcdoc(at)
    assert f'<a href="{url}"' in page and "<h1" in page and "خبر اليوم" in page
    assert transliterate("فقرة") in page


def test_sidebar_cache_figures_include_this_run(fake_model):
    at = translate_pasted(ARTICLE)
    assert "Cached sentences: **2**" in [c.value for c in at.sidebar.caption]


# ---- the library side ----------------------------------------------------------------------


def settings(**flags) -> Settings:
    return Settings.load(**flags)


def test_read_upload_extracts_html_articles():
    page = (
        "<html><head><title>عنوان الخبر</title></head><body><article><h1>عنوان الخبر</h1>"
        + "".join(f"<p>هذه فقرة رقم {i} من نص الخبر الطويل بما يكفي للاستخراج.</p>" for i in range(5))
        + "<script>alert(1)</script></article></body></html>"
    )
    article = app.read_upload("news.html", page.encode(), settings())
    assert "هذه فقرة رقم 0" in article.text and "alert" not in article.text
    assert article.source == "news.html"


def test_read_upload_keeps_text_and_reports_repaired_bytes():
    article = app.read_upload("a.md", "نص أول".encode() + b"\xff" + "نص ثان".encode(), settings())
    assert article.text == "نص أول\ufffdنص ثان"
    assert article.warnings == ("a.md: invalid UTF-8 at byte offset 11 replaced with U+FFFD",)


@pytest.mark.parametrize("name", ["photo.png", "archive", "doc.pdf"])
def test_read_upload_refuses_other_types(name):
    with pytest.raises(InputError, match="unsupported file type"):
        app.read_upload(name, b"text", settings())


def test_seeds_are_listed_and_nothing_else_can_be_read():
    assert app.seed_names() == [
        "central-bank-rates.ar.txt",
        "desert-solar-farm.ar.txt",
        "helsinki-summit-cyber.ar.txt",
    ]
    article = app.read_seed("central-bank-rates.ar.txt", settings())
    assert article.source == "seeds/central-bank-rates.ar.txt"
    assert article.text.startswith("البنك المركزي")
    with pytest.raises(InputError, match="no sample article"):
        app.read_seed("../pyproject.toml", settings())


def test_model_choices_put_the_configured_folder_first(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    for name in ("b-model", "a-model"):
        folder = models / name
        folder.mkdir()
        (folder / "config.json").write_text("{}", encoding="utf-8")
        (folder / "model.safetensors").write_bytes(b"x")
    assert app.model_choices(settings(models_dir=models)) == ["a-model", "b-model"]
    assert app.model_choices(settings(models_dir=models, model="b-model")) == ["b-model", "a-model"]
    external = fake_model_dir(tmp_path)
    assert app.model_choices(settings(models_dir=models, model=str(external))) == [
        str(external),
        "a-model",
        "b-model",
    ]
    assert app.model_choices(settings(models_dir=tmp_path / "none")) == []


def shared_fake(tmp_path) -> tuple[app.SharedTranslator, FakeTranslator]:
    fake = FakeTranslator()
    cached = CachedTranslator(fake, SentenceCache(tmp_path / "cache.sqlite3"))
    return app.SharedTranslator(cached), fake


def test_translate_fills_in_chunk_by_chunk_then_comes_back_from_the_cache(tmp_path):
    shared, fake = shared_fake(tmp_path)
    article = app.ingest.read_text("جملة أولى. جملة ثانية. جملة ثالثة.")
    readings = list(app.translate(article, shared, settings(), chunk_sentences=1))
    assert [(r.done, r.total, r.model_calls) for r in readings] == [(0, 3, 0), (1, 3, 1), (2, 3, 2), (3, 3, 3)]
    assert [s.has(Flag.PENDING) for s in readings[1].document.sentences] == [False, True, True]
    assert readings[-1].finished and readings[-1].status == "Translated 3 sentences"
    assert readings[1].status == "Translating… 1 of 3 sentences"
    assert len(fake.calls) == 3

    again = list(app.translate(article, shared, settings(), chunk_sentences=1))
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


def test_downloads_render_every_format_or_say_why_not(tmp_path, monkeypatch):
    shared, _ = shared_fake(tmp_path)
    article = app.read_seed("desert-solar-farm.ar.txt", settings())
    *_, reading = app.translate(article, shared, settings())

    def broken(document, fmt, **options):
        if fmt == "pdf":
            raise ExportError("the pdf export needs packages that are not installed (fpdf)")
        return f"{fmt}:{len(document.sentences)}".encode()

    monkeypatch.setattr(app.export, "render", broken)
    monkeypatch.setattr(app.importlib.util, "find_spec", lambda name: None if name.endswith("tmx") else name)
    items = app.downloads(reading.document)
    n = len(reading.document.sentences)
    assert [(d.label, d.file_name, d.data, d.error) for d in items] == [
        ("JSON", "desert-solar-farm.ar-en.json", f"json:{n}".encode(), ""),
        ("HTML", "desert-solar-farm.ar-en.html", f"html:{n}".encode(), ""),
        ("PDF", "desert-solar-farm.ar-en.pdf", None, "the pdf export needs packages that are not installed (fpdf)"),
        ("Markdown", "desert-solar-farm.ar-en.md", f"md:{n}".encode(), ""),
    ]  # TMX is left out: its exporter is "not installed"


def test_real_downloads_include_the_html_export(tmp_path):
    shared, _ = shared_fake(tmp_path)
    *_, reading = app.translate(app.ingest.read_text("مرحبا بكم."), shared, settings())
    by_label = {d.label: d for d in app.downloads(reading.document)}
    assert by_label["HTML"].data == app.export.render(reading.document, "html")
    assert by_label["JSON"].data.decode().startswith("{")
    assert by_label["HTML"].file_name == "article.ar-en.html"


def test_cache_figures_read_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_CACHE_PATH", str(tmp_path / "c.sqlite3"))
    SentenceCache(tmp_path / "c.sqlite3").put_many("m:v1", {"جملة": Translation("sentence", ((0, 0),), -0.1)})
    figures = dict(app.cache_figures(settings()))
    assert figures["Cached sentences"] == "1" and figures["Models in cache"] == "1"


def test_messages_escape_markdown_and_name_unexpected_errors():
    assert app.error_message(ReaderError("[x](javascript:alert(1)) *bold*")) == (
        "\\[x\\]\\(javascript:alert\\(1\\)\\) \\*bold\\*"
    )
    message = app.error_message(RuntimeError("boom"))
    assert message.startswith("Unexpected error \\(RuntimeError\\): boom")
    assert re.search("server log", message)


def test_view_height_fits_short_articles_and_caps_long_ones():
    short = app.ingest.read_text("جملة قصيرة.")
    from reader.pipeline import segment_document

    assert app.view_height(segment_document(short.text)) == app.VIEW_MIN_HEIGHT
    long_text = "\n\n".join(["جملة عربية طويلة نسبيا تتكرر في كل فقرة من فقرات المقال. " * 3] * 30)
    assert app.view_height(segment_document(long_text)) == app.VIEW_MAX_HEIGHT
    middle = "\n\n".join(["جملة عربية طويلة نسبيا تتكرر في كل فقرة. " * 2] * 4)
    assert app.VIEW_MIN_HEIGHT < app.view_height(segment_document(middle)) < app.VIEW_MAX_HEIGHT
