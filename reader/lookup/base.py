"""What a word lookup returns, the contract an analyzer meets, and which words can be looked up.

The dataclasses are frozen and carry only strings and tuples, so a lookup can be cached, shared
between threads, and written as JSON (``to_dict``) for the CLI and the HTML view alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from reader.chars import has_arabic_letters
from reader.errors import InputError
from reader.normalize import model_text

MAX_WORD_CHARS = 40
"""Longer than any Arabic word with all its clitics (vowel marks included); longer input is refused."""

NOT_IN_DICTIONARY = "not in the dictionary"

PROCLITIC = "proclitic"
PREFIX = "prefix"
STEM = "stem"
SUFFIX = "suffix"
ENCLITIC = "enclitic"
KINDS = (PROCLITIC, PREFIX, STEM, SUFFIX, ENCLITIC)
"""Segment kinds, in the order they stand in a word: wa+bi+al (proclitics), ya (person prefix),
qul (stem), una (inflection suffix), hu (pronoun enclitic)."""

_DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_LETTER = "\u0621-\u063a\u0641-\u064a\u0671"
_ARABIC_RUN = re.compile(f"[{_LETTER}][{_LETTER}{_DIACRITICS}]*")
_FOLD = str.maketrans({"\u0671": "\u0627", "\u06cc": "\u064a", "\u06a9": "\u0643", "\u0640": None})


@dataclass(frozen=True)
class Segment:
    """One morpheme of a word: و "and", ال "the", رئيس "president", ون (they)..."""

    text: str
    """Arabic letters, no vowel marks (what a reader sees on the page)."""
    vocalized: str
    """The same with the dictionary's vowel marks."""
    kind: str
    """One of KINDS."""
    tag: str
    """The analyzer's part-of-speech tag for this morpheme (Buckwalter's: CONJ, PREP, DET, NOUN...)."""
    gloss: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "vocalized": self.vocalized, "kind": self.kind, "tag": self.tag, "gloss": self.gloss}


@dataclass(frozen=True)
class Analysis:
    """One reading of a word: how it splits, its dictionary entry, and what it means."""

    segments: tuple[Segment, ...]
    vocalized: str
    """The whole word with the dictionary's vowel marks."""
    lemma: str
    """The dictionary headword, in Arabic script."""
    pos: str
    """Part of speech of the stem, in words: "noun", "verb (imperfect)"..."""
    gloss: str
    """English meanings of the stem, separated by "; "."""
    transliteration: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": [s.to_dict() for s in self.segments],
            "vocalized": self.vocalized,
            "lemma": self.lemma,
            "pos": self.pos,
            "gloss": self.gloss,
            "transliteration": self.transliteration,
        }


@dataclass(frozen=True)
class Lookup:
    """A word's analyses, best first; for a word out of the dictionary, the clitic split that could be made."""

    word: str
    analyses: tuple[Analysis, ...]
    transliteration: str
    segments: tuple[Segment, ...] = ()
    """The word's split: the first analysis's, or for an unknown word its proclitics and the rest."""
    here: str = ""
    """What the word became in its sentence: its aligned English words ("the government")."""

    @property
    def in_dictionary(self) -> bool:
        return bool(self.analyses)

    @property
    def note(self) -> str:
        return "" if self.analyses else NOT_IN_DICTIONARY

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "transliteration": self.transliteration,
            "here": self.here,
            "in_dictionary": self.in_dictionary,
            "note": self.note,
            "segments": [s.to_dict() for s in self.segments],
            "analyses": [a.to_dict() for a in self.analyses],
        }


class Analyzer(Protocol):
    """A morphological analyzer: every analysis of a bare word (Arabic letters, no vowel marks)."""

    name: str

    def analyze(self, letters: str) -> tuple[Analysis, ...]:
        """All analyses, in the analyzer's own order; () when the word is not in its dictionary."""
        ...

    def split_clitics(self, letters: str) -> tuple[Segment, ...]:
        """For a word out of the dictionary: the proclitics it surely has, then the rest as the stem."""
        ...


@dataclass(frozen=True)
class Word:
    """A word as it can be looked up: ``text`` keeps the vowel marks it was written with."""

    text: str
    letters: str
    """``text`` without vowel marks: what the analyzer is asked about."""

    @property
    def marked(self) -> bool:
        return self.text != self.letters


def clean_word(raw: str) -> Word:
    """The word in ``raw``, or InputError with a one-line reason.

    Words come from the page split on spaces, so quotes, brackets, commas and digits cling to
    them (``«الحكومة»``, ``لـ12``): the longest run of Arabic letters (with its vowel marks) is
    the word. Tatweel, invisible controls and presentation forms are folded as for the model.
    """
    if not raw.strip():
        raise InputError("nothing to look up: the word is empty")
    if len(raw) > MAX_WORD_CHARS * 4:
        raise InputError(f"a word has at most {MAX_WORD_CHARS} characters; this input has {len(raw)}")
    text = model_text(raw, strip_diacritics=False).translate(_FOLD)
    if " " in text:
        raise InputError(f"{_shorten(raw)!r} is several words; look up one word at a time")
    runs = _ARABIC_RUN.findall(text)
    if not runs or not has_arabic_letters(text):
        raise InputError(f"{_shorten(raw)!r} has no Arabic letters to look up")
    word = max(runs, key=len)
    if len(word) > MAX_WORD_CHARS:
        raise InputError(f"a word has at most {MAX_WORD_CHARS} characters; this input has {len(word)}")
    return Word(text=word, letters="".join(ch for ch in word if ch not in _DIACRITICS))


def _shorten(value: str, limit: int = 30) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
