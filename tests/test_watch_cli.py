"""`reader watch` and a feed check that meets a watchlist (in-process CLI, a loopback feed, the fake model)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import feedparser
import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.publish.static import FEEDS_DIR, watch_stem
from tests.support.batching import serve_feed
from tests.support.http_server import LocalServer

FEED = [("/news/rates", "البنك المركزي يثبت أسعار الفائدة", 21), ("/news/solar", "محطة شمسية في الصحراء", 22)]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_watch_add_list_remove_and_a_feed_check_that_hits(fake_model, isolated_settings: Path, monkeypatch) -> None:
    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    assert run("watch", "add", "energy", "شمسية", "والصحراء").exit_code == 0
    bad = CliRunner().invoke(cli, ["watch", "add", "x", "="])
    assert bad.exit_code == 1 and bad.output.startswith("Error: the watch term '=' is not a pair")
    with LocalServer() as server:
        url = serve_feed(server, "/feed.xml", FEED)
        assert run("feeds", "add", url).exit_code == 0
        assert run("feeds", "check").exit_code == 0
    (listed,) = [json.loads(line) for line in run("watch", "list", "--json").stdout.splitlines()]
    assert (listed["name"], listed["terms"], listed["articles"], listed["unread"]) == (
        "energy",
        ["شمسية", "والصحراء"],
        1,
        1,
    )
    feed = isolated_settings / "library" / FEEDS_DIR / f"{watch_stem('energy')}.atom"
    entries = feedparser.parse(feed.read_bytes()).entries
    assert len(entries) == 1 and entries[0].link.startswith("http://localhost:8501/?doc=solar-")
    found = [json.loads(line) for line in run("library", "search", "صحراء", "--json").stdout.splitlines()]
    assert found and all("الصحراء" in hit["source"] for hit in found)
    assert run("watch", "remove", "energy").exit_code == 0
    assert run("watch", "list").stdout == ""


class _SlowHook(BaseHTTPRequestHandler):
    """A webhook that answers only once the test releases it (a slow or hung server), then with ``status``."""

    release = threading.Event()
    answered: ClassVar[list[dict]] = []
    status = 500

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).release.wait(20)
        self.send_response(type(self).status)
        self.end_headers()
        type(self).answered.append(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.filterwarnings("ignore:watchlist .* alert failed")  # the background sender says so
def test_a_slow_webhook_does_not_hold_up_the_feed_check_and_a_failed_alert_is_retried_by_the_next(
    fake_model, isolated_settings: Path, monkeypatch
) -> None:
    from reader.batch import BatchOptions
    from reader.batch.feeds import check_feeds
    from reader.config import Settings
    from reader.library import Library
    from reader.library.alerts import wait_delivered

    monkeypatch.setenv("READER_ALLOW_PRIVATE_URLS", "1")
    _SlowHook.release.clear()
    _SlowHook.answered, _SlowHook.status = [], 500
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    settings = Settings.load()
    root = settings.library
    try:
        with LocalServer() as server, Library(root) as library:
            library.watch("energy", ["شمسية"], webhook=f"http://127.0.0.1:{hook.server_port}/hook")
            library.subscribe(serve_feed(server, "/feed.xml", FEED))
            check = check_feeds(root, BatchOptions(settings, formats=["json"]))
            # The check is over, its hit and the alert it owes recorded, while the webhook still holds the POST.
            assert check.ok and check.feeds[0].new == 2 and library.watch_counts()["energy"] == (1, 1)
            assert _SlowHook.answered == [] and [row[4] for row in library.state.outbox()] == [0]
            _SlowHook.release.set()
            wait_delivered(library.state.path, timeout=30)
            assert len(_SlowHook.answered) == 1 and [row[4] for row in library.state.outbox()] == [1]  # a 500: kept
            _SlowHook.status = 200
            again = check_feeds(root, BatchOptions(settings, formats=["json"]))  # nothing new: the alert is retried
            assert again.summary.unchanged == 2
            wait_delivered(library.state.path, timeout=30)
            assert library.state.outbox() == []
    finally:
        _SlowHook.release.set()
        hook.shutdown()
    first, retried = _SlowHook.answered
    assert first == retried and first["watchlist"] == "energy" and first["title"] == FEED[1][1]
