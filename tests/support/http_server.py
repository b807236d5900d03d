"""A tiny HTTP server on 127.0.0.1 for tests: fixed pages, redirects, stalls and oversized bodies.

Tests never use the network; this serves feeds and article pages from the test process itself.
Routes can be changed while the server runs (to simulate a feed gaining entries).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler, threading.Event], None]

AD_TEXT = "إعلان ممول: اشترك الآن في باقة الإنترنت السريع بخصم كبير لفترة محدودة"
COMMENT_TEXT = "تعليق القارئ: هذا المقال رائع جدا وأتفق مع الكاتب في كل ما قاله"
NAV_TEXT = ("الصفحة الأولى للموقع", "أخبار الملاعب والنجوم", "اتصل بفريق التحرير")


def article_page(title: str, paragraphs: Sequence[str], *, author: str = "سارة أحمد", date: str = "2024-11-21") -> str:
    """A news page as sites serve them: navigation, ads and comments around the article body."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="/{i}">{html.escape(n)}</a></li>' for i, n in enumerate(NAV_TEXT))
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{html.escape(title)} | صحيفة الخبر</title>
<meta name="author" content="{html.escape(author)}">
<meta property="article:published_time" content="{date}T08:00:00Z"></head>
<body><header><nav class="menu"><ul>{nav}</ul></nav></header>
<div class="ad advertisement" id="ad-top">{AD_TEXT}</div>
<main><article><h1>{html.escape(title)}</h1>{body}</article></main>
<aside class="sidebar"><div class="ad">{AD_TEXT}</div></aside>
<section id="comments" class="comments"><h3>التعليقات</h3>
<div class="comment"><p>{COMMENT_TEXT}</p></div></section>
<footer><p>جميع الحقوق محفوظة لصحيفة الخبر</p></footer></body></html>"""


def page(
    body: bytes | str,
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Handler:
    data = body.encode("utf-8") if isinstance(body, str) else body

    def handle(request: BaseHTTPRequestHandler, _stop: threading.Event) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

    return handle


def redirect(location: str, *, status: int = 302) -> Handler:
    def handle(request: BaseHTTPRequestHandler, _stop: threading.Event) -> None:
        request.send_response(status)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


def stall(seconds: float, *, after_headers: bool = False) -> Handler:
    """Say nothing (or only the headers) for ``seconds``: a server that hangs."""

    def handle(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        if after_headers:
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", "100")
            request.end_headers()
            request.wfile.write(b"<html>")
            request.wfile.flush()
        stop.wait(seconds)

    return handle


def stream(total: int, *, chunk: int = 64 * 1024, declare_length: bool) -> Handler:
    """Send ``total`` bytes, with or without announcing them in Content-Length."""

    def handle(request: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        if declare_length:
            request.send_header("Content-Length", str(total))
        request.send_header("Connection", "close")
        request.end_headers()
        sent = 0
        while sent < total and not stop.is_set():
            size = min(chunk, total - sent)
            request.wfile.write(b"a" * size)
            sent += size

    return handle


class LocalServer:
    """``with LocalServer() as server: server.routes['/x'] = page('...'); fetch(server.url('/x'))``."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._stop = threading.Event()
        outer = self

        class _Request(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                outer.headers.append(dict(self.headers.items()))
                handler = outer.routes.get(self.path) or page("not found", status=404, content_type="text/plain")
                try:
                    handler(self, outer._stop)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a size cap or timeout): expected

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Request)
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, and every test stops its server.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
