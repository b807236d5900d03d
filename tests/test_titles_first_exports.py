"""A titles-first document (``meta.scope = "lead"``) never passes for the whole article: every export and
translated feed says that only the title and first paragraph are translated, and where the rest is."""

from __future__ import annotations

import io
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader import export
from reader.document import LEAD_NOTE, SCOPE_LEAD, Flag, Metadata
from reader.publish.entries import make_entry
from tests.support.documents import make_document

SOURCE = "https://news.example/2024/rates"


def lead_document(scope: str = SCOPE_LEAD):
    """A title, a first paragraph translated, and a second one pending (what a titles-first check leaves)."""
    meta = Metadata(title="البنك يثبت الفائدة", title_translation="The bank holds rates", source=SOURCE, scope=scope)
    first = [("قال البنك إنه يثبت الفائدة.", "The bank said it holds rates.", [(0, 1)], [])]
    rest = [("وأضاف أن التضخم تراجع.", "", [], [Flag.PENDING]), ("وقال محلل إن القرار متوقع.", "", [], [Flag.PENDING])]
    return make_document([first, rest], meta)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "lead.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def test_every_export_says_only_the_lead_is_translated_and_where_the_rest_is(tmp_path: Path) -> None:
    document = lead_document()
    md = export.render(document, "md").decode()
    assert f"- **Translation:** {LEAD_NOTE}" in md.replace("\\", "") and f"- **Source:** {SOURCE}" in md
    page = export.render(document, "html").decode()
    assert f'<dt>Translation</dt><dd dir="auto">{LEAD_NOTE}</dd>' in page
    assert f'<a href="{SOURCE}"' in page  # the whole article, one click away
    with zipfile.ZipFile(io.BytesIO(export.render(document, "epub"))) as book:
        cover = book.read("OEBPS/cover.xhtml").decode()
    assert f"<td>Translation</td><td>{LEAD_NOTE}</td>" in cover
    assert "only the title and the first paragraph" in pdf_text(export.render(document, "pdf"), tmp_path)
    assert b'type="x-scope">lead<' in export.render(document, "tmx")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_whole_document_says_nothing_of_the_kind(fmt: str) -> None:
    assert b"titles first" not in export.render(lead_document(scope=""), fmt)


def test_a_translated_feed_entry_says_so_and_links_to_the_rest() -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    entry = make_entry("rates-1", lead_document(), updated=now, app_url="http://localhost:8501/")
    assert "Only the title and the first paragraph are translated so far" in entry.content_html
    assert '<a href="http://localhost:8501/?doc=rates-1">Translate the rest in reader</a>' in entry.content_html
    assert entry.summary == "The bank said it holds rates."
    whole = make_entry("rates-1", replace(lead_document(), meta=replace(lead_document().meta, scope="")), updated=now)
    assert "so far" not in whole.content_html


def test_watch_add_scan_without_a_model_keeps_the_watchlist_and_says_the_articles_wait(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reader.cli import cli
    from reader.library import Library

    root = tmp_path / "library"
    with Library(root) as library:
        id_ = library.add(lead_document(), SOURCE)
    args = ["watch", "add", "banks", "البنك", "--scan", "--model", str(tmp_path / "no-model"), "--library", str(root)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 article(s) in the library match" in result.stdout
    assert result.stderr.startswith("Warning: titles-first articles it hits stay partial until opened: ")
    with Library(root) as library:
        assert library.watched_leads() == [id_] and [w.name for w in library.watchlists()] == ["banks"]
