"""Finding glossary terms in Arabic text, and checking that the translation carries their rendering.

Glossaries elsewhere match terms as exact strings, so they miss an Arabic word with و, ب or ال
attached. Here a term matches whole words only, but looks through the proclitics written onto a
word (the conjunctions و ف, the prepositions ب ل ك, the article ال, and their combinations: وبالرئيس,
فللرئيس), and through the spelling variants ``reader.chars.fold_arabic`` folds (diacritics,
tatweel, hamza and alef forms). Enclitic pronouns (ـه ـها ـهم) are not looked through: they change
what the word refers to.

A match reports the span of source words it covers, so a fix can place the rendering where the
word alignment puts the term. Nothing here touches the model's input: no placeholder is ever put
into it (Marian's developers and OPUS-CAT report that placeholders break with these models).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from reader.chars import has_arabic_letters
from reader.clitics import find_phrases, phrase_stems
from reader.document import Flag, SentencePair
from reader.errors import InputError


@dataclass(frozen=True)
class Term:
    """An Arabic term (one or more words) and the English rendering the reader wants for it."""

    arabic: str
    english: str

    def __post_init__(self) -> None:
        if not self.arabic.split() or not all(has_arabic_letters(word) for word in self.arabic.split()):
            raise InputError(f"the glossary term {self.arabic!r} is not Arabic words (each needs an Arabic letter)")
        if not _english_words(self.english):
            raise InputError(f"the glossary term {self.arabic!r} has no English rendering")

    @property
    def stems(self) -> tuple[frozenset[str], ...]:
        """Per word, the folded forms a source word may reduce to: as written, and without its article."""
        return phrase_stems(self.arabic)


@dataclass(frozen=True)
class Match:
    """Where a term occurs: source words ``start`` to ``end`` (exclusive), as ``str.split()`` counts them."""

    term: Term
    start: int
    end: int


def find_terms(source: str, terms: Iterable[Term]) -> list[Match]:
    """Every occurrence of every term in ``source``, in word order (a longer term first where two start together)."""
    terms = list(terms)
    return [Match(terms[n], start, end) for n, start, end in find_phrases(source, [t.stems for t in terms])]


def has_rendering(translation: str, english: str) -> bool:
    """Whether ``translation`` says ``english``: whole words, any case, a plural or possessive allowed.

    "minister" is found in "the Ministers' meeting" and "Minister's"; "Sisi" in "al-Sisi"; but
    "man" is not found in "mankind".
    """
    return bool(english_spans(translation, english))


def english_spans(translation: str, english: str) -> list[tuple[int, int]]:
    """Where ``translation`` says ``english`` (as ``has_rendering`` decides): (first word, end word) as
    ``str.split()`` counts words, so a match can be marked where it is written."""
    wanted = _english_words(english)
    parts = [(n, part) for n, word in enumerate(translation.split()) for part in _english_words(word)]
    if not wanted:
        return []
    return [
        (parts[i][0], parts[i + len(wanted) - 1][0] + 1)
        for i in range(len(parts) - len(wanted) + 1)
        if all(_same_word(parts[i + k][1], w) for k, w in enumerate(wanted))
    ]


def missing_terms(source: str, translation: str, terms: Iterable[Term]) -> list[Match]:
    """The matches in ``source`` whose term's rendering is not in ``translation``."""
    return [m for m in find_terms(source, terms) if not has_rendering(translation, m.term.english)]


def check(pair: SentencePair, terms: Sequence[Term]) -> SentencePair:
    """``pair`` with the glossary flag set when a term it holds is missing from what it shows, cleared when not.

    ``pair.glossary`` names the terms (their Arabic); the flag says there are some. An untranslated
    pair is left as it is.
    """
    if not pair.shown:
        return pair
    flags = set(pair.flags) - {Flag.GLOSSARY}
    missing = tuple(dict.fromkeys(m.term.arabic for m in missing_terms(pair.source, pair.shown, terms)))
    if missing:
        flags.add(Flag.GLOSSARY)
    if flags == set(pair.flags) and missing == pair.glossary:
        return pair
    return replace(pair, flags=tuple(sorted(flags)), glossary=missing)


_ENGLISH_WORD = re.compile(r"\w+")


def _english_words(text: str) -> list[str]:
    """Lowercased words without accents: "Minister's" -> minister, s; "al-Sīsī" -> al, sisi."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _ENGLISH_WORD.findall(plain.casefold())


def _same_word(found: str, wanted: str) -> bool:
    """Equal, or one the plural of the other: minister(s), box(es), party/parties."""
    if found == wanted:
        return True
    short, long = sorted((found, wanted), key=len)
    return long in (short + "s", short + "es") or (short.endswith("y") and long == short[:-1] + "ies")
