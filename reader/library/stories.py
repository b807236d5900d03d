"""One row per story: near-duplicate grouping of the library's documents, placed one at a time.

Why MinHash/LSH (``datasketch``'s MinHash) and not TF-IDF cosine (scikit-learn): a new article must
be placed in milliseconds against ten thousand, without re-clustering, and the index must stay
derived and small. A MinHash signature is a fixed 96 numbers a document, computed from the
document alone (TF-IDF weights change with every document added, so stored vectors go stale);
LSH bands turn "which documents are similar to this one" into a few indexed lookups in SQLite
(``story_bands``), where cosine needs a vector search. The price is an estimate of Jaccard
similarity over word sets rather than a weighted cosine, which is enough for rewrites of one story.

What is compared: the document's words as sets, on both sides, with the noise of rewriting taken
out: Arabic words folded (``reader.clitics.letters``) and without their proclitics where a sequence
with the article says so (والرئيس and الرئيس are one word), English words lowercased; words of fewer
than three letters and the commonest function words dropped. (Pairs of neighbouring words were
tried: rewrites share fewer of them, so they narrowed the gap between a rewrite and another story.)
Different outlets rewriting one story share its names, numbers and content words; different
stories about the same people share the names only.

Placement (``place``): the candidates are the documents sharing an LSH band with the new one; the
most similar one whose estimated Jaccard is at least ``THRESHOLD`` gives its story, unless the reader
said the two are not one story (``story_apart`` in the reader's data, attached as ``state``); else
the document starts a story of its own. A story is named by the number of its first document.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from reader.clitics import WITH_ARTICLE, letters, split_readings
from reader.document import Document

NUM_PERM = 96
BANDS, ROWS = 48, 2
"""LSH: 48 bands of 2 rows: two documents at Jaccard 0.2 are candidates 86% of the time, at 0.3 98.6%, at 0.02 2%."""
THRESHOLD = 0.2
"""Estimated Jaccard of word sets from which two documents are one story (benchmarks/stories.py: chosen on its
first 32 articles, where rewrites of one story were 0.29 to 0.6 and different stories about the same people at
most 0.13; on the 65 of the grown set rewrites go down to 0.15 and other stories up to 0.24, so it errs both ways:
pair precision 0.82, recall 0.84, left as it was rather than tuned to the set)."""
SEED = 1
CANDIDATES = 256
"""The most LSH candidates compared with a new document (those sharing the most bands with it)."""
_STOP_WORDS = (
    "في من على الى ان عن مع هذا هذه التي الذي الذين كان كانت قد لم لن ما لا او ثم كما بين حيث عند بعد قبل"
    " خلال ذلك تلك وقد وكان وقال قال اليوم امس يوم وان انه انها الا حتى كل اي غير منذ لدى نحو ضد وفي ومن"
    " the and that with from this have has had was were been their they them its for are not but which said"
    " will would also about into after over more than other there when who what"
)
_STOP = frozenset(_STOP_WORDS.split())
STATEMENTS = (
    "CREATE TABLE story_docs (num INTEGER PRIMARY KEY, story INTEGER NOT NULL, signature BLOB NOT NULL)",
    "CREATE INDEX story_docs_story ON story_docs (story)",
    "CREATE TABLE story_bands (band INTEGER NOT NULL, key INTEGER NOT NULL, num INTEGER NOT NULL,"
    " PRIMARY KEY (band, key, num)) WITHOUT ROWID",
)
TABLES = frozenset({"story_docs", "story_bands"})


def words(document: Document) -> set[bytes]:
    """The document's comparable words (see the module docstring), as bytes for hashing."""
    tokens: list[str] = []
    texts = [(document.meta.title, document.meta.title_translation)]
    texts += [(s.source, s.shown) for s in document.sentences]
    for arabic, english in texts:
        tokens += [_arabic_token(w) for w in arabic.split()]
        tokens += [w.strip(".,;:!?\"'()[]«»“”‘’").casefold() for w in english.split()]
    return {t.encode("utf-8", errors="surrogatepass") for t in tokens if len(t) >= 3 and t not in _STOP}


@lru_cache(maxsize=1 << 16)
def _arabic_token(word: str) -> str:
    folded = letters(word)
    stems = [stem for stem, clitics in split_readings(folded).items() if clitics in WITH_ARTICLE and len(stem) >= 3]
    return min(stems, key=len) if stems else folded


def signature(shingles: Iterable[bytes]) -> bytes:
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard of two signatures: the share of equal minima."""
    import numpy as np

    x, y = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    return float(np.count_nonzero(x == y)) / NUM_PERM


def band_keys(sig: bytes) -> list[tuple[int, int]]:
    """(band, key): a 32-bit hash of each band's rows (a collision only adds a candidate, which is then compared)."""
    import zlib

    step = ROWS * 4
    return [(band, zlib.crc32(sig[band * step : (band + 1) * step])) for band in range(BANDS)]


def place(conn: sqlite3.Connection, num: int, id_: str, sig: bytes) -> int:
    """Put document ``num`` (signature ``sig``) in a story (see the module docstring); the story's number."""
    forget(conn, num)
    import numpy as np

    keys = band_keys(sig)
    # The candidates sharing the most bands first (shared bands grow as Jaccard squared): at most CANDIDATES
    # are compared, so a library where much looks alike still places an article in bounded time. One point
    # lookup a band (a row-value IN over the bands makes SQLite scan the table).
    shared: Counter[int] = Counter()
    for band, key in keys:
        shared.update(r[0] for r in conn.execute("SELECT num FROM story_bands WHERE band = ? AND key = ?", (band, key)))
    shared.pop(num, None)
    nearest = [n for n, _ in shared.most_common(CANDIDATES)]
    candidates = conn.execute(
        f"SELECT num, story, signature FROM story_docs WHERE num IN ({', '.join('?' * len(nearest))})", nearest
    ).fetchall()
    story = num
    if candidates:
        mine = np.frombuffer(sig, dtype="<u4")
        theirs = np.frombuffer(b"".join(c[2] for c in candidates), dtype="<u4").reshape(len(candidates), NUM_PERM)
        scores = (theirs == mine).sum(axis=1) / NUM_PERM
        ranked = sorted(zip(scores.tolist(), (c[1] for c in candidates), strict=True), reverse=True)
        if ranked[0][0] >= THRESHOLD:
            apart = _apart_stories(conn, id_)
            story = next((s for score, s in ranked if score >= THRESHOLD and s not in apart), num)
    conn.execute("INSERT INTO story_docs (num, story, signature) VALUES (?, ?, ?)", (num, story, sig))
    conn.executemany("INSERT OR IGNORE INTO story_bands (band, key, num) VALUES (?, ?, ?)", [(*k, num) for k in keys])
    return story


def replace(conn: sqlite3.Connection, num: int, id_: str) -> int:
    """Place document ``num`` again, from its stored signature (after the reader took it out of its story)."""
    found = conn.execute("SELECT signature FROM story_docs WHERE num = ?", (num,)).fetchone()
    return place(conn, num, id_, found[0]) if found is not None else num


def forget(conn: sqlite3.Connection, num: int) -> None:
    """Take document ``num`` out of its story; a story it named is named by its next document."""
    found = conn.execute("SELECT story, signature FROM story_docs WHERE num = ?", (num,)).fetchone()
    if found is None:
        return
    conn.execute("DELETE FROM story_docs WHERE num = ?", (num,))
    conn.executemany(
        "DELETE FROM story_bands WHERE band = ? AND key = ? AND num = ?", [(*k, num) for k in band_keys(found[1])]
    )
    if found[0] == num:
        conn.execute(
            "UPDATE story_docs SET story = (SELECT MIN(num) FROM story_docs WHERE story = ?) WHERE story = ?",
            (num, num),
        )


def _apart_stories(conn: sqlite3.Connection, id_: str) -> set[int]:
    """The stories holding a document the reader said is not one story with ``id_``."""
    rows = conn.execute(
        "SELECT DISTINCT s.story FROM state.story_apart a JOIN documents d ON d.id = a.b"
        " JOIN story_docs s ON s.num = d.num WHERE a.a = ?",
        (id_,),
    ).fetchall()
    return {r[0] for r in rows}
