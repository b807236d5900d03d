"""Alerts for watchlists: a webhook or an e-mail when a document first matches (the Atom and JSON feed of
each watchlist is ``reader.publish``'s, written with the other translated feeds after each feed check).

When a document first matches a watchlist, the alerts it owes are written to the ``outbox`` table
in the same transaction as its hits (``StateStore.replace_hits``). They are sent after, in the
background (``deliver_later``: one sender thread per library and process), so a slow webhook or SMTP
server never holds up the feed check, batch run or request that added the document; each row goes
once it is through. A kill or a failed delivery leaves the row, which the next delivery tries again
(up to ``MAX_ATTEMPTS``): the next alert, the end of every batch run and feed check
(``Library.deliver_alerts_later``), or ``reader watch send``; ``reader watch list`` says one is waiting.
A sender takes each row for a while before sending it (``StateStore.claim``), so two processes on one
library (the app beside a feed check) never send the same alert at once.

- **Webhook**: ``POST`` of the alert as JSON to the watchlist's URL (http or https), 10 s timeout.
- **E-mail**: to the watchlist's address through the SMTP server the user configures
  (``reader.config.Settings``: ``READER_SMTP_HOST``, ``READER_SMTP_PORT``, ``READER_SMTP_FROM``, and
  ``READER_SMTP_USER`` / ``READER_SMTP_PASSWORD`` for a server that wants a login, with STARTTLS
  when it offers it). Nothing is sent anywhere else.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

from reader.errors import LibraryError, describe
from reader.library.state import LibraryWarning, StateStore
from reader.library.watch import WatchHit, Watchlist, watchlists_from_rows

WEBHOOK, EMAIL = "webhook", "email"
MAX_ATTEMPTS = 5
TIMEOUT_S = 10.0
LEASE_S = 6 * TIMEOUT_S  # longer than any one send (a webhook, or SMTP's few exchanges) takes


def alert_rows(watchlists: Sequence[Watchlist], names: set[str], alert: dict) -> list[tuple[str, str, str]]:
    """(watchlist, channel, payload) outbox rows for the watchlists a document is new to."""
    rows = []
    for watchlist in watchlists:
        if watchlist.name not in names:
            continue
        payload = json.dumps({**alert, "watchlist": watchlist.name}, ensure_ascii=False)
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


def deliver(state: StateStore, tried: set[int] | None = None) -> list[str]:
    """Send the outbox's alerts: one line per failure (also warned about); a failed one stays, its attempts
    counted, for the next delivery, up to MAX_ATTEMPTS. Rows in ``tried`` are left alone; each row tried is
    added to it."""
    problems = []
    tried = set() if tried is None else tried
    watchlists = {w.name: w for w in watchlists_from_rows(state.watchlists())}
    for n, name, channel, payload, attempts in state.outbox():
        watchlist = watchlists.get(name)
        if watchlist is None or attempts >= MAX_ATTEMPTS or n in tried:
            continue
        tried.add(n)
        if not state.claim(n, LEASE_S):  # another process is sending it now
            continue
        try:
            send(watchlist, channel, payload)
        except (OSError, LibraryError, ValueError) as exc:
            problem = f"watchlist {name!r}: the {channel} alert failed: {exc}"
            state.delivery_failed(n, problem)
            warnings.warn(LibraryWarning(problem), stacklevel=2)
            problems.append(problem)
            continue
        state.delivered(n)
    return problems


_senders: dict[Path, threading.Thread] = {}
_again: set[Path] = set()
_lock = threading.Lock()


def deliver_later(state_path: Path) -> None:
    """Deliver the outbox of the library whose reader's data is ``state_path`` in a background thread.

    One sender per library and process: a call while it runs has it go through the outbox once more for
    the rows it has not tried (a failed one waits for the next sender), so no alert is sent twice from here.
    The thread is not a daemon: a process that ends (``reader feeds check``) still delivers what it owes,
    after its own work is done and reported.
    """
    path = Path(state_path).resolve()
    with _lock:
        if path in _senders:
            _again.add(path)
            return
        sender = _senders[path] = threading.Thread(target=_send, args=(path,), name="reader-alerts")
    sender.start()


def wait_delivered(state_path: Path, timeout: float | None = None) -> None:
    """Wait for the background deliveries to this library (``deliver_later``) to end."""
    with _lock:
        sender = _senders.get(Path(state_path).resolve())
    if sender is not None:
        sender.join(timeout)


def _send(path: Path) -> None:
    done = False
    tried: set[int] = set()
    try:
        while not done:
            try:
                with StateStore(path) as state:  # its own connections: the library that asked may close meanwhile
                    deliver(state, tried)
            except LibraryError as exc:  # the reader's data cannot be read now: the rows stay for the next delivery
                warnings.warn(LibraryWarning(f"alerts not delivered now: {describe(exc)}"), stacklevel=1)
            with _lock:
                done = path not in _again
                _again.discard(path)
                if done:
                    del _senders[path]
    finally:
        if not done:  # an unexpected error: the next call starts a new sender
            with _lock:
                _senders.pop(path, None)
                _again.discard(path)


def send(watchlist: Watchlist, channel: str, payload: str) -> None:
    """Deliver one webhook or e-mail alert; OSError, LibraryError or ValueError when it does not go through."""
    if channel == WEBHOOK:
        post_webhook(watchlist.webhook, json.loads(payload))
    elif channel == EMAIL:
        send_email(watchlist.email, json.loads(payload))
    else:
        raise LibraryError(f"unknown alert channel {channel!r}")


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
