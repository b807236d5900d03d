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
