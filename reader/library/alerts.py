"""Alerts for watchlists: an Atom feed per watchlist, and optionally a webhook or an e-mail.

When a document first matches a watchlist, the alerts it owes are written to the ``outbox`` table
in the same transaction as its hits (``StateStore.replace_hits``); ``deliver`` sends them and
removes each once it is through (``Library.deliver_alerts``). A kill or a failed delivery leaves the row, which the next
delivery tries again (up to ``MAX_ATTEMPTS``; ``reader watch list`` shows the last error).

- **Atom**: ``watch/<name>.atom`` in the library folder, rewritten whole (atomically) from the
  watchlist's hits, newest first: the feed a reader already follows in newsboat or any feed
  reader. Its text is built with ElementTree, so hostile article text is escaped.
- **Webhook**: ``POST`` of the alert as JSON to the watchlist's URL (http or https), 10 s timeout.
- **E-mail**: to the watchlist's address through the SMTP server the user configures
  (``reader.config.Settings``: ``READER_SMTP_HOST``, ``READER_SMTP_PORT``, ``READER_SMTP_FROM``, and
  ``READER_SMTP_USER`` / ``READER_SMTP_PASSWORD`` for a server that wants a login, with STARTTLS
  when it offers it).
  Nothing is sent anywhere else.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from reader.errors import LibraryError
from reader.export import write_atomic
from reader.library.index import Row
from reader.library.watch import WatchHit, Watchlist

ATOM, WEBHOOK, EMAIL = "atom", "webhook", "email"
MAX_ATTEMPTS = 5
FEED_ENTRIES = 50
TIMEOUT_S = 10.0
WATCH_DIR = "watch"
_ATOM_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold at all, even escaped: dropped from what a feed says."""


def alert_rows(watchlists: Sequence[Watchlist], names: set[str], alert: dict) -> list[tuple[str, str, str]]:
    """(watchlist, channel, payload) outbox rows for the watchlists a document is new to."""
    rows = []
    for watchlist in watchlists:
        if watchlist.name not in names:
            continue
        payload = json.dumps({**alert, "watchlist": watchlist.name}, ensure_ascii=False)
        rows.append((watchlist.name, ATOM, "{}"))
        if watchlist.webhook:
            rows.append((watchlist.name, WEBHOOK, payload))
        if watchlist.email:
            rows.append((watchlist.name, EMAIL, payload))
    return rows


def alert(id_: str, title: str, title_en: str, source: str, date: str, hits: Sequence[WatchHit]) -> dict:
    """What an alert says about a document: enough to decide whether to open it."""
    return {
        "id": id_,
        "title": title,
        "title_en": title_en,
        "source": source,
        "date": date,
        "link": f"/read?doc={id_}",
        "hits": [
            {"sentence": h.sentence, "arabic": h.source, "english": h.translation, "terms": list(h.terms)}
            for h in hits[:5]
        ],
    }


def send(watchlist: Watchlist, channel: str, payload: str) -> None:
    """Deliver one webhook or e-mail alert; OSError, LibraryError or ValueError when it does not go through."""
    if channel == WEBHOOK:
        post_webhook(watchlist.webhook, json.loads(payload))
    elif channel == EMAIL:
        send_email(watchlist.email, json.loads(payload))
    else:
        raise LibraryError(f"unknown alert channel {channel!r}")


def feed_path(root: Path, name: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "watchlist"
    return Path(root) / WATCH_DIR / f"{safe}.atom"


def write_feed(path: Path, watchlist: Watchlist, entries: Sequence[tuple[Row, Sequence[WatchHit]]]) -> None:
    """The watchlist's Atom feed, written whole: one entry per document (newest first) with its hits."""
    from xml.etree import ElementTree as ET

    feed = ET.Element("feed", xmlns=_ATOM_NS)
    ET.SubElement(feed, "title").text = _clean(f"reader watchlist: {watchlist.name}")
    ET.SubElement(feed, "id").text = _clean(f"urn:reader:watchlist:{watchlist.name}")
    newest = max((h.found for _, hits in entries for h in hits), default=time.time())
    ET.SubElement(feed, "updated").text = _stamp(newest)
    for row, found in entries[:FEED_ENTRIES]:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = _clean(row.title_en or row.title)
        ET.SubElement(entry, "id").text = f"urn:reader:document:{row.id}"
        ET.SubElement(entry, "updated").text = _stamp(max(h.found for h in found))
        if row.source.startswith(("http://", "https://")):
            ET.SubElement(entry, "link", href=_clean(row.source))
        ET.SubElement(entry, "author").append(_text("name", row.feed or row.source or "reader"))
        terms = sorted({t for h in found for t in h.terms})
        summary = " … ".join(h.translation for h in found[:2])
        ET.SubElement(entry, "summary").text = _clean(f"[{', '.join(terms)}] {summary}")
    write_atomic(path, ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def post_webhook(url: str, payload: dict) -> None:
    import httpx

    if not url.lower().startswith(("http://", "https://")):
        raise LibraryError(f"not a webhook URL: {url!r}")
    response = httpx.post(url, json=payload, timeout=TIMEOUT_S, follow_redirects=False)
    if response.status_code >= 400:
        raise LibraryError(f"the webhook answered {response.status_code}")


def send_email(address: str, payload: dict) -> None:
    """One message through the configured SMTP server (READER_SMTP_*); LibraryError when none is configured."""
    import smtplib
    from email.message import EmailMessage

    from reader.config import Settings

    settings = Settings.load()
    if not settings.smtp_host:
        raise LibraryError("no SMTP server configured: set READER_SMTP_HOST (and READER_SMTP_PORT, READER_SMTP_FROM)")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = address
    title = payload.get("title_en") or payload.get("title") or payload.get("id")
    message["Subject"] = f"[{payload.get('watchlist')}] {' '.join(str(title).split())[:150]}"
    lines = [f"{payload.get('source', '')}  {payload.get('date', '')}", ""]
    for hit in payload.get("hits", []):
        lines += [f"- {hit['english']}", f"  {hit['arabic']}", f"  ({', '.join(hit['terms'])})", ""]
    lines.append(f"Open in reader: {payload.get('link', '')}")
    message.set_content("\n".join(lines))
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _text(tag: str, text: str):
    from xml.etree import ElementTree as ET

    element = ET.Element(tag)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
