"""benchmarks/serve.py's forced output lengths, for any server process that imports ctranslate2.

A random-weight model decodes to arbitrary lengths, and two servers stop it differently, so requests per
second would compare different work. The benchmark puts this folder on a server's PYTHONPATH (reader serve
and LibreTranslate alike), where Python imports it at start-up, and sets SERVE_BENCH_TOKENS_PER_WORD: every
beam search then decodes exactly round(tokens_per_word x source words) tokens for its longest input (words:
source pieces that start a word), end-of-sentence suppressed until then, as benchmarks/speed.py forces
them in-process. Greedy one-step calls (reader's first-row fix-up) and prefixed decoding are left alone.
Without the variable this module does nothing. The decoded tokens are counted in SERVE_BENCH_STATS.<pid>
(JSON, rewritten every 0.2 s) so the benchmark can show both servers did the same work.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

WORD_START = "\u2581"


def _install(tokens_per_word: float, stats: Path | None) -> None:
    import ctranslate2

    real = ctranslate2.Translator
    counts = {"calls": 0, "inputs": 0, "tokens": 0, "wanted": 0}
    lock = threading.Lock()

    def length(pieces: list[str]) -> int:
        words = max(1, sum(piece.startswith(WORD_START) for piece in pieces))
        return max(1, round(tokens_per_word * words))

    class Forced:
        """ctranslate2.Translator, its beam searches forced to the benchmark's lengths."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._model = real(*args, **kwargs)

        def translate_batch(self, source: list[list[str]], *args: Any, **kwargs: Any) -> Any:
            if source and kwargs.get("beam_size", 2) > 1 and not kwargs.get("target_prefix"):
                wanted = [length(pieces) for pieces in source]
                kwargs["min_decoding_length"] = kwargs["max_decoding_length"] = max(wanted)
                with lock:
                    counts["calls"] += 1
                    counts["inputs"] += len(source)
                    counts["tokens"] += max(wanted) * len(source)
                    counts["wanted"] += sum(wanted)
            return self._model.translate_batch(source, *args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._model, name)

    ctranslate2.Translator = Forced
    if stats is None:
        return
    target = stats.with_name(f"{stats.name}.{os.getpid()}")
    scratch = stats.with_name(f"{stats.name}.{os.getpid()}.tmp")

    def write() -> None:
        last: dict[str, int] = {}
        while True:
            with lock:
                now = dict(counts)
            if now != last:
                last = now
                scratch.write_text(json.dumps(now))
                scratch.replace(target)
            time.sleep(0.2)

    threading.Thread(target=write, name="serve-bench-stats", daemon=True).start()


if os.environ.get("SERVE_BENCH_TOKENS_PER_WORD"):
    _stats = os.environ.get("SERVE_BENCH_STATS")
    _install(float(os.environ["SERVE_BENCH_TOKENS_PER_WORD"]), Path(_stats) if _stats else None)
