"""The composition root (reader.api): one way to open a translator, for the CLI, the app, batch and Ray."""

from __future__ import annotations

import pickle
from dataclasses import replace

from reader.api import TranslatorFactory, iter_article, open_translator, translate_article
from reader.config import Settings
from reader.document import Document, Metadata
from reader.ingest import Article
from reader.models import folder
from reader.translate.cached import CachedTranslator


def test_open_translator_wraps_the_backend_in_the_cache(fake_model):
    translator = open_translator(Settings.load())()
    assert isinstance(translator, CachedTranslator)
    assert translator.translate_batch(["قال"])[0].text == "qal"
    again = open_translator(Settings.load())()
    assert again.translate_batch(["قال"])[0].cached
    assert again.model_calls == 0
    assert (fake_model.loads, fake_model.calls) == (2, [["قال"]])


def test_the_factory_is_picklable_and_carries_a_runtime_backend(fake_model):
    import reader

    factory = reader.open_translator(Settings.load())
    assert isinstance(factory, TranslatorFactory) and factory.plugin == ("fake", fake_model.load)
    copy = pickle.loads(pickle.dumps(factory))  # what a Ray actor receives: settings and the backend, no model
    assert (copy.settings, copy.refresh, copy.plugin[0]) == (factory.settings, factory.refresh, "fake")
    assert copy.plugin[1].__self__ == fake_model  # the registered factory, by value
    assert copy().model_fingerprint == factory.model().fingerprint == folder.fingerprint(fake_model.folder)


def test_translate_article_records_the_model_once_by_name_and_fingerprint(fake_model):
    settings = Settings.load()
    translator = open_translator(settings)()
    article = Article(
        "قال الوزير.",
        Metadata(title="عنوان", author="كاتب", date="2024-11-21", agency="أ ف ب"),
        source="http://a/1",
        url="http://a/2",
    )
    document = translate_article(article, translator, settings)
    assert document.meta == Metadata(
        title="عنوان",
        title_translation="enwan",  # the page's title is not in the text: translated on its own
        source="http://a/2",  # where the text came from, after redirects
        author="كاتب",
        date="2024-11-21",
        agency="أ ف ب",
        model="fake-model",  # a folder is named by its name, never by a local path
        model_fingerprint=folder.fingerprint(fake_model.folder),
    )
    assert [s.translation for s in document.sentences] == ["qal alwzyr."]
    steps = list(iter_article(article, translator, settings, chunk_sentences=1))
    assert steps[-1].document.meta == document.meta
    assert {step.document.meta for step in steps[:-1]} == {replace(document.meta, title_translation="")}
    assert Document.from_json(document.to_json()).meta == document.meta
    assert document.title_en == "enwan"


def test_the_title_is_translated_once_through_the_cache_unless_the_text_starts_with_it(fake_model):
    settings = Settings.load()
    translator = open_translator(settings)()
    page = Article("قال الوزير.", Metadata(title="البنك يثبت الفائدة"), source="http://a/1")
    first = translate_article(page, translator, settings)
    assert (first.title, first.title_en) == ("البنك يثبت الفائدة", "albnk ythbt alfaida")
    assert fake_model.sentences == ["قال الوزير.", "البنك يثبت الفائدة"]
    again = translate_article(page, open_translator(settings)(), settings)
    assert again.meta.title_translation == "albnk ythbt alfaida" and len(fake_model.calls) == 2  # from the cache

    headline_first = Article("البنك  يثبت الفائدة\nقال الوزير.", Metadata(title="البنك يثبت الفائدة"))
    document = translate_article(headline_first, translator, settings)
    assert document.meta.title_translation == ""  # the headline is the first paragraph, translated there
    assert document.title_en == document.paragraphs[0].translation == "albnk ythbt alfaida"
    text_file = translate_article(Article("عنوان الخبر\nقال الوزير."), translator, settings)
    assert (text_file.title, text_file.title_en) == ("عنوان الخبر", "enwan alkhbr")


def test_a_document_written_before_model_fingerprints_still_loads():
    old = {"format": "reader.document", "version": 1, "meta": {"title": "t", "model": "opus-mt-ar-en"}, "text": ""}
    assert Document.from_dict(old).meta == Metadata(title="t", model="opus-mt-ar-en")


def test_importing_reader_does_no_work():
    import subprocess
    import sys

    code = "import reader, sys; print(sorted(m for m in sys.modules if m.startswith('reader')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['reader']"
