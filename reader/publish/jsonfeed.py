"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of a ``TranslatedFeed``.

The same entries as the Atom feed: ``url`` is where a click should go (the article in the reader
app, else the original), ``external_url`` the original article; HTML appears only in
``content_html``, as the format requires. Served as ``application/feed+json``.
"""

from __future__ import annotations

import json
from typing import Any

from reader.publish.entries import FeedEntry, TranslatedFeed, rfc3339

VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE = "application/feed+json"
SUFFIX = ".json"


def render(feed: TranslatedFeed, *, self_url: str = "") -> bytes:
    """The feed document as UTF-8 JSON; ``self_url``, when given, is the address it is served from (``feed_url``)."""
    document: dict[str, Any] = {"version": VERSION, "title": feed.title}
    if feed.home_url:
        document["home_page_url"] = feed.home_url
    if self_url:
        document["feed_url"] = self_url
    if feed.subtitle:
        document["description"] = feed.subtitle
    document["language"] = "en"
    document["authors"] = [{"name": feed.author}]
    document["items"] = [_item(entry) for entry in feed.entries]
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id}
    if entry.link:
        item["url"] = entry.link
    if entry.original_url and entry.original_url != entry.link:
        item["external_url"] = entry.original_url
    item["title"] = entry.title
    if entry.summary:
        item["summary"] = entry.summary
    item["content_html"] = entry.content_html
    if entry.published is not None:
        item["date_published"] = rfc3339(entry.published)
    item["date_modified"] = rfc3339(entry.updated)
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    item["language"] = "en"
    return item
