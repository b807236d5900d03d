"""Side-by-side translation speed: the naive demo loop, raw CTranslate2, and reader's pipeline on both backends.

Real opus-mt-ar-en weights cannot be downloaded here, so this builds a model with its exact
architecture and vocabulary size (62,834 pieces, d_model 512, 6+6 layers, 8 heads, FFN 2048,
swish, static positions, tied embeddings) and seeded random weights, with sentencepiece models
trained on the seed articles. Random weights make outputs arbitrary, so every contender is
forced to produce the same number of target tokens for each model input (end-of-sentence is
suppressed until that length, and decoding stops there): all contenders do identical work.

Contenders that run in a process of their own (so that peak RSS, read from VmHWM, is their own):
  baseline             one sentence at a time, ``model.generate``, beam 4 (the usual demo code)
  transformers         reader's pipeline on the transformers backend (beam 4; and -greedy, beam 1)
  ct2                  reader's pipeline on the CTranslate2 int8 backend (beam 4)
  ct2-cached           (ct2) again, in a new process, from the warm sentence cache: no model calls
  ct2-limit            (ct2) with every output running to its length limit: the worst case for memory
                       (-x4: with READER_BATCH_TOKENS x 4)
and one process that loads the CTranslate2 model once and runs, interleaved, ``--repeats`` times
each (medians reported), so that their ratios are measured side by side:
  raw-ct2              ``translate_batch`` on the pipeline's calls, one batch per worker
                       (batch_type="examples", ceil(n / workers)), attention on, every call
                       queued before any is awaited: the target
  raw-ct2-backend      ``translate_batch`` with the backend's own padded batches, no fix-up
  ct2 / ct2-chunks-16  the pipeline, with its small first call / with the old fixed calls of 16,
                       one at a time (each call awaited before the next is queued, as before)
  ct2-unpipelined      (ct2), its calls one at a time: what queueing the next call ahead buys
  ct2-no-fixup         the pipeline without the first-attention-row fix-up (wrong first rows)
  ct2-tokens-x4        the pipeline with READER_BATCH_TOKENS x 4 (larger batches, more memory)
  ct2-greedy           the pipeline at beam 1

Usage (from the repository root):
  .venv/bin/python benchmarks/speed.py            # full run, writes docs/performance.{md,json,png}
  .venv/bin/python benchmarks/speed.py --quick    # smoke run: 4 sentences of one article, no docs
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import math
import os
import platform
import pstats
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_model import SEEDS, build_model, convert_model  # noqa: E402 (benchmarks/ is on sys.path as the script's folder)

DOCS = ROOT / "docs"

# Forced output length: 1.5 English subwords per Arabic source word, averaged over each call the
# pipeline makes to the model (so its batches stay whole); the baseline and raw CTranslate2
# translate every input with exactly the length the CTranslate2 pipeline gives it.
TOKENS_PER_WORD = 1.5
FIRST_ARTICLE = "helsinki-summit-cyber.ar.txt"
"""The article whose first sentence is timed (and the one --quick keeps)."""
FIRST_TARGET = 0.2
"""Issue 12's target: the first model-translated sentence within this fraction of the whole article."""


@dataclass(frozen=True)
class Contender:
    name: str
    label: str
    backend: str | None
    """None: the naive loop; else the reader backend the pipeline runs on."""
    beam: int = 4
    cache: str = "fresh"
    """'fresh' (an empty sentence cache) or 'warm' (the cache the 'ct2' run filled)."""
    schedule: str = "parallel"
    """Which of the plan's schedules (model calls and forced lengths) the contender follows."""
    limit: bool = False
    """Force every output to its length limit instead of the plan's length: the worst case for memory."""
    batch_tokens: int | None = None
    """READER_BATCH_TOKENS for this contender (None: the default)."""


CONTENDERS = [
    Contender("baseline", "naive generate, 1 sentence at a time", None),
    Contender("transformers", "pipeline, transformers", "transformers", schedule="serial"),
    Contender("ct2", "pipeline, CTranslate2 int8", "ct2"),
    Contender("ct2-cached", "(ct2) from the warm cache", "ct2", cache="warm"),
    Contender("ct2-limit", "(ct2), every output to its length limit", "ct2", limit=True),
    Contender("ct2-limit-x4", "(ct2-limit), READER_BATCH_TOKENS 8192 (x 4)", "ct2", limit=True, batch_tokens=8192),
    Contender("transformers-greedy", "pipeline, transformers, greedy", "transformers", beam=1, schedule="serial"),
    Contender(
        "transformers-small",
        "pipeline, transformers, READER_BATCH_TOKENS 400",
        "transformers",
        schedule="serial",
        batch_tokens=400,
    ),
]
BY_NAME = {c.name: c for c in CONTENDERS}
SIDE_LABELS = {
    "raw-ct2": "raw translate_batch, one batch per worker (examples, ceil(n / workers))",
    "raw-ct2-backend": "raw translate_batch, the backend's padded batches, no fix-up",
    "ct2": "pipeline, CTranslate2 int8 (small first call, next call queued ahead)",
    "ct2-chunks-16": "pipeline, CTranslate2 int8, old fixed calls of 16, one at a time",
    "ct2-unpipelined": "(ct2), one call at a time (each call's results awaited before the next is queued)",
    "ct2-no-fixup": "pipeline without the first-row fix-up",
    "ct2-tokens-x4": "pipeline, CTranslate2 int8, READER_BATCH_TOKENS x 4",
    "ct2-greedy": "pipeline, CTranslate2 int8, greedy",
}


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


def make_plan(hf_dir: Path, *, quick: bool, threads: int) -> dict[str, Any]:
    """The seed articles, and for each schedule the exact model calls the pipeline makes, with their lengths."""
    from reader.config import Settings
    from reader.pipeline import CHUNK_INPUTS, iter_translate, segment_document

    settings = Settings.load()
    tokenizer = _marian_tokenizer(hf_dir)
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
    for name, workers, first_chunk in (
        ("parallel", threads, None),
        ("serial", 1, None),
        ("chunks-16", threads, CHUNK_INPUTS),
    ):
        dry = _DryRun(tokenizer, workers)
        calls = []
        for article in articles:
            before = len(dry.calls)
            for _ in iter_translate(article["text"], dry, settings=settings, first_chunk=first_chunk):
                pass
            calls.append(dry.calls[before:])
        lengths = {text: call_length(call) for article in calls for call in article for text in call}
        schedules[name] = {"workers": workers, "first_chunk": first_chunk, "calls": calls, "lengths": lengths}
    for article, calls in zip(articles, schedules["parallel"]["calls"], strict=True):
        article["inputs"] = [text for call in calls for text in call]
    return {"articles": articles, "schedules": schedules, "threads": threads}


def _marian_tokenizer(model_dir: Path) -> Any:
    import warnings

    from transformers import MarianTokenizer

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        return MarianTokenizer.from_pretrained(str(model_dir))


def nominal_tokens(plan: Mapping[str, Any], schedule: str, articles: Sequence[int] | None = None) -> int:
    lengths = plan["schedules"][schedule]["lengths"]
    return sum(lengths[text] for text in _schedule_inputs(plan, schedule, articles))


# ---- forcing the output length inside the real pipeline -----------------------------------


@dataclass
class Forcing:
    length: int = 0
    limit: bool = False
    """Every output runs to the length limit the backend sets (the worst case for memory)."""
    produced: int = 0
    """Target tokens the model actually generated (checked against the plan)."""
    model_calls: int = 0
    inputs: list[str] = field(default_factory=list)
    mismatches: int = 0
    fixup_inputs: int = 0
    """Inputs whose first attention row the CTranslate2 backend recomputed."""


class ForcedLengths:
    """Sets the forced output length for each translate_batch call, from the plan.

    Every input of one planned call has the same length, so the call is passed on whole:
    batching is exactly the pipeline's own. A call the plan did not foresee counts as a mismatch.
    """

    def __init__(self, inner: Any, forcing: Forcing, lengths: Mapping[str, int]) -> None:
        self.inner = inner
        self.forcing = forcing
        self.lengths = lengths

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    @property
    def model_fingerprint(self) -> str:
        return self.inner.model_fingerprint

    @property
    def workers(self) -> int:
        return self.inner.workers

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def translate_batch(self, sentences: Sequence[str]) -> list[Any]:
        return self.inner.translate_batch(self._forced(sentences))

    def _forced(self, sentences: Sequence[str]) -> Sequence[str]:
        """Set the length for this call; the backend reads it when it queues the call's jobs."""
        wanted = {self.lengths.get(sentence, 0) for sentence in sentences}
        if len(wanted) != 1 or 0 in wanted:
            self.forcing.mismatches += 1  # the pipeline chunked differently from the plan
        self.forcing.length = max(wanted)
        self.forcing.inputs += list(sentences)
        return sentences


class PipelinedForcedLengths(ForcedLengths):
    """ForcedLengths for a backend that queues the next call before this one is awaited (Pipelined)."""

    def translate_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[Any]]:
        from reader.translate.base import translate_chunks

        return translate_chunks(self.inner, (self._forced(chunk) for chunk in chunks))


class _Counted:
    """One asynchronous CTranslate2 result; counts its output tokens when it is read."""

    def __init__(self, job: Any, forcing: Forcing) -> None:
        self._job = job
        self._forcing = forcing

    def result(self) -> Any:
        output = self._job.result()
        self._forcing.produced += len(output.hypotheses[0])
        return output


class _ForcedCT2Model:
    """Stands in for ctranslate2.Translator: same calls, with the output length forced."""

    def __init__(self, model: Any, forcing: Forcing) -> None:
        self._model = model
        self._forcing = forcing

    def translate_batch(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("max_decoding_length") == 1:  # the backend's one-step attention fix-up: real work
            self._forcing.fixup_inputs += len(source)
            return self._model.translate_batch(source, *args, **kwargs)
        if self._forcing.limit:
            kwargs["min_decoding_length"] = kwargs["max_decoding_length"]
        else:
            kwargs["min_decoding_length"] = kwargs["max_decoding_length"] = self._forcing.length
        outputs = self._model.translate_batch(source, *args, **kwargs)
        self._forcing.model_calls += 1
        if kwargs.get("asynchronous"):
            return [_Counted(job, self._forcing) for job in outputs]
        self._forcing.produced += sum(len(out.hypotheses[0]) for out in outputs)
        return outputs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def _force_generate(model: Any, forcing: Forcing) -> None:
    """Make ``model.generate`` produce exactly ``forcing.length`` new tokens per sequence."""
    original = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("max_length", None)
        if forcing.limit:
            kwargs["min_new_tokens"] = kwargs["max_new_tokens"]
        else:
            kwargs["max_new_tokens"] = kwargs["min_new_tokens"] = forcing.length
        output = original(*args, **kwargs)
        sequences = output if hasattr(output, "shape") else output.sequences
        forcing.model_calls += 1
        forcing.produced += int(sequences.shape[0]) * (int(sequences.shape[1]) - 1)
        return output

    model.generate = generate


def hook_backend(backend: Any, forcing: Forcing) -> None:
    """Install the length forcing on a reader backend's underlying model."""
    if hasattr(backend, "model") and hasattr(backend.model, "translate_batch"):  # CT2Translator
        backend.model = _ForcedCT2Model(backend.model, forcing)
    elif hasattr(getattr(backend, "_model", None), "generate"):  # TransformersTranslator
        _force_generate(backend._model, forcing)
    else:
        raise SystemExit(f"cannot force output lengths on {type(backend).__name__}")


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
    """The pipeline over one article: the whole time, the time to its first translated sentence, CPU time."""
    from reader.document import Flag
    from reader.pipeline import iter_translate

    began, cpu = time.perf_counter(), time.process_time()
    first = None
    for progress in iter_translate(article["text"], translator, settings=settings, first_chunk=first_chunk):
        if first is None and any(s.translation and not s.has(Flag.PASSTHROUGH) for s in progress.document.sentences):
            first = time.perf_counter() - began
    whole = time.perf_counter() - began
    return {
        "whole_s": whole,
        "first_s": whole if first is None else first,
        "cpu_s": time.process_time() - cpu,
        "done": progress.done,
    }


def translate_articles(
    translator: Any, plan: Mapping[str, Any], articles: list[int], settings: Any, first_chunk: int | None
) -> dict:
    runs = [time_article(translator, plan["articles"][i], settings, first_chunk) for i in articles]
    return {
        "per_article_s": [run["whole_s"] for run in runs],
        "first_sentence_s": [run["first_s"] for run in runs],
        "sentences_done": sum(run["done"] for run in runs),
    }


# ---- one contender (runs in a child process) -----------------------------------------------


def run_contender(
    contender: Contender, plan: Mapping[str, Any], paths: Mapping[str, str], threads: int, *, profile: bool = False
) -> dict:
    start = time.perf_counter()
    loadavg = os.getloadavg()
    profiler = cProfile.Profile() if profile else None  # enabled once the model is loaded
    if contender.backend is None:
        report = _run_baseline(contender, plan, Path(paths["hf"]), threads, start, profiler)
    else:
        report = _run_pipeline(contender, plan, paths, threads, start, profiler)
    if profiler:
        profiler.disable()
        report["profile"] = _profile_text(profiler)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report.update(
        name=contender.name,
        label=contender.label,
        beam=contender.beam,
        peak_rss_mb=peak_rss_mb(),
        imported_transformers="transformers" in sys.modules,
        cpu_s=usage.ru_utime + usage.ru_stime,
        wall_s=time.perf_counter() - start,
        loadavg_before=loadavg[0],
        loadavg_after=os.getloadavg()[0],
    )
    return report


def _profile_text(profiler: cProfile.Profile) -> str:
    """Where translation time went: the top functions by cumulative and by own time."""
    parts = []
    for order, lines in (("cumulative", 14), ("tottime", 8)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        text = out.getvalue()
        for prefix in sorted({p for p in sys.path if p}, key=len, reverse=True):
            text = text.replace(prefix + os.sep, "")
        body = text[text.find("ncalls") :] if "ncalls" in text else text
        parts.append(f"sorted by {order}:\n" + "\n".join(line.rstrip() for line in body.splitlines() if line.strip()))
    return "\n\n".join(parts)


def _run_baseline(
    contender: Contender,
    plan: Mapping[str, Any],
    hf_dir: Path,
    threads: int,
    start: float,
    profiler: cProfile.Profile | None = None,
) -> dict:
    """What most demos do: tokenizer + model.generate per sentence, no batching, no cache."""
    import torch
    from transformers import MarianMTModel

    torch.set_num_threads(threads)
    tokenizer = _marian_tokenizer(hf_dir)
    model = MarianMTModel.from_pretrained(str(hf_dir)).eval()
    lengths = plan["schedules"][contender.schedule]["lengths"]
    loaded = time.perf_counter()
    if profiler:
        profiler.enable()
    first: float | None = None
    produced = 0
    per_article = []
    for article in plan["articles"]:
        began = time.perf_counter()
        for text in article["inputs"]:
            length = lengths[text]
            batch = tokenizer([text], return_tensors="pt")
            with torch.no_grad():
                output = model.generate(**batch, num_beams=contender.beam, max_new_tokens=length, min_new_tokens=length)
            tokenizer.decode(output[0], skip_special_tokens=True)
            produced += output.shape[1] - 1
            if first is None:
                first = time.perf_counter()
        per_article.append(time.perf_counter() - began)
    return {
        "load_s": loaded - start,
        "translate_s": sum(per_article),
        "per_article_s": per_article,
        "first_s": (first or loaded) - start,
        "produced_tokens": produced,
        "model_calls": sum(len(a["inputs"]) for a in plan["articles"]),
        "inputs_seen": [t for a in plan["articles"] for t in a["inputs"]],
        "articles": list(range(len(plan["articles"]))),
    }


def _open_pipeline(
    backend: str,
    beam: int,
    threads: int,
    model: str,
    cache: str,
    *,
    refresh: bool = False,
    batch_tokens: int | None = None,
) -> tuple[Any, Any, Forcing]:
    """reader's own path (api.open_translator: backend + sentence cache) with the length forcing installed."""
    from reader.api import open_translator
    from reader.config import Settings

    settings = Settings.load(model=model, backend=backend, beam=beam, threads=threads, device="cpu", cache_path=cache)
    if batch_tokens is not None:
        settings = replace(settings, batch_tokens=batch_tokens)
    translator = open_translator(settings, refresh=refresh)()
    forcing = Forcing()
    hook_backend(translator.inner, forcing)
    return translator, settings, forcing


def _run_pipeline(
    contender: Contender,
    plan: Mapping[str, Any],
    paths: Mapping[str, str],
    threads: int,
    start: float,
    profiler: cProfile.Profile | None = None,
) -> dict:
    """reader's pipeline (pipeline.iter_translate) over the articles, as the app runs it."""
    cache = paths["cache_warm"] if contender.cache == "warm" else paths[f"cache_{contender.name}"]
    backend = contender.backend or "auto"
    translator, settings, forcing = _open_pipeline(
        backend, contender.beam, threads, paths["hf"], cache, batch_tokens=contender.batch_tokens
    )
    forcing.limit = contender.limit
    translator.inner = PipelinedForcedLengths(
        translator.inner, forcing, plan["schedules"][contender.schedule]["lengths"]
    )
    loaded = time.perf_counter()
    if profiler:
        profiler.enable()
    articles = list(range(len(plan["articles"])))
    run = translate_articles(translator, plan, articles, settings, plan["schedules"][contender.schedule]["first_chunk"])
    return {
        "load_s": loaded - start,
        "translate_s": sum(run["per_article_s"]),
        **run,
        "first_s": loaded - start + run["first_sentence_s"][0],
        "produced_tokens": forcing.produced,
        "model_calls": forcing.model_calls,
        "cache_model_calls": translator.model_calls,
        "inputs_seen": forcing.inputs,
        "length_mismatches": forcing.mismatches,
        "fixup_inputs": forcing.fixup_inputs,
        "fingerprint": translator.fingerprint,
        "articles": articles,
    }


# ---- raw CTranslate2 and the pipeline side by side (one child process, one model load) -----


@contextmanager
def _without_fixup(backend: Any) -> Iterator[None]:
    """The CTranslate2 backend as if CTranslate2 had no first-row bug (its first rows are then wrong)."""
    cls = type(backend)
    original = cls._first_row_is_wrong
    cls._first_row_is_wrong = property(lambda self: False)
    try:
        yield
    finally:
        cls._first_row_is_wrong = original


def raw_article(
    model: Any, sources: list[list[list[str]]], lengths: list[int], *, beam: int, batches: Callable
) -> dict:
    """translate_batch alone on one article's calls (tokenized beforehand), with their forced lengths.

    Every call is queued before any is awaited, so no worker waits at a call's end: however the
    pipeline cuts an article into calls, raw gets the most out of those calls. ``first_s`` is when
    the first call (the pipeline's first sentence) is done: workers take jobs in the order they were
    queued, so no schedule that translates that sentence first can show it sooner.
    """
    began, cpu = time.perf_counter(), time.process_time()
    jobs = []
    first_call = 0
    for pieces, length in zip(sources, lengths, strict=True):
        options = {
            "beam_size": beam,
            "patience": 2,
            "max_decoding_length": length,
            "min_decoding_length": length,
            "max_input_length": 0,
            "return_scores": True,
            "return_attention": True,
        }
        jobs.extend(batches(model, pieces, options))
        first_call = first_call or len(jobs)
    for job in jobs[:first_call]:
        job.result()
    first = time.perf_counter() - began
    for job in jobs[first_call:]:
        job.result()
    return {"whole_s": time.perf_counter() - began, "first_s": first, "cpu_s": time.process_time() - cpu}


def _one_batch_per_worker(model: Any, pieces: list[list[str]], options: dict) -> list[Any]:
    size = math.ceil(len(pieces) / model.num_translators)
    return model.translate_batch(pieces, batch_type="examples", max_batch_size=size, asynchronous=True, **options)


def _backend_batches(budget: int) -> Callable:
    from reader.translate.batching import padded_batches

    def run(model: Any, pieces: list[list[str]], options: dict) -> list[Any]:
        batches = padded_batches([len(p) for p in pieces], budget=budget, workers=model.num_translators)
        return [
            result
            for batch in batches
            for result in model.translate_batch([pieces[i] for i in batch], asynchronous=True, **options)
        ]

    return run


BIG_BUDGET = 4
"""ct2-tokens-x4 runs with READER_BATCH_TOKENS this many times the default: what a larger budget buys."""


def run_side_by_side(
    plan: Mapping[str, Any], paths: Mapping[str, str], threads: int, repeats: int, only: Sequence[str] | None = None
) -> dict:
    """Raw CTranslate2 and the pipeline on one loaded model: each article by each variant in turn, ``repeats`` times."""
    loadavg = os.getloadavg()
    translator, settings, forcing = _open_pipeline("ct2", 4, threads, paths["hf"], paths["cache_side"], refresh=True)
    backend = translator.inner
    model = backend.model._model  # the real ctranslate2.Translator under the forcing
    greedy = copy.copy(backend)
    greedy.decode = replace(backend.decode, beam=1)
    bigger = copy.copy(backend)
    bigger.batch_tokens = backend.batch_tokens * BIG_BUDGET
    budget = backend.batch_tokens // (backend.decode.beam * backend.workers)
    schedules = plan["schedules"]
    parallel = schedules["parallel"]
    sources = [[[list(backend._source(text).pieces) for text in call] for call in calls] for calls in parallel["calls"]]
    lengths = [[parallel["lengths"][call[0]] for call in calls] for calls in parallel["calls"]]

    def pipeline(inner: Any, schedule: str, *, pipelined: bool = True) -> Callable[[int], dict]:
        forced = PipelinedForcedLengths if pipelined else ForcedLengths

        def run(index: int) -> dict:
            translator.inner = forced(inner, forcing, schedules[schedule]["lengths"])
            return time_article(translator, plan["articles"][index], settings, schedules[schedule]["first_chunk"])

        return run

    def no_fixup(index: int) -> dict:
        with _without_fixup(backend):
            return pipeline(backend, "parallel")(index)

    def raw(batches: Callable) -> Callable[[int], dict]:
        return lambda index: raw_article(model, sources[index], lengths[index], beam=4, batches=batches)

    variants: dict[str, Callable[[int], dict]] = {
        "raw-ct2": raw(_one_batch_per_worker),
        "raw-ct2-backend": raw(_backend_batches(budget)),
        "ct2": pipeline(backend, "parallel"),
        "ct2-chunks-16": pipeline(backend, "chunks-16", pipelined=False),
        "ct2-unpipelined": pipeline(backend, "parallel", pipelined=False),
        "ct2-no-fixup": no_fixup,
        "ct2-tokens-x4": pipeline(bigger, "parallel"),
        "ct2-greedy": pipeline(greedy, "parallel"),
    }
    variants = {name: variant for name, variant in variants.items() if not only or name in only}
    runs: dict[str, list[list[dict]]] = {name: [[] for _ in plan["articles"]] for name in variants}
    for _ in range(repeats):
        for index in range(len(plan["articles"])):
            for name, variant in variants.items():
                runs[name][index].append(variant(index))
    return {"runs": runs, "loadavg_before": loadavg[0], "loadavg_after": os.getloadavg()[0]}


# ---- the parent: run everything, report ----------------------------------------------------


def _schedule_inputs(plan: Mapping[str, Any], schedule: str, articles: Sequence[int] | None = None) -> list[str]:
    calls = plan["schedules"][schedule]["calls"]
    chosen = range(len(calls)) if articles is None else articles
    return [text for i in chosen for call in calls[i] for text in call]


def summarize(results: list[dict], plan: Mapping[str, Any]) -> list[dict]:
    """One row per process contender: throughput, peak memory, and whether it did the planned work."""
    rows = []
    for r in results:
        sentences = sum(plan["articles"][i]["sentences"] for i in r["articles"])
        contender = BY_NAME[r["name"]]
        nominal = nominal_tokens(plan, contender.schedule, r["articles"])
        tokens = r["produced_tokens"] if contender.limit else nominal
        seconds = max(r["translate_s"], 1e-9)
        if not r["model_calls"]:
            same = r["produced_tokens"] == 0
        else:
            expected = _schedule_inputs(plan, contender.schedule, r["articles"])
            same = sorted(r["inputs_seen"]) == sorted(expected) and not r.get("length_mismatches")
            same = same and (contender.limit or r["produced_tokens"] == nominal)
        rows.append(
            {
                **r,
                "sentences": sentences,
                "target_tokens": tokens,
                "sentences_per_s": sentences / seconds,
                "tokens_per_s": tokens / seconds,
                "ms_per_article": 1000 * max(r["per_article_s"]),
                "cpu_share": r["cpu_s"] / max(r["wall_s"], 1e-9),
                "same_work": same,
            }
        )
    base = next((r for r in rows if r["name"] == "baseline"), None)
    for row in rows:
        row["ratio"] = row["tokens_per_s"] / base["tokens_per_s"] if base else float("nan")
    return rows


def summarize_side(side: Mapping[str, Any] | None, plan: Mapping[str, Any]) -> dict[str, dict]:
    """Per variant: the sum over the articles of each article's median time; FIRST_ARTICLE's first sentence."""
    if not side:
        return {}
    names = [a["name"] for a in plan["articles"]]
    index = names.index(FIRST_ARTICLE) if FIRST_ARTICLE in names else 0
    out = {}
    for name, articles in side["runs"].items():
        tokens = nominal_tokens(plan, "chunks-16" if name == "ct2-chunks-16" else "parallel")
        wall = sum(statistics.median(run["whole_s"] for run in runs) for runs in articles)
        cpu = sum(statistics.median(run["cpu_s"] for run in runs) for runs in articles)
        first = articles[index]
        row: dict[str, Any] = {
            "name": name,
            "label": SIDE_LABELS[name],
            "repeats": len(first),
            "translate_s": wall,
            "cpu_s": cpu,
            "tokens_per_s": tokens / max(wall, 1e-9),
            "tokens_per_cpu_s": tokens / max(cpu, 1e-9),
            "whole_s": statistics.median(run["whole_s"] for run in first),
            "whole_all_s": [run["whole_s"] for run in first],
        }
        if "first_s" in first[0]:
            row["first_s"] = statistics.median(run["first_s"] for run in first)
            row["first_fraction"] = statistics.median(run["first_s"] / max(run["whole_s"], 1e-9) for run in first)
        out[name] = row
    return out


def figures(rows: list[dict], side: Mapping[str, dict]) -> dict[str, float | None]:
    """The ratios the targets and the docs quote, None where a contender was not run."""
    by = {r["name"]: r for r in rows}

    def ratio(a: Mapping[str, dict], x: str, b: Mapping[str, dict], y: str, key: str = "tokens_per_s") -> float | None:
        return a[x][key] / b[y][key] if x in a and y in b and b[y][key] else None

    raw_first = side["raw-ct2"]["first_fraction"] if "raw-ct2" in side else None
    fixup_free = ratio(side, "ct2", side, "ct2-no-fixup")
    fixup_free_cpu = ratio(side, "ct2", side, "ct2-no-fixup", "tokens_per_cpu_s")
    return {
        "transformers_vs_baseline": ratio(by, "transformers", by, "baseline"),
        "ct2_vs_baseline": ratio(by, "ct2", by, "baseline"),
        "pipeline_vs_raw": ratio(side, "ct2", side, "raw-ct2"),
        "pipeline_vs_raw_same_batches": ratio(side, "ct2", side, "raw-ct2-backend"),
        "backend_batches_vs_one_per_worker": ratio(side, "raw-ct2-backend", side, "raw-ct2"),
        "fixup_cost": None if fixup_free is None else 1 - fixup_free,
        "first_fraction": side["ct2"]["first_fraction"] if "ct2" in side else None,
        "raw_first_fraction": raw_first,
        "first_target_ceiling": FIRST_TARGET / raw_first if raw_first else None,
        "first_fraction_chunks_16": side["ct2-chunks-16"]["first_fraction"] if "ct2-chunks-16" in side else None,
        "whole_vs_chunks_16": ratio(side, "ct2", side, "ct2-chunks-16", "whole_s"),
        "unpipelined_vs_chunks_16": ratio(side, "ct2-unpipelined", side, "ct2-chunks-16", "whole_s"),
        "first_fraction_unpipelined": side["ct2-unpipelined"]["first_fraction"] if "ct2-unpipelined" in side else None,
        "greedy_ct2": ratio(side, "ct2-greedy", side, "ct2"),
        "budget_x4_speedup": ratio(side, "ct2-tokens-x4", side, "ct2"),
        "pipeline_vs_raw_cpu": ratio(side, "ct2", side, "raw-ct2", "tokens_per_cpu_s"),
        "same_batches_cpu": ratio(side, "ct2", side, "raw-ct2-backend", "tokens_per_cpu_s"),
        "batches_cost_cpu": ratio(side, "raw-ct2-backend", side, "raw-ct2", "tokens_per_cpu_s"),
        "fixup_cost_cpu": None if fixup_free_cpu is None else 1 - fixup_free_cpu,
        "chunks_16_cpu": ratio(side, "ct2-chunks-16", side, "ct2", "tokens_per_cpu_s"),
        "greedy_ct2_cpu": ratio(side, "ct2-greedy", side, "ct2", "tokens_per_cpu_s"),
        "budget_x4_cpu": ratio(side, "ct2-tokens-x4", side, "ct2", "tokens_per_cpu_s"),
        "ct2_limit_x4_rss": by["ct2-limit-x4"]["peak_rss_mb"] if "ct2-limit-x4" in by else None,
        "greedy_transformers": ratio(by, "transformers-greedy", by, "transformers"),
        "ct2_rss": by["ct2"]["peak_rss_mb"] if "ct2" in by else None,
        "ct2_limit_rss": by["ct2-limit"]["peak_rss_mb"] if "ct2-limit" in by else None,
        "transformers_rss": by["transformers"]["peak_rss_mb"] if "transformers" in by else None,
        "transformers_small_rss": by["transformers-small"]["peak_rss_mb"] if "transformers-small" in by else None,
        "transformers_small_speed": ratio(by, "transformers-small", by, "transformers"),
        "baseline_rss": by["baseline"]["peak_rss_mb"] if "baseline" in by else None,
        "cached_ms": by["ct2-cached"]["ms_per_article"] if "ct2-cached" in by else None,
        "cached_calls": by["ct2-cached"]["model_calls"] if "ct2-cached" in by else None,
    }


def verdicts(numbers: Mapping[str, float | None]) -> list[tuple[str, str, float | None, str, bool | None]]:
    """(key, what, value, target, met) for every target of the issue this benchmark checks."""
    checks = [
        ("transformers_vs_baseline", "pipeline, transformers vs the naive loop (×, tokens/s)", 3.0, True),
        ("ct2_vs_baseline", "pipeline, CTranslate2 vs the naive loop (×, tokens/s)", 8.0, True),
        ("pipeline_vs_raw", "pipeline vs raw translate_batch, one batch per worker (×, side by side)", 0.9, True),
        ("first_fraction", "first model-translated sentence / whole article (model loaded)", FIRST_TARGET, False),
        ("whole_vs_chunks_16", "whole article vs the old calls of 16 (×, side by side)", 1.05, False),
        ("ct2_rss", "peak RSS, CTranslate2 pipeline (MB)", 500.0, False),
        ("ct2_limit_rss", "peak RSS, CTranslate2 pipeline, every output to its limit (MB)", 500.0, False),
        ("cached_ms", "warm cache, slowest article (ms)", 50.0, False),
        ("cached_calls", "warm cache, model calls", 0.0, False),
    ]
    out: list[tuple[str, str, float | None, str, bool | None]] = []
    for key, text, limit, higher in checks:
        value = numbers.get(key)
        met = None if value is None else (value >= limit if higher else value <= limit)
        out.append((key, text, value, f"{'≥' if higher else '≤'} {limit:g}", met))
    for key, text in (
        ("pipeline_vs_raw_cpu", "the same in CPU time per token (a cross-check, steadier on a shared machine)"),
        ("chunks_16_cpu", "CPU time per token vs the old calls of 16 (×, a cross-check)"),
        (
            "raw_first_fraction",
            "raw translate_batch's own first call / its whole article (the floor for showing the first sentence first)",
        ),
        (
            "first_target_ceiling",
            f"the fastest pipeline, × raw on {FIRST_ARTICLE}, whose first sentence can still come within "
            f"{FIRST_TARGET:g} of its article ({FIRST_TARGET:g} / the floor above)",
        ),
    ):
        value = numbers.get(key)
        out.append((key, text, value, "—", None))
    value, base = numbers.get("transformers_rss"), numbers.get("baseline_rss")
    target = f"≤ the naive loop's {base:.0f}" if base is not None else "≤ the naive loop's"
    met = None if value is None or base is None else value <= base
    out.append(("transformers_rss", "peak RSS, transformers pipeline (MB)", value, target, met))
    return out


def verdict_lines(numbers: Mapping[str, float | None]) -> list[str]:
    lines = []
    for _, text, value, target, met in verdicts(numbers):
        shown = "not measured" if value is None else f"**{value:.2f}**" if abs(value) < 10 else f"**{value:.0f}**"
        state = "" if met is None else " — met" if met else " — MISSED"
        aim = "no target of its own" if target == "—" else f"target {target}"
        lines.append(f"- {text}: {shown} ({aim}){state}")
    return lines


PROFILED_BY = {
    "transformers": {"transformers_vs_baseline"},
    "ct2": {"ct2_vs_baseline"},
    "ct2-cached": {"cached_ms", "cached_calls"},
}
"""The process contender a missed speed target points at: it gets a (CPU) profile in the report."""


def missed(rows: list[dict], numbers: Mapping[str, float | None]) -> list[str]:
    failed = {key for key, _, _, _, met in verdicts(numbers) if met is False}
    names = {r["name"] for r in rows}
    return sorted(name for name, keys in PROFILED_BY.items() if name in names and failed & keys)


def table(rows: list[dict]) -> str:
    header = (
        "| contender | target tokens/s | × naive loop | peak RSS (MB) | first sentence (s, load included) "
        "| load (s) | translate (s) | slowest article (ms) | model calls |"
    )
    lines = [header, "|" + "---|" * 9]
    for r in rows:
        lines.append(
            f"| {r['name']}: {r['label']} | {r['tokens_per_s']:.1f} | {r['ratio']:.1f}× | {r['peak_rss_mb']:.0f} "
            f"| {r['first_s']:.2f} | {r['load_s']:.2f} | {r['translate_s']:.2f} | {r['ms_per_article']:.0f} "
            f"| {r['model_calls']} |"
        )
    return "\n".join(lines)


def side_table(side: Mapping[str, dict]) -> str:
    lines = [
        f"| variant | target tokens/s | tokens per CPU second | translate (s) | {FIRST_ARTICLE}: first sentence (s) "
        "| whole (s, each run) | first / whole |",
        "|" + "---|" * 7,
    ]
    for row in side.values():
        runs = ", ".join(f"{s:.2f}" for s in row["whole_all_s"])
        first = f"{row['first_s']:.2f}" if "first_s" in row else ""
        fraction = f"{row['first_fraction']:.2f}" if "first_fraction" in row else ""
        lines.append(
            f"| {row['name']}: {row['label']} | {row['tokens_per_s']:.1f} | {row['tokens_per_cpu_s']:.1f} "
            f"| {row['translate_s']:.2f} | {first} | {row['whole_s']:.2f} ({runs}) | {fraction} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import ctranslate2
    import torch
    import transformers

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "ctranslate2": ctranslate2.__version__,
        "os": platform.platform(),
    }


def machine_line(info: Mapping[str, Any], load: tuple[float, float]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM (shared); 1-minute load average "
        f"{load[0]:.2f} at the start, {load[1]:.2f} at the end; Python {info['python']}, torch {info['torch']}, "
        f"transformers {info['transformers']}, ctranslate2 {info['ctranslate2']}"
    )


def results_json(
    rows: list[dict], side: Mapping[str, dict], numbers: Mapping[str, float | None], info: Mapping[str, Any]
) -> dict[str, Any]:
    """docs/performance.json: the keys the issue asks for, then more contenders."""
    by = {r["name"]: r for r in rows}

    def rounded(value: float | None, digits: int = 1) -> float | None:
        return None if value is None else round(value, digits)

    def process(name: str, *keys: str) -> dict[str, Any]:
        row = by.get(name, {})
        names = {"tokens_per_s": "tokens_per_s", "peak_rss_mb": "peak_rss_mb", "slowest_article_ms": "ms_per_article"}
        return {key: rounded(row.get(names[key])) for key in keys}

    def side_speed(name: str) -> float | None:
        return rounded(side[name]["tokens_per_s"]) if name in side else None

    contenders: dict[str, dict[str, Any]] = {
        "baseline": process("baseline", "tokens_per_s", "peak_rss_mb"),
        "raw-ct2": {
            "tokens_per_s": side_speed("raw-ct2"),
            "batching": "examples, one batch per worker",
            "first_sentence_fraction": rounded(numbers.get("raw_first_fraction"), 3),
        },
        "ct2": {
            "tokens_per_s": side_speed("ct2"),
            "peak_rss_mb": rounded(numbers.get("ct2_rss")),
            "first_sentence_fraction": rounded(numbers.get("first_fraction"), 3),
        },
        "ct2-cached": process("ct2-cached", "slowest_article_ms"),
        "transformers": process("transformers", "tokens_per_s", "peak_rss_mb"),
        "raw-ct2-backend": {"tokens_per_s": side_speed("raw-ct2-backend"), "batching": "the backend's padded batches"},
        "ct2-chunks-16": {
            "tokens_per_s": side_speed("ct2-chunks-16"),
            "first_sentence_fraction": rounded(numbers.get("first_fraction_chunks_16"), 3),
        },
        "ct2-no-fixup": {"tokens_per_s": side_speed("ct2-no-fixup")},
        "ct2-greedy": {"tokens_per_s": side_speed("ct2-greedy"), "speedup_vs_beam4": rounded(numbers["greedy_ct2"], 2)},
        "ct2-limit": process("ct2-limit", "tokens_per_s", "peak_rss_mb"),
        "ct2-limit-x4": process("ct2-limit-x4", "tokens_per_s", "peak_rss_mb"),
        "ct2-tokens-x4": {
            "tokens_per_s": side_speed("ct2-tokens-x4"),
            "speedup_vs_default": rounded(numbers["budget_x4_speedup"], 2),
        },
        "transformers-greedy": {
            **process("transformers-greedy", "tokens_per_s", "peak_rss_mb"),
            "speedup_vs_beam4": rounded(numbers["greedy_transformers"], 2),
        },
        "transformers-small": process("transformers-small", "tokens_per_s", "peak_rss_mb"),
    }
    return {"machine": info["line"], "date": info["date"], "contenders": contenders}


def write_docs(
    rows: list[dict],
    side: Mapping[str, dict],
    plan: Mapping[str, Any],
    info: Mapping[str, Any],
    command: str,
    profiles: Mapping[str, str],
) -> None:
    DOCS.mkdir(exist_ok=True)
    plot(rows, side, DOCS / "performance.png")
    numbers = figures(rows, side)
    (DOCS / "performance.json").write_text(
        json.dumps(results_json(rows, side, numbers, info), indent=2) + "\n", encoding="utf-8"
    )

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.0f}%"

    def times(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}×"

    def mb(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f}"

    def fraction(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    profile_text = "\n\n".join(
        f"### {BY_NAME[name].label}\n\nA separate cProfile run (its timings are not in the tables above).\n\n"
        f"```\n{text}\n```"
        for name, text in profiles.items()
    )
    load = ", ".join(f"{r['name']} {r['loadavg_before']:.1f}" for r in rows)
    share = ", ".join(f"{r['name']} {r['cpu_share']:.2f}" for r in rows)
    parallel = plan["schedules"]["parallel"]
    names = [a["name"] for a in plan["articles"]]
    first_calls = parallel["calls"][names.index(FIRST_ARTICLE)] if FIRST_ARTICLE in names else []
    text = PERFORMANCE_MD.format(
        date=info["date"],
        command=command,
        machine=info["line"],
        threads=plan["threads"],
        os=info["os"],
        articles=len(plan["articles"]),
        sentences=sum(a["sentences"] for a in plan["articles"]),
        inputs=len(_schedule_inputs(plan, "parallel")),
        tokens=nominal_tokens(plan, "parallel"),
        table=table(rows),
        side=side_table(side) if side else "(not run)",
        repeats=next(iter(side.values()))["repeats"] if side else 0,
        verdicts="\n".join(verdict_lines(numbers)),
        first_article=FIRST_ARTICLE,
        first_calls=" + ".join(str(len(call)) for call in first_calls) or "n/a",
        first_calls_16=" + ".join(
            str(len(call)) for call in plan["schedules"]["chunks-16"]["calls"][names.index(FIRST_ARTICLE)]
        )
        if FIRST_ARTICLE in names
        else "n/a",
        pipeline_vs_raw=times(numbers["pipeline_vs_raw"]),
        pipeline_vs_raw_cpu=times(numbers["pipeline_vs_raw_cpu"]),
        same_batches_cpu=times(numbers["same_batches_cpu"]),
        batches_cost_cpu=times(numbers["batches_cost_cpu"]),
        fixup_cpu=pct(numbers["fixup_cost_cpu"]),
        whole_vs_16=times(numbers["whole_vs_chunks_16"]),
        unpipelined_vs_16=times(numbers["unpipelined_vs_chunks_16"]),
        first_fraction=fraction(numbers["first_fraction"]),
        first_fraction_unpipelined=fraction(numbers["first_fraction_unpipelined"]),
        raw_first_fraction=fraction(numbers["raw_first_fraction"]),
        first_target_ceiling=times(numbers["first_target_ceiling"]),
        first_target=f"{FIRST_TARGET:g}",
        chunks_16_cpu_cost=times(numbers["chunks_16_cpu"]),
        budget_x4_cpu=times(numbers["budget_x4_cpu"]),
        greedy_ct2_cpu=times(numbers["greedy_ct2_cpu"]),
        same_batches=times(numbers["pipeline_vs_raw_same_batches"]),
        batches_cost=times(numbers["backend_batches_vs_one_per_worker"]),
        fixup=pct(numbers["fixup_cost"]),
        greedy_ct2=times(numbers["greedy_ct2"]),
        greedy_transformers=times(numbers["greedy_transformers"]),
        ct2_limit_rss=mb(numbers["ct2_limit_rss"]),
        ct2_limit_x4_rss=mb(numbers["ct2_limit_x4_rss"]),
        budget_x4=times(numbers["budget_x4_speedup"]),
        transformers_rss=mb(numbers["transformers_rss"]),
        baseline_rss=mb(numbers["baseline_rss"]),
        transformers_small_rss=mb(numbers["transformers_small_rss"]),
        small_speed=times(numbers["transformers_small_speed"]),
        loadavg=load,
        cpu_share=share,
        side_load=f"{info['side_load'][0]:.1f} at its start, {info['side_load'][1]:.1f} at its end"
        if info.get("side_load")
        else "n/a",
        same_work="yes" if all(r["same_work"] for r in rows) else "NO — see the JSON results",
        profiles=profile_text or "Every target of the process contenders was met in this run, so none was profiled.",
    )
    (DOCS / "performance.md").write_text(text, encoding="utf-8")


def plot(rows: list[dict], side: Mapping[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(r["name"], r["tokens_per_s"], r.get("backend")) for r in rows if r["name"] not in ("ct2-cached",)]
    shown += [(f"{name} (side by side)", row["tokens_per_s"], "ct2") for name, row in side.items()]
    colors = ["#9e9e9e" if backend is None else "#1f77b4" if backend == "ct2" else "#ff7f0e" for _, _, backend in shown]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shown) + 1.6))
    bars = ax.barh([s[0] for s in shown][::-1], [s[1] for s in shown][::-1], color=colors[::-1])
    for bar, (_, value, _) in zip(bars, shown[::-1], strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:.0f}", va="center", fontsize=8)
    ax.set_xlabel("target tokens per second (higher is better)")
    ax.set_title("Arabic→English, opus-mt-ar-en architecture, CPU")
    ax.set_xlim(0, max(s[1] for s in shown) * 1.2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


PERFORMANCE_MD = """# Performance

Measured {date} with:

```
{command}
```

Machine: {machine}; {threads} threads per contender; {os}. The machine is shared with other
developers, so absolute numbers are noisy: ratios measured side by side in one process are the ones to trust.
Machine-readable results: [performance.json](performance.json).

## What is measured

Real opus-mt-ar-en weights cannot be downloaded on this machine, so the benchmark builds a model with
its exact architecture and vocabulary size (62,834 pieces, d_model 512, 6+6 layers, 8 heads, FFN 2048,
swish, static positions, tied embeddings) with seeded random weights. Random weights give arbitrary
output, so every contender is forced to produce the same number of target tokens for every model input
(end-of-sentence suppressed until that length, decoding stopped there): 1.5 tokens per source word,
averaged over each call the pipeline makes to the model, so that batches stay exactly the pipeline's own.
The calls are found by running the real pipeline first with a stand-in translator (the model's tokenizer,
no model); the naive loop and raw CTranslate2 get the same lengths for the same inputs. Every contender
did the planned work: {same_work}.

Workload: the {articles} seed article(s) in `seeds/`, {sentences} sentences, segmented and sub-split by
reader's pipeline into {inputs} model inputs, {tokens} target tokens in all. Note that the benchmark's
sentencepiece models are trained on a few articles only, so its inputs are about twice as many subwords
as opus-mt-ar-en's own vocabulary would make (up to 100 per input): batches are longer, and memory per
batch higher, than with the real model.

Contenders in a process of their own (peak RSS is that process's VmHWM; "first sentence" is from
process start, model loading included):

- **baseline**: what most demos do: `MarianTokenizer` + `model.generate(num_beams=4)`, one sentence at a
  time, no batching, no cache.
- **transformers** / **ct2**: `reader.api.open_translator` + `reader.pipeline.iter_translate`
  (segmentation, normalization, batching, alignment, quality flags, sentence cache writes) on each backend,
  beam 4, as the app runs it (small first call, then calls of up to 16 inputs).
- **ct2-cached**: (ct2) again in a new process, every sentence already in the sentence cache.
- **ct2-limit**: (ct2) with every output forced to its length limit (2 x source + 10 tokens): the worst
  case the memory budget must hold.

Side by side: one process loads the CTranslate2 model once and runs each variant {repeats} time(s),
interleaved; the medians are reported. Raw `translate_batch` gets the same calls, inputs (tokenized
beforehand), forced lengths, threads and beam as the pipeline, attention on, and queues all of an article's
calls before it awaits any, so however the pipeline cuts an article, raw loses nothing at the calls' ends.

## Results

{table}

Side by side (medians; times per variant are the sum over the articles):

{side}

![throughput by contender](performance.png)

Targets (2 CPU cores; issue 12's, and our own floors under the × naive loop figures it measured, 3.2× and 12.7×):

{verdicts}

## The first sentence at once

The app shows a document as it fills in. With calls of 16 model inputs it showed nothing until the first
16 were done, and a typical article is one or two such calls. The pipeline now makes its first call small:
one input per batch the backend runs at once (`Translator.workers`: CTranslate2's `inter_threads`, 1 for
transformers) and at least the whole first pending sentence, in document order, sent as one call per
sentence, the shortest first, so a short sentence is not held back by a long one beside it
(`pipeline.quickest_first`); the rest goes in even calls,
as many as calls of 16 would need for the whole article less one, so the small first call costs no extra
call (19 inputs after the first 2 go as 17, not 9 + 8 or 16 + 1). On {first_article} that is {first_calls}
inputs per call, against {first_calls_16} before. A batch of one
needs no first-row fix-up, but it decodes less efficiently than a batch of several, and more calls mean
more ends of calls, where a worker done with its share waited for the slowest batch. So the CTranslate2
backend queues the next call's jobs before it awaits this call's results (`translate_chunks`: behind the
call awaited next, just enough for a batch per worker, which is one call of the usual size; its workers
take jobs in the order they were queued, and a reader who leaves the article leaves little running).
Against the old calls of 16 (each awaited before the next was queued), the whole article took
{whole_vs_16} as long (wall clock, side by side; {unpipelined_vs_16} with the small first call but one
call at a time), and the articles took
{chunks_16_cpu_cost} the CPU time per token; the first sentence came at {first_fraction} of the whole
article's time ({first_fraction_unpipelined} one call at a time). Raw `translate_batch`, given the same
calls and all of them queued at once, finished the first call (that same first sentence) at
{raw_first_fraction} of its own whole article: no schedule that shows the article's first sentence first
does better, because the first sentence's inputs decode in batches of one, less efficiently per token
than the larger batches after them. So a pipeline faster than {first_target_ceiling} raw's speed on that
article would show its first sentence later than {first_target} of its article, however it scheduled.
The CLI (`reader translate`),
`translate_text` / `translate_article` and batch runs print nothing until the end, so they keep large calls.

## Batches that fill the cores

The CTranslate2 backend cuts each call into its own batches (`reader/translate/batching.py`): inputs sorted
by length, at most ceil(n / workers) per batch so every worker gets one, and examples x longest input (the
padded size, which is what memory grows with) within `READER_BATCH_TOKENS` / (beam x workers); when the
budget makes more batches than workers, they are evened out if the workers finish sooner that way. Each
batch is one asynchronous CTranslate2 job, longest first, and the fix-up jobs are queued behind them, so a
worker that finishes early goes on with the next job. On CPU the backend runs `inter_threads` = threads
workers of one thread each (Marian-sized matrix products scale badly across threads), int8 weights (the
62,834 x 512 output projection runs at every step for every hypothesis), and beam search with patience 2,
which reproduces the transformers backend's stopping rule. Before, the cap was `max(longest, min(256, ceil(unpadded
sum / workers)))` tokens with `batch_type="tokens"`, which CTranslate2 4.8.5 counts padded: calls broke into
batches of 1 to 5 examples, and raising the budget changed nothing.

In this run (wall-clock medians first; then target tokens per CPU second, which the other processes on a
shared machine disturb far less, so they are the better guide to a quiet machine when every variant keeps
both workers busy): the pipeline reached {pipeline_vs_raw} / {pipeline_vs_raw_cpu} of raw `translate_batch`
with one batch per worker; {same_batches} / {same_batches_cpu} of raw `translate_batch` with the backend's own
batches (what the pipeline's own work and the fix-up cost); the backend's batches ran at {batches_cost} /
{batches_cost_cpu} of one batch per worker (what the memory budget costs with this benchmark's long inputs).

**The first-row fix-up**: CTranslate2 4.x returns the wrong first attention row for all but the first
example of a batched beam search on CPU (the first step runs before the beam is expanded and its attention
is gathered with un-expanded indices). The backend recomputes those rows with one greedy step, only for
inputs that shared a batch; in this run that cost {fixup} of the pipeline's wall-clock throughput and
{fixup_cpu} of its CPU time per token (ct2 against ct2-no-fixup). It stays until CTranslate2 fixes the bug
upstream.

## Memory: what READER_BATCH_TOKENS trades

`READER_BATCH_TOKENS` (default 2048) counts padded source tokens x beam hypotheses over the batches that
run at once, in both backends: memory grows with exactly that (each hypothesis keeps attention keys and
values over the source and over its output, and the output limit, 2 x source + 10 tokens, bounds the
output by the source). So it caps memory for any input, and raising it buys larger batches:

- CTranslate2: with every output at its length limit, peak RSS was {ct2_limit_rss} MB at the default and
  {ct2_limit_x4_rss} MB at 4 x the default; at the plan's lengths, 4 x the default ran {budget_x4} as fast
  (ct2-tokens-x4, side by side; {budget_x4_cpu} in CPU time per token). The default keeps the worst case
  under 500 MB on 2 workers.
- transformers: the pipeline peaked at {transformers_rss} MB against the naive loop's {baseline_rss} MB; with
  `READER_BATCH_TOKENS=400` (one long input per batch) at {transformers_small_rss} MB, at {small_speed} of the
  default's speed. The target (no more than the naive loop) is not met, and no budget meets it at a speed
  worth having: the difference is beam search over a batch, which holds every hypothesis's state at once.
  Per hypothesis, at opus-mt-ar-en's size, that is 24 KB per output token of self-attention keys and values
  (6 layers x keys and values x 512 floats) and about 1.2 MB of vocabulary-wide scores per step (the
  logits, their log-softmax and the logits processors' outputs, 62,834 floats each); a batch of 6 inputs
  (24 hypotheses) of 85 source tokens held about 75 MB over the model for 43 output tokens, where the naive
  loop's 4 hypotheses hold about 20 MB. What the backend no longer spends: the scoring pass (the exact
  log-probability and the alignment attention of the chosen output) ran the full model and kept
  [batch x length x 62,834] logits, twice (log-softmax), where it now runs the decoder alone and scores 16
  positions at a time; beam search reordered the cross-attention cache at every step, a third of its time
  in a profile, and held it once per beam, although it is the same for every beam of a sentence: it is now
  held once per sentence, and the beams of a sentence attend to it as query positions of one matrix
  product (`reader/translate/beam_memory.py`; the same translations, scores and alignments as
  eager attention on the toy model, 25 to 40 MB less at the peak and the same speed, measured side by side
  with the per-beam cache on 2026-12-02). The generated ids are freed before scoring. Model weights (294 MB,
  memory-mapped) count in every transformers process's RSS once they are read. What is left is glibc's
  heap: freed tensors are not all returned, and between calls the process stood up to 100 MB over its
  lowest. A fixed `MALLOC_MMAP_THRESHOLD_` returns them (the peak fell by another 30 to 50 MB) but made
  the translation 15 to 25% slower (fresh pages for every large tensor), so it is not set.

## Greedy against beam 4

Greedy (beam 1) ran {greedy_ct2} as fast as beam 4 on CTranslate2 (side by side, wall clock; {greedy_ct2_cpu}
in CPU time per token), and {greedy_transformers} on transformers (separate processes). Quality cost, from
the literature (no real model can be measured here):
on 77 OPUS-MT models, beam 4 was about 50% faster than beam 6 at equal BLEU (22.5 against 22.4; transformers
issue #8427, where OPUS-MT's author also reports that beam 1 or 2 "is worse"). Marian's own measurements on a
deep model put greedy about 0.3 to 1 BLEU below beam 5 (marian-dev issue #98). reader keeps beam 4 as the
default; `--beam 1` (or `READER_BEAM=1`) trades that quality for the speed above.

## Profiles

{profiles}

## Noise

1-minute load average when each process contender started: {loadavg}; the side-by-side process: {side_load}.
CPU time / wall time per process contender (2.0 would be both cores fully ours): {cpu_share}.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 sentences of one article, 1 repeat; no docs")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads per contender")
    parser.add_argument("--only", nargs="+", choices=[*BY_NAME, "side-by-side"], help="run only these")
    parser.add_argument("--repeats", type=int, help="side-by-side runs of each variant (default 3; 1 with --quick)")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=list(SIDE_LABELS),
        help="side-by-side variants to run (default all; a quick comparison while iterating)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.{md,json,png}")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--profile",
        nargs="+",
        choices=list(BY_NAME),
        help="also profile these (contenders that miss a target always are)",
    )
    parser.add_argument(
        "--docs-from", type=Path, help="write docs/performance.{md,json,png} again from a saved --json run"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        # Read by transformers when (and only if) a contender imports it: the CTranslate2 pipeline does
        # not, and importing it here would count its 30 MB against that contender's peak.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        spec = json.loads(args.spec.read_text(encoding="utf-8"))
        if args.child == "side-by-side":
            report = run_side_by_side(
                spec["plan"], spec["paths"], spec["threads"], spec["repeats"], spec.get("variants")
            )
        else:
            report = run_contender(
                BY_NAME[args.child], spec["plan"], spec["paths"], spec["threads"], profile=spec.get("profile", False)
            )
        Path(spec["result"]).write_text(json.dumps(report), encoding="utf-8")
        return 0

    if args.docs_from:
        saved = json.loads(args.docs_from.read_text(encoding="utf-8"))
        plan = make_plan(build_model(), quick=False, threads=saved["machine"].get("threads", args.threads))
        write_docs(saved["rows"], saved["side"], plan, saved["machine"], saved["command"], saved["profiles"])
        print(f"wrote {DOCS / 'performance.md'}, {DOCS / 'performance.json'} and {DOCS / 'performance.png'}")
        return 0
    command = " ".join(["python benchmarks/speed.py", *(shlex.quote(a) for a in (argv or sys.argv[1:]))])
    repeats = args.repeats or (1 if args.quick else 3)
    load_start = os.getloadavg()[0]
    print("building the model (cached after the first run) ...", flush=True)
    hf_dir = build_model()
    convert_model(hf_dir)
    plan = make_plan(hf_dir, quick=args.quick, threads=args.threads)
    chosen = [c for c in CONTENDERS if not args.only or c.name in args.only]
    side_wanted = not args.only or "side-by-side" in args.only
    if any(c.cache == "warm" for c in chosen) and "ct2" not in [c.name for c in chosen]:
        raise SystemExit("ct2-cached needs the ct2 run first (it reads the cache that run fills)")
    info: dict[str, Any] = {
        **machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "threads": args.threads,
    }
    results = []
    side_report = None
    profiles: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        paths = {
            "hf": str(hf_dir),
            "cache_warm": str(Path(tmp) / "cache-ct2.sqlite3"),
            "cache_side": str(Path(tmp) / "cache-side.sqlite3"),
        }
        paths.update({f"cache_{c.name}": str(Path(tmp) / f"cache-{c.name}.sqlite3") for c in CONTENDERS})

        def run_child(name: str, *, profile: bool = False) -> dict:
            tag = f"{name}{'-profile' if profile else ''}"
            child_paths = dict(paths)
            if profile:  # a profile run must translate, not read the cache
                child_paths[f"cache_{name}"] = str(Path(tmp) / f"cache-{tag}.sqlite3")
            result, spec = Path(tmp) / f"{tag}.json", Path(tmp) / f"{tag}.spec.json"
            spec.write_text(
                json.dumps(
                    {
                        "plan": plan,
                        "paths": child_paths,
                        "threads": args.threads,
                        "repeats": repeats,
                        "variants": args.variants,
                        "result": str(result),
                        "profile": profile,
                    }
                ),
                encoding="utf-8",
            )
            env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "TOKENIZERS_PARALLELISM": "false"}
            subprocess.run([sys.executable, __file__, "--child", name, "--spec", str(spec)], check=True, env=env)
            return json.loads(result.read_text(encoding="utf-8"))

        for contender in chosen:
            print(f"running {contender.name}: {contender.label} ...", flush=True)
            report = run_child(contender.name)
            report["backend"] = contender.backend
            print(f"  translated in {report['translate_s']:.1f} s (load {report['load_s']:.1f} s)", flush=True)
            results.append(report)
        if side_wanted:
            print(f"running raw CTranslate2 and the pipeline side by side, {repeats} time(s) each ...", flush=True)
            side_report = run_child("side-by-side")
            info["side_load"] = (side_report["loadavg_before"], side_report["loadavg_after"])
        rows = summarize(results, plan)
        side = summarize_side(side_report, plan)
        for name in sorted(set(missed(rows, figures(rows, side))) | set(args.profile or [])):
            print(f"profiling {name} (a separate run; its timings are not used) ...", flush=True)
            profiles[name] = run_child(name, profile=True)["profile"]
    info["line"] = machine_line(info, (load_start, os.getloadavg()[0]))
    numbers = figures(rows, side)
    print()
    print(table(rows))
    print()
    print(side_table(side) if side else "(side by side not run)")
    print()
    print("\n".join(verdict_lines(numbers)))
    print(f"\nmachine: {info['line']}")
    if not all(r["same_work"] for r in rows):
        print("WARNING: contenders did not all do the planned work; see --json output")
    if args.json:
        raw = {"machine": info, "command": command, "rows": rows, "side": side, "profiles": profiles}
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    if not (args.quick or args.no_docs or args.only or args.variants):
        write_docs(rows, side, plan, info, command, profiles)
        print(f"wrote {DOCS / 'performance.md'}, {DOCS / 'performance.json'} and {DOCS / 'performance.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
