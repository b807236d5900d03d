"""``reader serve`` end to end: real LibreTranslate clients, reader's /v1 API, keys, guards, load and kill -9.

The server runs in its own process (``python -m reader.serve``) on a loopback port with the toy model;
expected answers come from the library's own pipeline in this process, on the same model.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from libretranslate_aio import AsyncLibreTranslate, LibreTranslate
from libretranslate_aio.exceptions import BadRequestError, ForbiddenError, RateLimitError
from libretranslatepy import LibreTranslateAPI

from reader.api import open_translator
from reader.config import Settings
from reader.document import Document
from reader.pipeline import translate_text
from reader.serve.keys import KeyStore
from reader.serve.texts import english
from tests.support import serve
from tests.support.toy import TOY_ARTICLE, heldout_pairs

pytestmark = pytest.mark.slow

SENTENCES = [example.source for example in heldout_pairs()[:6]]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def server(folder: Path, toy_model_dir: Path):
    with serve.reader_serve(folder, toy_model_dir) as served:
        yield served


@pytest.fixture(scope="module")
def library_english(toy_model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """What the library's own pipeline makes of a text, on the toy model (its own cache)."""
    settings = Settings.load(model=str(toy_model_dir), cache_path=tmp_path_factory.mktemp("own") / "cache.sqlite3")
    translator = open_translator(settings)()
    return lambda text: english(translate_text(text, translator, settings=settings))


def test_libretranslatepy_translates_as_the_library_does(server, library_english):
    client = LibreTranslateAPI(server.url)
    for sentence in SENTENCES[:3]:
        assert client.translate(sentence, "ar", "en") == library_english(sentence)
    assert client.translate(TOY_ARTICLE, "auto", "en") == library_english(TOY_ARTICLE)
    assert client.detect(SENTENCES[0])[0]["language"] == "ar"
    assert client.detect("plain English words")[0]["language"] == "en"
    assert {"code": "ar", "name": "Arabic", "targets": ["en"]} in client.languages()


def test_libretranslate_aio_arrays_auto_alternatives_and_html(server, library_english):
    with LibreTranslate(server.url) as client:
        result = client.translate(SENTENCES, "auto", "en", alternatives=2)
        assert result.translated_text == [library_english(s) for s in SENTENCES]
        assert [d.language for d in result.detected_language] == ["ar"] * len(SENTENCES)
        assert len(result.alternatives) == len(SENTENCES)
        for main, others in zip(result.translated_text, result.alternatives, strict=True):
            assert 1 <= len(others) <= 2 and main not in others and len(set(others)) == len(others)

        fragment = (
            f'<div class="story" data-id="7"><p>{SENTENCES[0]} <a href="https://example.com/?a=1&amp;b=2" '
            f'title="x">{SENTENCES[1]}</a></p><!-- kept --><script>var s = "<p>";</script><br/></div>'
        )
        translated = client.translate(fragment, "ar", "en", format="html").translated_text
        assert translated == (
            f'<div class="story" data-id="7"><p>{library_english(SENTENCES[0])} '
            f'<a href="https://example.com/?a=1&amp;b=2" title="x">{library_english(SENTENCES[1])}</a></p>'
            '<!-- kept --><script>var s = "<p>";</script><br/></div>'
        )
        hostile = client.translate(f"<b>{SENTENCES[2]}</b>&lt;script&gt;", "ar", "en", format="html")
        assert hostile.translated_text == f"<b>{library_english(SENTENCES[2])}</b>&lt;script&gt;"

        # A sentence cut by inline tags: one text, the tags around the aligned words (libretranslatepy sends no
        # `format`, so libretranslate-aio asks for html).
        fragment = '<p>يأخذ <b>الولد</b> <a href="https://e.com/?a=1&amp;b=2">قلم</a>.</p>'  # The boy takes a pen.
        cut = client.translate(fragment, "ar", "en", format="html").translated_text
        link = cut.split('<a href="https://e.com/?a=1&amp;b=2">', 1)[1].split("</a>", 1)[0]
        assert "boy" in cut.split("<b>", 1)[1].split("</b>", 1)[0] and "pen" in link and "boy" not in link
        plain = cut.replace("<b>", "").replace("</b>", "").replace('<a href="https://e.com/?a=1&amp;b=2">', "")
        assert plain.replace("</a>", "") == f"<p>{library_english('يأخذ الولد قلم.')}</p>"

        with pytest.raises(BadRequestError, match="not supported"):
            client.translate(SENTENCES[0], "fr", "en")
        assert [lang.code for lang in client.languages()] == ["ar", "en"]

    async def concurrently() -> list[str]:
        async with AsyncLibreTranslate(server.url) as client:
            results = await asyncio.gather(*(client.translate(s, "ar", "en") for s in SENTENCES))
            return [r.translated_text for r in results]

    assert asyncio.run(concurrently()) == [library_english(s) for s in SENTENCES]


def test_json_and_form_bodies_and_lt_errors(server):
    one = httpx.post(f"{server.url}/translate", json={"q": SENTENCES[0], "source": "ar", "target": "en"}).json()
    form = httpx.post(f"{server.url}/translate", data={"q": SENTENCES[0], "source": "ar", "target": "en"}).json()
    assert one == form and isinstance(one["translatedText"], str)
    raw = httpx.post(  # what `curl -d q=...` sends: UTF-8 bytes, not percent-encoded
        f"{server.url}/translate",
        content=f"q={SENTENCES[0]}&source=ar&target=en".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert raw.json() == one
    multipart = httpx.post(
        f"{server.url}/translate", data={"source": "ar", "target": "en"}, files={"q": (None, SENTENCES[0])}
    )
    assert multipart.json() == one
    for body, status in [
        ({"source": "ar", "target": "en"}, 400),
        ({"q": "x", "source": "ar", "target": "de"}, 400),
        ({"q": "x", "source": "ar", "target": "en", "format": "pdf"}, 400),
        ({"q": "x", "source": "ar", "target": "en", "alternatives": 99}, 400),
        ({"q": [1, 2], "source": "ar", "target": "en"}, 400),
    ]:
        answer = httpx.post(f"{server.url}/translate", json=body)
        assert answer.status_code == status and set(answer.json()) == {"error"}
    broken = httpx.post(f"{server.url}/translate", content=b'{"q": ', headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json() == {"error": "Invalid JSON format"}


def test_v1_streams_sentence_by_sentence_and_keeps_the_document(server, library_english):
    with httpx.stream(
        "POST", f"{server.url}/v1/translate", params={"stream": "ndjson"}, json={"text": TOY_ARTICLE, "save": True}
    ) as response:
        assert response.headers["content-type"].startswith("application/x-ndjson")
        events = [json.loads(line) for line in response.iter_lines() if line]
    assert events[0]["type"] == "start" and events[-1]["type"] == "done"
    assert [e["type"] for e in events].count("start") == 1
    indexes = [e["index"] for e in events if e["type"] == "sentence"]
    assert sorted(indexes) == list(range(events[0]["total"])) == sorted(set(indexes))
    document = events[-1]["document"]
    assert document["format"] == "reader.document" and all(
        s["alignment"] for p in document["paragraphs"] for s in p["sentences"]
    )
    id_ = document["id"]

    assert httpx.get(f"{server.url}/v1/documents/{id_}").json()["paragraphs"] == document["paragraphs"]
    listed = httpx.get(f"{server.url}/v1/documents").json()
    assert id_ in [row["id"] for row in listed["documents"]]
    exports = [("md", "text/markdown"), ("tmx", "application/x-tmx+xml"), ("html", "text/html")]
    for fmt, media in [*exports, ("epub", "application/epub+zip")]:
        export = httpx.get(f"{server.url}/v1/documents/{id_}.{fmt}")
        assert export.status_code == 200 and export.headers["content-type"].startswith(media)
    assert httpx.get(f"{server.url}/v1/documents/{id_}.epub").content.startswith(b"PK")  # a zip, the EPUB
    english_word = library_english(SENTENCES[0]).split()[-2]
    assert httpx.get(f"{server.url}/v1/search", params={"q": english_word}).status_code == 200

    sse = httpx.post(f"{server.url}/v1/translate", params={"stream": "sse"}, json={"text": SENTENCES[0]})
    assert sse.headers["content-type"].startswith("text/event-stream") and "event: done" in sse.text

    edited = httpx.put(f"{server.url}/v1/documents/{id_}/edits/0", json={"text": "A reader's own words."})
    assert edited.status_code == 200 and edited.json()["shown"] == "A reader's own words."
    assert httpx.get(f"{server.url}/v1/documents/{id_}/edits").json()[0]["edit"]["text"] == "A reader's own words."
    # The kept edit is what a LibreTranslate client gets for that sentence now.
    first = document["paragraphs"][0]["sentences"][0]["source"]
    assert LibreTranslateAPI(server.url).translate(first, "ar", "en") == "A reader's own words."
    assert httpx.get(f"{server.url}/v1/documents/nothing-here").status_code == 404


def test_guards_body_cap_origin_host_and_private_urls(server):
    huge = httpx.post(
        f"{server.url}/translate",
        content=b"q=" + b"a" * 7_000_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413 and "--max-body-mb" in huge.json()["error"]
    page = httpx.post(
        f"{server.url}/translate",
        data={"q": SENTENCES[0], "source": "ar", "target": "en"},
        headers={"Origin": "http://127.0.0.1:9"},
    )
    assert page.status_code == 403 and "access-control-allow-origin" not in page.headers
    own = httpx.get(f"{server.url}/languages", headers={"Origin": server.url})  # the server's own /docs page
    assert own.status_code == 200
    assert httpx.get(f"{server.url}/languages", headers={"Host": "attacker.example"}).status_code == 400
    private = httpx.post(f"{server.url}/v1/translate/url", json={"url": "http://127.0.0.1:1/x"})
    assert private.status_code == 400 and set(private.json()) == {"error"}
    assert "Traceback" not in private.text
    assert "refused" in private.json()["error"]


def test_off_loopback_without_keys_refuses_to_start(tmp_path: Path, toy_model_dir: Path):
    env = serve.environment(tmp_path, toy_model_dir, host="0.0.0.0", port=1)
    result = subprocess.run([sys.executable, "-m", "reader.serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0" in result.stderr and "--api-keys" in result.stderr
    assert "Traceback" not in result.stderr
    env = serve.environment(tmp_path, toy_model_dir, host="0.0.0.0", port=1, api_keys=True)
    result = subprocess.run([sys.executable, "-m", "reader.serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "holds no key" in result.stderr


def test_keys_wrong_403_over_limit_429_write_rights(tmp_path: Path, toy_model_dir: Path):
    with KeyStore(tmp_path / "api-keys.sqlite3") as keys:
        reader_key, _ = keys.add("reader", requests_per_minute=3, chars_per_request=200, write=False)
        writer_key, _ = keys.add("writer", requests_per_minute=100, chars_per_request=10_000, write=True)
        assert "digest" not in json.dumps([k.to_dict() for k in keys.list()])
    assert reader_key.encode() not in (tmp_path / "api-keys.sqlite3").read_bytes()
    with serve.reader_serve(tmp_path, toy_model_dir, api_keys=True) as served:
        with LibreTranslate(served.url, api_key="rk_wrong") as client, pytest.raises(ForbiddenError):
            client.translate(SENTENCES[0], "ar", "en")
        with LibreTranslate(served.url) as client, pytest.raises(BadRequestError, match="API key"):
            client.translate(SENTENCES[0], "ar", "en")
        with LibreTranslate(served.url, api_key=reader_key) as client:
            with pytest.raises(BadRequestError, match="exceeds text limit"):
                client.translate("ب" * 300, "ar", "en")
            client.translate(SENTENCES[0], "ar", "en")
            client.translate(SENTENCES[1], "ar", "en")  # the third request of the minute: the refused one counts
            with pytest.raises(RateLimitError):
                client.translate(SENTENCES[2], "ar", "en")
        over = httpx.post(f"{served.url}/detect", data={"q": "x", "api_key": reader_key})
        assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1

        body = {"text": SENTENCES[0], "save": True}
        assert httpx.post(f"{served.url}/v1/translate", json=body).status_code == 400
        bearer = {"Authorization": f"Bearer {writer_key}"}
        saved = httpx.post(f"{served.url}/v1/translate", json=body, headers=bearer)
        assert saved.status_code == 200
        feed = {"url": "https://example.com/feed.xml"}
        assert httpx.post(f"{served.url}/v1/feeds", json=feed, params={"api_key": "rk_wrong"}).status_code == 403
        assert httpx.post(f"{served.url}/v1/feeds", json=feed, headers=bearer).status_code == 200

    # On loopback without --api-keys, reading needs no key, but writing does once keys exist.
    with serve.reader_serve(tmp_path, toy_model_dir) as served:
        assert (
            httpx.post(f"{served.url}/translate", json={"q": SENTENCES[0], "source": "ar", "target": "en"}).status_code
            == 200
        )
        id_ = saved.json()["id"]
        edit = {"text": "Edited."}
        assert httpx.put(f"{served.url}/v1/documents/{id_}/edits/0", json=edit).status_code == 403
        read_only = {"Authorization": f"Bearer {reader_key}"}
        assert httpx.put(f"{served.url}/v1/documents/{id_}/edits/0", json=edit, headers=read_only).status_code == 403
        assert httpx.put(f"{served.url}/v1/documents/{id_}/edits/0", json=edit, headers=bearer).status_code == 200


def _load(url: str, seconds: float, worker: int, saved: list[str], errors: list[str], stop: threading.Event) -> None:
    """One client: LibreTranslate calls, and now and then a document saved to the library."""
    end = time.monotonic() + seconds
    n = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.monotonic() < end and not stop.is_set():
            n += 1
            try:
                if n % 4 == 0:
                    text = f"{SENTENCES[n % len(SENTENCES)]} {worker}-{n}"
                    answer = client.post("/v1/translate", json={"text": text, "save": True})
                    if answer.status_code == 200:
                        saved.append(answer.json()["id"])
                else:
                    answer = client.post(
                        "/translate",
                        json={"q": SENTENCES[(worker + n) % len(SENTENCES)], "source": "ar", "target": "en"},
                    )
                if answer.status_code != 200:
                    errors.append(f"{answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError as exc:
                if not stop.is_set():
                    errors.append(repr(exc))
                return


def _clients(
    url: str, count: int, seconds: float, stop: threading.Event
) -> tuple[list[str], list[str], list[threading.Thread]]:
    saved: list[str] = []
    errors: list[str] = []
    threads = [threading.Thread(target=_load, args=(url, seconds, i, saved, errors, stop)) for i in range(count)]
    for thread in threads:
        thread.start()
    return saved, errors, threads


def test_32_concurrent_clients_no_errors_no_lost_or_doubled_writes(
    tmp_path: Path, toy_model_dir: Path, library_english
):
    with serve.reader_serve(tmp_path, toy_model_dir) as served:
        saved, errors, threads = _clients(served.url, 32, 5.0, threading.Event())
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(saved) >= 8 and len(set(saved)) == len(saved)
        listed = httpx.get(f"{served.url}/v1/documents", params={"limit": 200}).json()
        assert listed["total"] == len(saved) == len(list((tmp_path / "library" / "articles").glob("*.json")))
        assert set(saved) >= {row["id"] for row in listed["documents"]}
        answers = httpx.post(f"{served.url}/translate", json={"q": SENTENCES, "source": "ar", "target": "en"}).json()
        assert answers["translatedText"] == [library_english(s) for s in SENTENCES]
        batcher = httpx.get(f"{served.url}/health").json()["batcher"]
        assert batcher["most_requests"] > 1 and batcher["waiting"] == 0  # requests shared model batches


def test_kill_9_mid_load_leaves_library_and_cache_consistent(tmp_path: Path, toy_model_dir: Path, library_english):
    served = serve.start(tmp_path, toy_model_dir)
    stop = threading.Event()
    saved, _, threads = _clients(served.url, 8, 30.0, stop)
    deadline = time.monotonic() + 60
    while len(saved) < 3 and time.monotonic() < deadline:  # mid-load: some writes answered, more under way
        time.sleep(0.1)
    os.kill(served.process.pid, signal.SIGKILL)
    served.process.wait()
    stop.set()
    for thread in threads:
        thread.join()
    assert saved, "nothing was saved before the kill"
    with serve.reader_serve(tmp_path, toy_model_dir) as again:
        files = {p.stem for p in (tmp_path / "library" / "articles").glob("*.json")}
        listed = httpx.get(f"{again.url}/v1/documents", params={"limit": 200}).json()
        assert {row["id"] for row in listed["documents"]} == files and listed["total"] == len(files)
        assert set(saved) <= files  # every write that was answered is kept
        for id_ in files:
            assert httpx.get(f"{again.url}/v1/documents/{id_}").status_code == 200
        answers = httpx.post(f"{again.url}/translate", json={"q": SENTENCES, "source": "ar", "target": "en"}).json()
        assert answers["translatedText"] == [library_english(s) for s in SENTENCES]
    for store in ("cache.sqlite3", "library/library.sqlite3", "library/library-index.sqlite3"):
        if (tmp_path / store).exists():
            with sqlite3.connect(tmp_path / store) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert Counter(saved).most_common(1)[0][1] == 1


def test_cli_keys_add_list_remove_and_the_refused_start(tmp_path: Path):
    from click.testing import CliRunner

    from reader.cli import cli

    runner = CliRunner()
    keys = ["--keys-db", str(tmp_path / "keys.sqlite3")]
    added = runner.invoke(cli, ["serve", "keys", "add", "feeds-bot", "--rpm", "5", "--write", *keys])
    assert added.exit_code == 0 and added.stdout.startswith("rk_")
    listed = runner.invoke(cli, ["serve", "keys", "list", "--json", *keys])
    record = json.loads(listed.stdout)
    assert record["name"] == "feeds-bot" and record["write"] and added.stdout.strip() not in listed.stdout
    assert runner.invoke(cli, ["serve", "keys", "remove", "feeds-bot", *keys]).exit_code == 0
    assert runner.invoke(cli, ["serve", "keys", "list", *keys]).stdout == ""
    refused = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--api-keys", *keys])
    assert refused.exit_code == 1 and "holds no key" in refused.output


def test_translated_feeds_are_served_for_the_library_and_each_source_feed(server, folder, library_english):
    import feedparser

    from reader.library import Library

    text = f"{SENTENCES[3]}\n\n{SENTENCES[4]}\n"
    document = httpx.post(f"{server.url}/v1/translate", json={"text": text}).json()
    document["meta"]["feed"] = "https://news.example/rss.xml"
    document["meta"]["source"] = "https://news.example/a/1"
    with Library(folder / "library") as library:
        library.add(Document.from_dict(document), "https://news.example/a/1")

    index = httpx.get(f"{server.url}/feeds/").json()
    assert index[0]["atom"] == "/feeds/library.atom"
    source = next(link for link in index if link["source"] == "https://news.example/rss.xml")
    atom = httpx.get(server.url + source["atom"])
    assert atom.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(atom.content)
    assert not parsed.bozo and [e.title for e in parsed.entries] == [library_english(SENTENCES[3])]
    whole = feedparser.parse(httpx.get(f"{server.url}/feeds/library.atom").content)
    assert not whole.bozo and library_english(SENTENCES[3]) in [e.title for e in whole.entries]
    as_json = httpx.get(server.url + source["json"])
    assert as_json.headers["content-type"].startswith("application/feed+json")
    assert as_json.json()["version"] == "https://jsonfeed.org/version/1.1"
    assert httpx.get(f"{server.url}/feeds/nothing-0000000000.atom").status_code == 404


def test_a_lone_input_on_every_core_translates_as_the_workers_do(toy_model_dir: Path, tmp_path: Path):
    from reader.models.convert import convert_to_ct2
    from reader.translate.backends.ctranslate2 import CT2Translator

    converted = convert_to_ct2(toy_model_dir, tmp_path / "toy-ct2", quantization="float32")
    backend = CT2Translator.load(converted, settings=Settings.load(threads=2))
    alone = [backend.translate_batch([sentence])[0] for sentence in SENTENCES[:3]]
    backend.use_every_core_alone()
    assert backend.solo is not None and backend.solo.num_translators == 1
    assert [backend.translate_batch([sentence])[0] for sentence in SENTENCES[:3]] == alone
    assert backend.translate_batch(SENTENCES[:3]) == alone  # several batches still go to the workers


def test_worker_processes_share_the_cores(monkeypatch):
    from reader.serve.options import ServeOptions
    from reader.serve.run import shared_cores

    monkeypatch.delenv("READER_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert shared_cores(ServeOptions(workers=4)).settings["threads"] == "2"
    assert shared_cores(ServeOptions(workers=16)).settings["threads"] == "1"
    assert shared_cores(ServeOptions(workers=1)).settings == {}
    assert shared_cores(ServeOptions(workers=4, settings={"threads": "3"})).settings["threads"] == "3"
    monkeypatch.setenv("READER_THREADS", "5")
    assert shared_cores(ServeOptions(workers=4)).settings == {}


def test_keys_in_urls_are_hidden_in_the_access_log():
    import logging

    from reader.serve.app import HideKeys

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/feeds/library.atom?x=1&api_key=rk_secret&y=2", "1.1", 200),
        None,
    )
    HideKeys().filter(record)
    assert "rk_secret" not in record.getMessage() and "api_key=***&y=2" in record.getMessage()


def test_a_document_upload_over_the_text_limit_is_read_whole_when_the_body_limit_allows(
    tmp_path: Path, toy_model_dir: Path
):
    """A 7 MB PDF is over the 5 MB text limit but under the document limit: it reads, not as a cut-off file."""
    pdf = Path(__file__).parent / "data" / "documents" / "pdf" / "fpdf2-naskh.pdf"
    head, rest = pdf.read_bytes().split(b"\n", 1)
    data = head + b"\n%" + b"x" * 7_000_000 + b"\n" + rest  # a long comment after the header: the same PDF
    upload = {"file": ("big.pdf", data, "application/pdf")}
    with serve.reader_serve(tmp_path, toy_model_dir, max_body_bytes=8_000_000) as served:
        answer = httpx.post(f"{served.url}/v1/translate/file", files=upload, timeout=120)
    assert answer.status_code == 200, answer.text
    document = Document.from_json(answer.text)
    assert len(document.paragraphs) > 5 and all(p.page for p in document.paragraphs)
