"""The model store: catalog, import, backend choice, and clear messages when offline or missing."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from reader.config import Settings
from reader.errors import ModelError, ModelNotFoundError
from reader.models.catalog import catalog
from reader.models.store import import_model, installed_models, pull, resolve
from tests.support.models import fake_model_folder


def test_catalog_lists_both_models_with_pins_and_scores():
    entries = catalog()
    assert entries["opus-mt-ar-en"].default
    assert entries["opus-mt-ar-en"].hub_id == "Helsinki-NLP/opus-mt-ar-en"
    assert entries["opus-mt-ar-en"].bleu_flores101 == 33.9
    assert entries["opus-mt-tc-big-ar-en"].bleu_flores101 == 42.6
    for entry in entries.values():
        assert re.fullmatch(r"[0-9a-f]{40}", entry.revision)
        assert entry.size_mb > 0 and entry.license


def test_missing_catalog_model_says_what_to_run():
    with pytest.raises(ModelNotFoundError, match="reader models pull opus-mt-ar-en"):
        resolve(Settings.load())


def test_unknown_model_and_missing_folder_are_clear():
    with pytest.raises(ModelNotFoundError, match="unknown model 'nope'"):
        resolve(Settings.load(model="nope"))
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve(Settings.load(model="./no/such/folder"))


def test_pull_offline_is_a_clear_message_not_a_traceback(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # read once, at import
    with pytest.raises(ModelNotFoundError, match="could not download Helsinki-NLP/opus-mt-ar-en") as info:
        pull("opus-mt-ar-en", Settings.load())
    assert "reader models import" in str(info.value)
    assert not (Settings.load().models_dir / "opus-mt-ar-en").exists()


def test_import_checks_the_folder_and_installs_it(tmp_path):
    settings = Settings.load()
    with pytest.raises(ModelNotFoundError, match=r"missing: source\.spm"):
        incomplete = tmp_path / "incomplete"
        incomplete.mkdir()
        (incomplete / "config.json").write_text("{}")
        import_model(incomplete, settings)
    bad_type = fake_model_folder(tmp_path / "bert")
    (bad_type / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ModelError, match="reader needs a Marian model"):
        import_model(bad_type, settings)

    target = import_model(fake_model_folder(tmp_path / "mine"), settings, name="my-model")
    assert [m.name for m in installed_models(settings)] == ["my-model"]
    model = resolve(replace(settings, model="my-model"))
    assert model.path == target and model.backend == "transformers"


def test_auto_backend_prefers_a_ct2_conversion(tmp_path):
    settings = Settings.load()
    import_model(fake_model_folder(tmp_path / "m"), settings, name="m")
    assert resolve(replace(settings, model="m")).backend == "transformers"
    converted = settings.models_dir / "m-ct2-int8"
    converted.mkdir()
    (converted / "model.bin").write_text("x")
    assert resolve(replace(settings, model="m")).path == converted
    assert resolve(replace(settings, model="m", backend="transformers")).backend == "transformers"
    with pytest.raises(ModelNotFoundError, match="reader models convert other"):
        import_model(fake_model_folder(tmp_path / "other"), settings, name="other")
        resolve(replace(settings, model="other", backend="ct2"))
