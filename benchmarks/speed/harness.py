"""The workload and the measuring: the plan of model calls, forced output lengths, timing, peak memory.

Everything here reaches reader only through its public seams: ``reader.api.open_translator``,
``reader.pipeline.iter_translate``, and the backends' benchmark hooks (``force_output_lengths``,
``output_tokens``, ``fix_first_rows``, ``first_call_alone``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.bench_model import SEEDS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

TOKENS_PER_WORD = 1.5
"""Forced output length: English subwords per Arabic source word, averaged over each model call (so
batches stay whole); every contender translates every input to the length its call gives it."""
FIRST_ARTICLE = "helsinki-summit-cyber.ar.txt"
"""The article --quick keeps."""


# ---- the workload --------------------------------------------------------------------------


class _DryRun:
    """A translator with the model's tokenizer but no model: records the calls the pipeline makes.

    It answers ``lookup`` for what it already "translated", as the sentence cache would, so an input
    shared by two articles is sent once, as in a real run.
    """

    def __init__(self, tokenizer: Any, workers: int) -> None:
        from reader.translate.base import Translation

        self._tokenizer = tokenizer
        self._translation = Translation("x", (), -1.0)
        self.workers = workers
        self.fingerprint = self.model_fingerprint = "dry-run"
        self.calls: list[list[str]] = []
        self.seen: set[str] = set()

    def count_tokens(self, text: str) -> int:
        """As the backends count: source subwords without the eos."""
        from reader.translate.pieces import encode_source

        return encode_source(self._tokenizer, text).tokens if text.strip() else 0

    def lookup(self, sentences: Sequence[str]) -> dict[str, Any]:
        return {s: self._translation for s in sentences if s in self.seen}

    def translate_batch(self, sentences: Sequence[str]) -> list[Any]:
        self.calls.append(list(sentences))
        self.seen.update(sentences)
        return [self._translation for _ in sentences]


def call_length(inputs: Sequence[str]) -> int:
    """The forced output length of every input of one model call."""
    words = sum(max(1, len(text.split())) for text in inputs) / len(inputs)
    return max(1, round(TOKENS_PER_WORD * words))


SCHEDULES = (("parallel", None, None), ("serial", 1, None), ("chunks-16", None, 16))
"""(name, workers (None: the threads), first call's size (None: the pipeline's small first call))."""


def make_plan(model_dir: Path, *, quick: bool, threads: int) -> dict[str, Any]:
    """The seed articles, and for each schedule the exact model calls the pipeline makes, with their lengths."""
    from reader.config import Settings
    from reader.pipeline import iter_translate, segment_document
    from reader.translate.pieces import MarianPieces

    settings = Settings.load()
    tokenizer = MarianPieces.load(model_dir)
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        if quick and path.name != FIRST_ARTICLE:
            continue
        text = path.read_text(encoding="utf-8")
        if quick:
            keep = segment_document(text).sentences[:4]
            text = text[: keep[-1].end] + "\n"
        articles.append({"name": path.name, "text": text, "sentences": len(segment_document(text).sentences)})
    schedules = {}
    for name, workers, first_chunk in SCHEDULES:
        dry = _DryRun(tokenizer, workers or threads)
        calls = []
        for article in articles:
            before = len(dry.calls)
            for _ in iter_translate(article["text"], dry, settings=settings, first_chunk=first_chunk):
                pass
            calls.append(dry.calls[before:])
        lengths = {text: call_length(call) for article in calls for call in article for text in call}
        schedules[name] = {
            "workers": workers or threads,
            "first_chunk": first_chunk,
            "calls": calls,
            "lengths": lengths,
        }
    for article, calls in zip(articles, schedules["parallel"]["calls"], strict=True):
        article["inputs"] = [text for call in calls for text in call]
        article["first_inputs"] = calls[0] if calls else []
    return {"articles": articles, "schedules": schedules, "threads": threads}


def schedule_inputs(plan: Mapping[str, Any], schedule: str, articles: Sequence[int] | None = None) -> list[str]:
    calls = plan["schedules"][schedule]["calls"]
    chosen = range(len(calls)) if articles is None else articles
    return [text for i in chosen for call in calls[i] for text in call]


def nominal_tokens(plan: Mapping[str, Any], schedule: str, articles: Sequence[int] | None = None) -> int:
    lengths = plan["schedules"][schedule]["lengths"]
    return sum(lengths[text] for text in schedule_inputs(plan, schedule, articles))


# ---- forcing the output length inside the real pipeline -----------------------------------


@dataclass
class Forcing:
    """The plan's lengths, handed to a backend's ``force_output_lengths``; records what it was asked."""

    lengths: Mapping[str, int]
    limit: bool = False
    """Every output runs to the backend's length limit instead: the worst case for memory."""
    inputs: list[str] = field(default_factory=list)
    unplanned: int = 0

    def __call__(self, sentence: str) -> int | None:
        self.inputs.append(sentence)
        if sentence not in self.lengths:
            self.unplanned += 1  # the pipeline cut the article differently from the plan
        return None if self.limit else self.lengths.get(sentence, 1)


def force(backend: Any, lengths: Mapping[str, int], *, limit: bool = False) -> Forcing:
    """Install the plan's lengths on a reader backend through its public hook."""
    hook = getattr(backend, "force_output_lengths", None)
    if hook is None:
        raise SystemExit(f"{type(backend).__name__} has no force_output_lengths hook: it cannot be benchmarked")
    forcing = Forcing(lengths, limit)
    hook(forcing)
    return forcing


class Unpipelined:
    """A translator seen through the Translator protocol alone: each call awaited before the next is queued."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.fingerprint = inner.fingerprint
        self.model_fingerprint = inner.model_fingerprint
        self.workers = inner.workers

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))

    def translate_batch(self, sentences: Sequence[str]) -> list[Any]:
        return list(self.inner.translate_batch(sentences))


def open_pipeline(
    backend: str, beam: int, threads: int, model: str, cache: str, *, refresh: bool = False, **overrides: int | None
) -> tuple[Any, Any]:
    """reader's own path: ``api.open_translator`` (backend + sentence cache), as the app opens it.

    ``overrides`` (batch_tokens, memory_mb) replace the settings' values where given.
    """
    from reader.api import open_translator
    from reader.config import Settings

    settings = Settings.load(model=model, backend=backend, beam=beam, threads=threads, device="cpu", cache_path=cache)
    settings = replace(settings, **{key: value for key, value in overrides.items() if value is not None})
    return open_translator(settings, refresh=refresh)(), settings


# ---- measuring ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's own peak resident set, VmHWM.

    ``ru_maxrss`` is no good in a child: the kernel carries the parent's peak across fork and exec,
    so every contender started by a large parent would report that parent's RSS.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


def time_article(translator: Any, article: Mapping[str, Any], settings: Any, first_chunk: int | None) -> dict:
    """The pipeline over one article: the whole time, the time to its first translated sentence, and both in
    CPU time (the process's, every thread: steadier than the wall clock on a shared machine)."""
    from reader.document import Flag
    from reader.pipeline import iter_translate

    began, cpu = time.perf_counter(), time.process_time()
    first = first_cpu = None
    for progress in iter_translate(article["text"], translator, settings=settings, first_chunk=first_chunk):
        if first is None and any(s.translation and not s.has(Flag.PASSTHROUGH) for s in progress.document.sentences):
            first, first_cpu = time.perf_counter() - began, time.process_time() - cpu
    whole, whole_cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "whole_s": whole,
        "first_s": whole if first is None else first,
        "cpu_s": whole_cpu,
        "first_cpu_s": whole_cpu if first_cpu is None else first_cpu,
        "done": progress.done,
    }


def loadavg() -> float:
    return os.getloadavg()[0]


@dataclass
class BusyCore:
    """Another process that takes one core (a busy loop) while a contender runs: the shared-machine case."""

    process: subprocess.Popen | None = None

    def __enter__(self) -> BusyCore:
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


def run_child(
    module: Iterable[str], spec: Mapping[str, Any], folder: Path, tag: str, *, python: str | None = None
) -> dict:
    """Run ``python -m MODULE --child SPEC`` from the repository root; its JSON result back."""
    result, spec_path = folder / f"{tag}.json", folder / f"{tag}.spec.json"
    spec_path.write_text(json.dumps({**spec, "result": str(result)}), encoding="utf-8")
    threads = str(spec.get("threads", os.cpu_count() or 1))
    env = {**os.environ, "OMP_NUM_THREADS": threads, "TOKENIZERS_PARALLELISM": "false"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    subprocess.run([python or sys.executable, *module, "--spec", str(spec_path)], check=True, env=env, cwd=ROOT)
    return json.loads(result.read_text(encoding="utf-8"))


def medians(runs: Iterator[float] | Sequence[float]) -> float:
    import statistics

    return statistics.median(list(runs))
