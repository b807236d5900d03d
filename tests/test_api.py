"""The composition root (reader.api): one way to open a translator, for the CLI, the app, batch and Ray."""

from __future__ import annotations

import pickle

from reader.api import TranslatorFactory, open_translator
from reader.config import Settings
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
