"""The real CLI in separate processes with the trained toy Marian model: exact English, then a
second process that is served entirely from the persistent cache (zero model calls)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from reader.document import Document
from tests.support.toy import TOY_ARTICLE, TOY_ARTICLE_EN, TOY_ARTICLE_PAIRS


def reader(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_translate_in_two_processes_second_is_all_cache(toy_model_dir: Path, tmp_path: Path):
    article = tmp_path / "toy.ar.txt"
    article.write_text(TOY_ARTICLE, encoding="utf-8")
    env = {
        **os.environ,
        "READER_MODEL": str(toy_model_dir),
        "READER_BACKEND": "transformers",
        "READER_THREADS": "1",
        "READER_CACHE_PATH": str(tmp_path / "cache.sqlite3"),
    }
    first = reader("translate", str(article), "--format", "json", "--out", str(tmp_path / "out"), env=env)
    assert first.returncode == 0, first.stderr
    assert "6 sentences, 0 from cache, 1 model calls" in first.stderr
    document = Document.from_json((tmp_path / "out" / "toy.json").read_text(encoding="utf-8"))
    assert [p.translation for p in document.paragraphs] == [p for p in TOY_ARTICLE_EN.split("\n") if p]
    gold = [example.alignment for paragraph in TOY_ARTICLE_PAIRS for example in paragraph]
    assert [set(s.alignment) for s in document.sentences] == [set(a) for a in gold]

    second = reader("translate", str(article), env=env)
    assert second.returncode == 0, second.stderr
    assert "6 sentences, 6 from cache, 0 model calls" in second.stderr
    assert second.stdout.split("\n") == [p for p in TOY_ARTICLE_EN.split("\n") if p] + [""]


def test_import_convert_then_auto_backend_uses_ctranslate2(toy_model_dir: Path, tmp_path: Path, monkeypatch):
    from click.testing import CliRunner

    from reader.cli import cli

    monkeypatch.setenv("READER_THREADS", "1")
    runner = CliRunner()
    imported = runner.invoke(cli, ["models", "import", str(toy_model_dir), "--name", "toy", "--no-convert"])
    assert imported.exit_code == 0, imported.output
    converted = runner.invoke(cli, ["models", "convert", "toy", "--to", "ct2", "--quantization", "float32"])
    assert converted.exit_code == 0, converted.output
    assert "toy-ct2-float32" in converted.stdout
    listing = runner.invoke(cli, ["models", "list"]).stdout
    assert "toy: local transformers model" in listing and "toy-ct2-float32: local ct2 model" in listing

    article = tmp_path / "toy.txt"
    article.write_text(TOY_ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["translate", str(article), "--model", "toy", "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = Document.from_json((out / "toy.json").read_text(encoding="utf-8"))
    assert [p.translation for p in document.paragraphs] == [p for p in TOY_ARTICLE_EN.split("\n") if p]
    gold = [example.alignment for paragraph in TOY_ARTICLE_PAIRS for example in paragraph]
    assert [set(s.alignment) for s in document.sentences] == [set(a) for a in gold]
    assert runner.invoke(cli, ["cache", "stats"]).stdout.count("ct2:float32") == 1
