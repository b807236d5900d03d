"""A long PDF into the library a part at a time: what the commits cost, and what a rerun after kill -9 redoes.

Makes an fpdf2 + HarfBuzz PDF of --pages pages (two paragraphs a page, the documents' true texts in
turn, each made unique by its page), then runs ``reader translate PDF --library LIB`` with the fake
word-by-word backend (no model needed; tests/support/fake_cli.py), each run in a process of its own
with an empty sentence cache, side by side:

1. the whole document at once (READER_PART_PAGES=0);
2. in parts of --part-pages pages, uninterrupted: as it was before (the whole PDF read before the first part is
   translated, FAKE_READ_WHOLE=1) and as it is now (a window of pages at a time,
   ``reader.library.parts.resume_article``);
3. in parts, killed (SIGKILL) once --kill-at pages are in the library, then the same command again, on two
   copies of what the kill left: as it is now (the PDF read a window at a time from a little before the cut)
   and as it was before (the whole PDF read again first, FAKE_READ_WHOLE=1).

It reports each run's wall time and peak memory (the child's maxrss, which is its VmHWM), the time to the
first committed part (from the run's "pages N of M in the library" lines), the parts/whole ratio, the reading
before the first part alone (one process), the rerun's time now against before, the sentences the
rerun gave the model and how many of them were on committed pages (0 is the point), and whether runs 2
and 3 end with run 1's paragraphs.

Usage (from the repository root):
  .venv/bin/python benchmarks/long_document_parts.py                    # 500 pages, parts of 20
  .venv/bin/python benchmarks/long_document_parts.py --pages 100 --kill-at 40 --part-pages 20
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.document import Document  # noqa: E402
from tests.support.long_pdf import arabic_pdf, truth_lines  # noqa: E402
from tests.support.models import fake_model_folder  # noqa: E402


def make_pdf(path: Path, pages: int) -> None:
    texts = [text.rstrip(".") for text in truth_lines()]
    pdf = arabic_pdf()
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("arabic", size=10)
        for i in (0, 1):
            pdf.multi_cell(0, 6, f"{texts[(2 * page + i) % len(texts)]} في البند {page + 1}{i + 1}.", align="R")
            pdf.ln(5)
    pdf.output(str(path))


FIRST_COMMIT = re.compile(r"pages [1-9]\d* of \d+ in the library")


def run(args: list[str], env: dict[str, str], *, kill_when: str = "") -> tuple[float, int, str, float]:
    """(seconds, peak RSS in MB, stderr, seconds to the first committed part) of one child; ``kill_when``: SIGKILL
    it once stderr shows that."""
    started = time.perf_counter()
    first = float("nan")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        while True:  # wait4, not poll: the child's rusage is read when it is reaped
            pid, _, usage = os.wait4(child.pid, os.WNOHANG)
            err.seek(0)
            said = err.read()
            if first != first and FIRST_COMMIT.search(said):
                first = time.perf_counter() - started
            if pid:
                break
            if kill_when and kill_when in said:
                child.send_signal(signal.SIGKILL)
                _, _, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = 0
        err.seek(0)
        return time.perf_counter() - started, usage.ru_maxrss // 1024, said, first


READING = """
import sys, time
from pathlib import Path
from reader import ingest
from reader.config import Settings
from reader.library import Library, parts
pdf, library, empty = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
settings = Settings.load()
for label, folder in (("first", empty), ("rerun", library)):
    with Library(folder) as shelf:
        for name, read in (("whole", lambda: ingest.read_document(pdf, settings)),
                           ("window", lambda: parts.resume_article(shelf, str(pdf.resolve()), pdf, settings))):
            started = time.perf_counter()
            article = read()
            assert article is not None
            print(f"{label}-{name}", time.perf_counter() - started)
"""


def reading(pdf: Path, library: Path, empty: Path, env: dict[str, str]) -> None:
    """The reading before the first part is translated, in one process: the whole PDF (before) and the first
    window (now), on a first run (an empty library) and on a rerun (what the kill left)."""
    answer = subprocess.run([sys.executable, "-c", READING, str(pdf), str(library), str(empty)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    took = {name: float(value) for name, value in (line.split() for line in answer.stdout.splitlines())}
    for label in ("first", "rerun"):
        whole, window = took[f"{label}-whole"], took[f"{label}-window"]
        print(f"reading before the {label} run's first part: before {whole:.2f} s (every page), "
              f"now {window:.2f} s (one window; now/before {window / whole:.3f})")


def shape(library: Path) -> list[tuple[object, ...]]:
    [file] = (library / "articles").glob("*.json")
    document = Document.from_json(file.read_text(encoding="utf-8"))
    return [(p.start, p.end, p.page, p.source, p.translation) for p in document.paragraphs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--part-pages", type=int, default=20)
    parser.add_argument("--kill-at", type=int, default=200, help="a multiple of --part-pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pdf = work / "long.pdf"
        make_pdf(pdf, args.pages)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "READER_OCR": "off", "READER_BACKEND": "fake",
               "READER_MODEL": str(fake_model_folder(work / "fake-model")), "READER_PART_PAGES": str(args.part_pages)}

        def command(name: str, **extra: str) -> tuple[list[str], dict[str, str]]:
            library = work / name
            line = [sys.executable, "-m", "tests.support.fake_cli", "translate", str(pdf), "--library", str(library)]
            return line, {**env, "READER_CACHE_PATH": str(work / f"{name}.sqlite3"), **extra}

        print(f"{args.pages} pages, {pdf.stat().st_size / 1024:.0f} KiB; parts of {args.part_pages} pages")
        whole = run(*command("whole", READER_PART_PAGES="0"))
        parted_before = run(*command("parts-before", FAKE_READ_WHOLE="1"))
        parted = run(*command("parts"))
        print(f"whole:              {whole[0]:6.1f} s, peak {whole[1]} MB")
        print(f"parts, before:      {parted_before[0]:6.1f} s, peak {parted_before[1]} MB  "
              f"(the whole PDF read first; first part in the library after {parted_before[3]:.1f} s)")
        print(f"parts, now:         {parted[0]:6.1f} s, peak {parted[1]} MB  (a window at a time; first part in the "
              f"library after {parted[3]:.1f} s, now/before {parted[3] / parted_before[3]:.2f}; "
              f"whole run now/before {parted[0] / parted_before[0]:.2f}, parts/whole {parted[0] / whole[0]:.2f})")
        killed = run(*command("killed", FAKE_DELAY="0.2"), kill_when=f"pages {args.kill_at} of")
        shutil.copytree(work / "killed", work / "killed-before")
        print(f"killed at {args.kill_at}:       {killed[0]:6.1f} s")
        reading(pdf, work / "killed", work / "empty", env)
        log = work / "asked.log"
        before = run(*command("killed-before", READER_CACHE_PATH=str(work / "before.sqlite3"), FAKE_READ_WHOLE="1"))
        rerun = run(*command("killed", READER_CACHE_PATH=str(work / "rerun.sqlite3"), FAKE_LOG=str(log)))
        window = re.search(r"pages (\d+)-(\d+) of \d+ read", rerun[2])
        span = f"pages {window.group(1)}-{window.group(2)}" if window else "all pages"
        print(f"rerun, before:      {before[0]:6.1f} s, peak {before[1]} MB  (the whole PDF read again; next part in "
              f"the library after {before[3]:.1f} s)")
        print(f"rerun, now:         {rerun[0]:6.1f} s, peak {rerun[1]} MB  (now/before {rerun[0] / before[0]:.2f}; "
              f"{span} read before its first part, in the library after {rerun[3]:.1f} s)")
        reference = shape(work / "whole")
        asked = set(log.read_text(encoding="utf-8").splitlines()) if log.exists() else set()
        committed = [source for (_, _, page, source, _) in reference if page and page <= args.kill_at]
        later = [source for (_, _, page, source, _) in reference if page and page > args.kill_at]
        on_committed = sum(
            1 for sentence in asked if any(sentence in p for p in committed) and not any(sentence in p for p in later)
        )
        print(f"rerun gave the model {len(asked)} sentences, {on_committed} of them only on committed pages")
        same = shape(work / "parts-before") == reference
        print(f"parts == whole: {shape(work / 'parts') == reference} (before: {same}); killed + rerun == whole: "
              f"{shape(work / 'killed') == reference}, before: {shape(work / 'killed-before') == reference}  "
              f"({len(reference)} paragraphs)")


if __name__ == "__main__":
    main()
