"""ASGI guards in front of every route: a cap on request bodies, and browsers' origins.

``Guard`` refuses a body over the cap, by its Content-Length or by the bytes that actually arrive
(413), so a client cannot make the server hold more than that in memory.

``OriginGuard`` refuses every request whose ``Origin`` header is not in the allowed list (403). CORS
alone would stop a page from reading the answer, but a form POST from any page still reaches the server
and runs (translation, or a library write): browsers send ``Origin`` with such requests, other clients
do not, so refusing unknown origins keeps web pages out unless the operator lists them. The server's own
pages (``/docs``) are of its own origin and may call it.
"""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]


class _TooLarge(Exception):
    pass


async def _refuse(send: Any, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class Guard:
    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body over the limit of {self.max_body:,} bytes (reader serve --max-body-mb raises it)"
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _refuse(send, 413, message)
            return
        seen = 0
        started = False

        async def counted() -> Any:
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return event

        async def watched(event: Any) -> None:
            nonlocal started
            started = started or event["type"] == "http.response.start"
            await send(event)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _refuse(send, 413, message)


class OriginGuard:
    def __init__(self, app: Any, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        own = f"{scope.get('scheme', 'http')}://{_header(scope, b'host') or ''}"
        if origin is not None and origin not in self.allowed and origin != own:
            await _refuse(send, 403, f"requests from the web page at {origin} are not allowed (see --cors-origin)")
            return
        await self.app(scope, receive, send)
