"""Titles first at volume: time to a ready list against time to everything, side by side in one run.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/triage_volume.py [--feeds 20] [--entries 500] [--model DIR|opus]
        [--paragraphs 4] [--sentences 3] [--tokens-per-word 1.5]

``--feeds`` RSS feeds with ``--entries`` entries in all are served on loopback (tests/support/http_server.py),
each entry a news page whose article is a title and ``--paragraphs`` paragraphs of ``--sentences`` sentences
in the toy language (tests/support/toy.py). ``--model`` names another model folder, or ``opus``: the
opus-architecture benchmark model (benchmarks/bench_model.py, built and converted to CTranslate2 int8
once, as benchmarks/speed does), which then translates the same text. Its weights are random, so its
outputs are forced to ``--tokens-per-word`` target tokens per source word (the backends'
``force_output_lengths`` hook, as benchmarks/speed forces them), never to the length limit; the toy
model translates for real. Two fresh libraries, each with its own sentence cache:

- **titles first**: every feed subscribed with ``titles_first``; ``reader feeds check`` (``check_feeds``)
  translates titles and first paragraphs: the list is ready. Then every article is opened
  (``Library.complete``, what the Read page does) to translate the rest: everything.
- **full**: the same feeds, subscribed as by default: one check translates everything.

Reported: seconds to the ready list, to everything by each path, their ratios, the sentences the model
translated by each path (the lead's come back from the cache when opened), and the load average before
and after (the machine is shared: read the ratios, not the seconds). One feed is checked first, untimed, into
a third library, so that first imports and connections count on neither side.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.api import open_translator  # noqa: E402
from reader.batch import BatchOptions  # noqa: E402
from reader.batch.feeds import check_feeds  # noqa: E402
from reader.config import Settings  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.translate.cache import SentenceCache  # noqa: E402
from tests.support.batching import rss  # noqa: E402
from tests.support.http_server import LocalServer, article_page, page  # noqa: E402
from tests.support.toy import make_example, random_spec  # noqa: E402


def serve(server: LocalServer, feeds: int, entries: int, seed: int, *, paragraphs: int, sentences: int) -> list[str]:
    """The feeds' URLs; entries are dealt out to the feeds in turn, each with its own page."""
    rng = random.Random(seed)

    def sentence() -> str:
        return make_example(random_spec(rng)).source

    items: list[list[tuple[str, str, int]]] = [[] for _ in range(feeds)]
    for n in range(entries):
        path = f"/news/{n}"
        body = [" ".join(sentence() for _ in range(sentences)) for _ in range(paragraphs)]
        title = sentence()
        server.routes[path] = page(article_page(title, body))
        items[n % feeds].append((path, title, n))
    urls = []
    for number, feed in enumerate(items):
        server.routes[f"/feed/{number}.xml"] = page(rss(server, feed), content_type="application/rss+xml")
        urls.append(server.url(f"/feed/{number}.xml"))
    return urls


def translated(settings: Settings) -> int:
    """Sentences the model has translated into this run's own (fresh) cache: every miss is stored once."""
    cache = SentenceCache.for_settings(settings)
    try:
        return cache.stats().entries
    finally:
        cache.close()


def run(
    urls: list[str], folder: Path, model: str, *, titles_first: bool, tokens_per_word: float | None
) -> dict[str, float]:
    settings = Settings.load(
        model=model, library=folder / "library", cache_path=folder / "cache.sqlite3", allow_private_urls=True
    )
    translator = open_translator(settings)()  # the model loads before the clock starts, on both paths
    if tokens_per_word is not None:  # random weights: every output forced to its length, on both paths alike
        translator.inner.force_output_lengths(lambda text: max(1, round(tokens_per_word * len(text.split()))))
    root = settings.library
    with Library(root) as library:
        for url in urls:
            library.subscribe(url, titles_first=titles_first)
    started = time.perf_counter()
    check = check_feeds(root, BatchOptions(settings, formats=["json"], translator_factory=lambda: translator))
    ready = time.perf_counter() - started
    if not check.ok:
        raise SystemExit(f"the check failed: {[f.reason for f in check.summary.failed][:3]}")
    at_ready = translated(settings)
    with Library(root) as library:
        ids = [row.id for row in library.page(limit=1 << 30).rows]
        for id_ in ids:
            library.complete(id_, translator, settings)
        pending = sum(row.pending for row in library.page(limit=1 << 30).rows)
    everything = time.perf_counter() - started
    if pending:
        raise SystemExit(f"{pending} sentences still pending after opening every article")
    return {
        "articles": len(ids),
        "ready": ready,
        "everything": everything,
        "model_at_ready": at_ready,
        "model_total": translated(settings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument(
        "--model", help="A model folder, or 'opus': the opus-architecture benchmark model (default: the toy model)."
    )
    parser.add_argument("--paragraphs", type=int, default=4, help="Paragraphs of each article's body.")
    parser.add_argument("--sentences", type=int, default=3, help="Sentences of each paragraph.")
    parser.add_argument(
        "--tokens-per-word",
        type=float,
        help="Force every output to this many target tokens per source word (default: 1.5 for 'opus', else none).",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    forced = args.tokens_per_word
    if args.model == "opus":
        from benchmarks.bench_model import build_model, convert_model

        hf_dir = build_model()
        convert_model(hf_dir)  # the CTranslate2 int8 conversion beside it: what the auto backend takes
        model, forced = str(hf_dir), 1.5 if forced is None else forced
    elif args.model:
        model = args.model
    else:
        from tests.support.toy import toy_model_dir

        model = str(toy_model_dir())
    os.environ.setdefault("READER_THREADS", "1")
    load_before = os.getloadavg()
    with LocalServer() as server, tempfile.TemporaryDirectory() as tmp:
        urls = serve(server, args.feeds, args.entries, args.seed, paragraphs=args.paragraphs, sentences=args.sentences)
        # First imports and first fetches, untimed:
        run(urls[:1], Path(tmp) / "warm-up", model, titles_first=False, tokens_per_word=forced)
        lead = run(urls, Path(tmp) / "titles-first", model, titles_first=True, tokens_per_word=forced)
        full = run(urls, Path(tmp) / "full", model, titles_first=False, tokens_per_word=forced)
    load_after = os.getloadavg()
    shape = f"a title and {args.paragraphs} paragraphs of {args.sentences} sentences each"
    lengths = f"; outputs forced to {forced} tokens per source word" if forced is not None else ""
    print(f"model: {Path(model).name}{lengths}; {args.feeds} feeds, {lead['articles']} articles on loopback ({shape})")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min; 2 cores, shared)")
    print(
        f"titles first: ready list {lead['ready']:.1f} s ({lead['model_at_ready']} sentences to the model), "
        f"everything after opening all {lead['everything']:.1f} s ({lead['model_total']} sentences)"
    )
    print(f"full:         everything {full['ready']:.1f} s ({full['model_at_ready']} sentences to the model)")
    print(f"ready list / full check: {lead['ready'] / full['ready']:.2f}")
    print(f"titles first then opening everything / full check: {lead['everything'] / full['ready']:.2f}")


if __name__ == "__main__":
    main()
