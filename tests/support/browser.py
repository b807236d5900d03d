"""Real Chromium for the browser tests: how it is launched, and the colours the view's stylesheet uses."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRANSPARENT = "rgba(0, 0, 0, 0)"
SENTENCE_HIGHLIGHT = "rgb(255, 241, 168)"  # --hover in reader/export/static/reader.css
WORD_HIGHLIGHT = "rgb(159, 211, 255)"  # --word
PINNED = "rgb(255, 212, 122)"  # --pin


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, driven by playwright (never a browser playwright downloads)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def background(locator: Any) -> str:
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
