"""argos-translate in process, one text at a time: the per-request floor benchmarks/serve.py sets a lone client against.

Run inside argos-translate's own virtual environment (it imports nothing from reader): the package is made
and installed as benchmarks/speed/argos_child.py does, then each text of the spec is translated in turn
with ``argostranslate.translate`` for ``seconds``, and the rate and latencies are written as JSON.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.speed import argos_child
from benchmarks.speed.argos_child import CODE


def translate(spec: dict[str, Any]) -> dict[str, Any]:
    from argostranslate import translate as argos

    languages = {language.code: language for language in argos.get_installed_languages()}
    translation = languages[CODE[0]].get_translation(languages[CODE[1]])
    translation.translate("مرحبا")  # loads the model and spaCy, as a first request would
    latencies = []
    end = time.monotonic() + spec["seconds"]
    started, cpu = time.perf_counter(), time.process_time()
    for text in spec["texts"]:
        if time.monotonic() >= end:
            break
        began = time.perf_counter()
        translation.translate(text)
        latencies.append(time.perf_counter() - began)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": 0,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        "first_error": [],
        "cpu_ms_per_request": 1000 * cpu / max(1, len(latencies)),
    }


if __name__ == "__main__":
    sys.exit(argos_child.main(translate, __doc__))
