"""What a translated feed holds, whatever its format: one entry per library document, and the feed around them.

Atom (``atom.py``) and JSON Feed (``jsonfeed.py``) render the same ``TranslatedFeed``, so the two
always say the same. An entry is made from the document as the library keeps it, so the reader's
versions of sentences are what it shows (``SentencePair.shown``):

- ``id``: a ``urn:uuid:`` named after the document id, so it never changes while the article is in
  the library, whoever translated it and whatever its title becomes;
- ``title`` and ``summary``: the English; the summary is the body's first translated sentences;
- ``content_html``: each paragraph in English, then its Arabic (``dir="rtl" lang="ar"``), every
  piece of text escaped: article text is hostile, and none of its own markup reaches a feed reader;
- ``updated``: when the document's file was last written, which the library does whenever its
  translation or the reader's version of one of its sentences changes;
- links to the original article (when it has a web address) and to the article in the reader app.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from urllib.parse import urlencode

from reader.chars import BIDI_EMBEDDINGS
from reader.document import SCOPE_LEAD, Document, Paragraph, same_text
from reader.errors import ReaderError

NAMESPACE = uuid.UUID("5b0e7c2e-8a4f-5c61-9d3e-2f7a1c0b6e4d")
"""Names every feed and entry id (``uuid5``): changing it would make every feed reader see new entries."""
SUMMARY_SENTENCES = 2
SUMMARY_CHARS = 300
"""A summary is the first translated sentences, "a sentence or two" (JSON Feed), up to about this many characters."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The ``updated`` of a feed with no entries (a fixed value, so an empty feed's file does not change)."""

_NOT_IN_FEEDS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff{BIDI_EMBEDDINGS}]")
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\"<>]+", re.IGNORECASE)


@dataclass(frozen=True)
class FeedEntry:
    """One translated article, as every feed format shows it."""

    id: str
    document_id: str
    title: str
    summary: str
    """Plain text."""
    content_html: str
    """Bilingual HTML, escaped throughout."""
    updated: datetime
    published: datetime | None = None
    author: str = ""
    original_url: str = ""
    """The article's own web address; empty when it came from a file or pasted text."""
    app_url: str = ""
    """The article in the reader app; empty when no app address is configured."""

    @property
    def link(self) -> str:
        """Where a feed reader sends a click: the side-by-side article in the app, else the original."""
        return self.app_url or self.original_url


@dataclass(frozen=True)
class TranslatedFeed:
    id: str
    title: str
    subtitle: str
    updated: datetime
    """The newest entry's ``updated`` (``EPOCH`` when there is none)."""
    entries: tuple[FeedEntry, ...]
    home_url: str = ""
    """The reader app, when configured."""
    author: str = "reader"


def clean(text: str) -> str:
    """Text any feed can carry: without the characters XML 1.0 forbids (a hostile article's NULs, lone
    surrogates) and without bidi embeddings and overrides, which disguise what text says."""
    return _NOT_IN_FEEDS.sub("", text)


def plain(text: str) -> str:
    """``clean`` text on one line."""
    return " ".join(clean(text).split())


def web_url(value: str) -> str:
    """``value`` when it is an http(s) address a feed may link to, else empty (a file path, something odd)."""
    value = value.strip()
    return value if _WEB_URL.fullmatch(value) and clean(value) == value else ""


def feed_id(kind: str, key: str = "") -> str:
    return _urn(f"feed:{kind}:{key}")


def entry_id(document_id: str) -> str:
    return _urn(f"document:{document_id}")


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, name)}"


def checked_base(value: str, setting: str) -> str:
    """A configured address (the app's, the feeds'), checked: http(s) or empty; a one-line error naming
    the ``setting`` (READER_APP_URL) otherwise."""
    value = value.strip()
    if value and not web_url(value):
        raise ReaderError(f"invalid address {value!r} ({setting}): it must be an http:// or https:// URL")
    return value


def app_link(app_url: str, document_id: str) -> str:
    """The app's deep link to a document (``/?doc=ID``, as the Library page reads it)."""
    return f"{app_url}?{urlencode({'doc': document_id})}" if app_url else ""


def make_entry(document_id: str, document: Document, *, updated: datetime, app_url: str = "") -> FeedEntry:
    """The feed entry of one library document (``app_url`` checked by ``checked_base``)."""
    body = _body(document)
    original = web_url(document.meta.source)
    app = app_link(app_url, document_id)
    title = plain(document.title_en) or plain(document.title) or document_id
    return FeedEntry(
        id=entry_id(document_id),
        document_id=document_id,
        title=title,
        summary=summary(body),
        content_html=bilingual_html(body, document, original_url=original, app_url=app),
        updated=_second(updated),
        published=parse_date(document.meta.date),
        author=plain(document.meta.author),
        original_url=original,
        app_url=app,
    )


def make_feed(
    kind: str, key: str, *, title: str, subtitle: str, entries: Sequence[FeedEntry], app_url: str = ""
) -> TranslatedFeed:
    """A feed of these entries, in this order; its id depends only on ``kind`` and ``key``."""
    return TranslatedFeed(
        id=feed_id(kind, key),
        title=plain(title),
        subtitle=plain(subtitle),
        updated=max((e.updated for e in entries), default=EPOCH),
        entries=tuple(entries),
        home_url=app_url,
    )


def _body(document: Document) -> tuple[Paragraph, ...]:
    """The paragraphs after the title: the first one is dropped when it is the headline the title shows."""
    paragraphs = document.paragraphs
    meta = document.meta
    if len(paragraphs) < 2 or meta.title_translation:
        return paragraphs
    headline = not meta.title or same_text(meta.title, paragraphs[0].source)
    return paragraphs[1:] if headline else paragraphs


def summary(paragraphs: Sequence[Paragraph]) -> str:
    """The first two translated sentences, whole, within ``SUMMARY_CHARS`` (the first cut at a word when longer)."""
    taken: list[str] = []
    length = 0
    for sentence in (s for p in paragraphs for s in p.sentences):
        text = plain(sentence.shown)
        if not text:
            continue
        if taken and (len(taken) == SUMMARY_SENTENCES or length + len(text) > SUMMARY_CHARS):
            break
        taken.append(text)
        length += len(text) + 1
    text = " ".join(taken)
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def bilingual_html(paragraphs: Sequence[Paragraph], document: Document, *, original_url: str, app_url: str) -> str:
    """Each paragraph in English, then in Arabic, then a line saying what translated it and where to read on."""
    parts = []
    for paragraph in paragraphs:
        english, arabic = plain(paragraph.translation), plain(paragraph.source)
        if english:
            parts.append(f'<p lang="en" dir="ltr">{escape(english)}</p>')
        if arabic and not same_text(english, arabic):
            parts.append(f'<p lang="ar" dir="rtl">{escape(arabic)}</p>')
    edited = sum(1 for s in document.sentences if s.edit is not None)
    model = plain(document.meta.model)
    note = f"Machine translation from Arabic{f' ({escape(model)})' if model else ''}"
    if edited:
        note += f"; {edited} sentence{'s' if edited != 1 else ''} corrected by a reader"
    reading = "Read it side by side in reader"
    if document.meta.scope == SCOPE_LEAD:  # titles first: say so, and where the rest is
        note += ". Only the title and the first paragraph are translated so far; the rest is in Arabic only"
        reading = "Translate the rest in reader"
    links = [(original_url, "Original article"), (app_url, reading)]
    anchors = [f'<a href="{escape(url)}">{label}</a>' for url, label in links if url]
    parts.append(f"<p><small>{' '.join([note + '.', ' · '.join(anchors)]).strip()}</small></p>")
    return "\n".join(parts)


def parse_date(value: str) -> datetime | None:
    """A page's or feed's date (ISO 8601, or RFC 822 as RSS writes it) in UTC; None when it is neither."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return _second(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    except OverflowError:  # a date at the very edge of what datetime holds, moved to UTC
        return None


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def rfc3339(moment: datetime) -> str:
    """``2026-12-07T14:05:09Z``: what Atom's Date construct and JSON Feed's dates both take."""
    return _second(moment).isoformat().replace("+00:00", "Z")
