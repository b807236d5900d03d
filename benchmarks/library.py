"""The reading library at scale: 10,000 synthetic documents of about 30 sentences each.

    .venv/bin/python benchmarks/library.py [--documents 10000] [--runs 7] [--keep DIR]

Documents are written as the library writes them (``Document.to_json``), in the Arabic of the
seed articles (their words, recombined) with English of a news-like vocabulary and word
alignments, dated over two years, from three feeds, some with quality flags. Measured in one run:

  index        rebuilding the index from the files (``Library.reindex``), documents per second
  list         the first page of the list (50 rows): on an open library (the app), and
               ``reader library list`` in-process (opening the library: its articles folder
               unchanged, no file is looked at)
  reopen       opening the library after a document file was added behind its back: every file's
               stamp is compared with the index, and the new one indexed
  search       an Arabic word typed with diacritics and an English word: the first page of
               results (20 documents, 3 marked hits each, ranked), for a rare and a common word;
               Arabic words are searched in every clitic form (reader.library.search), and the
               common Arabic word also as typed with a clitic (و + word); p95 as well as the median
  watch        matching one new document against 100 watchlists of three terms each (Arabic,
               English and pairs; reader.library.watch.Matcher.match), p50 and p95
  story        placing one new article in its story (reader.library.stories.place: its signature,
               the LSH lookup and the comparisons, against the 10,000), p50 and p95
  open         one document: its file read and parsed (``Library.get``), and with the Read page's
               view rendered (``reader.app.read.view_page``, word lookups included when installed)
  size         the index file against the documents' JSON on disk

Times are medians of ``--runs`` runs after one warm-up. Targets on 2 cores: list page and search
<= 100 ms (p95 for a common word), opening <= 300 ms, index <= 35% of the JSON, one document against
100 watchlists <= 20 ms, placing an article in its story <= 50 ms.

Each document mixes the seed articles' words (a quarter of its Arabic; a tenth of its English from
a news vocabulary) with the words of its topic (2,500 topics of 60 made-up Arabic and 60 made-up
English words, four documents a topic), so documents of one topic look like rewrites of one story
and the others do not (estimated Jaccard about 0.5 and 0.07): story grouping meets as many
candidates as a real library would, not one giant story.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.document import Document, Flag, Metadata, Paragraph, SentencePair  # noqa: E402
from reader.export import write_atomic  # noqa: E402
from reader.library import (  # noqa: E402
    Filters,
    Library,
    document_id,
    stories,
)
from reader.library.layout import INDEX_NAME, scan  # noqa: E402
from reader.library.watch import Matcher, Watchlist, WatchTerm  # noqa: E402

ENGLISH_TEXT = (
    "the president said government would increase spending on new schools and hospitals while critics warned "
    "that rising debt could breach limits set by parliament last year minister economy bank rates inflation "
    "prices talks summit security forces army border agreement election party leaders report officials city "
    "water energy solar plant desert investment project workers strike union court ruling protest students"
)
ENGLISH = ENGLISH_TEXT.split()
FEEDS = ("https://news.example/feed.xml", "https://agency.example/rss", "https://daily.example/atom")
RARE_EN = "archipelago"
RARE_AR = "الأرخبيل"


def seed_words() -> list[str]:
    words = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        words += [w for w in path.read_text(encoding="utf-8").split() if any("\u0621" <= c <= "\u064a" for c in w)]
    return words


COMMON_AR = Counter(w for w in seed_words() if len(w) >= 5 and w.isalpha()).most_common(1)[0][0]


TOPIC_DOCUMENTS = 4
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def topic_words(topic: int, letters: str = _LETTERS) -> list[str]:
    """60 made-up words of one topic (the same for every document of it), in Arabic or (``ascii_lowercase``) English."""
    rng = random.Random(f"topic-{topic}-{letters[:2]}")
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 7))) for _ in range(60)]


def synthetic(n: int, rng: random.Random, arabic: list[str]) -> tuple[str, Document]:
    text, paragraphs = "", []
    topic = topic_words(n // TOPIC_DOCUMENTS)
    topic_en = topic_words(n // TOPIC_DOCUMENTS, string.ascii_lowercase)
    for p in range(rng.randint(6, 10)):
        if p:
            text += "\n"
        start, pairs = len(text), []
        for s in range(rng.randint(3, 4)):
            words = [rng.choice(arabic if rng.random() < 1 / 4 else topic) for _ in range(rng.randint(8, 18))]
            if n % 50 == 0 and p == 1 and s == 0:
                words[2] = RARE_AR  # one document in fifty has the rare word, in both languages
            english = [rng.choice(ENGLISH if rng.random() < 1 / 10 else topic_en) for _ in range(int(len(words) * 1.3))]
            if RARE_AR in words:
                english[3] = RARE_EN
            if s:
                text += " "
            begin = len(text)
            text += " ".join(words) + "."
            alignment = tuple(sorted({(i, min(int(i * 1.3), len(english) - 1)) for i in range(len(words))}))
            flags = (Flag.LOW_SCORE,) if rng.random() < 0.02 else (Flag.CACHED,)
            pairs.append(SentencePair(begin, len(text), text[begin:], " ".join(english) + ".", alignment, -0.4, flags))
        paragraphs.append(Paragraph(start, len(text), tuple(pairs)))
    day = 1 + n % 700
    meta = Metadata(
        title=paragraphs[0].sentences[0].source,
        source=f"https://news.example/story/{n}",
        feed=FEEDS[n % 3] if n % 4 else "",
        date=time.strftime("%Y-%m-%d", time.gmtime(1_672_531_200 + day * 86400)),
        model="opus-mt-ar-en",
        model_fingerprint="3556e2ad923ad9f0",
    )
    return f"https://news.example/story/{n}", Document(text, tuple(paragraphs), meta)


def build(root: Path, count: int) -> None:
    rng = random.Random(15)
    arabic = seed_words()
    articles = root / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n in range(count):
        key, document = synthetic(n, rng, arabic)
        write_atomic(articles / f"{document_id(key)}.json", document.to_json().encode("utf-8"))
        if n % 1000 == 999:
            print(f"  wrote {n + 1:,} documents ({time.perf_counter() - started:.0f} s)", file=sys.stderr)


def place(library: Library, document: Document) -> None:
    """Place a new article in its story and take it out again (the index is left as it was)."""
    sig = stories.signature(stories.words(document))

    def write(conn) -> None:
        stories.place(conn, 1 << 40, "new", sig)
        stories.forget(conn, 1 << 40)

    library.index.db.write(write)


def timed(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up: the page cache and SQLite's
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def percentiles(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) of ``runs`` timed calls after one warm-up."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def watchlists(count: int, rng: random.Random, documents: int) -> list[Watchlist]:
    """``count`` watchlists of three terms (an Arabic word, an English word, and a pair), each a word of some
    topic (as a watched name is: in a few documents), drawn from the topics of the library's documents."""
    topics = documents // TOPIC_DOCUMENTS

    def word(letters: str = _LETTERS) -> str:
        return rng.choice(topic_words(rng.randrange(topics), letters))

    return [
        Watchlist(
            f"w{n}",
            (
                WatchTerm(arabic=word()),
                WatchTerm(english=word(string.ascii_lowercase)),
                WatchTerm(word(), word(string.ascii_lowercase)),
            ),
        )
        for n in range(count)
    ]


def reopen_after_change(root: Path, runs: int) -> float:
    """Median time to open the library when a document file appeared since it was last open."""
    _, document = synthetic(10**9, random.Random(1), seed_words())
    samples = []
    for n in range(runs + 1):
        extra = root / "articles" / f"added-behind-its-back-{n}.json"
        write_atomic(extra, document.to_json().encode("utf-8"))
        start = time.perf_counter()
        with Library(root) as library:
            library.open()
        samples.append(time.perf_counter() - start)
        with Library(root) as library:
            library.remove(extra.stem)
    return statistics.median(samples[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Build the library here (reused when it is there already).")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="With --keep: measure the kept index as it is (no rebuild timed)."
    )
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="reader-library-bench-"))
    if len(list(scan(root))) != args.documents:
        shutil.rmtree(root, ignore_errors=True)
        print(f"writing {args.documents:,} documents to {root}", file=sys.stderr)
        build(root, args.documents)
    json_bytes = sum(stamp.size for _, stamp in scan(root))
    sentences = 0

    with Library(root) as library:
        library.open()
        start = time.perf_counter()
        if not (args.keep and args.no_rebuild):
            library.reindex()
        index_s = time.perf_counter() - start
        sentences = sum(r.sentences for r in library.page(limit=args.documents).rows)
    for suffix in ("-wal", "-shm"):
        Path(f"{root / INDEX_NAME}{suffix}").unlink(missing_ok=True)
    index_bytes = (root / INDEX_NAME).stat().st_size

    from click.testing import CliRunner

    from reader.app.read import open_view, view_page
    from reader.cli import cli
    from reader.lookup import available

    with Library(root) as library:
        library.open()
        rows = library.page(limit=1).rows
        some = library.page(Filters(), offset=args.documents // 2, limit=1).rows[0].id
        results = {
            "list (open library)": timed(lambda: library.page(limit=50), args.runs),
            "list, unread from one feed": timed(lambda: library.page(Filters(feed=FEEDS[0], unread=True)), args.runs),
            "reader library list (in-process, opening the library)": timed(
                lambda: CliRunner().invoke(cli, ["library", "list", "--library", str(root), "--json"]), args.runs
            ),
            "reopen after a file was added (compares every file)": reopen_after_change(root, args.runs),
            f"search Arabic, rare: {RARE_AR[:2]}َ{RARE_AR[2:]}": timed(
                lambda: library.search(RARE_AR[:2] + "\u064e" + RARE_AR[2:]), args.runs
            ),
            f"search Arabic, common: {COMMON_AR}": timed(lambda: library.search(COMMON_AR), args.runs),
            f"search English, rare: {RARE_EN}": timed(lambda: library.search(RARE_EN), args.runs),
            "search English, common: breaches": timed(lambda: library.search("breaches"), args.runs),
            "open: read and parse the document": timed(lambda: library.get(some), args.runs),
        }

        def open_and_render() -> None:
            import reader.app.read as reading

            reading._pages.clear()  # a document opened for the first time: nothing cached
            view_page(library, open_view(library, some))

        results["open: and render the Read page's view" + (" (with lookups)" if available() else "")] = timed(
            open_and_render, args.runs
        )
        clitic = "و" + COMMON_AR
        p95 = {
            f"search Arabic, common: {COMMON_AR}": percentiles(lambda: library.search(COMMON_AR), args.runs * 3),
            f"search Arabic, common with a clitic: {clitic}": percentiles(
                lambda: library.search(clitic), args.runs * 3
            ),
            "search English, common: breaches": percentiles(lambda: library.search("breaches"), args.runs * 3),
        }
        rng = random.Random(7)
        matcher = Matcher(watchlists(100, rng, args.documents))
        fresh = [synthetic(rng.randrange(args.documents), rng, seed_words())[1] for k in range(args.runs * 3 + 1)]
        cycle = iter(fresh * 2)
        p95["watch: one document against 100 watchlists"] = percentiles(
            lambda: matcher.match("new", next(cycle)), args.runs * 3
        )
        hits = sum(len(matcher.match("new", d)) for d in fresh)
        cycle = iter(fresh * 2)
        p95["story: place one new article (signature, lookup, comparisons)"] = percentiles(
            lambda: place(library, next(cycle)), args.runs * 3
        )
        story_page = timed(lambda: library.stories(limit=50), args.runs)
        story_count = library.stories(limit=1).total
        counts = {
            "rare Arabic": library.search(RARE_AR).total,
            "common Arabic": library.search(COMMON_AR).total,
            "rare English": library.search(RARE_EN).total,
            "common English": library.search("breaches").total,
        }
        assert rows, "the library is empty"

    print(f"\n{args.documents:,} documents, {sentences:,} sentences, {json_bytes / 2**20:,.0f} MB of JSON; "
          f"{os.cpu_count()} CPUs\n")  # fmt: skip
    print("| measure | time |")
    print("|---|---|")
    if not (args.keep and args.no_rebuild):
        print(f"| index: rebuilt from the files | {index_s:.1f} s ({args.documents / index_s:,.0f} documents/s) |")
    for name, seconds in results.items():
        print(f"| {name} | {seconds * 1000:.1f} ms |")
    print(f"| list: one row per story (first page) | {story_page * 1000:.1f} ms |")
    print(f"| index size | {index_bytes / 2**20:,.1f} MB = {index_bytes / json_bytes:.1%} of the JSON |")
    print("\n| measure | p50 | p95 |")
    print("|---|---|---|")
    for name, (p50, p95_) in p95.items():
        print(f"| {name} | {p50 * 1000:.1f} ms | {p95_ * 1000:.1f} ms |")
    print(f"\nwatch hits in {len(fresh)} new documents: {hits}; stories in the library: {story_count:,}")
    print("\nmatching documents: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
