#!/usr/bin/env bash
# The CUDA paths, checked in one short run on a machine with an NVIDIA GPU (a few minutes):
#
#   1. transformers on cuda and CTranslate2 float16 on cuda give the toy model's CPU translations and
#      word alignments (tests/support/toy.py: a small Marian model trained on a synthetic Arabic-script
#      language, 200 held-out sentences with known answers);
#   2. throughput of both on opus-mt-ar-en's architecture (benchmarks/bench_model.py, random weights,
#      forced output lengths as in benchmarks/speed.py), beam 4, the pipeline as the app runs it.
#
# Usage, from the repository root:
#   benchmarks/gpu_check.sh                    # PYTHON=.venv/bin/python by default
#   TOY_MODEL=path/to/toy benchmarks/gpu_check.sh   # a toy model built elsewhere (else built here, ~1 min)
#   GPU_CHECK_DEVICE=cpu GPU_CHECK_QUICK=1 benchmarks/gpu_check.sh   # a rehearsal of the script itself on CPU
#
# Needs torch with CUDA, transformers, sentencepiece and ctranslate2 (pip install 'reader[ml,ct2]' with a
# CUDA build of torch 2.13). No network is needed: both models are built locally. Prints a summary and,
# when $OUT is set, writes $OUT/gpu_check.json. Exits 1 when a check fails, 2 when there is no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export TOKENIZERS_PARALLELISM=false
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

exec "$PYTHON" - <<'PY'
import json
import os
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
try:
    import ctranslate2
    import torch
    import transformers
except ImportError as exc:
    sys.exit(f"gpu_check: {exc.name} is not installed; pip install 'reader[ml,ct2]' (with a CUDA build of torch)")
transformers.utils.logging.set_verbosity_error()
DEVICE = os.environ.get("GPU_CHECK_DEVICE", "cuda")
if DEVICE == "cuda" and (not torch.cuda.is_available() or ctranslate2.get_cuda_device_count() == 0):
    print(f"gpu_check: no CUDA device (torch {torch.__version__}: {torch.cuda.is_available()}, "
          f"ctranslate2 {ctranslate2.__version__}: {ctranslate2.get_cuda_device_count()} devices)")
    sys.exit(2)

sys.path.insert(0, "benchmarks")
from bench_model import build_model  # noqa: E402
from speed import ForcedLengths, Forcing, hook_backend, make_plan, nominal_tokens, translate_articles  # noqa: E402

from reader.api import open_translator  # noqa: E402
from reader.config import Settings  # noqa: E402
from reader.models.convert import convert_to_ct2  # noqa: E402
from reader.translate import registry  # noqa: E402
from tests.support.toy import heldout_pairs, toy_model_dir  # noqa: E402

gpu = torch.cuda.get_device_name(0) if DEVICE == "cuda" else "none (a rehearsal on CPU)"
report = {"gpu": gpu, "torch": torch.__version__, "ctranslate2": ctranslate2.__version__}
failures = []
work = Path(tempfile.mkdtemp(prefix="reader-gpu-check-"))
began = time.perf_counter()

# ---- 1. the toy model: the same translations and alignments as on CPU -------------------------
toy = Path(os.environ["TOY_MODEL"]) if os.environ.get("TOY_MODEL") else toy_model_dir()
gold = heldout_pairs()
sources = [example.source for example in gold]
cpu = Settings.load(device="cpu", cache_path=work / "cache.sqlite3")
cuda = replace(cpu, device=DEVICE)
toy_ct2 = convert_to_ct2(toy, work / "toy-ct2-float16", quantization="float16")
reference = registry.create("transformers", toy, settings=cpu).translate_batch(sources)
runs = {
    f"transformers-{DEVICE}": registry.create("transformers", toy, settings=cuda),
    f"ct2-float16-{DEVICE}": registry.create("ct2", toy_ct2, settings=cuda),
}
for name, translator in runs.items():
    started = time.perf_counter()
    outputs = translator.translate_batch(sources)
    same = sum(o.text == r.text and o.alignment == r.alignment for o, r in zip(outputs, reference, strict=True))
    right = sum(o.text == g.target for o, g in zip(outputs, gold, strict=True))
    fingerprint = translator.fingerprint
    report[name] = {
        "fingerprint": fingerprint,
        "same_as_cpu": same,
        "gold": right,
        "of": len(sources),
        "seconds": round(time.perf_counter() - started, 2),
    }
    print(f"{name}: {same}/{len(sources)} the same translation and alignment as transformers on CPU, "
          f"{right}/{len(sources)} gold translations ({fingerprint})")
    if same < 0.98 * len(sources) or right < 0.95 * len(sources):
        failures.append(f"{name} differs from CPU: {same}/{len(sources)} same, {right} gold")

# ---- 2. throughput on opus-mt-ar-en's architecture ---------------------------------------------
bench = build_model()
bench_ct2 = convert_to_ct2(bench, bench.parent / f"{bench.name}-ct2-float16", quantization="float16")
plan = make_plan(bench, quick=bool(os.environ.get("GPU_CHECK_QUICK")), threads=1)  # one worker on CUDA: the pipeline's "serial" calls
tokens = nominal_tokens(plan, "serial")
for name, backend, model in ((f"transformers-{DEVICE}", "transformers", bench), (f"ct2-float16-{DEVICE}", "ct2", bench_ct2)):
    settings = replace(cuda, model=str(model), backend=backend, cache_path=work / f"bench-{name}.sqlite3")
    translator = open_translator(settings, refresh=True)()
    forcing = Forcing()
    hook_backend(translator.inner, forcing)
    translator.inner = ForcedLengths(translator.inner, forcing, plan["schedules"]["serial"]["lengths"])
    articles = list(range(len(plan["articles"])))
    translate_articles(translator, plan, articles, settings, None)  # warm-up: CUDA kernels, allocator
    before = forcing.produced
    run = translate_articles(translator, plan, articles, settings, None)
    seconds = sum(run["per_article_s"])
    report[name]["bench_tokens_per_s"] = round(tokens / seconds, 1)
    if DEVICE == "cuda" and backend == "transformers":
        report[name]["bench_peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
    print(f"{name}: {tokens / seconds:.0f} target tokens/s on the seed articles ({tokens} tokens in {seconds:.2f} s, "
          f"beam 4, forced lengths)")
    if forcing.produced - before != tokens or forcing.mismatches:
        failures.append(f"{name}: the benchmark did not do the planned work ({forcing.produced - before} of {tokens})")

report["seconds"] = round(time.perf_counter() - began, 1)
report["failures"] = failures
if os.environ.get("OUT"):
    Path(os.environ["OUT"], "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
print("gpu_check: " + ("all checks passed" if not failures else "FAILED: " + "; ".join(failures)))
sys.exit(1 if failures else 0)
PY
