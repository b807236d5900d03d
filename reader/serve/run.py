"""Starting the server: the safety checks, then uvicorn with one app (and one model) per worker process."""

from __future__ import annotations

import os

from reader.serve.keys import KeyStore
from reader.serve.options import ENV, ServeOptions, check_start


def serve(options: ServeOptions) -> None:
    """Run until interrupted; ReaderError (before anything listens) when the start would be unsafe."""
    import uvicorn

    with KeyStore(options.keys_path()) as keys:
        count = len(keys.list())
    check_start(options, count)
    os.environ[ENV] = options.to_env()
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
