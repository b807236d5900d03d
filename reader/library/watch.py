"""Watchlists: named sets of terms that every document entering the library is matched against.

A term is Arabic, English, or a pair (``السيسي=Sisi``): Arabic is found through the proclitics and
spelling variants as the glossary and the search find it (``reader.clitics.find_phrases``),
English as whole words, any case, a plural allowed (``reader.postedit.glossary.english_spans``). A
pair matches a sentence holding either side. A watchlist may be limited to some feeds.

``Matcher`` compiles every watchlist once, so one document is matched against a hundred
watchlists in one pass over its words: each word's readings are looked up in a table of the terms'
first words, rather than every term tried at every word.

The library calls it where a document enters (``Library._watch``, from ``add`` and from batch's
``indexed``: feed checks, batch runs, the app and the API alike); hits are the reader's data
(``library.sqlite3``: ``watch_hits``), with the alerts they owe (``reader.library.alerts``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reader.chars import has_arabic_letters
from reader.clitics import article_variants, letters, phrase_stems, readings
from reader.document import Document
from reader.errors import LibraryError
from reader.postedit.glossary import english_spans

TITLE = -1
"""The sentence number a hit in the document's title gets."""
MAX_NAME = 80
MAX_TERMS = 200
_NAME = re.compile(r"^[^\x00-\x1f\x7f/\\]+$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class WatchTerm:
    """What to look for: Arabic words, English words, or both (a pair: either side matches)."""

    arabic: str = ""
    english: str = ""

    def __str__(self) -> str:
        return "=".join(part for part in (self.arabic, self.english) if part)


@dataclass(frozen=True)
class Watchlist:
    name: str
    terms: tuple[WatchTerm, ...]
    feeds: tuple[str, ...] = ()
    """Only documents of these feeds are matched (none: every document)."""
    webhook: str = ""
    """POST a JSON alert here when a document first matches (empty: no webhook)."""
    email: str = ""
    """Send an alert to this address through the SMTP server the settings name (empty: no e-mail)."""

    def applies_to(self, feed: str) -> bool:
        return not self.feeds or feed in self.feeds


@dataclass(frozen=True)
class WatchHit:
    """A sentence of a document that matched a watchlist, with the words matched on each side."""

    watchlist: str
    id: str
    sentence: int
    """Its index in the document, or TITLE."""
    source: str
    translation: str
    source_words: tuple[int, ...] = ()
    """Indices of the matched words, as ``str.split()`` counts them."""
    translation_words: tuple[int, ...] = ()
    terms: tuple[str, ...] = field(default=())
    found: float = 0.0

    def row(self, found: float) -> tuple:
        return (
            self.watchlist,
            self.id,
            self.sentence,
            self.source,
            self.translation,
            json.dumps(self.source_words),
            json.dumps(self.translation_words),
            json.dumps(self.terms, ensure_ascii=False),
            found,
        )

    @classmethod
    def from_row(cls, row: Sequence) -> WatchHit:
        name, id_, sentence, source, translation, source_words, translation_words, terms, found = row
        return cls(
            name,
            id_,
            int(sentence),
            source,
            translation,
            tuple(json.loads(source_words)),
            tuple(json.loads(translation_words)),
            tuple(json.loads(terms)),
            float(found),
        )


def parse_term(text: str) -> WatchTerm:
    """A term as typed: ``ARABIC=ENGLISH`` is a pair, else the script decides; LibraryError (one line) when empty."""
    text = " ".join(str(text).split())
    arabic, sep, english = text.partition("=")
    if sep:
        arabic, english = arabic.strip(), english.strip()
        if has_arabic_letters(english) and not has_arabic_letters(arabic):
            arabic, english = english, arabic
        if not arabic or not english or not has_arabic_letters(arabic) or has_arabic_letters(english):
            raise LibraryError(f"the watch term {text!r} is not a pair ARABIC=ENGLISH")
        term = WatchTerm(arabic, english)
    elif has_arabic_letters(text):
        term = WatchTerm(arabic=text)
    else:
        term = WatchTerm(english=text)
    if not any(ch.isalnum() for ch in str(term)):
        raise LibraryError(f"the watch term {text!r} has no word to look for")
    return term


def check_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name or len(name) > MAX_NAME or not _NAME.match(name):
        raise LibraryError(f"a watchlist name must be 1 to {MAX_NAME} characters, without / or \\: {name!r}")
    return name


class Matcher:
    """Every watchlist compiled once; ``match`` finds their hits in one document."""

    def __init__(self, watchlists: Iterable[Watchlist]) -> None:
        self.watchlists = list(watchlists)
        self._arabic: dict[str, list[tuple[int, str, tuple[frozenset[str], ...]]]] = defaultdict(list)
        self._english: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for number, watchlist in enumerate(self.watchlists):
            for term in watchlist.terms:
                if term.arabic:
                    stems = phrase_stems(term.arabic)
                    for first in stems[0]:
                        self._arabic[first].append((number, str(term), stems))
                parts = _english_parts(term.english)
                for key in _singulars(parts[0]) if parts else ():
                    self._english[key].append((number, str(term), term.english))

    def match(self, id_: str, document: Document) -> list[WatchHit]:
        """The hits of every watchlist that applies to the document's feed, title first, then in reading order."""
        wanted = {n for n, w in enumerate(self.watchlists) if w.applies_to(document.meta.feed)}
        if not wanted:
            return []
        pairs = [(n, s.source, s.shown) for n, s in enumerate(document.sentences)]
        if document.meta.title and document.meta.title_translation:
            pairs.insert(0, (TITLE, document.meta.title, document.meta.title_translation))
        hits = []
        for sentence, source, translation in pairs:
            found: dict[int, tuple[set[int], set[int], list[str]]] = {}
            for number, term, start, end in self._arabic_hits(source, wanted):
                words, _, terms = found.setdefault(number, (set(), set(), []))
                words.update(range(start, end))
                terms.append(term)
            for number, term, start, end in self._english_hits(translation, wanted):
                _, words, terms = found.setdefault(number, (set(), set(), []))
                words.update(range(start, end))
                terms.append(term)
            for number, (source_words, translation_words, terms) in sorted(found.items()):
                hits.append(
                    WatchHit(
                        self.watchlists[number].name,
                        id_,
                        sentence,
                        source,
                        translation,
                        tuple(sorted(source_words)),
                        tuple(sorted(translation_words)),
                        tuple(dict.fromkeys(terms)),
                    )
                )
        return hits

    def _arabic_hits(self, source: str, wanted: set[int]) -> Iterable[tuple[int, str, int, int]]:
        if not self._arabic or not has_arabic_letters(source):
            return
        words = [letters(word) for word in source.split()]
        for start, word in enumerate(words):
            for reading in readings(word):
                for number, term, stems in self._arabic.get(reading, ()):
                    end = start + len(stems)
                    if number in wanted and end <= len(words):
                        rest = zip(stems[1:], words[start + 1 : end], strict=True)
                        if all(stem & set(article_variants(w)) for stem, w in rest):
                            yield number, term, start, end

    def _english_hits(self, translation: str, wanted: set[int]) -> Iterable[tuple[int, str, int, int]]:
        if not self._english:
            return
        seen = {key for part in _english_parts(translation) for key in _singulars(part)}
        for key in seen & self._english.keys():
            for number, term, english in self._english[key]:
                if number in wanted:
                    for start, end in english_spans(translation, english):
                        yield number, term, start, end


def _singulars(word: str) -> set[str]:
    """The word and what it is the plural of, if it is one (ministers, parties, boxes): a text word and a term
    word that ``english_spans`` takes as one share one of these."""
    keys = {word}
    if word.endswith("s"):
        keys.add(word[:-1])
    if word.endswith("es"):
        keys.add(word[:-2])
    if word.endswith("ies"):
        keys.add(word[:-3] + "y")
    return keys


def _english_parts(text: str) -> list[str]:
    """Lowercased words without accents, as ``english_spans`` compares them."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _WORD.findall(plain.casefold())


def watchlists_from_rows(rows: Sequence[tuple[str, str, str, str, str]]) -> list[Watchlist]:
    """Watchlists from their stored rows (``StateStore.watchlists``)."""
    return [
        Watchlist(name, tuple(parse_term(t) for t in json.loads(terms)), tuple(json.loads(feeds)), webhook, email)
        for name, terms, feeds, webhook, email in rows
    ]
