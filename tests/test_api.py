"""The composition root (reader.api): one way to open a translator, for the CLI, the app, batch and Ray."""

from __future__ import annotations

import pickle

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
        source="http://a/2",  # where the text came from, after redirects
        author="كاتب",
        date="2024-11-21",
        agency="أ ف ب",
        model="fake-model",  # a folder is named by its name, never by a local path
        model_fingerprint=folder.fingerprint(fake_model.folder),
    )
    assert [s.translation for s in document.sentences] == ["qal alwzyr."]
    steps = list(iter_article(article, translator, settings, chunk_sentences=1))
    assert {step.document.meta for step in steps} == {document.meta}
    assert Document.from_json(document.to_json()).meta == document.meta


def test_a_document_written_before_model_fingerprints_still_loads():
    old = {"format": "reader.document", "version": 1, "meta": {"title": "t", "model": "opus-mt-ar-en"}, "text": ""}
    assert Document.from_dict(old).meta == Metadata(title="t", model="opus-mt-ar-en")


def test_importing_reader_does_no_work():
    import subprocess
    import sys

    code = "import reader, sys; print(sorted(m for m in sys.modules if m.startswith('reader')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['reader']"
