"""Choosing among a word's analyses: by the vowel marks it was written with, and by its translation here.

A bare Arabic word is ambiguous (علم: flag, knowledge, he knew, he taught); the page gives two
clues. Vowel marks the writer put in rule analyses out. The word's aligned English words in this
sentence say which meaning the translation took: the analysis whose gloss shares a word with them
comes first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reader.document import SentencePair, word_spans
from reader.lookup.base import Analysis, Word

_MARKS = frozenset("\u064e\u064f\u0650\u0651\u0652\u0670")
"""Short vowels, shadda, sukun, dagger alif. Tanween is left out: it is a case ending, which the
dictionary's stems do not carry, and writers put it on either side of the final alif."""
_ENGLISH_WORD = re.compile(r"[a-z]+")
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")
_STOPWORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "as", "is", "are"}
    | {"was", "were", "be", "been", "it", "its", "he", "she", "they", "them", "his", "her", "their", "this", "that"}
)


def narrow(analyses: Sequence[Analysis], word: Word) -> tuple[Analysis, ...]:
    """The analyses whose vowels agree with the marks written on ``word``; all of them if none does.

    A mark on a letter rules an analysis out only where the analysis marks that letter
    differently; marks on the last letter (case endings) are not compared.
    """
    if not word.marked:
        return tuple(analyses)
    written = _marks_by_letter(word.text)
    kept = tuple(a for a in analyses if _agrees(written, _marks_by_letter(a.vocalized)))
    return kept or tuple(analyses)


def _marks_by_letter(text: str) -> list[tuple[str, set[str]]]:
    out: list[tuple[str, set[str]]] = []
    for ch in text:
        if ch in _MARKS:
            if out:
                out[-1][1].add(ch)
        elif "\u064b" <= ch <= "\u064d":
            continue
        else:
            out.append((ch, set()))
    return out


def _agrees(written: list[tuple[str, set[str]]], analysis: list[tuple[str, set[str]]]) -> bool:
    if [letter for letter, _ in written] != [letter for letter, _ in analysis]:
        return True  # spelt differently (آ for ا...): nothing to compare letter by letter
    return all(not theirs or mine <= theirs for (_, mine), (_, theirs) in zip(written[:-1], analysis[:-1], strict=True))


def rank(analyses: Sequence[Analysis], here: str) -> tuple[Analysis, ...]:
    """Analyses whose gloss shares content words with ``here`` first (most shared first), else in order."""
    wanted = _content_words(here)
    if not wanted:
        return tuple(analyses)
    return tuple(sorted(analyses, key=lambda a: -len(wanted & _content_words(a.gloss))))


def _content_words(text: str) -> set[str]:
    return {_stem(w) for w in _ENGLISH_WORD.findall(text.lower()) if w not in _STOPWORDS}


def _stem(word: str) -> str:
    """A crude English stem, enough to match a gloss's "school" with a translation's "schools"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def aligned_english(sentence: SentencePair, word_index: int) -> str:
    """The translation words aligned to source word ``word_index``, in their order: "the government".

    Words that are not next to each other are joined with an ellipsis ("The … boy").
    """
    spans = word_spans(sentence.translation)
    targets = sorted({t for s, t in sentence.alignment if s == word_index and 0 <= t < len(spans)})
    out: list[str] = []
    previous = None
    for t in targets:
        word = _EDGE_PUNCTUATION.sub("", sentence.translation[spans[t][0] : spans[t][1]])
        if not word:
            continue
        if previous is not None and t != previous + 1:
            out.append("…")
        out.append(word)
        previous = t
    return " ".join(out)
