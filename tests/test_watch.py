"""Watchlists (reader.library.watch, reader.library.alerts): documents matched as they enter the library,
hits stored and counted, alerts through an Atom file, a loopback webhook and a loopback SMTP server."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import feedparser
import pytest

from reader.document import Metadata
from reader.errors import LibraryError
from reader.library import Filters, Library
from reader.library.alerts import wait_delivered
from reader.library.layout import STATE_NAME
from reader.library.state import StateStore
from reader.library.watch import TITLE, Matcher, Watchlist, WatchTerm, parse_term
from reader.publish.static import watch_stem, write_feeds
from tests.support.documents import make_document

FEED = "https://news.example/feed.xml"


def article(name: str, sentences, *, feed: str = "", title: str = "", title_en: str = ""):
    meta = Metadata(
        title=title, title_translation=title_en, source=f"https://news.example/{name}", feed=feed, date="2024-05-01"
    )
    pairs = [(ar, en, [(i, i) for i in range(min(len(ar.split()), len(en.split())))], []) for ar, en in sentences]
    return make_document([pairs], meta), meta.source


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).status == 200:
            type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.received, _Hook.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def delivered(library: Library) -> None:
    """Wait for the background deliveries (``alerts.deliver_later``)."""
    wait_delivered(library.state.path, timeout=30)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    with Library(tmp_path / "library") as lib:
        yield lib


def test_terms_are_arabic_english_or_a_pair() -> None:
    assert parse_term("الرئيس") == WatchTerm(arabic="الرئيس")
    assert parse_term(" cyber  attack ") == WatchTerm(english="cyber attack")
    assert parse_term("السيسي=Sisi") == parse_term("Sisi = السيسي") == WatchTerm("السيسي", "Sisi")
    for bad in ("=", "Sisi=Sisi", "  ", "?!"):
        with pytest.raises(LibraryError):
            parse_term(bad)


def test_a_document_is_matched_through_clitics_and_plurals_when_it_enters(library: Library) -> None:
    library.watch("president", ["رئيس"])
    library.watch("cyber", ["breach", "cyber attack"])
    library.watch("sisi", ["السيسي=Sisi"], feeds=[FEED])
    document, key = article(
        "one",
        [
            ("وصل الرئيس إلى المدينة", "The president arrived in the city"),
            ("وحذر من اختراقات جديدة", "He warned of new breaches"),
            ("والتقى بالسيسي أمس", "And he met al-Sisi yesterday"),
        ],
        feed=FEED,
    )
    id_ = library.add(document, key)
    hits = {(h.watchlist, h.sentence): h for h in library.watch_hits(id_)}
    assert set(hits) == {("president", 0), ("cyber", 1), ("sisi", 2)}
    assert hits[("president", 0)].source_words == (1,)  # الرئيس, as written
    assert hits[("cyber", 1)].translation_words == (4,)  # "breaches."
    assert hits[("sisi", 2)].source_words == (1,) and hits[("sisi", 2)].translation_words == (3,)
    assert library.page(Filters(watchlist="cyber")).total == 1
    assert library.watch_counts() == {"president": (1, 1), "cyber": (1, 1), "sisi": (1, 1)}
    library.mark_read(id_)
    assert library.watch_counts()["cyber"] == (1, 0)


def test_a_watchlist_limited_to_feeds_ignores_other_feeds_and_a_title_can_match(library: Library) -> None:
    library.watch("sisi", ["السيسي"], feeds=[FEED])
    library.watch("any", ["summit"])
    document, key = article("two", [("التقى السيسي بالوزير", "Sisi met the minister")], title_en="The summit")
    document = document.__class__(
        document.text, document.paragraphs, Metadata(title="القمة", title_translation="The summit", source=key)
    )
    id_ = library.add(document, key)
    assert [(h.watchlist, h.sentence) for h in library.watch_hits(id_)] == [("any", TITLE)]


def test_a_retranslated_document_replaces_its_hits_and_is_not_alerted_twice(library: Library, webhook: str) -> None:
    library.watch("president", ["الرئيس"], webhook=webhook)
    document, key = article("three", [("قال الرئيس", "The president said")])
    id_ = library.add(document, key)
    library.add(document, key)
    delivered(library)
    assert len(_Hook.received) == 1  # the same hits again: no second alert
    changed, _ = article("three", [("قال الوزير", "The minister said")])
    library.add(changed, key)
    assert library.watch_hits(id_) == []
    library.add(document, key)
    delivered(library)
    assert len(_Hook.received) == 2  # it mentions the president again: new to the watchlist
    library.remove(id_)
    assert library.watch_counts() == {"president": (0, 0)}


def test_batch_and_feed_checks_are_matched_too(library: Library) -> None:
    """Batch writes the file itself and calls ``indexed``: the same hook."""
    library.watch("president", ["الرئيس"])
    document, key = article("four", [("قال الرئيس", "The president said")])
    id_ = library.add(document, key)
    library.state.replace_hits(id_, [], lambda names: [])
    library.indexed(id_, document)
    assert len(library.watch_hits(id_)) == 1


def test_each_watchlist_has_a_translated_feed_that_escapes_hostile_text(library: Library) -> None:
    library.watch("attack", ["attack"])
    hostile = 'An attack <script>alert(1)</script> & "quotes" \x01\x1b[31m'
    document, key = article("five", [("هجوم على المدينة", hostile)], title="هجوم", title_en="<b>Attack</b>")
    library.add(document, key)
    library.add(*article("six", [("مدينة", "A city")]))
    folder = write_feeds(library, app_url="").folder
    parsed = feedparser.parse((folder / f"{watch_stem('attack')}.atom").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    assert entry.title == "<b>Attack</b>" and entry.link == key
    assert "<script>" not in entry.content[0].value and "\x01" not in entry.content[0].value


@pytest.mark.filterwarnings("ignore:watchlist .* alert failed")  # the background sender says so
def test_a_webhook_gets_one_json_alert_and_a_failed_one_is_retried(library: Library, webhook: str) -> None:
    library.watch("president", ["الرئيس"], webhook=webhook)
    _Hook.status = 500
    document, key = article("six", [("قال الرئيس", "The president said")])
    id_ = library.add(document, key)  # delivered in the background: the warning is that thread's
    delivered(library)
    assert _Hook.received == [] and [row[4] for row in library.state.outbox()] == [1]  # one attempt, kept
    _Hook.status = 200
    assert library.deliver_alerts() == []
    (sent,) = _Hook.received
    assert sent["watchlist"] == "president" and sent["id"] == id_ and sent["link"] == f"/read?doc={id_}"
    assert sent["hits"][0]["terms"] == ["الرئيس"] and sent["hits"][0]["english"] == "The president said"
    assert library.state.outbox() == []


@pytest.mark.filterwarnings("ignore:watchlist .* alert failed")
def test_an_alert_another_process_is_sending_is_not_sent_twice(library: Library, webhook: str) -> None:
    """The app and a feed check share one library: the row one of them has claimed is left to it."""
    library.watch("president", ["الرئيس"], webhook=webhook)
    _Hook.status = 500  # the first background try fails, so the row stays
    library.add(*article("seven", [("قال الرئيس", "The president said")]))
    delivered(library)
    [(n, *_)] = library.state.outbox()
    _Hook.status = 200
    with StateStore(library.state.path) as other:  # the other process, mid-send
        assert other.claim(n, lease_s=60)
        assert library.deliver_alerts() == [] and _Hook.received == []
        assert not library.state.claim(n, lease_s=60)
        assert library.state.claim(n, lease_s=60, now=time.time() + 61)  # a sender killed mid-send: its lease ends
    assert _Hook.received == [] and len(library.state.outbox()) == 1


def test_an_email_goes_through_the_configured_smtp_server(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message) -> None:
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("READER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("READER_SMTP_PORT", str(port))
        monkeypatch.setenv("READER_SMTP_FROM", "reader@example.test")
        library.watch("sisi", ["Sisi"], email="me@example.test")
        document, key = article("seven", [("قال السيسي", "Sisi said")], title="السيسي", title_en="Sisi speaks")
        library.add(document, key)
        delivered(library)
    finally:
        controller.stop()
    (message,) = received
    assert message["To"] == "me@example.test" and message["Subject"] == "[sisi] Sisi speaks"
    assert "Sisi said" in message.get_payload(decode=True).decode()


@pytest.mark.filterwarnings("ignore:watchlist .* alert failed")  # the background sender says so
def test_without_an_smtp_server_the_alert_waits_with_a_clear_error(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READER_SMTP_HOST", raising=False)
    library.watch("sisi", ["Sisi"], email="me@example.test")
    document, key = article("eight", [("قال السيسي", "Sisi said")])
    library.add(document, key)
    delivered(library)
    assert [(row[2], row[4]) for row in library.state.outbox()] == [("email", 1)]
    with pytest.warns(UserWarning, match="no SMTP server configured: set READER_SMTP_HOST"):
        assert len(library.deliver_alerts()) == 1  # reader watch send: now, and the reason said


def test_bad_watchlists_are_one_line_errors(library: Library) -> None:
    for kwargs in ({"name": "", "terms": ["x"]}, {"name": "a/b", "terms": ["x"]}, {"name": "a", "terms": []}):
        with pytest.raises(LibraryError):
            library.watch(**kwargs)
    with pytest.raises(LibraryError, match="not a webhook URL"):
        library.watch("a", ["x"], webhook="file:///etc/passwd")
    with pytest.raises(LibraryError, match="no watchlist 'nope'"):
        library.unwatch("nope")


def test_a_library_of_the_previous_schema_gains_the_watchlists(tmp_path: Path) -> None:
    with Library(tmp_path / "library") as lib:
        lib.open()
    conn = sqlite3.connect(tmp_path / "library" / STATE_NAME)
    for table in ("watchlists", "watch_hits", "outbox", "story_apart"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE feeds DROP COLUMN titles_first")  # schema 4's
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Library(tmp_path / "library") as lib:
        lib.watch("x", ["الرئيس"])
        assert [w.name for w in lib.watchlists()] == ["x"]


def test_one_pass_matches_many_watchlists() -> None:
    watchlists = [Watchlist(f"w{n}", (WatchTerm(english=f"word{n}"),)) for n in range(100)]
    watchlists.append(Watchlist("pm", (WatchTerm("رئيس الوزراء", "prime minister"),)))
    document, _ = article("nine", [("قال لرئيس الوزراء", "He told the Prime Ministers and word7")])
    found = {(h.watchlist, h.source_words, h.translation_words) for h in Matcher(watchlists).match("x", document)}
    assert found == {("w7", (), (6,)), ("pm", (1, 2), (3, 4))}


def test_a_watchlist_added_elsewhere_is_used_by_a_library_already_open(library: Library) -> None:
    """The app keeps one Library open for hours while ``reader watch add`` runs in another process."""
    library.add(*article("ten", [("قال الوزير", "The minister said")]))  # the (empty) watchlists were read
    with Library(library.root) as other:
        other.watch("president", ["الرئيس"])
    id_ = library.add(*article("eleven", [("قال الرئيس", "The president said")]))
    assert [h.watchlist for h in library.watch_hits(id_)] == ["president"]


def test_a_file_indexed_when_the_library_opens_is_matched_too(library: Library) -> None:
    """A batch run killed after writing a document file, before indexing it: the next open indexes and matches it."""
    from reader.export import write_atomic
    from reader.library.layout import document_file, document_id

    library.watch("president", ["الرئيس"])
    document, key = article("twelve", [("قال الرئيس", "The president said")])
    write_atomic(library.root / document_file(document_id(key)), document.to_json().encode("utf-8"))
    with Library(library.root) as reopened:
        assert [h.watchlist for h in reopened.watch_hits(document_id(key))] == ["president"]
