"""Story grouping's precision and recall on a labelled set (benchmarks/data/stories.json).

    .venv/bin/python benchmarks/stories.py [--orders 20]

The set: 32 short Arabic articles (with an English title) in 15 stories: most stories rewritten by
two or three outlets (the same facts in other words), and beside them other stories about the
same people and places (the central bank's rates and its bond sale; Sisi hosting Macron and Sisi
opening a tunnel; Macron at home; aid into Gaza and talks on Gaza; the Helsinki cyber summit and a
Helsinki trade deal...). Each article is added to a fresh library, one at a time, as a feed check
would (``Library.add``: the story is placed incrementally, never re-clustered), in ``--orders``
random orders. Measured over every pair of articles: precision (pairs grouped together that are
one story) and recall (pairs of one story grouped together), averaged over the orders; and the
time to place one article (the index write with and without the grouping is not separated:
``place`` is timed alone against the library so far).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.document import Document, Metadata, Paragraph, SentencePair  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.library.stories import THRESHOLD, signature, similarity, words  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "stories.json"


def documents() -> list[tuple[str, str, Document]]:
    """(story, key, document) for each labelled article."""
    out = []
    for n, item in enumerate(json.loads(DATA.read_text(encoding="utf-8"))["articles"]):
        text = item["text_ar"]
        pair = SentencePair(0, len(text), text, "", (), None, ())
        meta = Metadata(
            title=item["title_ar"],
            title_translation=item["title_en"],
            source=f"https://{item['outlet']}.example/{item['story']}/{n}",
            date="2024-06-01",
        )
        out.append((item["story"], meta.source, Document(text, (Paragraph(0, len(text), (pair,)),), meta)))
    return out


def pair_scores(gold: dict[str, str], grouped: dict[str, int]) -> tuple[int, int, int]:
    """(true positive, predicted, actual) pairs."""
    tp = predicted = actual = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold, same_group = gold[a] == gold[b], grouped[a] == grouped[b]
        tp += same_gold and same_group
        predicted += same_group
        actual += same_gold
    return tp, predicted, actual


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    articles = documents()
    precisions, recalls, wrong = [], [], set()
    for order in range(args.orders):
        shuffled = articles[:]
        random.Random(order).shuffle(shuffled)
        with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "library") as library:
            gold = {}
            for story, key, document in shuffled:
                gold[library.add(document, key)] = story
            grouped = {row.id: row.story for row in _members(library)}
        tp, predicted, actual = pair_scores(gold, grouped)
        precisions.append(tp / predicted if predicted else 1.0)
        recalls.append(tp / actual)
        for a, b in itertools.combinations(sorted(gold), 2):
            if (gold[a] == gold[b]) != (grouped[a] == grouped[b]):
                wrong.add(tuple(sorted((gold[a], gold[b]))))
    stories = len({story for story, _, _ in articles})
    print(f"\n{len(articles)} articles in {stories} stories; {args.orders} orders of arrival; threshold {THRESHOLD}\n")
    print("| measure | mean | worst |")
    print("|---|---|---|")
    print(f"| pair precision | {statistics.mean(precisions):.3f} | {min(precisions):.3f} |")
    print(f"| pair recall | {statistics.mean(recalls):.3f} | {min(recalls):.3f} |")
    if wrong:
        print("\nstory pairs grouped wrongly in some order: " + "; ".join(f"{a} / {b}" for a, b in sorted(wrong)))
    print("\nestimated Jaccard, within a story (min) and across stories (max):")
    sigs = [(story, signature(words(document))) for story, _, document in articles]
    within = [similarity(a, b) for (s, a), (t, b) in itertools.combinations(sigs, 2) if s == t]
    across = [similarity(a, b) for (s, a), (t, b) in itertools.combinations(sigs, 2) if s != t]
    print(f"  within: min {min(within):.2f}, median {statistics.median(within):.2f}")
    print(f"  across: max {max(across):.2f}, median {statistics.median(across):.2f}")
    start = time.perf_counter()
    for _, _, document in articles:
        signature(words(document))
    print(f"\nsignature of one article: {(time.perf_counter() - start) / len(articles) * 1000:.2f} ms")


def _members(library: Library):
    for row in library.stories(limit=10_000).rows:
        yield from (member.__class__(**{**member.__dict__, "story": row.story}) for member in library.story(row.id))


if __name__ == "__main__":
    main()
