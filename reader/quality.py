"""Per-sentence quality flags: cheap checks for the ways Marian models are known to fail.

Each check compares the text the model saw with what it produced. Flags are stored in the
document and shown by the app and the exports; nothing here changes a translation.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from reader.chars import ARABIC_DECIMAL_SEPARATOR, ARABIC_THOUSANDS_SEPARATOR
from reader.document import Flag

LOW_SCORE_THRESHOLD = -1.5
"""Mean token log-probability below which a translation is flagged (about 22% per-token confidence)."""
MIN_WORDS_FOR_RATIO = 4
MIN_RATIO = 0.4
MAX_RATIO = 3.5
MAX_LOOP_NGRAM = 8
"""Longest repeated phrase (in words) looked for: Marian loops on whole clauses, not only single words."""

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_WORD = re.compile(r"\w+")
# The Arabic decimal and thousands separators (٣٫٥, ١٢٬٠٠٠) read as their ASCII counterparts.
_SEPARATORS = {ord(ARABIC_DECIMAL_SEPARATOR): ".", ord(ARABIC_THOUSANDS_SEPARATOR): ","}


def repeated_run(words: list[str], *, max_n: int = MAX_LOOP_NGRAM, min_repeats: int = 3) -> bool:
    """True when some n-gram (n <= max_n) repeats back to back at least ``min_repeats`` times."""
    length = len(words)
    for n in range(1, max_n + 1):
        needed = max(min_repeats, 4) if n == 1 else min_repeats
        for start in range(length - n * needed + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, needed)):
                return True
    return False


def numbers(text: str) -> Counter[str]:
    """Numbers as ASCII digit strings, thousands separators dropped and decimal points kept.

    12,000 -> 12000; Eastern Arabic and Persian digits count as the same numbers: ٣٫٥ -> 3.5.
    """
    found: Counter[str] = Counter()
    for match in _NUMBER.finditer(_ascii_digits(text)):
        token = match.group()
        groups = re.split(r"[.,]", token)
        if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and "," in token:
            found["".join(groups)] += 1
        else:
            found[token.replace(",", ".")] += 1
    return found


def _ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit, and Arabic separators as ASCII ones."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text).translate(_SEPARATORS)


def assess(model_source: str, translation: str, score: float | None) -> tuple[str, ...]:
    """Flags for one translated sentence. ``model_source`` is the normalized text the model saw."""
    flags: set[str] = set()
    source_words = _WORD.findall(model_source.lower())
    target_words = _WORD.findall(translation.lower())
    if repeated_run(target_words) and not repeated_run(source_words):
        flags.add(Flag.REPETITION)
    if source_words:
        # Short sources get a floor on the expected length: a three-word headline that comes back
        # as a paragraph is a hallucination, and nothing at all for real words is a loss.
        too_long = len(target_words) > MAX_RATIO * max(len(source_words), MIN_WORDS_FOR_RATIO)
        too_short = len(source_words) >= MIN_WORDS_FOR_RATIO and len(target_words) < MIN_RATIO * len(source_words)
        if too_long or too_short or not target_words:
            flags.add(Flag.LENGTH_RATIO)
    if numbers(model_source) - numbers(translation):
        flags.add(Flag.NUMBER_MISMATCH)
    if score is not None and score < LOW_SCORE_THRESHOLD:
        flags.add(Flag.LOW_SCORE)
    return tuple(sorted(flags))
