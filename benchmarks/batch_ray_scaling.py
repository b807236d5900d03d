"""Throughput of `reader batch --engine ray` with 1 and 2 local Ray workers, and the ratio.

    .venv/bin/python benchmarks/batch_ray_scaling.py                 # toy Marian model (transformers)
    .venv/bin/python benchmarks/batch_ray_scaling.py --model fake    # no model: fake backend + CPU work

The toy model (tests/support/toy.py: a small trained Marian model) is the default; it is
built on first use (a few minutes on 2 cores) and then cached. Without torch/transformers,
``--model fake`` uses the fake backend from tests/support/fake.py with a fixed CPU cost per
sentence (``--fake-ms``), which measures the engine's scaling but not a model's. With
``--fake-sleep`` that cost is a sleep instead of CPU work: the workers then compete for no
core, which shows whether the engine itself spreads the articles over its workers.

Each worker count gets a fresh output folder and a fresh sentence cache (no cache hits),
and one actor per worker holding 1 CPU and 1 intra-op thread. Two rates are printed:
"total" includes creating the actors and loading the model in each (once per run; not
starting Ray), "steady" counts only from the first finished article to the last, which is
what a long batch converges to.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_articles(folder: Path, articles: int, sentences: int) -> int:
    """Articles of distinct toy-language sentences (the fake backend translates anything)."""
    from tests.support import toy

    pool = toy.corpus(seed=99, size=articles * sentences)
    for n in range(articles):
        chunk = pool[n * sentences : (n + 1) * sentences]
        (folder / f"article-{n:03}.txt").write_text("\n".join(e.source + "." for e in chunk) + "\n", encoding="utf-8")
    return articles * sentences


def model_settings(kind: str, work: Path, fake_ms: float, fake_sleep: bool):
    from reader.config import Settings

    if kind == "toy":
        from tests.support.toy import toy_model_dir

        return Settings.load(model=str(toy_model_dir()), backend="transformers", threads=1), "toy Marian model"
    model = work / "fake-model"
    model.mkdir(exist_ok=True)
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"")
    os.environ["READER_BENCH_FAKE_MS"] = str(fake_ms)
    os.environ["READER_BENCH_FAKE_SLEEP"] = "1" if fake_sleep else ""
    from reader.translate import registry

    registry.register("bench-fake", busy_fake)
    return Settings.load(
        model=str(model), backend="bench-fake", threads=1
    ), f"fake backend, {fake_ms:g} ms {'sleep' if fake_sleep else 'CPU'}/sentence"


def busy_fake(model_dir: Path, **_: object):
    """The fake backend, plus a fixed amount of CPU work per sentence (a stand-in for a model)."""
    from tests.support.fake import FakeTranslator

    class Busy(FakeTranslator):
        def translate_batch(self, sentences):
            cost = float(os.environ.get("READER_BENCH_FAKE_MS", "20")) / 1000
            if os.environ.get("READER_BENCH_FAKE_SLEEP"):
                time.sleep(cost * len(sentences))
                return super().translate_batch(sentences)
            for _ in sentences:
                end = time.process_time() + cost
                while time.process_time() < end:
                    pass
            return super().translate_batch(sentences)

    return Busy(name="bench-fake")


class Timestamps:
    """A progress reporter that notes when each article finishes."""

    def __init__(self) -> None:
        self.finished: list[float] = []

    def start(self, articles: int) -> None:
        self.finished.clear()

    def sentences(self, count: int) -> None:
        return

    def article(self, key: str, outcome: str, detail: str = "") -> None:
        self.finished.append(time.perf_counter())

    def message(self, text: str) -> None:
        return

    def close(self) -> None:
        return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["toy", "fake"], default="toy")
    parser.add_argument("--articles", type=int, default=32)
    parser.add_argument("--sentences", type=int, default=8, help="sentences per article")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--fake-ms", type=float, default=20.0)
    parser.add_argument("--fake-sleep", action="store_true", help="the fake cost is a sleep, not CPU work")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]

    import ray

    from reader.batch import BatchOptions, RayOptions, run_batch

    work = Path(tempfile.mkdtemp(prefix="reader-ray-bench-"))
    src = work / "src"
    src.mkdir()
    total_sentences = build_articles(src, args.articles, args.sentences)
    settings, label = model_settings(args.model, work, args.fake_ms, args.fake_sleep)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    ray.init(num_cpus=max(counts), include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    print(f"ray started in {time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs on this machine")
    print(f"{args.articles} articles x {args.sentences} sentences = {total_sentences} sentences; {label}")
    totals, steadies = {}, {}
    for n in counts:
        run_settings = replace(settings, cache_path=work / f"cache-{n}.sqlite3")
        stamps = Timestamps()
        started = time.perf_counter()
        options = BatchOptions(run_settings, formats=["json"], engine="ray", ray=RayOptions(workers=n), progress=stamps)
        summary = run_batch([str(src)], work / f"out-{n}", options)
        seconds = time.perf_counter() - started
        if summary.failed or summary.cache_hits or len(stamps.finished) != args.articles:
            raise SystemExit(f"unexpected: {summary.report()}")
        totals[n] = args.articles / seconds
        steadies[n] = (args.articles - 1) / (stamps.finished[-1] - stamps.finished[0])
        print(
            f"workers={n}: {seconds:.1f} s in all; total {totals[n]:.2f} articles/s "
            f"({totals[n] * args.sentences:.1f} sentences/s); steady {steadies[n]:.2f} articles/s "
            f"({steadies[n] * args.sentences:.1f} sentences/s)"
        )
    ray.shutdown()
    if 1 in totals:
        for n in counts:
            if n != 1:
                print(
                    f"speed-up {n} vs 1 worker(s): {totals[n] / totals[1]:.2f}x total, "
                    f"{steadies[n] / steadies[1]:.2f}x steady"
                )


if __name__ == "__main__":
    main()
