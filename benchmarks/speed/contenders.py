"""What is run: the naive loop, reader's pipeline on each backend, raw CTranslate2, and argos-translate.

Process contenders run in a process of their own (peak RSS, VmHWM, is their own). The side-by-side
variants share one process and one loaded model and run interleaved, so their ratios hold on a
shared machine. Peers (argos-translate) run in their own virtual environment
(``benchmarks/speed/argos_child.py``).
"""

from __future__ import annotations

import math
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.speed.harness import (
    TOKENS_PER_WORD,
    Unpipelined,
    force,
    loadavg,
    open_pipeline,
    peak_rss_mb,
    time_article,
)


@dataclass(frozen=True)
class Contender:
    name: str
    label: str
    backend: str | None
    """None: the naive loop; 'raw': raw translate_batch; else the reader backend the pipeline runs on."""
    beam: int = 4
    cache: str = "fresh"
    """'fresh' (an empty sentence cache) or 'warm' (the cache the 'ct2' run filled)."""
    schedule: str = "parallel"
    """Which of the plan's schedules (model calls and forced lengths) the contender follows."""
    limit: bool = False
    """Force every output to its length limit instead of the plan's length: the worst case for memory."""
    batch_tokens: int | None = None
    """READER_BATCH_TOKENS for this contender (None: the default)."""
    memory_mb: int | None = None
    """READER_MEMORY_MB for this contender (None: the default; 0: batch_tokens alone sizes batches)."""


CONTENDERS = [  # CTranslate2 first: a run cut short still has the targets' rows
    Contender("ct2", "pipeline, CTranslate2 int8", "ct2"),
    Contender("ct2-cached", "(ct2) from the warm cache", "ct2", cache="warm"),
    Contender("ct2-limit", "(ct2), every output to its length limit", "ct2", limit=True),
    Contender(
        "ct2-limit-2048", "(ct2-limit), batches of READER_BATCH_TOKENS 2048 alone", "ct2", limit=True, memory_mb=0
    ),
    Contender(
        "ct2-limit-x4",
        "(ct2-limit), READER_BATCH_TOKENS 8192 (x 4) alone",
        "ct2",
        limit=True,
        batch_tokens=8192,
        memory_mb=0,
    ),
    Contender(
        "raw-ct2-limit", "raw translate_batch, one batch per worker, every output to its limit", "raw", limit=True
    ),
    Contender("baseline", "naive generate, 1 sentence at a time", None),
    Contender("transformers", "pipeline, transformers", "transformers", schedule="serial"),
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
    "raw-ct2": "raw translate_batch, one batch per worker (examples, ceil(n / workers)), all calls queued",
    "solo": "raw translate_batch, the first sentence's own inputs alone (its floor)",
    "raw-ct2-backend": "raw translate_batch, the backend's padded batches (memory cap), no fix-up",
    "ct2": "pipeline, CTranslate2 int8 (small first call, next call queued ahead, memory-capped batches)",
    "ct2-budget-2048": "(ct2), batches of READER_BATCH_TOKENS 2048 alone (the old sizing)",
    "ct2-chunks-16": "pipeline, CTranslate2 int8, old fixed calls of 16, one at a time",
    "ct2-unpipelined": "(ct2), one call at a time (each call's results awaited before the next is queued)",
    "ct2-no-fixup": "pipeline without the first-row fix-up",
    "ct2-first-shared": "(ct2), the first call sharing the workers with the calls behind it (not run alone)",
    "ct2-tokens-x4": "(ct2), batches of READER_BATCH_TOKENS 8192 (x 4) alone",
    "ct2-greedy": "pipeline, CTranslate2 int8, greedy",
}

ARGOS_LAYOUTS = {
    "argos-default": (1, 0),
    "argos-1x2": (1, 2),
    "argos-2x1": (2, 1),
}
"""argos-translate thread layouts: (ARGOS_INTER_THREADS translators, ARGOS_INTRA_THREADS each; 0: its default)."""


# ---- process contenders (each runs in a child process) --------------------------------------


def run_contender(contender: Contender, plan: Mapping[str, Any], paths: Mapping[str, str], threads: int) -> dict:
    start = time.perf_counter()
    before = loadavg()
    if contender.backend is None:
        report = _run_baseline(contender, plan, Path(paths["hf"]), threads, start)
    elif contender.backend == "raw":
        report = _run_raw(contender, plan, paths, threads, start)
    else:
        report = _run_pipeline(contender, plan, paths, threads, start)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report.update(
        name=contender.name,
        label=contender.label,
        beam=contender.beam,
        peak_rss_mb=peak_rss_mb(),
        imported_transformers="transformers" in sys.modules,
        cpu_s=usage.ru_utime + usage.ru_stime,
        wall_s=time.perf_counter() - start,
        loadavg_before=before,
        loadavg_after=loadavg(),
    )
    return report


def _run_baseline(contender: Contender, plan: Mapping[str, Any], hf_dir: Path, threads: int, start: float) -> dict:
    """What most demos do: tokenizer + model.generate per sentence, no batching, no cache."""
    import warnings

    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(threads)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        tokenizer = MarianTokenizer.from_pretrained(str(hf_dir))
    model = MarianMTModel.from_pretrained(str(hf_dir)).eval()
    lengths = plan["schedules"][contender.schedule]["lengths"]
    loaded = time.perf_counter()
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


def _settings_for(contender: Contender) -> dict[str, Any]:
    return {"batch_tokens": contender.batch_tokens, "memory_mb": contender.memory_mb}


def _run_pipeline(
    contender: Contender, plan: Mapping[str, Any], paths: Mapping[str, str], threads: int, start: float
) -> dict:
    """reader's pipeline (pipeline.iter_translate) over the articles, as the app runs it."""
    cache = paths["cache_warm"] if contender.cache == "warm" else paths[f"cache_{contender.name}"]
    translator, settings = open_pipeline(
        contender.backend or "auto", contender.beam, threads, paths["hf"], cache, **_settings_for(contender)
    )
    schedule = plan["schedules"][contender.schedule]
    forcing = force(translator.inner, schedule["lengths"], limit=contender.limit)
    loaded = time.perf_counter()
    runs = [time_article(translator, article, settings, schedule["first_chunk"]) for article in plan["articles"]]
    inner = translator.inner
    return {
        "load_s": loaded - start,
        "translate_s": sum(run["whole_s"] for run in runs),
        "per_article_s": [run["whole_s"] for run in runs],
        "first_sentence_s": [run["first_s"] for run in runs],
        "sentences_done": sum(run["done"] for run in runs),
        "first_s": loaded - start + runs[0]["first_s"],
        "translate_cpu_s": sum(run["cpu_s"] for run in runs),
        "produced_tokens": inner.output_tokens,
        "model_calls": translator.model_calls,
        "inputs_seen": forcing.inputs,
        "length_mismatches": forcing.unplanned,
        "fingerprint": translator.fingerprint,
        "batch_budget": getattr(inner, "batch_budget", None),
        "resident_mb": getattr(inner, "resident_mb", None),
        "articles": list(range(len(plan["articles"]))),
    }


def _run_raw(
    contender: Contender, plan: Mapping[str, Any], paths: Mapping[str, str], threads: int, start: float
) -> dict:
    """Raw translate_batch, one batch per worker, in its own process: its peak memory at the limit."""
    import ctranslate2

    from reader.translate.pieces import MarianPieces, encode_source

    model = ctranslate2.Translator(
        paths["ct2"], device="cpu", compute_type="int8", inter_threads=threads, intra_threads=1
    )
    tokenizer = MarianPieces.load(Path(paths["ct2"]))
    calls = plan["schedules"]["parallel"]["calls"]
    loaded = time.perf_counter()
    produced, per_article = 0, []
    for article in calls:
        sources = [[list(encode_source(tokenizer, text).pieces) for text in call] for call in article]
        limits = [None] * len(sources)  # None: each call to its length limit
        run = raw_article(model, sources, limits, beam=contender.beam, batches=one_batch_per_worker)
        produced += run["produced"]
        per_article.append(run["whole_s"])
    return {
        "load_s": loaded - start,
        "translate_s": sum(per_article),
        "per_article_s": per_article,
        "first_s": loaded - start,
        "produced_tokens": produced,
        "model_calls": sum(len(article) for article in calls),
        "inputs_seen": [],
        "articles": list(range(len(plan["articles"]))),
    }


# ---- raw CTranslate2 ------------------------------------------------------------------------


def output_limit(pieces: Sequence[Sequence[str]]) -> int:
    """The backend's output bound for a batch, from its public function."""
    from reader.translate.backends.ctranslate2 import DEFAULT_MAX_POSITIONS
    from reader.translate.backends.ctranslate2 import output_limit as limit

    return limit(max(len(p) for p in pieces), DEFAULT_MAX_POSITIONS)


def raw_article(
    model: Any, sources: list[list[list[str]]], lengths: Sequence[int | None], *, beam: int, batches: Callable
) -> dict:
    """translate_batch alone on one article's calls (tokenized beforehand), with their forced lengths.

    Every call is queued before any is awaited, so no worker waits at a call's end: however the
    pipeline cuts an article into calls, raw gets the most out of those calls. ``first_s`` is when
    the first call (the pipeline's first sentence) is done. A length of None runs the call to the
    backend's output limit.
    """
    began, cpu = time.perf_counter(), time.process_time()
    jobs = []
    first_call = 0
    for pieces, length in zip(sources, lengths, strict=True):
        forced = output_limit(pieces) if length is None else length
        options = {
            "beam_size": beam,
            "patience": 2,
            "max_decoding_length": forced,
            "min_decoding_length": forced,
            "max_input_length": 0,
            "return_scores": True,
            "return_attention": True,
        }
        jobs.extend(batches(model, pieces, options))
        first_call = first_call or len(jobs)
    produced = 0
    for job in jobs[:first_call]:
        produced += len(job.result().hypotheses[0])
    first, first_cpu = time.perf_counter() - began, time.process_time() - cpu
    for job in jobs[first_call:]:
        produced += len(job.result().hypotheses[0])
    return {
        "whole_s": time.perf_counter() - began,
        "first_s": first,
        "cpu_s": time.process_time() - cpu,
        "first_cpu_s": first_cpu,
        "produced": produced,
    }


def one_batch_per_worker(model: Any, pieces: list[list[str]], options: dict) -> list[Any]:
    size = math.ceil(len(pieces) / model.num_translators)
    return model.translate_batch(pieces, batch_type="examples", max_batch_size=size, asynchronous=True, **options)


def backend_batches(budget: int) -> Callable:
    """The backend's own batching (``reader.translate.batching``) at a per-batch padded budget."""
    from reader.translate.batching import padded_batches

    def run(model: Any, pieces: list[list[str]], options: dict) -> list[Any]:
        batches = padded_batches([len(p) for p in pieces], budget=budget, workers=model.num_translators)
        return [
            result
            for batch in batches
            for result in model.translate_batch([pieces[i] for i in batch], asynchronous=True, **options)
        ]

    return run


# ---- raw CTranslate2 and the pipeline side by side (one child process, one model load) -----


def run_side_by_side(
    plan: Mapping[str, Any], paths: Mapping[str, str], threads: int, repeats: int, only: Sequence[str] | None = None
) -> dict:
    """Raw CTranslate2 and the pipeline on one loaded model: each article by each variant in turn, ``repeats`` times."""
    from reader.translate.pieces import encode_source

    before = loadavg()
    translator, settings = open_pipeline("ct2", 4, threads, paths["hf"], paths["cache_side"], refresh=True)
    backend = translator.inner
    model = backend.model
    schedules = plan["schedules"]
    parallel = schedules["parallel"]
    sources = [
        [[list(encode_source(backend.tokenizer, text).pieces) for text in call] for call in calls]
        for calls in parallel["calls"]
    ]
    lengths = [[parallel["lengths"][call[0]] for call in calls] for calls in parallel["calls"]]
    per_batch = backend.batch_budget // (backend.decode.beam * backend.workers)
    variants_of_backend = {
        "ct2": backend,
        "ct2-budget-2048": replace(backend, memory_mb=0),
        "ct2-no-fixup": replace(backend),
        "ct2-first-shared": replace(backend),
        "ct2-greedy": replace(backend, decode=replace(backend.decode, beam=1)),
        "ct2-tokens-x4": replace(backend, memory_mb=0, batch_tokens=4 * backend.batch_tokens),
    }
    variants_of_backend["ct2-no-fixup"].fix_first_rows = False
    variants_of_backend["ct2-first-shared"].first_call_alone = False

    def pipeline(inner: Any, schedule: str, *, pipelined: bool = True) -> Callable[[int], dict]:
        def run(index: int) -> dict:
            force(inner, schedules[schedule]["lengths"])
            translator.inner = inner if pipelined else Unpipelined(inner)
            before = inner.output_tokens
            timing = time_article(translator, plan["articles"][index], settings, schedules[schedule]["first_chunk"])
            return {**timing, "produced": inner.output_tokens - before}

        return run

    def raw(batches: Callable, calls: slice = slice(None)) -> Callable[[int], dict]:
        return lambda index: raw_article(model, sources[index][calls], lengths[index][calls], beam=4, batches=batches)

    variants: dict[str, Callable[[int], dict]] = {
        "raw-ct2": raw(one_batch_per_worker),
        "solo": raw(one_batch_per_worker, slice(0, 1)),
        "raw-ct2-backend": raw(backend_batches(per_batch)),
        "ct2": pipeline(backend, "parallel"),
        "ct2-budget-2048": pipeline(variants_of_backend["ct2-budget-2048"], "parallel"),
        "ct2-chunks-16": pipeline(backend, "chunks-16", pipelined=False),
        "ct2-unpipelined": pipeline(backend, "parallel", pipelined=False),
        "ct2-no-fixup": pipeline(variants_of_backend["ct2-no-fixup"], "parallel"),
        "ct2-first-shared": pipeline(variants_of_backend["ct2-first-shared"], "parallel"),
        "ct2-tokens-x4": pipeline(variants_of_backend["ct2-tokens-x4"], "parallel"),
        "ct2-greedy": pipeline(variants_of_backend["ct2-greedy"], "parallel"),
    }
    variants = {name: variant for name, variant in variants.items() if not only or name in only}
    runs: dict[str, list[list[dict]]] = {name: [[] for _ in plan["articles"]] for name in variants}
    for _ in range(repeats):
        for index in range(len(plan["articles"])):
            for name, variant in variants.items():
                runs[name][index].append(variant(index))
    return {
        "runs": runs,
        "loadavg_before": before,
        "loadavg_after": loadavg(),
        "batch_budget": backend.batch_budget,
        "resident_mb": backend.resident_mb,
    }


# ---- peers ---------------------------------------------------------------------------------


def argos_spec(layout: str, plan: Mapping[str, Any], paths: Mapping[str, str]) -> dict[str, Any]:
    inter, intra = ARGOS_LAYOUTS[layout]
    return {
        "argos_home": paths["argos_home"],
        "ct2_dir": paths["ct2"],
        "texts": [article["text"] for article in plan["articles"]],
        "tokens_per_word": TOKENS_PER_WORD,
        "inter_threads": inter,
        "intra_threads": intra,
        "threads": inter * intra if intra else os.cpu_count() or 1,  # OMP_NUM_THREADS, as argos users leave it
        "beam": 4,
    }


def argos_python(given: str | None) -> Path:
    """argos-translate's own virtual environment's python (flag > READER_BENCH_ARGOS_VENV > .cache/argos-venv)."""
    from benchmarks.speed.harness import ROOT

    venv = Path(given or os.environ.get("READER_BENCH_ARGOS_VENV") or ROOT / ".cache" / "argos-venv")
    return venv / "bin" / "python"
