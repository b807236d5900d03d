"""Batch translation: folders, feeds, URL lists, failures, the index, incremental reruns, kill -9."""

from __future__ import annotations

import fcntl
import html.parser
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.api import open_translator
from reader.batch import MANIFEST_NAME, BatchOptions, Manifest, watch
from reader.batch.index import render_index
from reader.batch.manifest import DONE, Row
from reader.batch.outputs import LOCK_NAME
from reader.batch.progress import BarReporter, LogReporter, QuietReporter, make_reporter
from reader.cli.batch import batch_command
from reader.config import Settings
from reader.document import Document
from reader.errors import ModelError, ReaderError
from reader.library import document_id as output_stem
from reader.models import folder
from tests.support.batching import (
    article_text,
    batch,
    expected_translation,
    rss,
    sentences_for,
    serve_articles,
    tag,
)
from tests.support.fake import FakeModel, FakeTranslator
from tests.support.http_server import AD_TEXT, COMMENT_TEXT, NAV_TEXT, LocalServer, article_page, page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(fake_model: FakeModel) -> Settings:
    return fake_model.settings(allow_private_urls=True, fetch_timeout=5)


def load_json(out: Path, key: str) -> Document:
    return Document.from_json((out / "articles" / f"{output_stem(key)}.json").read_text(encoding="utf-8"))


def manifest_rows(out: Path) -> dict[str, Row]:
    with Manifest(out / MANIFEST_NAME) as manifest:
        return {row.key: row for row in manifest.rows()}


def test_folder_then_new_and_changed_files(tmp_path, settings, fake_model):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "one.txt").write_text(article_text(1), encoding="utf-8")
    (src / "two.md").write_text(article_text(2), encoding="utf-8")

    first = batch([str(src)], out, formats=["json", "html"], settings=settings)
    keys = [str((src / "one.txt").resolve()), str((src / "two.md").resolve())]
    assert (sorted(first.new), first.changed, first.unchanged, first.failed) == (sorted(keys), [], 0, [])
    assert (first.sentences, first.cache_hits) == (6, 0)
    document = load_json(out, keys[0])
    assert [s.translation for s in document.sentences] == [expected_translation(s) for s in sentences_for(1)]
    assert document.meta.source == keys[0]
    rows = manifest_rows(out)
    assert {k: r.status for k, r in rows.items()} == dict.fromkeys(keys, DONE)
    stem = output_stem(keys[0])
    assert rows[keys[0]].outputs == (f"articles/{stem}.json", f"articles/{stem}.html")
    assert (out / "articles" / f"{stem}.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype")

    # A new file appears, one file changes by one sentence: only those reach the model.
    (src / "three.txt").write_text(article_text(3), encoding="utf-8")
    changed = sentences_for(2)
    changed[1] = "هذا سطر جديد تماما."
    (src / "two.md").write_text("\n".join(changed) + "\n", encoding="utf-8")
    fake_model.calls.clear()
    second = batch([str(src)], out, formats=["json", "html"], settings=settings)
    key3 = str((src / "three.txt").resolve())
    assert (second.new, second.changed, second.unchanged, second.failed) == ([key3], [keys[1]], 1, [])
    assert sorted(fake_model.sentences) == sorted([*sentences_for(3), "هذا سطر جديد تماما."])
    assert (second.sentences, second.cache_hits) == (6, 2)
    assert [s.source for s in load_json(out, keys[1]).sentences] == changed

    # Nothing new: the model is not even opened.
    opened = fake_model.loads
    third = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert (third.new, third.changed, third.unchanged) == ([], [], 3)
    assert fake_model.loads == opened


def test_folder_is_recursive_and_skips_hidden_and_output(tmp_path, settings):
    src = tmp_path / "src"
    (src / "sub" / "deeper").mkdir(parents=True)
    (src / ".hidden").mkdir()
    (src / "sub" / "deeper" / "a.txt").write_text(article_text(1), encoding="utf-8")
    (src / ".hidden" / "b.txt").write_text(article_text(2), encoding="utf-8")
    (src / ".c.txt").write_text(article_text(3), encoding="utf-8")
    (src / "notes.odt").write_bytes(b"PK")  # not a format reader reads
    out = src / "translated"
    summary = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert summary.new == [str((src / "sub" / "deeper" / "a.txt").resolve())]
    # The outputs (html files inside src) are not read back as articles on the next run.
    again = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert (again.new, again.unchanged, again.failed) == ([], 1, [])


FEED_ITEMS = [
    ("/news/economy-rates", "البنك المركزي يثبت أسعار الفائدة", 11),
    ("/news/solar-farm", "محطة شمسية عملاقة في الصحراء", 12),
]


def test_rss_feed_translates_only_article_bodies(tmp_path, settings):
    out = tmp_path / "out"
    with LocalServer() as server:
        serve_articles(server, FEED_ITEMS)
        server.routes["/feed.xml"] = page(rss(server, FEED_ITEMS), content_type="application/rss+xml")
        summary = batch([server.url("/feed.xml")], out, formats=["json", "html"], settings=settings)
        assert summary.new == [server.url(path) for path, _, _ in FEED_ITEMS]
        for path, title, number in FEED_ITEMS:
            document = load_json(out, server.url(path))
            # The page's <h1> repeats the title inside <article>: it is the title, not a paragraph.
            assert document.text == "\n".join(sentences_for(number, 4))
            assert [s.source for s in document.sentences] == sentences_for(number, 4)
            assert (document.meta.title, document.meta.author, document.meta.date) == (title, "سارة أحمد", "2024-11-21")
            assert document.meta.source == server.url(path)
            raw = (out / "articles" / f"{output_stem(server.url(path))}.json").read_text(encoding="utf-8")
            for noise in (AD_TEXT, COMMENT_TEXT, *NAV_TEXT, "جميع الحقوق محفوظة"):
                assert noise not in raw
                assert expected_translation(noise) not in raw

        # Rerun: the feed is fetched again, its unchanged entries are not.
        server.requests.clear()
        again = batch([server.url("/feed.xml")], out, formats=["json", "html"], settings=settings)
        assert (again.new, again.unchanged) == ([], 2)
        assert server.requests == ["/feed.xml"]

        # A new entry: only its page is fetched and translated.
        extended = [*FEED_ITEMS, ("/news/summit", "قمة هلسنكي", 13)]
        serve_articles(server, extended)
        server.routes["/feed.xml"] = page(rss(server, extended), content_type="application/rss+xml")
        server.requests.clear()
        third = batch([server.url("/feed.xml")], out, formats=["json", "html"], settings=settings)
        assert (third.new, third.unchanged) == ([server.url("/news/summit")], 2)
        assert server.requests == ["/feed.xml", "/news/summit"]


def test_atom_feed_detected_by_content_with_relative_links(tmp_path, settings):
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        '<entry><title>a</title><link href="/a/one"/><id>1</id><updated>2024-11-21T08:00:00Z</updated></entry>'
        "</feed>"
    )
    with LocalServer() as server:
        server.routes["/a/one"] = page(article_page("عنوان", sentences_for(5, 4)))
        # Served as text/plain: recognised by its content, not its type or URL.
        server.routes["/atom"] = page(atom, content_type="text/plain")
        summary = batch([server.url("/atom")], tmp_path / "out", formats=["json"], settings=settings)
        assert summary.new == [server.url("/a/one")]


def test_article_file_citing_a_url_is_not_a_url_list(tmp_path, settings):
    article = tmp_path / "cites.txt"
    article.write_text(sentences_for(1)[0] + "\nhttps://news.example/source\n" + sentences_for(1)[1] + "\n")
    summary = batch([str(article)], tmp_path / "out", formats=["json"], settings=settings)
    assert (summary.new, summary.failed) == ([str(article.resolve())], [])


def test_single_article_url_source(tmp_path, settings):
    with LocalServer() as server:
        server.routes["/story"] = page(article_page("عنوان", sentences_for(6, 4)))
        summary = batch([server.url("/story")], tmp_path / "out", formats=["json"], settings=settings)
        assert summary.new == [server.url("/story")]
        assert server.requests == ["/story"]
        assert [s.source for s in load_json(tmp_path / "out", server.url("/story")).sentences] == sentences_for(6, 4)


def test_url_list_with_failures_among_good_ones(tmp_path, settings):
    out = tmp_path / "out"
    with LocalServer() as server:
        serve_articles(server, FEED_ITEMS)
        listing = tmp_path / "urls.txt"
        listing.write_text(
            "# today's reading\n\n"
            f"{server.url('/news/economy-rates')}\n"
            f"  {server.url('/missing')}  \n"
            "ftp://example.com/article\n"
            f"{server.url('/news/solar-farm')}\n"
            "news.example/typo\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            batch_command,
            [str(listing), "--out", str(out), "--format", "json"],
            env={
                "READER_MODEL": settings.model,
                "READER_BACKEND": "fake",
                "READER_ALLOW_PRIVATE_URLS": "1",
            },
        )
        assert result.exit_code == 1, result.output
        rows = manifest_rows(out)
        assert rows[server.url("/news/economy-rates")].status == DONE
        assert rows[server.url("/news/solar-farm")].status == DONE
        assert rows[server.url("/missing")].status == "failed"
        assert rows[server.url("/missing")].error == (
            f"cannot fetch {server.url('/missing')}: the server answered HTTP 404 Not Found"
        )
        assert "2 new, 0 changed, 0 unchanged, 3 failed" in result.output
        assert f"{listing}, line 5: only http and https URLs are allowed" in result.output
        assert f"{listing}, line 7: not a URL" in result.output


def test_bad_articles_and_sources_are_reported_and_skipped(tmp_path, settings):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "good.txt").write_text(article_text(1), encoding="utf-8")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (src / "empty.md").write_text("  \n", encoding="utf-8")
    with LocalServer() as server:
        dead = server.url("/gone")
    summary = batch([str(src), str(tmp_path / "nowhere"), dead], out, formats=["json"], settings=settings)
    assert summary.new == [str((src / "good.txt").resolve())]
    reasons = {f.key: f.reason for f in summary.failed}
    assert reasons[str(tmp_path / "nowhere")] == f"{tmp_path / 'nowhere'}: no such file or folder"
    assert reasons[str((src / "image.txt").resolve())].endswith(
        "looks like a binary file (it contains NUL bytes), not text"
    )
    assert reasons[str((src / "empty.md").resolve())].endswith("is empty (no text to translate)")
    assert reasons[dead].startswith(f"cannot fetch {dead}: cannot connect")
    assert not summary.ok
    report = summary.report()
    assert "1 new, 0 changed, 0 unchanged, 4 failed" in report
    assert "failures:" in report


def test_translation_error_fails_one_article_only(tmp_path, settings):
    src = tmp_path / "src"
    src.mkdir()
    for n in (1, 2, 3):
        (src / f"a{n}.txt").write_text(article_text(n), encoding="utf-8")

    class Flaky(FakeTranslator):
        def translate_batch(self, sentences):
            if any(tag(200) in s for s in sentences):
                raise ValueError("model exploded")
            return super().translate_batch(sentences)

    flaky = Flaky()
    summary = batch(
        [str(src)], tmp_path / "out", formats=["json"], settings=settings, translator_factory=lambda: flaky
    )
    assert len(summary.new) == 2
    assert [(Path(f.key).name, f.reason) for f in summary.failed] == [
        ("a2.txt", "unexpected ValueError: model exploded")
    ]


def test_failing_update_keeps_the_previous_translation(tmp_path, settings):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    key = str((src / "a.txt").resolve())
    batch([str(src)], out, formats=["json"], settings=settings)
    before = manifest_rows(out)[key]
    (src / "a.txt").write_text(article_text(1) + "جملة تفشل.\n", encoding="utf-8")

    class Failing(FakeTranslator):
        def translate_batch(self, sentences):
            raise ModelError("out of memory")

    summary = batch([str(src)], out, formats=["json"], settings=settings, translator_factory=Failing)
    assert [(f.key, f.reason) for f in summary.failed] == [(key, "out of memory")]
    after = manifest_rows(out)[key]
    assert (after.status, after.content_hash, after.outputs, after.error) == (
        DONE,
        before.content_hash,
        before.outputs,
        "out of memory",
    )
    assert 'class="title"' in (out / "index.html").read_text(encoding="utf-8")
    assert [s.source for s in load_json(out, key).sentences] == sentences_for(1)
    # Once the model works again, the new version replaces the old one.
    assert batch([str(src)], out, formats=["json"], settings=settings).changed == [key]


def test_missing_model_stops_the_run_with_a_clear_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    with pytest.raises(ReaderError, match="does not exist"):
        batch(
            [str(src)], tmp_path / "out", formats=["json"], settings=Settings.load(model=str(tmp_path / "no-model"))
        )


def test_failed_export_leaves_article_not_done(tmp_path, settings, monkeypatch):
    """Files first, manifest last: an article whose second file fails is not done, and is redone."""
    from reader import export

    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    real_write = export.write

    def failing(document, fmt, path, **options):
        if fmt == "html":
            raise OSError(28, "No space left on device", str(path))
        return real_write(document, fmt, path, **options)

    monkeypatch.setattr(export, "write", failing)
    summary = batch([str(src)], out, formats=["json", "html"], settings=settings)
    key = str((src / "a.txt").resolve())
    assert summary.failed[0].reason.endswith("No space left on device")
    assert manifest_rows(out)[key].status == "failed"
    monkeypatch.setattr(export, "write", real_write)
    again = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert again.new == [key]
    assert manifest_rows(out)[key].status == DONE


def test_new_format_or_deleted_file_is_regenerated_from_the_cache(tmp_path, settings, fake_model):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    batch([str(src)], out, formats=["json"], settings=settings)
    calls = len(fake_model.calls)
    key = str((src / "a.txt").resolve())
    summary = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert (summary.changed, summary.cache_hits) == ([key], 3)
    (out / "articles" / f"{output_stem(key)}.json").unlink()
    summary = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert summary.changed == [key]
    assert (out / "articles" / f"{output_stem(key)}.json").is_file()
    assert len(fake_model.calls) == calls


def test_stale_temporary_files_are_removed(tmp_path, settings):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    (out / "articles").mkdir(parents=True)
    stale = [out / "articles" / ".x.json.abc123.tmp", out / ".index.html.q1w2.tmp"]
    for path in stale:
        path.write_text("half")
        os.utime(path, (time.time() - 3600, time.time() - 3600))  # an hour old: a killed writer's leftover
    in_flight = out / "articles" / ".app-document.json.zz9.tmp"  # the app writing to the library right now
    in_flight.write_text("half")
    batch([str(src)], out, formats=["json"], settings=settings)
    assert not any(path.exists() for path in stale)
    assert sorted(p.name for p in (out / "articles").iterdir()) == [
        in_flight.name,
        f"{output_stem(str((src / 'a.txt').resolve()))}.json",
    ]


def test_one_writer_per_output_folder(tmp_path, settings):
    out = tmp_path / "out"
    out.mkdir()
    with (out / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(ReaderError, match="another reader batch or feed check is already writing to"):
            batch([str(tmp_path)], out, formats=["json"], settings=settings)


def test_unknown_format_and_engine(tmp_path, settings):
    with pytest.raises(ReaderError, match="unknown format 'docx'"):
        batch([str(tmp_path)], tmp_path / "out", formats=["docx"], settings=settings)
    with pytest.raises(ReaderError, match="unknown engine 'spark'"):
        batch([str(tmp_path)], tmp_path / "out", formats=["json"], settings=settings, engine="spark")


def test_watch_picks_up_new_files_each_round(tmp_path, settings, fake_model):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a0.txt").write_text(article_text(0), encoding="utf-8")
    rounds = []
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        (src / f"a{len(waits)}.txt").write_text(article_text(len(waits)), encoding="utf-8")

    total = watch(
        [str(src)],
        out,
        BatchOptions(settings, formats=["json"]),
        interval=30,
        max_rounds=3,
        sleep=sleep,
        on_round=lambda n, s: rounds.append((n, len(s.new), s.unchanged)),
    )
    assert rounds == [(1, 1, 0), (2, 1, 1), (3, 1, 2)]
    assert waits == [30, 30]
    assert (len(total.new), total.unchanged) == (3, 3)
    assert fake_model.loads == 1  # one model for every round
    assert len(manifest_rows(out)) == 3


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.hrefs += [value for name, value in attrs if name == "href"]


def test_index_lists_done_articles_and_escapes_everything(tmp_path, settings):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> {{ 7*7 }} ${x}'
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "evil.html").write_text(article_page(hostile, sentences_for(7, 4)), encoding="utf-8")
    (src / "plain.txt").write_text(article_text(8), encoding="utf-8")
    summary = batch([str(src)], out, formats=["json", "html"], settings=settings)
    assert summary.index == out / "index.html"
    text = summary.index.read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(text)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "onerror" not in parser.attributes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    evil, plain = (output_stem(str((src / n).resolve())) for n in ("evil.html", "plain.txt"))
    assert sorted(parser.hrefs) == sorted(
        [f"articles/{evil}.json", f"articles/{evil}.html", f"articles/{plain}.json", f"articles/{plain}.html"]
    )
    assert "default-src 'none'" in text


def test_index_links_only_http_sources():
    rows = [
        Row(
            "javascript:alert(1)",
            "h",
            DONE,
            ("articles/a b.json",),
            'T"1',
            "",
            "2024-01-02",
            "javascript:alert(1)",
            "",
            1,
            "",
            0.0,
        ),
        Row(
            'https://news.example/a?x=1&y="2"',
            "h",
            DONE,
            (),
            "T2",
            "",
            "2024-03-04",
            'https://news.example/a?x=1&y="2"',
            "",
            2,
            "",
            0.0,
        ),
    ]
    parser = _Links()
    text = render_index(rows)
    parser.feed(text)
    assert parser.hrefs == ['https://news.example/a?x=1&y="2"', "articles/a%20b.json"]
    assert text.index("T2") < text.index("T&quot;1")  # newest first


def test_cli_quiet_success_prints_nothing(tmp_path, settings):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    env = {"READER_MODEL": settings.model, "READER_BACKEND": "fake"}
    runner = CliRunner()
    result = runner.invoke(batch_command, [str(src), "--out", str(tmp_path / "out"), "--quiet"], env=env)
    assert (result.exit_code, result.output) == (0, "")
    result = runner.invoke(batch_command, [str(src), "--out", str(tmp_path / "out")], env=env)
    assert result.exit_code == 0
    assert "1 article(s) in" in result.output and "0 new, 0 changed, 1 unchanged, 0 failed" in result.output
    result = runner.invoke(batch_command, [str(src), "--out", str(tmp_path / "out"), "--format", "json,docx"], env=env)
    assert result.exit_code == 2 and "unknown format(s) docx" in result.output


def test_factory_carries_a_runtime_backend(settings):
    factory = open_translator(settings)
    assert factory.plugin is not None and factory.plugin[0] == "fake"
    assert factory().fingerprint == f"fake:{folder.fingerprint(Path(settings.model))}:v1"


# --- kill -9 and resume -----------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import os, sys, threading
    from pathlib import Path
    from reader.models import folder
    from reader.translate import registry
    from tests.support.fake import FakeTranslator

    class Logged(FakeTranslator):
        \"\"\"Logs every sentence; on call BLOCK_AT it says so in a file and hangs until killed.\"\"\"

        calls_made = 0

        def translate_batch(self, sentences):
            with open(os.environ["CALLS_LOG"], "a", encoding="utf-8") as log:
                for sentence in sentences:
                    log.write(sentence + "\\n")
            Logged.calls_made += 1
            if str(Logged.calls_made) == os.environ.get("BLOCK_AT"):
                open(os.environ["BLOCKED"], "w").close()
                threading.Event().wait()
            return super().translate_batch(sentences)

    registry.register("logged", lambda model_dir, **_: Logged(model_fingerprint=folder.fingerprint(Path(model_dir))))
    from reader.cli.batch import batch_command
    batch_command(sys.argv[1:], prog_name="reader batch")
    """
)


def _done_keys(manifest: Path) -> set[str]:
    if not manifest.exists():
        return set()
    try:
        with sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=5) as conn:
            return {k for (k,) in conn.execute("SELECT key FROM articles WHERE status = 'done'")}
    except sqlite3.OperationalError:
        return set()


@pytest.mark.slow
def test_kill_9_then_resume(tmp_path, fake_model):
    """Killed while the model translates the fourth article: three are done, and a rerun finishes the rest.

    The child says when it is stuck inside the model (a file), so the kill lands there for certain.
    """
    count = 24
    src, out, log, blocked = tmp_path / "src", tmp_path / "out", tmp_path / "calls.log", tmp_path / "blocked"
    src.mkdir()
    for n in range(count):
        (src / f"article-{n:02}.txt").write_text(article_text(n + 1, 4), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "READER_MODEL": str(fake_model.folder),
        "READER_BACKEND": "logged",
        "CALLS_LOG": str(log),
        "BLOCK_AT": "4",
        "BLOCKED": str(blocked),
    }
    command = [sys.executable, "-c", _CHILD, str(src), "--out", str(out), "--format", "json,html"]
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not blocked.exists():
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, "the batch never reached its fourth article"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stderr.close()
    done_before = _done_keys(out / MANIFEST_NAME)
    assert len(done_before) == 3, "one article per model call: three were committed before the fourth call"
    calls_before = log.read_text(encoding="utf-8").splitlines()

    del env["BLOCK_AT"]
    rerun = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    calls_after = log.read_text(encoding="utf-8").splitlines()[len(calls_before) :]

    with Manifest(out / MANIFEST_NAME) as manifest:
        rows = manifest.rows()
    assert len(rows) == count and {r.status for r in rows} == {DONE}
    # Nothing done before the kill went to the model again.
    for key in done_before:
        number = int(Path(key).stem.split("-")[1]) + 1
        assert not set(sentences_for(number, 4)) & set(calls_after), key
    # Every sentence reached the model, none twice except the one batch in flight at the kill.
    every = [s for n in range(1, count + 1) for s in sentences_for(n, 4)]
    assert set(calls_before) | set(calls_after) == set(every)
    assert len(calls_before) + len(calls_after) - len(every) == 4
    files = sorted((out / "articles").iterdir())
    assert len(files) == 2 * count
    for row in rows:
        for name in row.outputs:
            assert (out / name).is_file()
        document = Document.from_json((out / row.outputs[0]).read_text(encoding="utf-8"))
        number = int(Path(row.key).stem.split("-")[1]) + 1
        assert [s.translation for s in document.sentences] == [
            expected_translation(s) for s in sentences_for(number, 4)
        ]
        assert (out / row.outputs[1]).read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert "0 failed" in rerun.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="title"') == count
    json.loads((out / rows[0].outputs[0]).read_text(encoding="utf-8"))


# --- feedback -----------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reporter_kinds():
    assert isinstance(make_reporter(quiet=True, stream=_Terminal()), QuietReporter)
    assert isinstance(make_reporter(stream=_Terminal()), BarReporter)
    assert isinstance(make_reporter(stream=io.StringIO()), LogReporter)


def test_plain_log_lines_without_a_terminal(tmp_path, settings):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    (src / "b.txt").write_bytes(b"\xff\xfe\x00\x00")
    stream = io.StringIO()
    batch([str(src)], tmp_path / "out", formats=["json"], settings=settings, progress=make_reporter(stream=stream))
    batch([str(src)], tmp_path / "out", formats=["json"], settings=settings, progress=make_reporter(stream=stream))
    a, b = (str((src / n).resolve()) for n in ("a.txt", "b.txt"))
    assert stream.getvalue().splitlines() == [
        "batch: 2 article(s) to check",
        f"[1/2] new {a}: 3 sentences, 0 cached",
        f"[2/2] failed {b}: looks like a binary file (it contains NUL bytes), not text",
        "batch: 2 article(s) to check",
        f"[2/2] failed {b}: looks like a binary file (it contains NUL bytes), not text",
    ]


def test_progress_bar_on_a_terminal(tmp_path, settings):
    src = tmp_path / "src"
    src.mkdir()
    for n in (1, 2):
        (src / f"a{n}.txt").write_text(article_text(n), encoding="utf-8")
    stream = _Terminal()
    batch([str(src)], tmp_path / "out", formats=["json"], settings=settings, progress=make_reporter(stream=stream))
    final = stream.getvalue().split("\r")[-1]
    assert "2/2" in final and "6 sentences, 0 failed" in final and "article" in final


def test_a_damaged_manifest_is_moved_aside_and_the_run_rebuilds_it(tmp_path, settings):
    from reader.batch.manifest import ManifestWarning

    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(article_text(1), encoding="utf-8")
    batch([str(src)], out, formats=["json"], settings=settings)
    (out / MANIFEST_NAME).write_bytes(b"\x00garbage" * 500)
    with pytest.warns(ManifestWarning, match="batch manifest .* was damaged .* a new, empty manifest was started"):
        summary = batch([str(src)], out, formats=["json"], settings=settings)
    assert (summary.new, summary.cache_hits) == ([str((src / "a.txt").resolve())], 3)
    assert {r.status for r in manifest_rows(out).values()} == {DONE}
    assert len(list(out.glob(f"{MANIFEST_NAME}.corrupt-*"))) == 1


# --- the model's weights decide "changed", not its name ---------------------------------------------


def _batch_cli(*args: str) -> str:
    result = CliRunner().invoke(batch_command, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _stamps(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "articles").iterdir()}


@pytest.mark.slow
def test_new_weights_under_the_same_name_retranslate_every_article(tmp_path, tiny_model_dir):
    """The issue's steps with a real model: batch --model DIR; replace DIR's weights; rerun; rerun again."""
    from safetensors.torch import load_file, save_file

    from tests.support.tiny import TINY_ARABIC

    model = tmp_path / "my-model"
    shutil.copytree(tiny_model_dir, model, ignore=shutil.ignore_patterns(".*"))
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for n in range(3):
        (src / f"a{n}.txt").write_text(TINY_ARABIC[n] + "\n", encoding="utf-8")
    args = [str(src), "--out", str(out), "--format", "json", "--model", str(model), "--beam", "1"]

    first = _batch_cli(*args)
    assert "3 new, 0 changed, 0 unchanged, 0 failed" in first and "3 sentence(s) translated, 0 from" in first
    old_fingerprint = folder.fingerprint(model)

    weights = load_file(model / "model.safetensors")
    save_file({name: tensor * 1.01 for name, tensor in weights.items()}, model / "model.safetensors")
    second = _batch_cli(*args)
    assert "0 new, 3 changed, 0 unchanged, 0 failed" in second
    assert "3 sentence(s) translated, 0 from the cache" in second  # every sentence went to the new weights
    documents = [Document.from_json(p.read_text(encoding="utf-8")) for p in sorted((out / "articles").iterdir())]
    assert {d.meta.model_fingerprint for d in documents} == {folder.fingerprint(model)} != {old_fingerprint}
    assert {d.meta.model for d in documents} == {"my-model"}

    before = _stamps(out)
    third = _batch_cli(*args)
    assert "0 new, 0 changed, 3 unchanged, 0 failed" in third
    assert _stamps(out) == before  # nothing rewritten


def test_new_fake_weights_reach_the_model_again(tmp_path, settings, fake_model):
    """The same with the fake backend, quickly: the cache, too, is keyed by the weights."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for n in (1, 2):
        (src / f"a{n}.txt").write_text(article_text(n), encoding="utf-8")
    assert len(batch([str(src)], out, settings=settings).new) == 2
    fake_model.calls.clear()
    (fake_model.folder / "model.safetensors").write_bytes(b"retrained weights")
    again = batch([str(src)], out, settings=settings)
    assert (len(again.changed), again.cache_hits) == (2, 0)
    assert sorted(fake_model.sentences) == sorted(sentences_for(1) + sentences_for(2))
    assert batch([str(src)], out, settings=settings).unchanged == 2
