"""The fast engine by default: `reader models pull` and `import` convert to CTranslate2 int8 right away.

When that cannot be done (ctranslate2 missing, a model it cannot convert), the model is installed
anyway, runs on transformers, and one line says why. All offline: the tiny and toy model folders.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.api import open_translator
from reader.cli import cli
from reader.config import Settings
from reader.models import folder
from reader.models.store import resolve
from reader.translate.cache import SentenceCache
from tests.support.toy import TOY_ARTICLE, TOY_ARTICLE_EN


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning")]


def backend_of(name: str) -> str:
    return open_translator(Settings.load(model=name)).model().backend


def block_ctranslate2(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if ctranslate2 were not installed: importing it fails (even when this process has it already)."""
    for module in [m for m in sys.modules if m.startswith("ctranslate2.")]:
        monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, "ctranslate2", None)


@pytest.fixture
def no_ctranslate2(monkeypatch):
    block_ctranslate2(monkeypatch)


def test_import_converts_to_ct2_int8_with_progress_and_auto_serves_it(tiny_model_dir):
    result = run("models", "import", str(tiny_model_dir), "--name", "tiny")
    models = Settings.load().models_dir
    assert result.stdout.splitlines() == [str(models / "tiny"), str(models / "tiny-ct2-int8")]
    assert "tiny: loading tiny and converting it to CTranslate2 int8 ..." in result.stderr
    assert "tiny: copying the tokenizer and recording the conversion ..." in result.stderr
    assert warnings_of(result) == []
    record = folder.read_ct2_record(models / "tiny-ct2-int8")
    assert record.quantization == "int8" and record.source_fingerprint == folder.fingerprint(models / "tiny")
    assert backend_of("tiny") == "ct2"


def test_no_convert_keeps_the_model_on_transformers(tiny_model_dir):
    result = run("models", "import", str(tiny_model_dir), "--name", "tiny", "--no-convert")
    assert result.stdout.splitlines() == [str(Settings.load().models_dir / "tiny")]
    assert not (Settings.load().models_dir / "tiny-ct2-int8").exists()
    assert backend_of("tiny") == "transformers"


def test_without_ctranslate2_the_model_runs_on_transformers_and_one_line_says_why(
    toy_model_dir, no_ctranslate2, tmp_path
):
    result = run("models", "import", str(toy_model_dir), "--name", "toy")
    (warning,) = warnings_of(result)
    assert warning.startswith("Warning: toy will run on transformers, not CTranslate2: ")
    assert "ctranslate2" in warning and "pip install 'reader[ct2,ml]'" in warning
    models = Settings.load().models_dir
    assert sorted(p.name for p in models.iterdir()) == ["toy"]  # no conversion, no half-written folder
    assert backend_of("toy") == "transformers"
    article = tmp_path / "toy.ar.txt"
    article.write_text(TOY_ARTICLE, encoding="utf-8")
    english = run("translate", str(article), "--model", "toy").stdout
    assert english.split() == TOY_ARTICLE_EN.split()
    assert [f.split(":")[0] for f in SentenceCache(Settings.load().cache_path).stats().per_fingerprint] == [
        "transformers"
    ]


def test_a_conversion_that_fails_leaves_the_model_on_transformers(tiny_model_dir, tmp_path):
    """CTranslate2 would translate a model with a trained decoder-start embedding differently: it is refused."""
    import torch
    from transformers import MarianMTModel

    model = tmp_path / "fine-tuned"
    shutil.copytree(tiny_model_dir, model, ignore=shutil.ignore_patterns(".*"))
    weights = MarianMTModel.from_pretrained(model)
    with torch.no_grad():
        weights.model.shared.weight[weights.config.pad_token_id] += 0.01
    weights.save_pretrained(model)
    result = run("models", "import", str(model))
    (warning,) = warnings_of(result)
    assert warning.startswith("Warning: fine-tuned will run on transformers, not CTranslate2: CTranslate2 could not")
    assert "decoder start token" in warning
    assert sorted(p.name for p in Settings.load().models_dir.iterdir()) == ["fine-tuned"]
    assert backend_of("fine-tuned") == "transformers"


@pytest.fixture
def hub_serving(monkeypatch):
    """huggingface_hub's download, answered from a local folder: ``pull`` runs offline."""
    import huggingface_hub

    served: dict[str, Path] = {}

    def snapshot_download(*, repo_id, revision, local_dir, allow_patterns):
        if "source" not in served:
            raise AssertionError("nothing should be downloaded here")
        for path in served["source"].iterdir():
            if path.is_file() and path.name in allow_patterns:
                shutil.copy2(path, Path(local_dir) / path.name)
        return str(local_dir)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return served


def test_pull_converts_after_the_download_so_make_run_serves_ct2(tiny_model_dir, hub_serving):
    hub_serving["source"] = tiny_model_dir
    result = run("models", "pull", "opus-mt-ar-en")
    models = Settings.load().models_dir
    assert result.stdout.splitlines() == [str(models / "opus-mt-ar-en"), str(models / "opus-mt-ar-en-ct2-int8")]
    assert open_translator(Settings.load()).model().backend == "ct2"  # the default model, as the app opens it


def test_pull_if_none_installed_converts_an_installed_model_that_has_no_conversion(tiny_model_dir, hub_serving):
    run("models", "import", str(tiny_model_dir), "--name", "opus-mt-ar-en", "--no-convert")
    assert open_translator(Settings.load()).model().backend == "transformers"
    result = run("models", "pull", "opus-mt-ar-en", "--if-none-installed")  # what `make run` does
    assert result.stdout.splitlines() == [str(Settings.load().models_dir / "opus-mt-ar-en-ct2-int8")]
    assert open_translator(Settings.load()).model().backend == "ct2"
    again = run("models", "pull", "opus-mt-ar-en", "--if-none-installed")
    assert again.stdout == "" and again.stderr == ""


def test_installing_other_weights_replaces_their_old_conversion(tiny_model_dir, toy_model_dir, monkeypatch):
    run("models", "import", str(tiny_model_dir), "--name", "m")
    models = Settings.load().models_dir
    assert folder.read_ct2_record(models / "m-ct2-int8").source_fingerprint == folder.fingerprint(tiny_model_dir)
    run("models", "import", str(toy_model_dir), "--name", "m")
    assert folder.read_ct2_record(models / "m-ct2-int8").source_fingerprint == folder.fingerprint(toy_model_dir)

    block_ctranslate2(monkeypatch)
    result = run("models", "import", str(tiny_model_dir), "--name", "m")
    assert len(warnings_of(result)) == 1
    assert not (models / "m-ct2-int8").exists()  # never the old weights' conversion for the new weights
    assert resolve(Settings.load(model="m")).backend == "transformers"
