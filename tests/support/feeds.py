"""Checking translated feeds as others read them: RFC 4287's schema, JSON Feed 1.1's rules, and newsboat.

- ``atom_problems``: RFC 4287's RELAX NG schema (``tests/data/feeds/atom.rng``, converted from the
  RFC's compact syntax with trang), the two Schematron rules that schema states beside it, and what
  the RFC says in prose that a schema cannot (RFC 3339 dates with a time zone, absolute IRIs as ids).
- ``json_feed_problems``: every "must" of https://jsonfeed.org/version/1.1, checked one by one.
- ``newsboat_items``: the Debian feed reader reloads a feed from a URL with its own config, URL list
  and cache in a folder of the test's, and the items it stored are read back from its cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

ATOM_SCHEMA = Path(__file__).resolve().parent.parent / "data" / "feeds" / "atom.rng"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_FEED_KEYS = {
    "version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url", "icon",
    "favicon", "author", "authors", "language", "expired", "hubs", "items",
}  # fmt: skip
_ITEM_KEYS = {
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image",
    "date_published", "date_modified", "author", "authors", "tags", "language", "attachments",
}  # fmt: skip
_URL_KEYS = {"home_page_url", "feed_url", "next_url", "icon", "favicon", "url", "external_url", "image", "banner_image"}


@lru_cache(maxsize=1)
def _atom_schema():  # lxml's RelaxNG
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


def atom_problems(data: bytes) -> list[str]:
    """Why ``data`` is not an Atom 1.0 feed document as RFC 4287 defines it (nothing when it is)."""
    from lxml import etree

    root = etree.fromstring(data)
    schema = _atom_schema()
    problems = [] if schema.validate(root) else [f"schema: {e.message} (line {e.line})" for e in schema.error_log]
    if not root.xpath("a:author", namespaces=ATOM) and root.xpath("a:entry[not(a:author)]", namespaces=ATOM):
        problems.append("an atom:feed must have an atom:author unless all of its entries have one")
    for entry in root.xpath("a:entry", namespaces=ATOM):
        if not entry.xpath("a:link[@rel='alternate'] or a:link[not(@rel)] or a:content", namespaces=ATOM):
            problems.append("an atom:entry must have an alternate link or an atom:content")
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in entry.xpath("a:link[@rel='alternate']", namespaces=ATOM)
        ]
        if len(alternates) != len(set(alternates)):
            problems.append("two alternate links with the same type and hreflang in one entry (RFC 4287 4.1.2)")
    for date in root.xpath("//a:updated | //a:published", namespaces=ATOM):
        if not RFC3339.fullmatch(date.text or ""):
            problems.append(f"not an RFC 3339 date with a time zone: {date.text!r}")
    ids = [i.text or "" for i in root.xpath("//a:id", namespaces=ATOM)]
    problems += [f"an atom:id must be an absolute IRI: {i!r}" for i in ids if not ABSOLUTE_IRI.fullmatch(i)]
    if len(ids) != len(set(ids)):
        problems.append("the feed and its entries must have distinct ids")
    return problems


def json_feed_problems(data: bytes) -> list[str]:
    """Why ``data`` breaks a rule of JSON Feed 1.1 (nothing when it keeps them all)."""
    feed = json.loads(data.decode("utf-8"))
    problems: list[str] = []
    if not isinstance(feed, dict):
        return ["a feed is a JSON object"]
    if feed.get("version") != JSON_FEED_VERSION:
        problems.append(f"version must be {JSON_FEED_VERSION}")
    if not isinstance(feed.get("title"), str):
        problems.append("title is required, a string")
    if not isinstance(feed.get("items"), list):
        return [*problems, "items is required, an array"]
    problems += _keys(feed, _FEED_KEYS, "feed")
    problems += _common(feed, "feed")
    if "next_url" in feed and feed.get("next_url") == feed.get("feed_url"):
        problems.append("next_url must not be the same as feed_url")
    if "expired" in feed and not isinstance(feed["expired"], bool):
        problems.append("expired is a boolean")
    for hub in feed.get("hubs", []):
        if not (isinstance(hub, dict) and isinstance(hub.get("type"), str) and isinstance(hub.get("url"), str)):
            problems.append("a hub must have a type and a url")
    ids = []
    for number, item in enumerate(feed["items"]):
        where = f"item {number}"
        if not isinstance(item, dict):
            problems.append(f"{where}: an item is an object")
            continue
        ids.append(item.get("id"))
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id is required (a string)")
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            problems.append(f"{where}: content_html or content_text must be present")
        problems += _keys(item, _ITEM_KEYS, where)
        problems += _common(item, where)
        for key in ("title", "summary", "content_html", "content_text"):
            if key in item and not isinstance(item[key], str):
                problems.append(f"{where}: {key} is a string")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC3339.fullmatch(str(item[key])):
                problems.append(f"{where}: {key} must be an RFC 3339 date")
        if not all(isinstance(tag, str) for tag in item.get("tags", [])):
            problems.append(f"{where}: tags are strings")
        for attachment in item.get("attachments", []):
            if not (isinstance(attachment.get("url"), str) and isinstance(attachment.get("mime_type"), str)):
                problems.append(f"{where}: an attachment must have a url and a mime_type")
    if len(ids) != len(set(map(str, ids))):
        problems.append("item ids must be unique in the feed")
    return problems


def _keys(record: dict[str, Any], known: set[str], where: str) -> list[str]:
    """Keys are the format's own, or extensions: ``_`` then a letter, no ``.`` anywhere."""
    return [
        f"{where}: {key!r} is neither a JSON Feed key nor an extension (_name)"
        for key in record
        if key not in known and not re.fullmatch(r"_[A-Za-z][^.]*", key)
    ]


def _common(record: dict[str, Any], where: str) -> list[str]:
    problems = []
    for key in _URL_KEYS & set(record):
        if not isinstance(record[key], str):
            problems.append(f"{where}: {key} is a string (a URL)")
    for author in record.get("authors", []):
        if not isinstance(author, dict) or not any(isinstance(author.get(k), str) for k in ("name", "url", "avatar")):
            problems.append(f"{where}: an author object must have a name, a url or an avatar")
    if "language" in record and not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", str(record["language"])):
        problems.append(f"{where}: language must be an RFC 5646 tag")
    return problems


def have_newsboat() -> bool:
    return shutil.which("newsboat") is not None


def newsboat_items(url: str, folder: Path) -> tuple[str, list[dict[str, Any]]]:
    """Reload the feed at ``url`` in newsboat (its files in ``folder``, kept between calls as a reader's would
    be): what ``print-unread`` said, and the items newsboat stored, oldest first."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "urls").write_text(url + "\n", encoding="utf-8")
    (folder / "config").write_text("download-timeout 10\n", encoding="utf-8")
    cache = folder / "cache.db"
    env = {"HOME": str(folder), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}  # no proxy
    command = ["newsboat", "-u", str(folder / "urls"), "-c", str(cache), "-C", str(folder / "config")]
    done = subprocess.run([*command, "-x", "reload", "print-unread"], env=env, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"newsboat failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    with sqlite3.connect(cache) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT guid, title, url, content, unread FROM rss_item WHERE feedurl = ? ORDER BY id", (url,)
        ).fetchall()
    return done.stdout.decode("utf-8", errors="replace").strip(), [dict(r) for r in rows]
