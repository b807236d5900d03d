"""``python -m reader.serve``: the server with the options in READER_SERVE_OPTIONS (JSON), as `reader serve` sets."""

from __future__ import annotations

import sys

from reader.errors import ReaderError, describe
from reader.serve.options import ServeOptions
from reader.serve.run import serve

if __name__ == "__main__":
    try:
        serve(ServeOptions.from_env())
    except ReaderError as exc:
        print(f"reader serve: {describe(exc)}", file=sys.stderr)
        sys.exit(2)
