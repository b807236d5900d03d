"""Sentence recall and precision of article extraction on the HTML fixtures, reader against plain trafilatura.

Run: .venv/bin/python benchmarks/extraction_eval.py

Each page ``tests/data/pages/**/NAME.html`` has ``NAME.expected.txt``: ``# title:`` and ``# agency:``
lines, then the article's paragraphs, one per line (lead included; title, boilerplate and agency
tags left out). Expected and extracted text are cut into sentences by reader's segmenter and
compared after normalization; a sentence counts once per occurrence and only when it matches
exactly, so a sentence still carrying an agency tag is both a miss and an extra.

- recall: expected sentences extracted / expected sentences;
- precision: extracted sentences that are expected / extracted sentences.

``trafilatura`` is what reader did before its own steps (trafilatura with the same settings);
``reader`` is ``reader.extract.extract_html``. The pages in ``tests/data/pages`` were written with
the extraction rules; those in ``tests/data/pages/heldout`` were written before the rules were run
on them, and never tuned on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "pages"
SETS = {"dev": PAGES, "held-out": PAGES / "heldout"}


@dataclass(frozen=True)
class Expected:
    title: str
    agency: str
    text: str


def load_expected(path: Path) -> Expected:
    header = {}
    paragraphs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            paragraphs.append(line)
    return Expected(header.get("title", ""), header.get("agency", ""), "\n".join(paragraphs))


def sentence_keys(text: str) -> Counter[str]:
    from reader.normalize import model_text
    from reader.segment import segment

    return Counter(model_text(text[s.start : s.end]) for p in segment(text) for s in p.sentences)


def trafilatura_text(html: str) -> tuple[str, str]:
    """The text and agency ('' always) as reader extracted them before its own steps."""
    from reader.extract import trafilatura_document

    extracted = trafilatura_document(html)
    return (str(extracted.text or "") if extracted is not None else ""), ""


def reader_text(html: str) -> tuple[str, str]:
    from reader.extract import extract_html

    extracted = extract_html(html)
    return (extracted.text, extracted.meta.agency) if extracted is not None else ("", "")


EXTRACTORS = {"trafilatura": trafilatura_text, "reader": reader_text}


@dataclass(frozen=True)
class Score:
    pages: int
    expected: int
    extracted: int
    matched: int
    agencies_right: int

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0


def pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.html") if p.with_suffix(".expected.txt").is_file())


def evaluate() -> dict[tuple[str, str], Score]:
    """Scores keyed by (set name, extractor name)."""
    results = {}
    for set_name, folder in SETS.items():
        for name, extract in EXTRACTORS.items():
            expected_total = extracted_total = matched = agencies = 0
            found = pages(folder)
            for page in found:
                expected = load_expected(page.with_suffix(".expected.txt"))
                text, agency = extract(page.read_text(encoding="utf-8"))
                want, got = sentence_keys(expected.text), sentence_keys(text)
                expected_total += sum(want.values())
                extracted_total += sum(got.values())
                matched += sum((want & got).values())
                agencies += agency == expected.agency
            results[set_name, name] = Score(len(found), expected_total, extracted_total, matched, agencies)
    return results


def main() -> None:
    header = (
        f"{'pages':<9} {'extractor':<12} {'n':>3} {'expected':>8} {'kept':>5} {'right':>5} {'R':>6} {'P':>6} agency"
    )
    print(header)
    print("-" * len(header))
    for (set_name, name), s in evaluate().items():
        print(
            f"{set_name:<9} {name:<12} {s.pages:>3} {s.expected:>8} {s.extracted:>5} {s.matched:>5} "
            f"{s.recall:>6.3f} {s.precision:>6.3f} {s.agencies_right}/{s.pages}"
        )


if __name__ == "__main__":
    main()
