"""Story grouping's precision and recall on a labelled set (benchmarks/data/stories.json).

    .venv/bin/python benchmarks/stories.py [--orders 20]

The set: 65 short Arabic articles in 30 stories, written for this benchmark in the styles of several
outlets (agency wires with datelines, Egyptian, Levantine, Gulf and Maghreb dailies, short web items):
most stories rewritten by two or three outlets (the same facts in other words), and beside them other
stories about the same people and places (the central bank holding rates, raising them, selling bonds;
Sisi hosting Macron, calling Macron, opening a tunnel; Aramco's profit and its bonds; Lebanon's
parliament failing to elect a president and passing a budget; talks on Sudan and fighting in Khartoum;
Erdogan with Putin and opening an airport...). 51 carry an English title (the English side: the model's
translation is not in the set); 14 are Arabic only. Reported for all pairs, for pairs of titled articles
and pairs with an Arabic-only one, and again with every English title dropped (the Arabic side alone).
Each article is added to a fresh library, one at a time, as a feed check
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


def documents(*, english: bool = True) -> list[tuple[str, str, Document]]:
    """(story, key, document) for each labelled article; ``english=False`` drops every English title."""
    out = []
    for n, item in enumerate(json.loads(DATA.read_text(encoding="utf-8"))["articles"]):
        text = item["text_ar"]
        pair = SentencePair(0, len(text), text, "", (), None, ())
        meta = Metadata(
            title=item["title_ar"],
            title_translation=item["title_en"] if english else "",
            source=f"https://{item['outlet']}.example/{item['story']}/{n}",
            date="2024-06-01",
        )
        out.append((item["story"], meta.source, Document(text, (Paragraph(0, len(text), (pair,)),), meta)))
    return out


KINDS = ("all pairs", "both with an English title", "one or both Arabic only")


def pair_scores(gold: dict[str, str], grouped: dict[str, int], titled: set[str]) -> dict[str, tuple[int, int, int]]:
    """Per kind of pair (``KINDS``): (true positive, predicted, actual) pairs."""
    counts = {kind: [0, 0, 0] for kind in KINDS}
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold, same_group = gold[a] == gold[b], grouped[a] == grouped[b]
        for kind in (KINDS[0], KINDS[1] if a in titled and b in titled else KINDS[2]):
            counts[kind][0] += same_gold and same_group
            counts[kind][1] += same_group
            counts[kind][2] += same_gold
    return {kind: (tp, predicted, actual) for kind, (tp, predicted, actual) in counts.items()}


def measure(articles: list[tuple[str, str, Document]], orders: int) -> tuple[dict[str, list[tuple]], set]:
    """Each order's pair scores per kind, and the story pairs grouped wrongly in some order."""
    scores: dict[str, list[tuple]] = {kind: [] for kind in KINDS}
    wrong = set()
    for order in range(orders):
        shuffled = articles[:]
        random.Random(order).shuffle(shuffled)
        with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "library") as library:
            gold, titled = {}, set()
            for story, key, document in shuffled:
                id_ = library.add(document, key)
                gold[id_] = story
                if document.meta.title_translation:
                    titled.add(id_)
            grouped = {row.id: row.story for row in _members(library)}
        for kind, counts in pair_scores(gold, grouped, titled).items():
            scores[kind].append(counts)
        for a, b in itertools.combinations(sorted(gold), 2):
            if (gold[a] == gold[b]) != (grouped[a] == grouped[b]):
                wrong.add(tuple(sorted((gold[a], gold[b]))))
    return scores, wrong


def report(name: str, scores: dict[str, list[tuple]]) -> None:
    print(f"\n{name}\n\n| pairs | stories' pairs | pair precision mean (worst) | pair recall mean (worst) |")
    print("|---|---|---|---|")
    for kind, runs in scores.items():
        if not runs or not runs[0][2]:
            continue
        precisions = [tp / predicted if predicted else 1.0 for tp, predicted, _ in runs]
        recalls = [tp / actual for tp, _, actual in runs]
        print(
            f"| {kind} | {runs[0][2]} | {statistics.mean(precisions):.3f} ({min(precisions):.3f}) "
            f"| {statistics.mean(recalls):.3f} ({min(recalls):.3f}) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    articles = documents()
    stories = len({story for story, _, _ in articles})
    arabic_only = sum(1 for _, _, document in articles if not document.meta.title_translation)
    print(
        f"\n{len(articles)} articles ({arabic_only} Arabic only) in {stories} stories; {args.orders} orders of arrival;"
    )
    print(f"threshold {THRESHOLD}")
    scores, wrong = measure(articles, args.orders)
    report("As labelled (English titles where the set has them)", scores)
    arabic = measure(documents(english=False), args.orders)[0]
    report("Arabic side only (every English title dropped)", {KINDS[0]: arabic[KINDS[0]]})
    if wrong:
        print(
            "\nstory pairs grouped wrongly in some order (as labelled): "
            + "; ".join(f"{a} / {b}" for a, b in sorted(wrong))
        )
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
