"""The CLI, in-process (click's runner) with the fake backend registered through the real registry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.document import Document
from tests.support.fake import transliterate

ARTICLE = "البنك يثبت الفائدة\nقال الوزير إن النمو قوي. وأضاف أن التضخم تراجع.\n"


@pytest.fixture
def env(tmp_path, fake_model):
    article = tmp_path / "news.ar.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return article


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_translate_prints_english_and_second_run_uses_only_the_cache(env):
    first = run("translate", str(env))
    assert first.exit_code == 0, first.output
    expected = [" ".join(transliterate(w) for w in line.split()) for line in ARTICLE.splitlines()]
    assert first.stdout.splitlines() == expected
    assert "3 sentences, 0 from cache, 1 model calls" in first.stderr
    second = run("translate", str(env))
    assert second.stdout == first.stdout
    assert "3 sentences, 3 from cache, 0 model calls" in second.stderr


def test_translate_writes_formats_to_out(env, tmp_path):
    result = run("translate", str(env), "--format", "json,md", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    document = Document.from_json((tmp_path / "out" / "news.json").read_text(encoding="utf-8"))
    assert len(document.sentences) == 3
    assert (tmp_path / "out" / "news.md").is_file()


def test_translate_reads_stdin_and_folders(env, tmp_path):
    assert run("translate", "-", input="قال الوزير.").stdout.strip() == "qal alwzyr."
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("قال.", encoding="utf-8")
    (folder / "b.md").write_text("غادر.", encoding="utf-8")
    (folder / "skip.bin").write_bytes(b"\0")
    assert run("translate", str(folder)).stdout.splitlines() == ["qal.", "ghadr."]


def test_segment_prints_json_lines_with_offsets(env):
    result = run("segment", str(env))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["paragraph"], r["text"]) for r in records] == [
        (0, "البنك يثبت الفائدة"),
        (1, "قال الوزير إن النمو قوي."),
        (1, "وأضاف أن التضخم تراجع."),
    ]
    assert all(ARTICLE[r["start"] : r["end"]] == r["text"] for r in records)


@pytest.mark.parametrize(
    "args, message",
    [
        (["translate", "no-such-file.txt"], "no-such-file.txt"),
        (["translate", "x.txt", "--format", "docx"], "unknown format"),
        (["translate", "x.txt", "--format", "pdf"], "PDF output needs --out"),
    ],
)
def test_errors_are_messages_with_nonzero_exit(env, args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_model_tells_the_user_what_to_run(monkeypatch, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("قال.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", str(article)])
    assert result.exit_code == 1
    assert "reader models pull opus-mt-ar-en" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_models_list_and_cache_commands(env):
    listing = run("models", "list")
    assert "opus-mt-ar-en (default): Helsinki-NLP/opus-mt-ar-en" in listing.stdout
    assert "BLEU 42.6" in listing.stdout
    run("translate", str(env))
    stats = run("cache", "stats")
    assert "entries: 3" in stats.stdout
    cleared = run("cache", "clear", "--yes", "--article", str(env))
    assert "removed 3 entries" in cleared.stdout
    assert "entries: 0" in run("cache", "stats").stdout


def test_export_renders_a_document_json(env, tmp_path):
    run("translate", str(env), "--format", "json", "--out", str(tmp_path / "o"))
    result = run("export", str(tmp_path / "o" / "news.json"), "--format", "tmx,md", "--out", str(tmp_path / "e"))
    assert result.exit_code == 0, result.output
    tmx = Path(tmp_path / "e" / "news.tmx").read_text(encoding="utf-8")
    assert len(re.findall(r"<tu[ >]", tmx)) == 3
