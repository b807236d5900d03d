"""A long document goes into the library a few pages at a time (``reader.library.parts``): readable while
it grows, and after kill -9 the same command goes on after the last committed part, translating nothing
twice and leaving one document equal to an uninterrupted run's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.batch.manifest import DONE, MANIFEST_NAME, Manifest
from reader.document import Block, Document
from reader.ingest import Article
from reader.library import Library
from reader.library.parts import parts
from tests.support.long_pdf import PAGES, long_pdf

ROOT = Path(__file__).resolve().parent.parent


def test_parts_cut_at_paragraphs_every_n_pages() -> None:
    text = "".join(f"p{n}\n" for n in range(1, 8))
    blocks = tuple(Block(start=text.index(f"p{n}\n"), page=n) for n in range(1, 8))
    article = Article(text=text, blocks=blocks)
    cut = parts(article, 3)
    assert [(text[p.start : p.end], p.last_page) for p in cut] == [("p1\np2\np3\n", 3), ("p4\np5\np6\n", 6),
                                                                     ("p7\n", 7)]
    assert len(parts(article, 7)) == len(parts(article, 0)) == len(parts(Article(text=text), 3)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("how", ["translate", "batch"])
def test_a_long_pdf_killed_mid_run_resumes_after_its_last_committed_part(how: str, tmp_path: Path, fake_model) -> None:
    (tmp_path / "in").mkdir()
    pdf = long_pdf(tmp_path / "in" / "long.pdf")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "READER_MODEL": str(fake_model.folder), "READER_BACKEND": "fake",
           "READER_OCR": "off", "READER_PART_PAGES": "3"}

    def command(library: Path, cache: str, how: str = how, **extra: str) -> tuple[list[str], dict[str, str]]:
        args = [sys.executable, "-m", "tests.support.fake_cli"]
        if how == "batch":
            args += ["batch", str(pdf.parent), "--out", str(library), "--format", "json"]
        else:
            args += ["translate", str(pdf), "--library", str(library)]
        return args, {**env, "READER_LIBRARY": str(library), "READER_CACHE_PATH": str(tmp_path / cache), **extra}

    def document(library: Path) -> Document | None:
        files = list((library / "articles").glob("*.json"))
        return Document.from_json(files[0].read_text("utf-8")) if files else None

    # kill -9 as soon as a part is in the library (each model call takes 0.4 s)
    library = tmp_path / "library"
    args, run_env = command(library, "cache-1.sqlite3", FAKE_DELAY="0.4")
    child = subprocess.Popen(args, cwd=ROOT, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline, partial = time.monotonic() + 60, None
    while partial is None and time.monotonic() < deadline and child.poll() is None:
        partial = document(library)
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert partial is not None and partial.meta.partial, "no part was committed before the run ended"
    with Library(library) as shelf:
        [row] = shelf.page().rows
        kept = shelf.get(row.id)
    assert row.pages == f"pages 1–{kept.meta.partial.split('/')[0]} of {PAGES}" and row.partial == kept.meta.partial
    assert kept.paragraphs and all(p.translation for p in kept.paragraphs)  # readable as it is

    # the same command again, with an empty sentence cache: only pages after the committed ones reach the model
    log = tmp_path / "model.log"
    args, run_env = command(library, "cache-2.sqlite3", FAKE_LOG=str(log))
    rerun = subprocess.run(args, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"pages {PAGES} of {PAGES} in the library" in rerun.stderr
    if how == "translate":  # the seam and the pages after it read, not the committed ones
        done = int(kept.meta.partial.split("/")[0])
        first, last = max(1, done - 2), min(PAGES, ((done - 1) // 3 + 2) * 3 + 2)  # one part past the committed
        assert f"resumed: {done} pages in the library, pages {first}-{last} of {PAGES} read" in rerun.stderr
    resumed = document(library)
    assert resumed is not None and not resumed.meta.partial and len(list((library / "articles").iterdir())) == 1
    if how == "batch":
        with Manifest(library / MANIFEST_NAME) as manifest:
            assert [row.status for row in manifest.rows()] == [DONE]
    committed = {s.source for s in kept.sentences}
    later = {s.source for p in resumed.paragraphs if p.start >= len(kept.text) for s in p.sentences}
    asked = set(log.read_text("utf-8").splitlines())
    assert asked and not asked & (committed - later)

    # an uninterrupted run of the whole document gives the same paragraphs
    whole_library = tmp_path / "whole"
    args, run_env = command(whole_library, "cache-3.sqlite3", how="translate", READER_PART_PAGES="0")
    assert subprocess.run(args, cwd=ROOT, env=run_env, capture_output=True, timeout=120).returncode == 0
    whole = document(whole_library)
    assert whole is not None
    shape = [(p.start, p.end, p.page, p.kind, p.source, p.translation) for p in whole.paragraphs]
    assert [(p.start, p.end, p.page, p.kind, p.source, p.translation) for p in resumed.paragraphs] == shape
    assert resumed.text == whole.text and resumed.meta.title_translation == whole.meta.title_translation


def test_the_app_keeps_a_long_upload_part_by_part_and_a_second_try_goes_on(tmp_path: Path) -> None:
    from reader.app import translating
    from reader.config import Settings
    from reader.translate.cache import SentenceCache
    from reader.translate.cached import CachedTranslator
    from reader.translate.shared import SharedTranslator
    from tests.support.fake import FakeTranslator

    words = ["كتاب", "بيت", "شمس", "قمر", "بحر", "نهر", "جبل"]
    text = "".join(f"ذهب الولد إلى {word} كبير. ثم عاد إلى البيت رقم {n}.\n" for n, word in enumerate(words, 1))
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")][: len(words)]
    article = Article(text=text, blocks=tuple(Block(start=s, page=n) for n, s in enumerate(starts, 1)))
    settings = Settings.load(part_pages=3)

    def shared(name: str) -> tuple[SharedTranslator, FakeTranslator]:
        fake = FakeTranslator()
        return SharedTranslator(CachedTranslator(fake, SentenceCache(tmp_path / name))), fake

    with Library(tmp_path / "library") as library:
        first, _ = shared("cache-1.sqlite3")
        steps = translating.translate_into(article, first, settings, library, "upload:long")
        assert next(steps).status == "Translating… 0 of 7 pages"
        committed = next(steps)  # the page is left here: the first part is in the library
        assert committed.status == "Translating… 3 of 7 pages"
        [row] = library.page().rows
        assert row.pages == "pages 1–3 of 7" and len(library.get(row.id).paragraphs) == 3
        steps.close()

        second, fake = shared("cache-2.sqlite3")  # no sentence cache to fall back on
        *_, last = translating.translate_into(article, second, settings, library, "upload:long")
        assert last.finished and last.status == "Translated 7 pages"
        asked = {sentence for call in fake.calls for sentence in call}
        assert asked and not asked & {s.source for s in committed.document.sentences}
        [row] = library.page().rows
        assert row.pages == "" and library.get(row.id).paragraphs == last.document.paragraphs

        whole, _ = shared("cache-3.sqlite3")
        *_, reference = translating.translate(article, whole, settings)
        shape = [(p.start, p.end, p.page, p.source, p.translation) for p in reference.document.paragraphs]
        assert [(p.start, p.end, p.page, p.source, p.translation) for p in last.document.paragraphs] == shape


def test_the_add_page_translates_a_long_upload_in_parts(fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.app import add as inputs
    from reader.config import Settings
    from tests.support.app import ADD, new_app

    monkeypatch.setenv("READER_PART_PAGES", "1")
    at = new_app(ADD).run()
    at.radio(key="kind").set_value(inputs.UPLOAD).run()
    data = (ROOT / "tests" / "data" / "documents" / "pdf" / "chromium-columns.pdf").read_bytes()
    at.file_uploader[0].set_value(("report.pdf", data, "application/pdf")).run()
    at.button(key="translate").click().run()
    assert not at.exception and not at.error
    with Library(Settings.load().library) as library:
        [row] = library.page().rows
        document = library.get(row.id)
    assert row.partial == "" and len({p.page for p in document.paragraphs}) > 1
    assert all(s.translation for s in document.sentences)


def test_a_resumed_long_pdf_reads_and_ocrs_only_the_pages_after_the_committed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import ingest
    from reader.config import Settings
    from reader.documents import ocr
    from reader.library import parts as long_documents
    from tests.support.fake import FakeTranslator

    scanned = (5, 9)  # page 5 is committed before the stop (and is read again for the seam), page 9 is not
    pdf = long_pdf(tmp_path / "long.pdf", pictures=scanned)
    words = {5: "الشمس", 9: "القمر"}
    read_by_ocr: list[int] = []

    def fake_ocr(path: Path, page: int) -> list[str]:
        read_by_ocr.append(page)
        return [f"رأى الولد {words[page]} فوق البحر الكبير. ثم عاد إلى بيته في المساء."]

    monkeypatch.setattr(ocr, "reader", lambda settings: fake_ocr)
    settings = Settings.load(part_pages=3)
    key = str(pdf)
    article = ingest.read_document(pdf, settings)
    assert sorted(read_by_ocr) == list(scanned) and any(b.ocr for b in article.blocks)
    with Library(tmp_path / "library") as library:
        steps = long_documents.iter_into(library, key, article, FakeTranslator(), settings)
        for _ in range(3):  # nothing yet, pages 1-3, pages 1-6: then the run stops
            stopped = next(steps)
        steps.close()
        assert stopped.done == 6 and library.get(library.page().rows[0].id).meta.partial == f"6/{PAGES}"

        read_by_ocr.clear()
        pages_read: list[int] = []
        resumed = long_documents.resume_article(
            library, key, pdf, settings, progress=lambda done, total: pages_read.append(done)
        )
        assert resumed is not None and resumed.following is not None
        # the seam (4-6), the next part (7-9) and two pages past it; page 9 alone by OCR (page 5 is committed)
        assert pages_read == list(range(4, 12)) and read_by_ocr == [9]
        assert article.text.startswith(resumed.text) and article.blocks[: len(resumed.blocks)] == resumed.blocks

        fake = FakeTranslator()
        *_, last = long_documents.iter_into(library, key, resumed, fake, settings)
        assert read_by_ocr == [9]  # the windows after it take page 9 from the library
        asked = {sentence for call in fake.calls for sentence in call}
        cut = len(stopped.document.text)
        later = {s.source for p in last.document.paragraphs if p.start >= cut for s in p.sentences}
        assert asked and not asked & ({s.source for s in stopped.document.sentences} - later)
        assert last.done == PAGES and not library.get(library.page().rows[0].id).meta.partial
        assert last.document.text == article.text
        assert [(p.start, p.page, p.kind, p.ocr) for p in last.document.paragraphs] == [
            (b.start, b.page, b.kind, b.ocr) for b in article.blocks
        ]

        # another file at the same place is read from its first page, not stitched onto what this one left
        steps = long_documents.iter_into(library, key, article, FakeTranslator(), settings, refresh=True)
        next(steps), next(steps)
        steps.close()
        long_pdf(pdf, pictures=(5,))
        pages_read.clear()
        fresh = long_documents.resume_article(
            library, key, pdf, settings, progress=lambda done, total: pages_read.append(done)
        )
        assert fresh is not None and pages_read == list(range(1, 6))


def test_a_long_pdfs_first_run_reads_a_window_at_a_time_and_a_stop_keeps_its_first_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import documents, ingest
    from reader.config import Settings
    from reader.documents import ocr
    from reader.library import parts as long_documents
    from tests.support.fake import FakeTranslator

    pdf = long_pdf(tmp_path / "long.pdf", pictures=(3, 7))
    words = {3: "الشمس", 7: "القمر"}
    read_by_ocr: list[int] = []
    stop_at: list[int] = [7]  # the first run stops while it reads part 2 (pages 5-8): page 7 is a scan

    def fake_ocr(path: Path, page: int) -> list[str]:
        if page in stop_at:
            stop_at.remove(page)
            raise KeyboardInterrupt  # as kill -9 would, part way through the reading
        read_by_ocr.append(page)
        return [f"رأى الولد {words[page]} فوق البحر الكبير. ثم عاد إلى بيته في المساء."]

    read: list[tuple[int, int]] = []
    extract = documents.extract

    def spy(*args, first_page: int = 1, last_page: int | None = None, **kwargs):
        read.append((first_page, last_page or PAGES))
        return extract(*args, first_page=first_page, last_page=last_page, **kwargs)

    monkeypatch.setattr(ocr, "reader", lambda settings: fake_ocr)
    monkeypatch.setattr(documents, "extract", spy)
    settings = Settings.load(part_pages=4)
    key = str(pdf)
    with Library(tmp_path / "library") as library:
        window = long_documents.resume_article(library, key, pdf, settings)
        # before anything is committed: part 1 (pages 1-4) and two pages past it, not the file
        assert window is not None and read == [(1, 6)] and read_by_ocr == [3]
        steps = long_documents.iter_into(library, key, window, FakeTranslator(), settings)
        assert next(steps).done == 0
        first = next(steps)
        assert first.done == 4 and library.get(library.page().rows[0].id).meta.partial == f"4/{PAGES}"
        assert read == [(1, 6)]  # part 1 is in the library before a page after the window is read
        with pytest.raises(KeyboardInterrupt):
            next(steps)
        assert read == [(1, 6), (2, 10)]
        assert library.get(library.page().rows[0].id).meta.partial == f"4/{PAGES}"

        # the same file again: pages 2-4 are read for the seam (page 3 not by OCR), page 1 not at all
        read.clear(), read_by_ocr.clear()
        fake = FakeTranslator()
        window = long_documents.resume_article(library, key, pdf, settings)
        *_, last = long_documents.iter_into(library, key, window, fake, settings)
        assert read == [(2, 10), (6, 12)] and read_by_ocr == [7]
        asked = {sentence for call in fake.calls for sentence in call}
        later = {s.source for p in last.document.paragraphs if p.start >= len(first.document.text) for s in p.sentences}
        assert asked and not asked & ({s.source for s in first.document.sentences} - later)

    # the same document as the whole file read at once and translated in one go
    read_by_ocr.clear()
    whole = ingest.read_document(pdf, settings)
    assert read_by_ocr == [3, 7] and last.done == PAGES and last.document.text == whole.text
    assert [(p.start, p.page, p.kind, p.ocr) for p in last.document.paragraphs] == [
        (b.start, b.page, b.kind, b.ocr) for b in whole.blocks
    ]
    from reader.api import translate_article

    reference = translate_article(whole, FakeTranslator(), settings)
    assert [(p.source, p.translation) for p in last.document.paragraphs] == [
        (p.source, p.translation) for p in reference.paragraphs
    ]


def test_running_headers_and_page_numbers_are_dropped_window_by_window_as_from_the_whole_file(tmp_path: Path) -> None:
    from reader import ingest
    from reader.config import Settings
    from reader.library import parts as long_documents
    from tests.support.fake import FakeTranslator

    pdf = long_pdf(tmp_path / "long.pdf", running=True)
    settings = Settings.load(part_pages=1, ocr="off")  # windows of 3 pages (4 from the second on): the least
    whole = ingest.read_document(pdf, settings)
    with Library(tmp_path / "library") as library:
        window = long_documents.resume_article(library, str(pdf), pdf, settings)
        assert window is not None and window.following is not None
        *_, last = long_documents.iter_into(library, str(pdf), window, FakeTranslator(), settings)
    assert "التقرير السنوي لوزارة" not in whole.text and last.document.text == whole.text
    shape = [(b.start, b.page, b.kind) for b in whole.blocks]
    assert [(p.start, p.page, p.kind) for p in last.document.paragraphs] == shape


@pytest.mark.slow
def test_the_server_saves_a_long_upload_part_by_part_and_resumes_it_after_kill_9(tmp_path: Path, fake_model) -> None:
    import json

    import httpx

    from reader import ingest
    from reader.api import translate_article
    from reader.config import Settings
    from tests.support import serve
    from tests.support.fake import FakeTranslator

    data = long_pdf(tmp_path / "long.pdf").read_bytes()
    env = {"READER_BACKEND": "fake", "READER_PART_PAGES": "3", "READER_OCR": "off"}

    def events(url: str, until: str = "done") -> list[dict]:
        """The upload's NDJSON events, up to the first ``until`` event."""
        seen = []
        upload = {"file": ("long.pdf", data, "application/pdf")}
        with httpx.stream("POST", f"{url}/v1/translate/file", params={"stream": "ndjson"}, files=upload,
                          data={"save": "true"}, timeout=120) as answer:
            assert answer.status_code == 200
            for line in answer.iter_lines():
                seen.append(json.loads(line))
                if seen[-1]["type"] in (until, "error"):
                    break
        return seen

    served = serve.start(tmp_path, fake_model.folder, command=("-m", "tests.support.fake_cli", "--serve"),
                         env={**env, "FAKE_DELAY": "0.4"})
    try:
        first = events(served.url, until="pages")
    finally:
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait()
    start, *_, pages = first
    assert start["type"] == "start" and start["unit"] == "pages" and start["done"] == 0 and start["total"] == PAGES
    assert pages["type"] == "pages" and 0 < pages["done"] < PAGES
    [kept_file] = (tmp_path / "library" / "articles").glob("*.json")
    kept = Document.from_json(kept_file.read_text("utf-8"))
    assert kept.meta.partial and kept_file.stem == pages["id"]

    log = tmp_path / "model.log"  # an empty sentence cache: the model would be asked for committed pages again
    with serve.reader_serve(tmp_path, fake_model.folder, command=("-m", "tests.support.fake_cli", "--serve"),
                            env={**env, "FAKE_LOG": str(log), "READER_CACHE_PATH": str(tmp_path / "cache-2")}) as again:
        listed = httpx.get(f"{again.url}/v1/documents").json()["documents"]
        assert [(row["id"], row["partial"]) for row in listed] == [(pages["id"], kept.meta.partial)]
        second = events(again.url)
    start, *steps, done = second
    assert start["done"] == int(kept.meta.partial.split("/")[0]) and start["id"] == pages["id"]
    # the committed sentences come in the start event, then each new one once, in order
    committed = len(Document.from_dict(start["document"]).sentences)
    new = [e["index"] for e in steps if e["type"] == "sentence"]
    assert new == list(range(committed, len(Document.from_dict(done["document"]).sentences)))
    before = [e["index"] for e in first if e["type"] == "sentence"]
    assert before and before == list(range(len(before)))
    assert [e["done"] for e in steps if e["type"] == "pages"][-1] == PAGES and done["type"] == "done"
    resumed = Document.from_dict(done["document"])
    assert not resumed.meta.partial and len(list((tmp_path / "library" / "articles").iterdir())) == 1
    later = {s.source for p in resumed.paragraphs if p.start >= len(kept.text) for s in p.sentences}
    asked = set(log.read_text("utf-8").splitlines())
    assert asked and not asked & ({s.source for s in kept.sentences} - later)
    whole = translate_article(ingest.read_document(tmp_path / "long.pdf", Settings.load()), FakeTranslator(),
                              Settings.load())
    shape = [(p.start, p.end, p.page, p.kind, p.source, p.translation) for p in whole.paragraphs]
    assert [(p.start, p.end, p.page, p.kind, p.source, p.translation) for p in resumed.paragraphs] == shape


def test_the_app_reads_a_long_upload_stopped_part_way_only_from_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader import documents
    from reader.app import add as inputs
    from reader.app import translating
    from reader.config import Settings
    from reader.translate.cache import SentenceCache
    from reader.translate.cached import CachedTranslator
    from reader.translate.shared import SharedTranslator
    from tests.support.fake import FakeTranslator

    def shared(name: str) -> SharedTranslator:
        return SharedTranslator(CachedTranslator(FakeTranslator(), SentenceCache(tmp_path / name)))

    data = long_pdf(tmp_path / "long.pdf").read_bytes()
    value = ("report.pdf", data)
    settings = Settings.load(part_pages=3, ocr="off")
    with Library(tmp_path / "library") as library:
        whole = inputs.read_article(inputs.UPLOAD, value, settings)
        key = inputs.library_key(inputs.UPLOAD, value, whole)
        assert key == inputs.upload_key("report.pdf", data) != inputs.upload_key("report.pdf", data + b"\n")
        steps = translating.translate_into(whole, shared("cache-1"), settings, library, key)
        for _ in range(3):  # nothing yet, pages 1-3, pages 1-6: then the page is left
            next(steps)
        steps.close()

        reads: list[int] = []
        extract = documents.extract

        def spy(*args, first_page: int = 1, **kwargs):
            reads.append(first_page)
            return extract(*args, first_page=first_page, **kwargs)

        monkeypatch.setattr(documents, "extract", spy)
        again = inputs.read_article(inputs.UPLOAD, value, settings, library)
        assert reads == [4] and whole.text.startswith(again.text) and again.following is not None
        assert again.source == "report.pdf" and "upload" not in again.meta.source
        # the next windows are read from the upload after its temporary copy is gone
        *_, last = translating.translate_into(again, shared("cache-2"), settings, library, key)
        assert last.finished and not library.get(library.page().rows[0].id).meta.partial
        assert reads == [4, 7] and last.document.text == whole.text and last.document.meta.source == "report.pdf"


def test_reader_translate_notes_its_reading_of_a_long_pdf_in_a_log(
    tmp_path: Path, fake_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from reader.cli import cli, translate

    monkeypatch.setattr(translate, "READ_NOTE_PAGES", 4)
    monkeypatch.setenv("READER_OCR", "off")
    monkeypatch.setenv("READER_PART_PAGES", "3")
    pdf = long_pdf(tmp_path / "long.pdf")
    result = CliRunner().invoke(cli, ["translate", str(pdf), "--library", str(tmp_path / "library")])
    assert result.exit_code == 0, result.output
    # the first window only (part 1 and two pages past it) is read before the translation starts
    assert [line for line in result.stderr.splitlines() if " read" in line] == [
        f"{pdf}: read 4 of {PAGES} pages", f"{pdf}: pages 1-5 of {PAGES} read, the rest as the translation goes"
    ]
    assert f"{pdf}: pages {PAGES} of {PAGES} in the library" in result.stderr


def test_the_warnings_of_every_window_reach_the_reader_once_each(tmp_path: Path) -> None:
    from reader import ingest
    from reader.app import add as inputs
    from reader.app import translating
    from reader.config import Settings
    from reader.library import parts as long_documents
    from reader.translate.cache import SentenceCache
    from reader.translate.cached import CachedTranslator
    from reader.translate.shared import SharedTranslator
    from tests.support.fake import FakeTranslator

    pdf = long_pdf(tmp_path / "long.pdf", pictures=(3, 9))  # page 9 is read by the third window, and the fourth
    settings = Settings.load(part_pages=3, ocr="off")
    whole = ingest.read_document(pdf, settings).warnings
    assert [w.split(":")[1] for w in whole] == [" page 3 needs OCR", " page 9 needs OCR"]
    with Library(tmp_path / "library") as library:
        window = long_documents.resume_article(library, str(pdf), pdf, settings)
        assert window is not None and window.warnings == whole[:1]
        steps = list(long_documents.iter_into(library, str(pdf), window, FakeTranslator(), settings))
        assert [w for step in steps for w in step.warnings] == list(whole[1:])  # named by the file, not its link

        # the app: each under the upload's name, with the first window's
        value = ("report.pdf", pdf.read_bytes())
        article = inputs.read_article(inputs.UPLOAD, value, settings, library)
        key = inputs.library_key(inputs.UPLOAD, value, article)
        shared = SharedTranslator(CachedTranslator(FakeTranslator(), SentenceCache(tmp_path / "cache")))
        *_, last = translating.translate_into(article, shared, settings, library, key)
        assert last.warnings == tuple(w.replace(str(pdf), "report.pdf") for w in whole)


@pytest.mark.parametrize("how", ["translate", "batch"])
def test_reader_translate_and_batch_print_a_later_windows_warning_once(
    how: str, tmp_path: Path, fake_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from reader.cli import cli

    monkeypatch.setenv("READER_OCR", "off")
    monkeypatch.setenv("READER_PART_PAGES", "3")
    (tmp_path / "in").mkdir()
    pdf = long_pdf(tmp_path / "in" / "long.pdf", pictures=(9,))
    out = str(tmp_path / "out")
    args = ["batch", str(pdf.parent), "--out", out] if how == "batch" else ["translate", str(pdf), "--library", out]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.count(f"{pdf}: page 9 needs OCR") == 1, result.stderr


def test_a_long_pdfs_windows_walk_its_page_tree_once_and_let_it_go_when_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from pdfminer.pdfpage import PDFPage

    from reader.config import Settings
    from reader.library import parts as long_documents
    from tests.support.fake import FakeTranslator

    walks: list[int] = []
    create_pages = PDFPage.create_pages

    def counted(document):
        walks.append(1)
        return create_pages(document)

    monkeypatch.setattr(PDFPage, "create_pages", counted)
    pdf = long_pdf(tmp_path / "long.pdf")
    settings = Settings.load(part_pages=2, ocr="off")  # six windows
    with Library(tmp_path / "library") as library:
        window = long_documents.resume_article(library, str(pdf), pdf, settings)
        assert window is not None and window.following is not None
        windows = window.following
        *_, last = long_documents.iter_into(library, str(pdf), window, FakeTranslator(), settings)
        # the first window's reading and its page count, then one walk for all the windows after it
        assert last.done == PAGES and len(walks) == 3
        assert windows.opened.file.closed and not Path(windows.folder.name).exists()

        # a run given up part way lets the file and the link go with the article
        walks.clear()
        window = long_documents.resume_article(library, "again", pdf, settings)
        steps = long_documents.iter_into(library, "again", window, FakeTranslator(), settings)
        for _ in range(3):  # nothing yet, pages 1-2, pages 1-4: the second window is open
            next(steps)
        steps.close()
        file, folder = window.following.opened.file, Path(window.following.folder.name)
        del window, steps
        gc.collect()
        assert file.closed and not folder.exists()


def test_window_folders_left_by_a_kill_9_go_when_a_later_run_starts_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from reader.config import Settings
    from reader.library import parts as long_documents

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, day = int(gone.stdout), 24 * 3600 + 60
    folders = {
        f"reader-window-{dead}-old": (day, True), f"reader-window-{dead}-new": (60, False),
        f"reader-window-{os.getpid()}-old": (day, False), "reader-window-x-old": (day, False),
        f"reader-window-{dead}-more": (day, False), f"other-{dead}-old": (day, False),
    }
    for name, (age, _) in folders.items():
        (temporary / name).mkdir()
        (temporary / name / "source.pdf").write_bytes(b"%PDF")
        if name.endswith("more"):
            (temporary / name / "notes.txt").write_text("not reader's")
        os.utime(temporary / name, (time.time() - age, time.time() - age))
    pdf = long_pdf(tmp_path / "long.pdf")
    with Library(tmp_path / "library") as library:
        window = long_documents.resume_article(library, str(pdf), pdf, Settings.load(part_pages=3, ocr="off"))
        assert window is not None and Path(window.following.folder.name).parent == temporary
    assert {name for name, (_, goes) in folders.items() if not (temporary / name).exists()} == {
        name for name, (_, goes) in folders.items() if goes
    }
