"""Starting the server: the safety checks, then uvicorn with one app (and one model) per worker process."""

from __future__ import annotations

import os
from dataclasses import replace

from reader.errors import ReaderError
from reader.extras import missing
from reader.serve.keys import KeyStore
from reader.serve.options import ENV, ServeOptions, check_start


def serve(options: ServeOptions) -> None:
    """Run until interrupted; ReaderError (before anything listens) when the start would be unsafe, or when the
    serve extra's packages are missing."""
    try:
        import fastapi  # noqa: F401  (the app's own import, checked before uvicorn starts workers)
        import python_multipart  # noqa: F401  (form bodies, as LibreTranslate's clients send them)
        import uvicorn
    except ImportError as exc:
        raise ReaderError(missing("reader serve", "serve", exc=exc)) from exc

    with KeyStore(options.keys_path()) as keys:
        count = len(keys.list())
    check_start(options, count)
    os.environ[ENV] = shared_cores(options).to_env()
    uvicorn.run(
        "reader.serve.app:factory",
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        # Connections beyond this get 503 from uvicorn itself: memory stays bounded whatever arrives.
        limit_concurrency=max(64, 4 * options.queue // max(1, options.max_batch)),
        timeout_keep_alive=15,
        server_header=False,
        log_level=os.environ.get("READER_SERVE_LOG_LEVEL", "info"),
    )


def shared_cores(options: ServeOptions) -> ServeOptions:
    """Worker processes share the cores: each gets its share of threads unless --threads or READER_THREADS says.

    Each process has its own interpreter lock, so on a small model, where Python's own work per request
    weighs, N processes of one thread serve more clients than one process of N threads.
    """
    if options.workers < 2 or "threads" in options.settings or os.environ.get("READER_THREADS"):
        return options
    threads = max(1, (os.cpu_count() or 1) // options.workers)
    return replace(options, settings={**options.settings, "threads": str(threads)})
