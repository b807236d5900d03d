"""The digest (reader.library.digest, `reader digest`): new articles by watchlist and by story, in every format."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.errors import LibraryError
from reader.library import Library
from reader.library.digest import build, parse_since, render
from tests.support.stories import labelled


@pytest.fixture
def library(isolated_settings: Path) -> Library:
    with Library(isolated_settings / "library") as lib:
        lib.watch("sisi", ["السيسي=Sisi"])
        for _, key, document in labelled():
            lib.add(document, key)
        yield lib


def test_since_reads_spans_and_days() -> None:
    assert parse_since("24h", now=100_000) == 100_000 - 86_400
    assert parse_since(" 90m ", now=10_000) == 10_000 - 5_400
    assert parse_since("2024-06-01") == 1_717_200_000
    with pytest.raises(LibraryError, match="cannot read --since 'yesterday'"):
        parse_since("yesterday")


def test_the_digest_groups_new_articles_by_watchlist_and_by_story(library: Library) -> None:
    old = library.page(limit=100).rows[-1]
    file = library.root / "articles" / f"{old.id}.json"
    os.utime(file, (time.time() - 3 * 86400,) * 2)
    library.reindex()  # the index now says that one was written three days ago
    digest = build(library, parse_since("24h"))
    assert digest.articles == 9 and old.id not in {e.row.id for e in digest.stories}
    ((name, entries),) = digest.watchlists
    assert name == "sisi" and all(e.terms == ("السيسي=Sisi",) for e in entries)
    assert len(digest.stories) == 4  # each story once, however many outlets
    markdown = render(digest, "md", app_url="http://localhost:8501/").decode()
    assert "Watchlist: sisi" in markdown and "Stories (" in markdown
    assert f"http://localhost:8501/?doc={entries[0].row.id}" in markdown
    assert "sources:" in markdown  # a story told by several outlets names them


def test_every_format_renders(library: Library, tmp_path: Path) -> None:
    digest = build(library, parse_since("24h"))
    html = render(digest, "html").decode()
    assert "Content-Security-Policy" in html and "Watchlist" in html and "Stories" in html
    assert render(digest, "pdf").startswith(b"%PDF")
    epub = tmp_path / "digest.epub"
    epub.write_bytes(render(digest, "epub"))
    with zipfile.ZipFile(epub) as book:
        assert book.read("mimetype") == b"application/epub+zip"


def test_reader_digest_writes_a_file_and_says_how_many(library: Library, tmp_path: Path) -> None:
    out = tmp_path / "digest.pdf"
    result = CliRunner().invoke(cli, ["digest", "--since", "7d", "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "10 new article(s) in 4 story(ies)" in result.stderr
    result = CliRunner().invoke(cli, ["digest", "--format", "epub"])
    assert result.exit_code == 2 and "needs --out FILE" in result.output
    assert "Watchlist: sisi" in CliRunner().invoke(cli, ["digest"]).stdout


def test_a_watched_feed_check_writes_the_digest_once_a_day(library: Library, tmp_path: Path) -> None:
    from reader.library.digest import write_daily

    now = time.time()
    first = write_daily(library, tmp_path / "digests", now=now)
    assert first is not None and first.name.startswith("digest-") and b"Watchlist" in first.read_bytes()
    assert write_daily(library, tmp_path / "digests", now=now) is None  # today's is there
    result = CliRunner().invoke(cli, ["feeds", "check", "--digest", str(tmp_path / "cli")])
    assert result.exit_code == 0 and "digest written" in result.stderr
    assert len(list((tmp_path / "cli").glob("digest-*.html"))) == 1
