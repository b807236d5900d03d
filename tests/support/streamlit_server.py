"""The app in its own process for the browser tests: ``streamlit run streamlit_app.py`` on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.browser import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@contextmanager
def streamlit_app(folder: Path, **env: str) -> Iterator[str]:
    """Run the app with its cache, models folder and library in ``folder``; yields its URL.

    ``env`` adds or overrides variables (READER_MODEL...). The toolbar mode is not passed: the
    app's own .streamlit/config.toml sets it, and the tests check that it does.
    """
    port = free_port()
    environment = dict(
        os.environ,
        READER_CACHE_PATH=str(folder / "cache.sqlite3"),
        READER_MODELS_DIR=str(folder / "models"),
        READER_LIBRARY=str(folder / "library"),
        READER_THREADS="1",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        **env,
    )
    log_path = folder / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {server.returncode}:\n{log_path.read_text()}")
                try:
                    if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start within 120 s")
                time.sleep(0.5)
            yield url
        finally:
            stop(server)


def stop(server: subprocess.Popen) -> None:
    """Stop a server process: politely, then for sure after 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def reading_frame(page):
    """The reading view's sandboxed frame (inside the component's shadow root)."""
    return page.frame_locator('iframe[title="The article, side by side"]')
