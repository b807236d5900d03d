"""How long the PDF export takes for a 5,000-word article, in both layouts.

The article is the seed articles repeated to the word count, segmented and "translated" by
reader's real pipeline with the fake word-by-word backend (no model needed), so the PDF
holds real Arabic and an English column of about the same length. Rendering is timed alone.

Usage (from the repository root):
  .venv/bin/python benchmarks/pdf_speed.py                 # 5,000 words, best of 3
  .venv/bin/python benchmarks/pdf_speed.py --words 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.config import Settings  # noqa: E402
from reader.document import Document, Metadata  # noqa: E402
from reader.export import pdf  # noqa: E402
from reader.pipeline import translate_text  # noqa: E402
from tests.support.fake import FakeTranslator  # noqa: E402


def article(words: int) -> Document:
    seeds = [p.read_text(encoding="utf-8").strip() for p in sorted((ROOT / "seeds").glob("*.ar.txt"))]
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        parts.extend(seeds)
    text = "\n\n".join(parts)
    meta = Metadata(title="PDF speed", source="seeds/*.ar.txt", date="2024-11-21", model="fake")
    return translate_text(text, FakeTranslator(), meta=meta, settings=Settings.load())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    document = article(args.words)
    words = len(document.text.split())
    print(f"article: {words} Arabic words, {len(document.paragraphs)} paragraphs, {len(document.sentences)} sentences")
    for layout in pdf.LAYOUTS:
        walls, cpus = [], []
        for _ in range(args.repeat):
            cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
            wall0 = time.perf_counter()
            data = pdf.render(document, layout=layout)
            walls.append(time.perf_counter() - wall0)
            cpus.append(resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0)
        pages = data.count(b"/Type /Page\n")
        print(
            f"{layout:>13}: {min(walls):.2f} s wall (best of {args.repeat}), {min(cpus):.2f} s CPU, "
            f"{pages} pages, {len(data) / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
