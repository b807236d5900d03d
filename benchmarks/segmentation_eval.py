"""Sentence-boundary precision, recall and F1 of reader's segmenter and of pysbd on the gold files.

Run: .venv/bin/python benchmarks/segmentation_eval.py [GOLD_FILE ...]

Rows: ``reader``; ``reader-e``, the same rules with every ellipsis a possible sentence end (the
other reading of ellipses, measured side by side); ``pysbd``.

Both segmenters get the same paragraphs (one per line) and are scored on the character offsets
where a sentence ends inside a paragraph. The rules were written against the development sets:
tests/data/segmentation-gold.txt, and segmentation-dev-2.txt for agency and web styles. The held-out
files were written separately and never tuned on, so their scores are the estimate for unseen Arabic
text: segmentation-heldout.txt is news in the dev set's style; segmentation-heldout-2.txt is agency
copy, web comments and opinion pieces, written before the rules for those styles. Other files in the
same format can be given on the command line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
GOLD_FILES = {
    "dev": DATA / "segmentation-gold.txt",
    "dev-2": DATA / "segmentation-dev-2.txt",
    "held-out": DATA / "segmentation-heldout.txt",
    "held-out-2": DATA / "segmentation-heldout-2.txt",
}


@dataclass(frozen=True)
class Gold:
    """Paragraphs of gold sentences; the raw text joins sentences with a space, paragraphs with a newline."""

    paragraphs: tuple[tuple[str, ...], ...]

    @property
    def text(self) -> str:
        return "\n".join(" ".join(sentences) for sentences in self.paragraphs)

    @property
    def sentences(self) -> list[str]:
        return [s for sentences in self.paragraphs for s in sentences]

    def boundaries(self) -> set[int]:
        """Offsets in ``text`` where a sentence ends and another follows in the same paragraph."""
        out = set()
        pos = 0
        for sentences in self.paragraphs:
            for sentence in sentences[:-1]:
                pos += len(sentence)
                out.add(pos)
                pos += 1
            pos += len(sentences[-1]) + 1
        return out


def load_gold(path: Path) -> Gold:
    """Read the gold format: one sentence per line, blank line between paragraphs, '#' comments."""
    paragraphs: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return Gold(tuple(tuple(p) for p in paragraphs if p))


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: set[int], predicted: set[int]) -> Score:
    return Score(len(gold & predicted), len(predicted - gold), len(gold - predicted))


def reader_boundaries(text: str) -> set[int]:
    from reader.segment import segment

    return {s.end for p in segment(text) for s in p.sentences[:-1]}


def reader_ellipsis_always_boundaries(text: str) -> set[int]:
    """The other way to read an ellipsis: a sentence end whenever the next word can start a sentence
    (as before the ellipsis rule), not only before a new quotation, a dash-led item or a capital."""
    from unittest import mock

    from reader import segment

    def always(text: str, mark: int, stop: int, line_start: int, line_end: int) -> bool:
        return segment._starts_sentence(text, stop, line_end)

    with mock.patch.object(segment, "_ellipsis_ends_sentence", always):
        return reader_boundaries(text)


def pysbd_boundaries(text: str) -> set[int]:
    """pysbd (language "ar", clean=False) run per paragraph; its sentences are located in order."""
    import pysbd

    segmenter = pysbd.Segmenter(language="ar", clean=False, char_span=False)
    out = set()
    line_start = 0
    for line in text.split("\n"):
        pos = 0
        ends = []
        for sentence in segmenter.segment(line):
            stripped = sentence.strip()
            if not stripped:
                continue
            found = line.find(stripped, pos)
            if found < 0:  # pysbd altered the text; skip rather than guess an offset
                continue
            pos = found + len(stripped)
            ends.append(pos)
        out.update(line_start + end for end in ends[:-1])
        line_start += len(line) + 1
    return out


SEGMENTERS = {
    "reader": reader_boundaries,
    "reader-e": reader_ellipsis_always_boundaries,
    "pysbd": pysbd_boundaries,
}


def evaluate(files: dict[str, Path] = GOLD_FILES) -> dict[tuple[str, str], Score]:
    """Scores keyed by (gold file name, segmenter name)."""
    results = {}
    for name, path in files.items():
        gold = load_gold(path)
        expected = gold.boundaries()
        for system, find in SEGMENTERS.items():
            results[name, system] = score(expected, find(gold.text))
    return results


def main() -> None:
    paths = [Path(arg) for arg in sys.argv[1:]]
    files = {path.stem: path for path in paths} if paths else GOLD_FILES
    width = max(10, *(len(name) for name in files))
    header = (
        f"{'file':<{width}} {'segmenter':<9} {'bounds':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6}"
    )
    print(header)
    print("-" * len(header))
    for (name, system), s in evaluate(files).items():
        bounds = s.true_positives + s.false_negatives
        print(
            f"{name:<{width}} {system:<9} {bounds:>6} {s.true_positives:>4} {s.false_positives:>4} "
            f"{s.false_negatives:>4} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )


if __name__ == "__main__":
    main()
