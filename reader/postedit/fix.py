"""The engine side of the glossary's fix action: re-decode a sentence so that it carries a term's rendering.

The model's input is never touched (no placeholder, see ``reader.postedit.glossary``): the rendering
is put into the *output*, as a target prefix, where the word alignment places the term, and the
model finishes the sentence around it, kept from saying the replaced English again. Where the
alignment is unsure (a term aligned to an article and its noun), every position from the term's
first aligned English word to its last is tried. The plain substitution (the rendering in place of
the term's English, the rest kept) and the model's own alternatives that happen to contain the
rendering compete too: the candidate the model scores best among those that say the rendering wins.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from reader.config import Settings
from reader.postedit import engine as postedit
from reader.postedit.engine import EditingTranslator
from reader.postedit.glossary import Term, find_terms, has_rendering
from reader.translate.base import Translation

_TRAILING = ".,;:!?…\"'”’»)]}"
"""Punctuation that ends a word and stays when the word is replaced."""
MAX_PLACES = 6
"""English words of one term tried as places for its rendering: it rarely spans more."""
ALTERNATIVES = 8


def fix_term(
    source: str,
    translation: str,
    alignment: Sequence[tuple[int, int]],
    term: Term,
    translator: EditingTranslator,
    settings: Settings,
) -> Translation | None:
    """The best translation of ``source`` that contains ``term``'s rendering, or None when none is found.

    ``translation`` and ``alignment`` are the sentence's current version (machine or the reader's),
    its alignment over displayed words. None too when ``source`` does not hold the term.
    """
    matches = find_terms(source, [term])
    if not matches:
        return None
    span = range(matches[0].start, matches[0].end)
    words = translation.split()
    aligned = sorted({t for s, t in alignment if s in span and t < len(words)})[:MAX_PLACES]
    own = {t for t in aligned if all(s in span for s, u in alignment if u == t)}
    """The term's English that no other source word shares (a final "." also pairs with the last word)."""
    if aligned:
        places = list(range(aligned[0], aligned[-1] + 1))[:MAX_PLACES]
    else:
        before = [t for s, t in alignment if s < span.start and t < len(words)]
        places = [max(before) + 1 if before else 0]
    candidates = [
        postedit.complete(
            source,
            " ".join([*words[:place], _rendering(term.english, place, words)]),
            translator,
            settings,
            avoid=[words[t] for t in own if t >= place],
        )
        for place in places
    ]
    for first, last in itertools.combinations_with_replacement(aligned, 2):
        # the rendering in place of some of the term's English, the rest as it was
        ending = words[last][len(words[last].rstrip(_TRAILING)) :]
        edit = [*words[:first], _rendering(term.english, first, words) + ending, *words[last + 1 :]]
        candidates.append(postedit.forced(source, " ".join(edit), translator, settings))
    candidates += postedit.alternatives(source, translator, settings, ALTERNATIVES)
    found = [c for c in candidates if has_rendering(c.text, term.english)]
    return max(found, key=lambda c: c.score) if found else None


def _rendering(english: str, place: int, words: list[str]) -> str:
    """The rendering as it stands at ``place``: capitalized to open a sentence that opened with a capital."""
    english = " ".join(english.split())
    if place == 0 and words and words[0][:1].isupper():
        return english[:1].upper() + english[1:]
    return english
