"""The contract every translation backend meets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Translation:
    """What a backend returns for one input sentence."""

    text: str
    alignment: tuple[tuple[int, int], ...] = ()
    """(source word, target word) pairs; words are ``str.split()`` tokens of the input and of ``text``."""
    score: float = 0.0
    """Mean log-probability of the output tokens (<= 0; closer to 0 is more confident)."""
    cached: bool = False


@dataclass(frozen=True)
class DecodeSettings:
    """Decoding choices that change the output, so they are part of the cache key."""

    beam: int = 4
    max_length: int = 512
    no_repeat_ngram_size: int = 0

    def key(self) -> str:
        return f"beam={self.beam};max={self.max_length};nrng={self.no_repeat_ngram_size}"


@runtime_checkable
class Translator(Protocol):
    """Sentences in, one Translation per sentence out, in the same order."""

    @property
    def fingerprint(self) -> str:
        """Identifies model weights + backend + decoding settings: equal fingerprints give equal output.

        The sentence cache keys translations by it.
        """
        ...

    @property
    def model_fingerprint(self) -> str:
        """The weights alone (``reader.models.folder.fingerprint``): what documents record as their model's identity."""
        ...

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]: ...

    def count_tokens(self, text: str) -> int:
        """Source subword count, so the pipeline can keep inputs inside the model's budget."""
        ...


@runtime_checkable
class Parallel(Protocol):
    """A translator that runs several batches at once: CTranslate2's ``inter_threads`` workers on CPU."""

    @property
    def workers(self) -> int: ...


def workers_of(translator: object) -> int:
    """How many batches ``translator`` runs at once, as its backend says: 1 when it does not say."""
    return max(1, int(translator.workers)) if isinstance(translator, Parallel) else 1
