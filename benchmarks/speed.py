"""Side-by-side translation speed: the naive demo loop against reader's pipeline on both backends.

Real opus-mt-ar-en weights cannot be downloaded here, so this builds a model with its exact
architecture and vocabulary size (62,834 pieces, d_model 512, 6+6 layers, 8 heads, FFN 2048,
swish, static positions, tied embeddings) and seeded random weights, with sentencepiece models
trained on the seed articles. Random weights make outputs arbitrary, so every contender is
forced to produce the same number of target tokens for each model input (end-of-sentence is
suppressed until that length, and decoding stops there): all contenders do identical work.

Contenders (each runs in its own subprocess so peak RSS is its own):
  1. baseline       one sentence at a time, ``model.generate``, beam 4 (the usual demo code)
  2. transformers   reader's pipeline on the transformers backend (beam 4)
  3. ct2            reader's pipeline on the CTranslate2 int8 backend (beam 4)
  4. ct2-cached     (3) again, in a new process, from the warm sentence cache: no model calls
  plus greedy (beam 1) runs of (2) and (3) to show what beam search costs.

Usage (from the repository root):
  .venv/bin/python benchmarks/speed.py            # full run, writes docs/performance.{md,png}
  .venv/bin/python benchmarks/speed.py --quick    # smoke run: 1 article, 4 sentences, no docs
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import json
import math
import os
import platform
import pstats
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_model import SEEDS, build_model, convert_model  # noqa: E402 (benchmarks/ is on sys.path as the script's folder)

DOCS = ROOT / "docs"

# Forced output length: 1.5 English subwords per Arabic source word, averaged over each chunk
# of inputs the pipeline sends to the model in one call (so its batches stay whole); the
# baseline translates every input with exactly the same length.
TOKENS_PER_WORD = 1.5

TARGETS = {
    "transformers": ("ratio", 3.0),
    "ct2": ("ratio", 8.0),
    "ct2-rss": ("rss_mb", 600.0),
    "ct2-cached": ("ms_per_article", 50.0),
}


@dataclass(frozen=True)
class Contender:
    name: str
    label: str
    backend: str | None
    """None: the naive loop; else the reader backend the pipeline runs on."""
    beam: int = 4
    cache: str = "fresh"
    """'fresh' (an empty sentence cache) or 'warm' (the cache the 'ct2' run filled)."""


CONTENDERS = [
    Contender("baseline", "1. naive generate, 1 sentence at a time", None),
    Contender("transformers", "2. pipeline, transformers", "transformers"),
    Contender("ct2", "3. pipeline, CTranslate2 int8", "ct2"),
    Contender("ct2-cached", "4. (3) from the warm cache", "ct2", cache="warm"),
    Contender("transformers-greedy", "2g. pipeline, transformers, greedy", "transformers", beam=1),
    Contender("ct2-greedy", "3g. pipeline, CTranslate2 int8, greedy", "ct2", beam=1),
]
BY_NAME = {c.name: c for c in CONTENDERS}


def chunk_lengths(inputs: Sequence[str], chunk: int) -> dict[str, int]:
    """Forced output length per model input: the same for all inputs of one pipeline chunk."""
    lengths: dict[str, int] = {}
    for start in range(0, len(inputs), chunk):
        part = inputs[start : start + chunk]
        words = sum(max(1, len(text.split())) for text in part) / len(part)
        lengths.update(dict.fromkeys(part, max(1, round(TOKENS_PER_WORD * words))))
    return lengths


# ---- the workload --------------------------------------------------------------------------


class _TokenCounter:
    """count_tokens of the model's own tokenizer, so the plan splits inputs as the pipeline does."""

    def __init__(self, model_dir: Path) -> None:
        self.tokenizer = _marian_tokenizer(model_dir)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text).input_ids)


def make_plan(hf_dir: Path, *, quick: bool) -> dict[str, Any]:
    """The seed articles and the exact model inputs the pipeline will send for each."""
    from reader.config import Settings
    from reader.pipeline import iter_translate, segment_document
    from reader.plan import plan_sentence

    settings = Settings.load()
    counter = _TokenCounter(hf_dir)
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if quick:
            document = segment_document(text)
            keep = document.sentences[:4]
            text = text[: keep[-1].end] + "\n"
        document = segment_document(text)
        inputs = []
        for pair in document.sentences:
            plan = plan_sentence(pair.source, counter, settings)  # type: ignore[arg-type]
            inputs += [part.text for part in plan.parts if not part.passthrough]
        inputs = list(dict.fromkeys(inputs))  # the pipeline sends each distinct input once
        articles.append({"name": path.name, "text": text, "sentences": len(document.sentences), "inputs": inputs})
        if quick:
            break
    chunk = inspect.signature(iter_translate).parameters["chunk_sentences"].default
    lengths: dict[str, int] = {}
    for article in articles:
        lengths.update(chunk_lengths(article["inputs"], chunk))
    return {"articles": articles, "lengths": lengths, "chunk": chunk}


def _marian_tokenizer(model_dir: Path) -> Any:
    import warnings

    from transformers import MarianTokenizer

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        return MarianTokenizer.from_pretrained(str(model_dir))


# ---- forcing the output length inside the real pipeline -----------------------------------


@dataclass
class _Forcing:
    length: int = 0
    produced: int = 0
    """Target tokens the model actually generated (checked against the plan)."""
    model_calls: int = 0
    inputs: list[str] = field(default_factory=list)
    mismatches: int = 0
    fixup_s: float = 0.0
    """Time in the CT2 backend's one-step attention fix-up calls."""


class ForcedLengths:
    """Sets the forced output length for each translate_batch call, from the plan.

    The pipeline sends one chunk per call and every input of a chunk has the same length, so
    the call is passed on whole: batching is exactly the pipeline's own.
    """

    def __init__(self, inner: Any, forcing: _Forcing, lengths: Mapping[str, int]) -> None:
        self.inner = inner
        self.forcing = forcing
        self.lengths = lengths

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def translate_batch(self, sentences: Sequence[str]) -> list[Any]:
        wanted = {self.lengths.get(sentence, 0) for sentence in sentences}
        if len(wanted) != 1 or 0 in wanted:
            self.forcing.mismatches += 1  # the pipeline chunked differently from the plan
        self.forcing.length = max(wanted)
        self.forcing.inputs += list(sentences)
        return self.inner.translate_batch(sentences)


class _ForcedCT2Model:
    """Stands in for ctranslate2.Translator: same calls, with the output length forced."""

    def __init__(self, model: Any, forcing: _Forcing) -> None:
        self._model = model
        self._forcing = forcing

    def translate_batch(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("max_decoding_length") == 1:  # the backend's one-step attention fix-up: real work
            began = time.perf_counter()
            outputs = self._model.translate_batch(source, *args, **kwargs)
            self._forcing.fixup_s += time.perf_counter() - began
            return outputs
        kwargs["min_decoding_length"] = kwargs["max_decoding_length"] = self._forcing.length
        outputs = self._model.translate_batch(source, *args, **kwargs)
        self._forcing.model_calls += 1
        self._forcing.produced += sum(len(out.hypotheses[0]) for out in outputs)
        return outputs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def _force_generate(model: Any, forcing: _Forcing | None, length_of: Callable[[], int]) -> None:
    """Make ``model.generate`` produce exactly ``length_of()`` new tokens per sequence."""
    original = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        length = length_of()
        kwargs.pop("max_length", None)
        kwargs["max_new_tokens"] = kwargs["min_new_tokens"] = length
        output = original(*args, **kwargs)
        if forcing is not None:
            sequences = output if hasattr(output, "shape") else output.sequences
            forcing.model_calls += 1
            forcing.produced += int(sequences.shape[0]) * (int(sequences.shape[1]) - 1)
        return output

    model.generate = generate


def _hook_backend(backend: Any, forcing: _Forcing) -> None:
    """Install the length forcing on a reader backend's underlying model."""
    if hasattr(backend, "model") and hasattr(backend.model, "translate_batch"):  # CT2Translator
        backend.model = _ForcedCT2Model(backend.model, forcing)
    elif hasattr(getattr(backend, "_model", None), "generate"):  # TransformersTranslator
        _force_generate(backend._model, forcing, lambda: forcing.length)
    else:
        raise SystemExit(f"cannot force output lengths on {type(backend).__name__}")


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
        peak_rss_mb=usage.ru_maxrss / 1024,
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
    loaded = time.perf_counter()
    if profiler:
        profiler.enable()
    first: float | None = None
    produced = 0
    per_article = []
    for article in plan["articles"]:
        began = time.perf_counter()
        for text in article["inputs"]:
            length = plan["lengths"][text]
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
    }


def _run_pipeline(
    contender: Contender,
    plan: Mapping[str, Any],
    paths: Mapping[str, str],
    threads: int,
    start: float,
    profiler: cProfile.Profile | None = None,
) -> dict:
    """reader's own path: api.open_translator (backend + sentence cache) and pipeline.iter_translate."""
    from reader.api import open_translator
    from reader.config import Settings
    from reader.document import Flag
    from reader.pipeline import iter_translate

    cache = paths["cache_warm"] if contender.cache == "warm" else paths[f"cache_{contender.name}"]
    settings = Settings.load(
        model=paths["hf"],
        backend=contender.backend,
        beam=contender.beam,
        threads=threads,
        device="cpu",
        cache_path=cache,
    )
    translator = open_translator(settings)()
    forcing = _Forcing()
    _hook_backend(translator.inner, forcing)
    translator.inner = ForcedLengths(translator.inner, forcing, plan["lengths"])
    loaded = time.perf_counter()
    if profiler:
        profiler.enable()
    first: float | None = None
    per_article = []
    sentences_done = 0
    for article in plan["articles"]:
        began = time.perf_counter()
        for progress in iter_translate(article["text"], translator, settings=settings):
            if first is None and any(
                s.translation and Flag.PASSTHROUGH not in s.flags for s in progress.document.sentences
            ):
                first = time.perf_counter()
        sentences_done += progress.done
        per_article.append(time.perf_counter() - began)
    return {
        "load_s": loaded - start,
        "translate_s": sum(per_article),
        "per_article_s": per_article,
        "first_s": (first or loaded) - start,
        "produced_tokens": forcing.produced,
        "model_calls": forcing.model_calls,
        "cache_model_calls": translator.model_calls,
        "sentences_done": sentences_done,
        "inputs_seen": forcing.inputs,
        "length_mismatches": forcing.mismatches,
        "fixup_s": forcing.fixup_s,
        "fingerprint": translator.fingerprint,
    }


# ---- the parent: run everything, report ----------------------------------------------------


def summarize(results: list[dict], plan: Mapping[str, Any]) -> list[dict]:
    sentences = sum(a["sentences"] for a in plan["articles"])
    inputs = [t for a in plan["articles"] for t in a["inputs"]]
    nominal = sum(plan["lengths"][t] for t in inputs)
    rows = []
    for r in results:
        seconds = max(r["translate_s"], 1e-9)
        rows.append(
            {
                **r,
                "sentences": sentences,
                "target_tokens": nominal,
                "sentences_per_s": sentences / seconds,
                "tokens_per_s": nominal / seconds,
                "ms_per_article": 1000 * max(r["per_article_s"]),
                "cpu_share": r["cpu_s"] / max(r["wall_s"], 1e-9),
                "same_work": (
                    sorted(r["inputs_seen"]) == sorted(inputs)
                    and r["produced_tokens"] == nominal
                    and not r.get("length_mismatches")
                    if r["model_calls"]
                    else r["produced_tokens"] == 0
                ),
            }
        )
    base = next((r for r in rows if r["name"] == "baseline"), None)
    for row in rows:
        row["ratio"] = row["sentences_per_s"] / base["sentences_per_s"] if base else float("nan")
    return rows


def table(rows: list[dict]) -> str:
    header = (
        "| contender | sentences/s | target tokens/s | × baseline | peak RSS (MB) | first sentence (s) "
        "| load (s) | translate (s) | slowest article (ms) | model calls |"
    )
    lines = [header, "|" + "---|" * 10]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['sentences_per_s']:.2f} | {r['tokens_per_s']:.1f} | {r['ratio']:.1f}× "
            f"| {r['peak_rss_mb']:.0f} | {r['first_s']:.2f} | {r['load_s']:.2f} | {r['translate_s']:.2f} "
            f"| {r['ms_per_article']:.1f} | {r['model_calls']} |"
        )
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    by = {r["name"]: r for r in rows}
    out = []

    def check(name: str, text: str, value: float | None, limit: float, higher: bool) -> None:
        if value is None or math.isnan(value):
            out.append(f"- {text}: not measured")
            return
        ok = value >= limit if higher else value <= limit
        out.append(
            f"- {text}: **{value:.1f}** (target {'≥' if higher else '≤'} {limit:g}) — {'met' if ok else 'MISSED'}"
        )

    check(
        "transformers", "(2) pipeline, transformers vs baseline (×)", by.get("transformers", {}).get("ratio"), 3, True
    )
    check("ct2", "(3) pipeline, CTranslate2 int8 vs baseline (×)", by.get("ct2", {}).get("ratio"), 8, True)
    check("ct2", "(3) peak RSS (MB)", by.get("ct2", {}).get("peak_rss_mb"), 600, False)
    cached = by.get("ct2-cached")
    check("ct2-cached", "(4) warm cache, slowest article (ms)", cached and cached["ms_per_article"], 50, False)
    if cached:
        calls = cached["model_calls"]
        out.append(
            f"- (4) model calls from the warm cache: **{calls}** (target 0) — {'met' if calls == 0 else 'MISSED'}"
        )
    return out


def missed(rows: list[dict]) -> list[str]:
    """Contenders that missed a target: they get a profile in the report."""
    by = {r["name"]: r for r in rows}
    out = []
    if "transformers" in by and by["transformers"]["ratio"] < 3:
        out.append("transformers")
    if "ct2" in by and (by["ct2"]["ratio"] < 8 or by["ct2"]["peak_rss_mb"] > 600):
        out.append("ct2")
    if "ct2-cached" in by and (by["ct2-cached"]["ms_per_article"] > 50 or by["ct2-cached"]["model_calls"]):
        out.append("ct2-cached")
    return out


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


def write_docs(
    rows: list[dict],
    plan: Mapping[str, Any],
    info: Mapping[str, Any],
    command: str,
    threads: int,
    profiles: Mapping[str, str],
) -> None:
    DOCS.mkdir(exist_ok=True)
    plot(rows, DOCS / "performance.png")
    inputs = [t for a in plan["articles"] for t in a["inputs"]]
    by = {r["name"]: r for r in rows}
    greedy = []
    for beam_name, greedy_name in (("transformers", "transformers-greedy"), ("ct2", "ct2-greedy")):
        if beam_name in by and greedy_name in by:
            speedup = by[greedy_name]["tokens_per_s"] / by[beam_name]["tokens_per_s"]
            greedy.append(
                f"| {by[beam_name]['label'].split('. ', 1)[1]} | {by[beam_name]['tokens_per_s']:.1f} "
                f"| {by[greedy_name]['tokens_per_s']:.1f} | {speedup:.2f}× |"
            )
    ct2 = by.get("ct2")
    fixup = f"{100 * ct2['fixup_s'] / ct2['translate_s']:.0f}%" if ct2 and ct2["translate_s"] else "n/a"
    profile_text = "\n\n".join(
        f"### {BY_NAME[name].label}\n\nA separate cProfile run (its timings are not in the table above).\n\n"
        f"```\n{text}\n```"
        for name, text in profiles.items()
    )
    load = ", ".join(f"{r['name']} {r['loadavg_before']:.1f}" for r in rows)
    share = ", ".join(f"{r['name']} {r['cpu_share']:.2f}" for r in rows)
    text = PERFORMANCE_MD.format(
        date=info["date"],
        command=command,
        cpu=info["cpu"],
        cores=info["cores"],
        memory=info["memory_gb"],
        threads=threads,
        versions=f"Python {info['python']}, torch {info['torch']}, transformers {info['transformers']}, "
        f"ctranslate2 {info['ctranslate2']}",
        os=info["os"],
        articles=len(plan["articles"]),
        sentences=sum(a["sentences"] for a in plan["articles"]),
        inputs=len(inputs),
        tokens=sum(plan["lengths"][t] for t in inputs),
        table=table(rows),
        verdicts="\n".join(verdicts(rows)),
        greedy="\n".join(greedy) or "| (greedy runs skipped) | | | |",
        loadavg=load,
        cpu_share=share,
        same_work="yes" if all(r["same_work"] for r in rows) else "NO — see the JSON results",
        chunk=plan["chunk"],
        fixup=fixup,
        profiles=profile_text or "Every target was met in this run, so no contender was profiled.",
    )
    (DOCS / "performance.md").write_text(text, encoding="utf-8")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r["name"] != "ct2-cached"]
    labels = [r["label"] for r in shown]
    values = [r["tokens_per_s"] for r in shown]
    colors = ["#9e9e9e" if r["backend"] is None else "#1f77b4" if "ct2" in r["name"] else "#ff7f0e" for r in shown]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(shown) + 1.6))
    bars = ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for bar, r in zip(bars, shown[::-1], strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {r['tokens_per_s']:.0f} tok/s, {r['ratio']:.1f}×",
            va="center",
            fontsize=9,
        )
    ax.set_xlabel("target tokens per second (higher is better)")
    ax.set_title("Arabic→English, opus-mt-ar-en architecture, CPU")
    ax.set_xlim(0, max(values) * 1.35)
    cached = next((r for r in rows if r["name"] == "ct2-cached"), None)
    if cached:
        ax.annotate(
            f"(4) warm cache: {cached['ms_per_article']:.0f} ms per article, {cached['model_calls']} model calls",
            xy=(0.99, 0.02),
            xycoords="axes fraction",
            ha="right",
            fontsize=8,
        )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


PERFORMANCE_MD = """# Performance

Measured {date} with:

```
{command}
```

Machine: {cpu}, {cores} cores (shared with other developers while this ran, so numbers are noisy),
{memory} GB RAM; {threads} threads per contender; {versions}; {os}.

## What is measured

Real opus-mt-ar-en weights cannot be downloaded on this machine, so the benchmark builds a model with
its exact architecture and vocabulary size (62,834 pieces, d_model 512, 6+6 layers, 8 heads, FFN 2048,
swish, static positions, tied embeddings) with seeded random weights. Random weights give arbitrary
output, so every contender is forced to produce the same number of target tokens for every model input
(end-of-sentence suppressed until that length, decoding stopped there): 1.5 tokens per source word,
averaged over each chunk of inputs the pipeline sends in one call ({chunk} inputs), so that batches stay
exactly the pipeline's own; the baseline produces the same length for each input. Every contender does
identical work: {same_work}.

Workload: the {articles} seed article(s) in `seeds/`, {sentences} sentences, segmented and sub-split by
reader's pipeline into {inputs} model inputs, {tokens} target tokens in all.

1. **naive generate**: what most demos do: `MarianTokenizer` + `model.generate(num_beams=4)`, one
   sentence at a time, no batching, no cache.
2. **pipeline, transformers**: `reader.api.open_translator` + `reader.pipeline.iter_translate`
   (segmentation, normalization, batching, alignment, quality flags, sentence cache writes) on the
   transformers backend, beam 4.
3. **pipeline, CTranslate2 int8**: the same on the CTranslate2 backend (`reader models convert --to ct2`).
4. **warm cache**: (3) again in a new process, every sentence already in the sentence cache.

Each contender runs in its own process; peak RSS is that process's maximum resident set. "First sentence"
is the time from process start (model loading included) to the first translated sentence on screen.
Sentences/s and tokens/s count translation time only (model loading excluded); the ratio is sentences/s
against the baseline's. Equal lengths within a call flatter batched decoding a little (in real use the
shorter outputs of a batch finish early: CTranslate2 then drops them, transformers keeps computing them
as padding), and forced lengths hide how long beam search runs on after the best hypothesis ends (the
CTranslate2 backend uses patience 2 to match transformers' stopping rule).

## Results

{table}

![throughput by contender](performance.png)

Targets (2 CPU cores):

{verdicts}

## Greedy against beam 4

| engine | beam 4 tokens/s | greedy tokens/s | greedy speed-up |
|---|---|---|---|
{greedy}

Quality cost, from the literature (no real model can be measured here): on 77 OPUS-MT models, beam 4 was
about 50% faster than beam 6 at equal BLEU (22.5 against 22.4; transformers issue #8427, where OPUS-MT's
author also reports that beam 1 or 2 "is worse"). Marian's own measurements on a deep model put greedy
about 0.3 to 1 BLEU below beam 5 (marian-dev issue #98). reader keeps beam 4 as the default; `--beam 1`
(or `READER_BEAM=1`) trades that quality for the speed above.

## Why the CTranslate2 backend is fast, and what it costs

- **int8 weights**: the 62,834 x 512 output projection runs at every decoding step for every hypothesis;
  in int8 it moves a quarter of float32's bytes. The converted model is 79 MB against 294 MB.
- **Parallel batches, one thread each**: on CPU the backend runs `inter_threads` = threads workers with
  `intra_threads` = 1, and cuts every call into at least one batch per worker. On this machine that gave
  about 2x the throughput of one batch split across two threads (measured with 32 inputs, beam 4: 230 to
  267 against 108 to 163 target tokens/s), because Marian-sized matrix products scale badly across threads.
- **A memory budget**: `batch_tokens` (2048) source tokens are shared among the beam's hypotheses and the
  workers' batches in flight, which keeps peak RSS under 600 MB even when every output runs to its length
  limit (measured 497 MB on the seed articles).
- **A repaired first alignment row**: CTranslate2 4.x returns the wrong first attention row for all but
  the first example of a batched beam search on CPU (the first step runs before the beam is expanded and
  its attention is gathered with un-expanded indices: example i gets example i // beam's row). The backend
  recomputes that row with one greedy step; in this run that took {fixup} of the CTranslate2 translation time.
- **Patience 2**: beam search continues until 2 x beam hypotheses have finished, which reproduces the
  transformers backend's translations (with patience 1 CTranslate2 stopped early on 21 of 200 held-out toy
  sentences); forced lengths hide this cost here.

## Profiles

{profiles}

## Noise

1-minute load average when each contender started: {loadavg}. CPU time / wall time per contender
(2.0 would be both cores fully ours): {cpu_share}. Ratios between contenders measured in the same run are
more trustworthy than the absolute numbers.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 article, 4 sentences; docs are not written")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads per contender")
    parser.add_argument("--only", nargs="+", choices=list(BY_NAME), help="run only these contenders")
    parser.add_argument("--no-greedy", action="store_true", help="skip the greedy runs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.{md,png}")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--profile",
        nargs="+",
        choices=list(BY_NAME),
        help="also profile these (contenders that miss a target always are)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        spec = json.loads(args.spec.read_text(encoding="utf-8"))
        report = run_contender(
            BY_NAME[args.child], spec["plan"], spec["paths"], spec["threads"], profile=spec.get("profile", False)
        )
        Path(spec["result"]).write_text(json.dumps(report), encoding="utf-8")
        return 0

    command = " ".join(["python benchmarks/speed.py", *(shlex.quote(a) for a in (argv or sys.argv[1:]))])
    print("building the model (cached after the first run) ...", flush=True)
    hf_dir = build_model()
    ct2_dir = convert_model(hf_dir)
    plan = make_plan(hf_dir, quick=args.quick)
    chosen = [c for c in CONTENDERS if (not args.only or c.name in args.only)]
    if args.no_greedy:
        chosen = [c for c in chosen if c.beam != 1]
    if any(c.cache == "warm" for c in chosen) and "ct2" not in [c.name for c in chosen]:
        raise SystemExit("ct2-cached needs the ct2 run first (it reads the cache that run fills)")
    info = {**machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    results = []
    profiles: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        paths = {"hf": str(hf_dir), "ct2": str(ct2_dir), "cache_warm": str(Path(tmp) / "cache-ct2.sqlite3")}
        paths.update({f"cache_{c.name}": str(Path(tmp) / f"cache-{c.name}.sqlite3") for c in CONTENDERS})

        def run_child(contender: Contender, *, profile: bool = False) -> dict:
            tag = f"{contender.name}{'-profile' if profile else ''}"
            child_paths = dict(paths)
            if profile and contender.cache == "fresh":  # a profile run must translate, not read the cache
                child_paths[f"cache_{contender.name}"] = str(Path(tmp) / f"cache-{tag}.sqlite3")
            result, spec = Path(tmp) / f"{tag}.json", Path(tmp) / f"{tag}.spec.json"
            spec.write_text(
                json.dumps(
                    {
                        "plan": plan,
                        "paths": child_paths,
                        "threads": args.threads,
                        "result": str(result),
                        "profile": profile,
                    }
                ),
                encoding="utf-8",
            )
            env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "TOKENIZERS_PARALLELISM": "false"}
            subprocess.run(
                [sys.executable, __file__, "--child", contender.name, "--spec", str(spec)], check=True, env=env
            )
            return json.loads(result.read_text(encoding="utf-8"))

        for contender in chosen:
            print(f"running {contender.label} ...", flush=True)
            report = run_child(contender)
            report["backend"] = contender.backend
            print(f"  translated in {report['translate_s']:.1f} s (load {report['load_s']:.1f} s)", flush=True)
            results.append(report)
        to_profile = sorted(set(missed(summarize(results, plan))) | set(args.profile or []))
        for name in to_profile:
            print(f"profiling {BY_NAME[name].label} (a separate run; its timings are not used) ...", flush=True)
            profiles[name] = run_child(BY_NAME[name], profile=True)["profile"]
    rows = summarize(results, plan)
    print()
    print(table(rows))
    print()
    print("\n".join(verdicts(rows)))
    if not all(r["same_work"] for r in rows):
        print("WARNING: contenders did not all do the same work; see --json output")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "command": command, "rows": rows, "profiles": profiles}, indent=2),
            encoding="utf-8",
        )
    if not (args.quick or args.no_docs):
        write_docs(rows, plan, info, command, args.threads, profiles)
        print(f"wrote {DOCS / 'performance.md'} and {DOCS / 'performance.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
