"""`reader watch` and a feed check that meets a watchlist (in-process CLI, a loopback feed, the fake model)."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
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
