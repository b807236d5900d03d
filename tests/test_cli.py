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


PAGES = Path(__file__).resolve().parent / "data" / "pages"


def test_extract_shows_the_title_metadata_and_paragraphs_of_a_page():
    result = run("extract", str(PAGES / "agency-petra.html"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "title: الحكومة تقر إجراءات لدعم المزارعين",
        "date: 2025-03-14",
        "agency: بترا",
        f"source: {PAGES / 'agency-petra.html'}",
        "paragraphs: 4",
    ]
    first = "[1] عمان 14 آذار (بترا)-- أقر مجلس الوزراء في جلسته اليوم الجمعة حزمة من الإجراءات لدعم القطاع"
    assert lines[5:8] == ["", f"{first} الزراعي وتخفيف الأعباء عن المزارعين.", ""]
    assert lines[-1] == "[4] ولفت إلى أن الحكومة ستقيم أثر هذه الإجراءات بعد ستة أشهر من تطبيقها."


def test_extract_json_and_stdin():
    result = run("extract", "--json", "-", input="قال الوزير.\nوأضاف أن النمو قوي.\n")
    record = json.loads(result.stdout)
    assert record["paragraphs"] == ["قال الوزير.", "وأضاف أن النمو قوي."]
    assert (record["source"], record["agency"], record["warnings"]) == ("-", "", [])


def test_extract_fetches_urls(monkeypatch):
    from tests.support.http_server import LocalServer, page

    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    with LocalServer() as server:
        server.routes["/news"] = page((PAGES / "lead-block.html").read_bytes())
        result = run("extract", "--json", server.url("/news"))
    record = json.loads(result.stdout)
    assert record["url"] == server.url("/news") and record["agency"] == "أ ف ب"
    assert record["paragraphs"][0].startswith("حذرت الأمم المتحدة")


def test_extract_prints_control_characters_as_escapes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("قال \x1b[2J الوزير \x9b إن " + "النمو قوي. " * 20, encoding="utf-8")
    result = run("extract", str(path))
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert "قال \\x1b[2J الوزير \\x9b إن" in result.stdout
    assert "\x9b" not in run("extract", "--json", str(path)).stdout


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no-such-page.html", "Error: no-such-page.html: no such file"),
        ("ftp://example.com/a", "only http and https URLs are allowed"),
        ("page.pdf", "page.pdf: not a readable PDF"),
    ],
)
def test_extract_bad_input_is_one_line_and_exit_1(tmp_path, monkeypatch, spec, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.pdf").write_bytes(b"%PDF")
    result = CliRunner().invoke(cli, ["extract", spec])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
