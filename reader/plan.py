"""Planning the model's inputs: what each displayed sentence becomes when it is sent to the model.

A sentence is normalized word by word (``reader.normalize.model_text``), so every model word
keeps a map back to the displayed word it came from; text without Arabic letters is passed
through untranslated; a sentence over the token budget is sub-split at clause boundaries
(``split_long``), and a single word over it is cut. The plan is what the pipeline translates and
what ``model_inputs`` lists for the sentence cache (``reader cache clear --article``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Protocol

from reader.chars import CLOSING_MARKS, INVISIBLE, OPENING_MARKS, has_arabic_letters, undecorated
from reader.document import word_spans
from reader.normalize import model_text

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.document import Document


class TokenCounter(Protocol):
    """What planning needs of a translator: its source subword count (every Translator has it)."""

    def count_tokens(self, text: str) -> int: ...


@dataclass(frozen=True)
class Part:
    """One model input: a whole sentence, or a clause of a long one."""

    text: str
    origin: tuple[int, ...]
    """Word j of ``text`` comes from word origin[j] of the displayed sentence."""
    passthrough: bool


@dataclass(frozen=True)
class Plan:
    parts: tuple[Part, ...]

    @property
    def passthrough(self) -> bool:
        return all(p.passthrough for p in self.parts)

    @property
    def model_text(self) -> str:
        return " ".join(p.text for p in self.parts)


def plan_sentence(source: str, tokens: TokenCounter, settings: Settings) -> Plan:
    """Normalize word by word and split into model inputs that fit the token budget."""
    model_words: list[str] = []
    origin: list[int] = []
    for index, (start, end) in enumerate(word_spans(source)):
        for word in model_text(source[start:end], strip_diacritics=settings.strip_diacritics).split():
            model_words.append(word)
            origin.append(index)
    whole = " ".join(model_words)
    if not has_arabic_letters(whole):
        return Plan((Part(whole, tuple(origin), passthrough=True),))
    if tokens.count_tokens(whole) <= settings.token_budget:
        return Plan((Part(whole, tuple(origin), passthrough=False),))
    parts = []
    for start, end in split_long(model_words, settings.token_budget, tokens.count_tokens):
        text = " ".join(model_words[start:end])
        # split_long never cuts a word; one over the budget alone (Arabic text run together without
        # spaces) would be truncated by the backend, so it is cut here and every piece translated.
        pieces = _cut(text, settings.token_budget, tokens.count_tokens) if end - start == 1 else [text]
        for piece in pieces:
            parts.append(Part(piece, tuple(origin[start:end]), passthrough=not has_arabic_letters(piece)))
    return Plan(tuple(parts))


def model_inputs(document: Document, tokens: TokenCounter, settings: Settings) -> list[str]:
    """Every distinct text the model is given for ``document``, in order: the sentence cache's keys for it."""
    texts = (
        part.text
        for pair in document.sentences
        for part in plan_sentence(pair.source, tokens, settings).parts
        if not part.passthrough
    )
    return list(dict.fromkeys(texts))


def _cut(word: str, budget: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Halve until each piece fits: about log2(len / piece) tokenizer passes over the word.

    A word without Arabic letters stays whole: it becomes a passthrough part, never sent.
    """
    if len(word) == 1 or not has_arabic_letters(word) or count_tokens(word) <= budget:
        return [word]
    middle = len(word) // 2
    return _cut(word[:middle], budget, count_tokens) + _cut(word[middle:], budget, count_tokens)


# --- sub-splitting long sentences for translation -------------------------------------------------

_TRAILING = CLOSING_MARKS + INVISIBLE


def split_long(words: Sequence[str], budget: int, count_tokens: Callable[[str], int]) -> list[tuple[int, int]]:
    """Word ranges [start, end) tiling ``words``, each within ``budget`` tokens where at all possible.

    The model loses words in long inputs, so over-budget sentences are cut at clause boundaries:
    after ``؛``/``;`` first, then after ``،``/``,``, then before a clause-initial ``و`` word, and only then
    between any two words. A single word over budget becomes its own range; no word is ever cut or dropped.
    Tokens are counted once per word and summed, then each final range is checked with one real count,
    so a 20,000-character sentence costs a linear number of tokenizer calls.
    """
    if budget < 1:
        raise ValueError(f"token budget must be positive, got {budget}")
    n = len(words)
    if n == 0:
        return []
    if count_tokens(" ".join(words)) <= budget:
        return [(0, n)]
    # Tokenizers add fixed tokens (e.g. </s>) to every input; count them once per range, not per word.
    overhead = max(0, count_tokens(""))
    prefix = list(accumulate((max(0, count_tokens(w) - overhead) for w in words), initial=0))

    def fits(a: int, b: int) -> bool:
        return prefix[b] - prefix[a] + overhead <= budget

    levels = [
        [i + 1 for i, w in enumerate(words[:-1]) if w.rstrip(_TRAILING).endswith(("؛", ";"))],
        [i + 1 for i, w in enumerate(words[:-1]) if w.rstrip(_TRAILING).endswith(("،", ","))],
        [i for i in range(1, n) if _is_clause_waw(words[i])],
    ]

    def split(a: int, b: int, level: int) -> list[tuple[int, int]]:
        if b - a == 1 or fits(a, b):
            return [(a, b)]
        if level == len(levels):
            return _pack(list(range(a, b + 1)), fits)
        cuts = levels[level]
        inner = cuts[bisect.bisect_right(cuts, a) : bisect.bisect_left(cuts, b)]
        if not inner:
            return split(a, b, level + 1)
        return [piece for s, e in _pack([a, *inner, b], fits) for piece in split(s, e, level + 1)]

    def verify(a: int, b: int) -> list[tuple[int, int]]:
        if b - a == 1 or count_tokens(" ".join(words[a:b])) <= budget:
            return [(a, b)]
        mid = (a + b) // 2
        return verify(a, mid) + verify(mid, b)

    return [piece for s, e in split(0, n, 0) for piece in verify(s, e)]


def _pack(points: list[int], fits: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Greedily merge the consecutive segments between cut ``points`` into ranges that fit."""
    ranges = []
    i = 0
    while i < len(points) - 1:
        j = i + 1
        while j + 1 < len(points) and fits(points[i], points[j + 1]):
            j += 1
        ranges.append((points[i], points[j]))
        i = j
    return ranges


def _is_clause_waw(word: str) -> bool:
    """A word like وقال or وأضاف: the conjunction و joined to a word of at least two letters."""
    bare = undecorated(word).lstrip(OPENING_MARKS)
    return len(bare) >= 3 and bare[0] == "و" and bare[1].isalpha() and bare[2].isalpha()
