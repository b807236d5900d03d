"""Atom 1.0 (RFC 4287) of a ``TranslatedFeed``.

Built with ElementTree, which escapes every text and attribute; the text was already made safe for
XML by ``entries.clean``. The content is HTML carried as escaped text (``type="html"``), as feed
readers expect; the summary is plain text. ``link rel="alternate"`` is where a click should go (the
article in the reader app, else the original), ``rel="via"`` the original article (``hreflang="ar"``).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from reader.publish.entries import FeedEntry, TranslatedFeed, rfc3339

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
SUFFIX = ".atom"


def render(feed: TranslatedFeed, *, self_url: str = "") -> bytes:
    """The feed document as UTF-8; ``self_url``, when given, is the address it is served from (``rel="self"``)."""
    root = Element("feed", {"xmlns": ATOM, "xml:lang": "en"})  # unprefixed names, in Atom's namespace
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    if feed.subtitle:
        _add(root, "subtitle", feed.subtitle)
    _add(root, "updated", rfc3339(feed.updated))
    _add(SubElement(root, "author"), "name", feed.author)
    _add(root, "generator", "reader")
    if self_url:
        _link(root, self_url, "self", MEDIA_TYPE)
    if feed.home_url:
        _link(root, feed.home_url, "alternate", "text/html")
    for entry in feed.entries:
        _entry(SubElement(root, "entry"), entry)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8")


def _entry(element: Element, entry: FeedEntry) -> None:
    _add(element, "id", entry.id)
    _add(element, "title", entry.title)
    _add(element, "updated", rfc3339(entry.updated))
    if entry.published is not None:
        _add(element, "published", rfc3339(entry.published))
    if entry.author:
        _add(SubElement(element, "author"), "name", entry.author)
    if entry.link:
        _link(element, entry.link, "alternate", "text/html")
    if entry.original_url and entry.original_url != entry.link:
        _link(element, entry.original_url, "via", "text/html", hreflang="ar")
    if entry.summary:
        _add(element, "summary", entry.summary, type="text")
    _add(element, "content", entry.content_html, type="html")


def _add(parent: Element, name: str, text: str, **attributes: str) -> Element:
    child = SubElement(parent, name, attributes)
    child.text = text
    return child


def _link(parent: Element, href: str, rel: str, media_type: str, **attributes: str) -> None:
    SubElement(parent, "link", {"href": href, "rel": rel, "type": media_type, **attributes})
