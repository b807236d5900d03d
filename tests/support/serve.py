"""``reader serve`` in its own process for the tests: ``python -m reader.serve`` on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.browser import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log: Path


def environment(folder: Path, model: Path, **options: object) -> dict[str, str]:
    """The server's variables: its cache, library and key file in ``folder``, and its options as JSON."""
    options.setdefault("keys_db", str(folder / "api-keys.sqlite3"))
    return dict(
        os.environ,
        READER_MODEL=str(model),
        READER_CACHE_PATH=str(folder / "cache.sqlite3"),
        READER_MODELS_DIR=str(folder / "models"),
        READER_LIBRARY=str(folder / "library"),
        READER_THREADS="1",
        READER_SERVE_LOG_LEVEL="warning",
        READER_SERVE_OPTIONS=json.dumps(options),
        PYTHONPATH=str(ROOT),
    )


def start(folder: Path, model: Path, *, command: tuple[str, ...] = ("-m", "reader.serve"),
          env: dict[str, str] | None = None, **options: object) -> Served:
    """Start the server and wait until it answers (RuntimeError, with its log, if it exits instead); ``command``
    (``python``'s arguments) and ``env`` (more variables) start it otherwise."""
    options.setdefault("port", free_port())
    variables = environment(folder, model, **options) | (env or {})
    log = folder / f"serve-{options['port']}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, *command], cwd=ROOT, env=variables, stdout=out, stderr=subprocess.STDOUT
        )
    host = str(options.get("host", "127.0.0.1"))
    url = f"http://{host}:{options['port']}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"reader serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/languages", timeout=2).status_code in (200, 400, 403):
                return Served(url, process, log)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"reader serve did not start within 120 s:\n{log.read_text()}")
        time.sleep(0.2)


def stop(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


@contextmanager
def reader_serve(folder: Path, model: Path, **options: object) -> Iterator[Served]:
    served = start(folder, model, **options)
    try:
        yield served
    finally:
        stop(served)
