"""What ``reader serve`` is started with, and the checks that refuse an unsafe start.

The options travel to each worker process as JSON in an environment variable (uvicorn starts the
workers from an import string), so every process builds the same app: ``from_env``.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reader.errors import ReaderError

ENV = "READER_SERVE_OPTIONS"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    api_keys: bool = False
    """Every request needs a valid key (required off loopback)."""
    keys_db: str = ""
    """The key file (default ``reader.serve.keys.default_path()``)."""
    cors_origins: tuple[str, ...] = ()
    """Browser origins allowed to call the API; none: every request carrying an Origin header is refused."""
    char_limit: int = 100_000
    """The most characters a request may ask to translate (a key's own limit applies instead, when given)."""
    batch_limit: int = 128
    """The most texts in one LibreTranslate ``q`` array."""
    max_body_bytes: int = 6_000_000
    """The largest request body (``--max-body-mb``): an uploaded document is one, and a long PDF may need more."""
    timeout: float = 120.0
    """Seconds a request may wait for its translation before it is answered 503."""
    queue: int = 2048
    """The most sentences waiting for the model; beyond it requests get 429 with Retry-After."""
    batch_wait_ms: float = 3.0
    max_batch: int = 64
    settings: dict[str, str] = field(default_factory=dict)
    """Settings given as flags (model, backend, threads...), passed to ``Settings.load`` in each worker."""

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeOptions:
        data = json.loads(os.environ.get(ENV) or "{}")
        data["cors_origins"] = tuple(data.get("cors_origins", ()))
        return cls(**data)

    def keys_path(self) -> Path:
        from reader.serve.keys import default_path

        return Path(self.keys_db).expanduser() if self.keys_db else default_path()


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_start(options: ServeOptions, key_count: int) -> None:
    """Refuse, with the reason, a start that would expose the server: off loopback without keys."""
    if not is_loopback(options.host) and not options.api_keys:
        raise ReaderError(
            f"refusing to listen on {options.host}: off loopback every request must carry an API key. "
            "Create one with `reader serve keys add NAME` and start with --api-keys, or listen on 127.0.0.1"
        )
    if options.api_keys and key_count == 0:
        raise ReaderError(
            f"--api-keys is on but {options.keys_path()} holds no key: create one with `reader serve keys add NAME`"
        )
    if options.workers < 1 or options.queue < 1 or options.max_batch < 1:
        raise ReaderError("--workers, --queue and --max-batch must be at least 1")
