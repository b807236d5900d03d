"""The composition root (reader.api): one way to open a translator, for the CLI, the app, batch and Ray."""

from __future__ import annotations

import pickle

from reader.api import TranslatorFactory, iter_article, open_translator, translate_article
from reader.config import Settings
from reader.document import Document, Metadata
from reader.ingest import Article
from reader.models import folder
from reader.translate.cached import CachedTranslator
from tests.support.fake import load_fake
from tests.support.models import fake_model_folder


def test_open_translator_wraps_the_backend_in_the_cache(tmp_path, fake_backend):
    folder = fake_model_folder(tmp_path / "m")
    translator = open_translator(Settings.load(model=str(folder), backend=fake_backend))()
    assert isinstance(translator, CachedTranslator)
    assert translator.translate_batch(["قال"])[0].text == "qal"
    again = open_translator(Settings.load(model=str(folder), backend=fake_backend))()
    assert again.translate_batch(["قال"])[0].cached
    assert again.model_calls == 0


def test_the_factory_is_picklable_and_carries_a_runtime_backend(tmp_path, fake_backend):
    import reader

    settings = Settings.load(model=str(fake_model_folder(tmp_path / "m")), backend=fake_backend)
    factory = reader.open_translator(settings)
    assert isinstance(factory, TranslatorFactory) and factory.plugin == ("fake", load_fake)
    copy = pickle.loads(pickle.dumps(factory))
    assert copy == factory
    assert copy().model_fingerprint == factory.model().fingerprint


def test_translate_article_records_the_model_once_by_name_and_fingerprint(tmp_path, fake_backend):
    model = fake_model_folder(tmp_path / "models" / "my-model")
    settings = Settings.load(model=str(model), backend=fake_backend)
    translator = open_translator(settings)()
    article = Article(
        "قال الوزير.", title="عنوان", author="كاتب", date="2024-11-21", source="http://a/1", url="http://a/2"
    )
    document = translate_article(article, translator, settings)
    assert document.meta == Metadata(
        title="عنوان",
        source="http://a/2",  # where the text came from, after redirects
        author="كاتب",
        date="2024-11-21",
        model="my-model",  # a folder is named by its name, never by a local path
        model_fingerprint=folder.fingerprint(model),
    )
    assert [s.translation for s in document.sentences] == ["qal alwzyr."]
    steps = list(iter_article(article, translator, settings, chunk_sentences=1))
    assert {step.document.meta for step in steps} == {document.meta}
    assert Document.from_json(document.to_json()).meta == document.meta


def test_a_document_written_before_model_fingerprints_still_loads():
    old = {"format": "reader.document", "version": 1, "meta": {"title": "t", "model": "opus-mt-ar-en"}, "text": ""}
    assert Document.from_dict(old).meta == Metadata(title="t", model="opus-mt-ar-en")
