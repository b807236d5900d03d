"""``reader serve --workers 2``: both worker processes answer, and a key's rate limit holds across them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from reader.serve.keys import KeyStore
from tests.support import serve

pytestmark = pytest.mark.slow

RPM = 6


def test_two_workers_answer_and_share_each_keys_rate_limit(tmp_path: Path, toy_model_dir: Path) -> None:
    with KeyStore(tmp_path / "api-keys.sqlite3") as keys:
        key, _ = keys.add("client", requests_per_minute=RPM, chars_per_request=1000, write=False)
    with serve.reader_serve(tmp_path, toy_model_dir, workers=2) as served:

        def ask(path: str, body: dict | None = None) -> httpx.Response:
            with httpx.Client(timeout=30) as client:  # a new connection each time: either worker may take it
                return client.post(f"{served.url}{path}", data=body) if body else client.get(f"{served.url}{path}")

        processes: set[int] = set()
        with ThreadPoolExecutor(8) as pool:
            for _ in range(25):
                processes.update(r.json()["process"] for r in pool.map(ask, ["/health"] * 16))
                if len(processes) == 2:
                    break
        assert len(processes) == 2, "one worker process never answered"

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: ask("/detect", {"q": "مرحبا", "api_key": key}), range(4 * RPM)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] * RPM + [429] * (3 * RPM)
        assert all(int(a.headers["retry-after"]) >= 1 for a in answers if a.status_code == 429)


def test_two_key_stores_on_one_file_count_one_limit(tmp_path: Path) -> None:
    with KeyStore(tmp_path / "keys.sqlite3") as first, KeyStore(tmp_path / "keys.sqlite3") as second:
        _, record = first.add("client", requests_per_minute=3, chars_per_request=10, write=False)
        assert [store.count(record, now=100.0) for store in (first, second, first)] == [0, 0, 0]
        assert second.count(record, now=101.0) == 60 and first.count(record, now=130.0) == 31
        assert second.count(record, now=160.5) == 0  # the first three are a minute old
        assert first.remove("client") == 1
