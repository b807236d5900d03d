"""Putting a displayed sentence's translation together from the translations of its model inputs.

The plan (``reader.plan``) cut a sentence into parts; the model translated each; here their texts,
scores and word alignments are joined back into one ``Translation`` over the displayed sentence's
words. The pipeline and post-editing both assemble sentences this way, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

from reader.align import to_display_words
from reader.plan import Part, Plan
from reader.translate.base import Translation


def copied(part: Part) -> Translation:
    """A passthrough part's translation: its own text, word for word."""
    return Translation(part.text, tuple((j, j) for j in range(len(part.origin))), 0.0, True)


def join(plan: Plan, translations: Sequence[Translation]) -> Translation:
    """The displayed sentence's translation from its parts' translations, in order.

    Texts are joined with single spaces; the alignment is over the displayed sentence's words
    (``reader.align.to_display_words``); the score is the parts' mean log-probabilities weighted by
    their length in words + 1 (passthrough parts, which no model scored, left out; 0.0 when every part
    is one). It is ``cached`` when every translated part came from the cache.
    """
    weighted = 0.0
    weight = 0
    cached = True
    for part, translation in zip(plan.parts, translations, strict=True):
        if part.passthrough:
            continue
        cached = cached and translation.cached
        tokens = len(translation.text.split()) + 1
        weighted += translation.score * tokens
        weight += tokens
    text = " ".join(" ".join(t.text.split()) for t in translations if t.text.split())
    alignment = to_display_words(
        (part.origin, t.text, t.alignment) for part, t in zip(plan.parts, translations, strict=True)
    )
    return Translation(text, alignment, weighted / weight if weight else 0.0, cached)
