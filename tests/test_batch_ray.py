"""The Ray engine on a local Ray instance gives the same files and manifest as the local engine."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from reader.batch import MANIFEST_NAME, Manifest, RayOptions
from reader.config import Settings
from reader.document import Document
from reader.errors import ModelError
from tests.support.batching import article_text, batch, expected_translation, sentences_for

ray = pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    """One small local Ray instance for the module (startup takes ~10-20 s on 2 cores)."""
    previous = os.environ.get("PYTHONPATH")
    # Actors import the fake backend from tests/ by reference.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), previous) if p)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield ray
    ray.shutdown()
    if previous is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = previous


def snapshot(out: Path) -> dict[str, object]:
    with Manifest(out / MANIFEST_NAME) as manifest:
        rows = [
            (r.key, r.content_hash, r.status, r.outputs, r.title, r.headline, r.date, r.source, r.sentences, r.error)
            for r in manifest.rows()
        ]
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "articles").iterdir())}
    return {"rows": rows, "files": files, "index": (out / "index.html").read_bytes()}


def test_ray_engine_matches_local(tmp_path, fake_model, local_ray):
    src = tmp_path / "src"
    src.mkdir()
    for n in range(1, 5):
        (src / f"a{n}.txt").write_text(article_text(n, 4), encoding="utf-8")
    (src / "broken.txt").write_bytes(b"\x00\x01binary")
    settings = Settings.load()

    def run(name: str, **engine):
        """A batch of src into tmp_path/NAME, with its own sentence cache."""
        cache = replace(settings, cache_path=tmp_path / f"{name}-cache.sqlite3")
        return batch([str(src)], tmp_path / name, formats=["json", "html"], settings=cache, **engine)

    local = run("local")
    on_ray = run("ray", engine="ray", ray=RayOptions(workers=2))
    assert sorted(on_ray.new) == sorted(local.new) and len(local.new) == 4
    assert [f.key for f in on_ray.failed] == [f.key for f in local.failed] == [str((src / "broken.txt").resolve())]
    assert (on_ray.sentences, on_ray.cache_hits) == (local.sentences, local.cache_hits) == (16, 0)
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    for key in on_ray.new:
        number = int(Path(key).stem[1:])
        with Manifest(tmp_path / "ray" / MANIFEST_NAME) as manifest:
            document = Document.from_json((tmp_path / "ray" / manifest.get(key).outputs[0]).read_text("utf-8"))
        assert [s.translation for s in document.sentences] == [
            expected_translation(s) for s in sentences_for(number, 4)
        ]

    # Incremental on Ray too: one new file, the rest unchanged.
    (src / "a5.txt").write_text(article_text(5, 4), encoding="utf-8")
    again = run("ray", engine="ray")
    assert (again.new, again.unchanged) == ([str((src / "a5.txt").resolve())], 4)


class ExplodingFactory:
    """A translator factory whose model cannot load (picklable: actors import this module)."""

    def __call__(self):
        raise ModelError("the weights are corrupt")


def test_actor_that_cannot_load_its_model_fails_the_articles_clearly(tmp_path, fake_model, local_ray):
    src = tmp_path / "src"
    src.mkdir()
    for n in (1, 2):
        (src / f"a{n}.txt").write_text(article_text(n), encoding="utf-8")
    summary = batch(
        [str(src)],
        tmp_path / "out",
        formats=["json"],
        settings=Settings.load(),
        engine="ray",
        translator_factory=ExplodingFactory(),
    )
    assert summary.new == []
    assert [f.reason for f in summary.failed] == ["the Ray job failed: ModelError: the weights are corrupt"] * 2
    with Manifest(tmp_path / "out" / MANIFEST_NAME) as manifest:
        assert {r.status for r in manifest.rows()} == {"failed"}


def test_titles_first_on_ray_matches_local(tmp_path, fake_model, local_ray):
    """A job's ``lead`` reaches the actors: the same lead-only documents as the local engine."""
    src = tmp_path / "src"
    src.mkdir()
    for n in range(1, 3):
        (src / f"a{n}.txt").write_text(article_text(n, 4), encoding="utf-8")
    settings = Settings.load()

    def run(name: str, **engine):
        cache = replace(settings, cache_path=tmp_path / f"{name}-cache.sqlite3")
        lead = frozenset({str(src)})
        return batch([str(src)], tmp_path / name, formats=["json"], settings=cache, titles_first=lead, **engine)

    local = run("local")
    on_ray = run("ray", engine="ray", ray=RayOptions(workers=2))
    assert sorted(on_ray.new) == sorted(local.new) and len(local.new) == 2
    assert on_ray.sentences == local.sentences == 4  # a text file's headline is its first line: 2 lines each
    assert snapshot(tmp_path / "ray")["files"] == snapshot(tmp_path / "local")["files"]
    for path in (tmp_path / "ray" / "articles").iterdir():
        document = Document.from_json(path.read_text("utf-8"))
        assert document.meta.scope == "lead" and [s.has("pending") for s in document.sentences] == [0, 0, 1, 1]


def test_a_long_document_on_ray_is_committed_part_by_part_and_resumes_where_a_stopped_run_left_it(
    tmp_path, fake_model, local_ray, monkeypatch
):
    """Ray's actors translate a long PDF's remaining parts; the driver commits each to the library in order."""
    import sqlite3

    from reader import documents, ingest
    from reader.api import translate_article
    from reader.batch.progress import QuietReporter
    from reader.library import Library
    from reader.library import parts as long_documents
    from tests.support.long_pdf import PAGES, long_pdf

    class Notes(QuietReporter):
        def __init__(self) -> None:
            self.notes: list[str] = []

        def message(self, text: str) -> None:
            self.notes.append(text)

    (tmp_path / "src").mkdir()
    pdf = long_pdf(tmp_path / "src" / "long.pdf")
    settings = replace(Settings.load(), part_pages=3, ocr="off", cache_path=tmp_path / "cache-1.sqlite3")
    article = ingest.read_document(pdf, settings)
    key = str(pdf.resolve())
    with Library(tmp_path / "out") as library:  # a run that stopped once pages 1-6 were in the library
        steps = long_documents.iter_into(library, key, article, fake_model.load(fake_model.folder), settings)
        for _ in range(3):
            stopped = next(steps)
        steps.close()
    assert stopped.document.meta.partial == f"6/{PAGES}"

    reads: list[int] = []  # the first page of each reading of the PDF
    extract = documents.extract

    def spy(*args, first_page: int = 1, **kwargs):
        reads.append(first_page)
        return extract(*args, first_page=first_page, **kwargs)

    monkeypatch.setattr(documents, "extract", spy)
    notes = Notes()
    cache = tmp_path / "cache-2.sqlite3"  # the actors' own, empty: what they translate ends up in it
    summary = batch([str(tmp_path / "src")], tmp_path / "out", formats=["json"], engine="ray",
                    ray=RayOptions(workers=2), settings=replace(settings, cache_path=cache), progress=notes)
    # pages 4-12 (4-6 for the seam): the plan reads the first window (4-11), then the driver all the pages left
    # (its rows go to the actors at once), from the seam again
    assert summary.new == [key] and not summary.failed and reads == [4, 4]
    assert [n for n in notes.notes if "in the library" in n] == [
        f"{key}: pages {p} of {PAGES} in the library" for p in (9, 12)
    ]
    with Library(tmp_path / "out") as library:
        [row] = library.page().rows
        resumed = library.get(row.id)
    assert not resumed.meta.partial
    with sqlite3.connect(cache) as conn:
        asked = {source for (source,) in conn.execute("SELECT source FROM sentences")}
    later = {s.source for p in resumed.paragraphs if p.start >= len(stopped.document.text) for s in p.sentences}
    assert asked and not asked & ({s.source for s in stopped.document.sentences} - later)
    whole = translate_article(article, fake_model.load(fake_model.folder), settings)
    shape = [(p.start, p.end, p.page, p.kind, p.source, p.translation) for p in whole.paragraphs]
    assert [(p.start, p.end, p.page, p.kind, p.source, p.translation) for p in resumed.paragraphs] == shape


def test_titles_first_articles_of_a_feed_back_to_full_are_completed_on_ray_as_locally(
    tmp_path, fake_model, local_ray, monkeypatch
):
    """The jobs that make a library's titles-first documents whole (their blocks and all) reach the actors."""
    from tests.support.batching import serve_feed
    from tests.support.http_server import LocalServer

    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    settings = Settings.load()
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", [("/news/a", "المصرف يرفع الفائدة", 41), ("/news/b", "خبر", 42)])

        def run(name: str, **engine):
            cache = replace(settings, cache_path=tmp_path / f"{name}-cache.sqlite3")
            out = tmp_path / name
            batch([url], out, formats=["json"], settings=cache, feeds_only=True, titles_first=frozenset({url}))
            return batch([url], out, formats=["json"], settings=cache, feeds_only=True, **engine)  # back to full

        local = run("local")
        on_ray = run("ray", engine="ray", ray=RayOptions(workers=2))
    assert len(local.completed) == len(on_ray.completed) == 2 and not on_ray.failed
    assert snapshot(tmp_path / "ray")["files"] == snapshot(tmp_path / "local")["files"]
    for path in (tmp_path / "ray" / "articles").iterdir():
        document = Document.from_json(path.read_text("utf-8"))
        assert document.meta.scope == "" and all(s.translation for s in document.sentences)
