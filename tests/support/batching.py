"""For batch tests: generated Arabic articles whose every sentence is distinct, what the fake backend
makes of them, and ``batch``, which runs ``run_batch`` with its options spelled as keywords."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reader.batch import BatchOptions, BatchSummary, run_batch
from tests.support.fake import transliterate

_DIGITS = "ابتثجحخدذر"
_WORDS = ["قال", "الوزير", "إن", "الحكومة", "ستبني", "مدرسة", "جديدة", "في", "المدينة", "هذا", "العام"]


def tag(number: int) -> str:
    """An Arabic-letter word unique to ``number`` (so every generated sentence is distinct)."""
    return "".join(_DIGITS[int(d)] for d in str(number))


def sentences_for(article: int, count: int = 3) -> list[str]:
    return [
        " ".join([_WORDS[(article + i + j) % len(_WORDS)] for j in range(5)] + [tag(article * 100 + i)]) + "."
        for i in range(count)
    ]


def article_text(article: int, count: int = 3) -> str:
    return "\n".join(sentences_for(article, count)) + "\n"


def expected_translation(sentence: str) -> str:
    return " ".join(transliterate(w) for w in sentence.split())


def batch(sources: Sequence[str], out: Path, **options: Any) -> BatchSummary:
    """``run_batch(sources, out, BatchOptions(**options))``."""
    return run_batch(sources, out, BatchOptions(**options))
