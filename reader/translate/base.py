"""The contract every translation backend meets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from reader.config import default
from reader.errors import UnsupportedError


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

    beam: int = default("beam")
    max_length: int = 512
    no_repeat_ngram_size: int = 0

    def key(self) -> str:
        return f"beam={self.beam};max={self.max_length};nrng={self.no_repeat_ngram_size}"


OutputLengths = Callable[[str], "int | None"]
"""A benchmark's hook (``force_output_lengths`` on both backends): the exact number of target tokens
each input sentence's output runs to, end-of-sentence suppressed until then; None runs it to the
backend's length limit (the worst case for memory). Random-weight models give arbitrary output, so
this is how every contender of a speed benchmark does the same work. Translation never sets it."""


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


@runtime_checkable
class Pipelined(Protocol):
    """A translator that queues a call's work before the previous call's results are awaited.

    The pipeline makes several calls per document so that it fills in as it goes; a backend whose
    workers would otherwise wait at the end of each call for its slowest batch says so here.
    """

    def translate_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[Translation]]:
        """``translate_batch`` of each chunk, in order, one result per chunk pulled from ``chunks``."""
        ...


def translate_chunks(translator: Translator, chunks: Iterable[Sequence[str]]) -> Iterator[list[Translation]]:
    """``translate_batch`` of each chunk in turn (none for an empty one): pipelined where the translator
    can (``Pipelined``)."""
    if isinstance(translator, Pipelined):
        return translator.translate_chunks(chunks)
    return (translator.translate_batch(chunk) if chunk else [] for chunk in chunks)


@runtime_checkable
class PostEditing(Protocol):
    """A translator that decodes under the reader's control: n-best lists, their own first words, their edits.

    Both built-in backends have it, and the cache and shared decorators pass it through. Every
    result is a Translation like ``translate_batch``'s: its alignment over ``str.split()`` words of
    the sentence and of its text, from the alignment head (read by teacher-forcing the final
    text), and its score the mean log-probability of the text's tokens under the model. English
    given by the reader (a prefix, an edit) goes through the model's target tokenizer as it is:
    nothing is ever added to the model's input. None of these results is the machine version, so
    none is written to the sentence cache.
    """

    def alternatives(self, sentence: str, n: int) -> list[Translation]:
        """Up to ``n`` distinct whole-sentence translations, best first (the beam widens when ``n`` needs it)."""
        ...

    def complete(self, sentence: str, prefix: str, avoid: Sequence[str] = ()) -> Translation:
        """The model's best translation that starts with ``prefix`` exactly (its last word may be extended).

        The continuation never says a word of ``avoid`` (the words a glossary rendering replaces).
        """
        ...

    def next_words(self, sentence: str, prefix: str, n: int) -> list[Translation]:
        """Up to ``n`` completions of ``prefix``, each with a different next word, best first."""
        ...

    def align(self, sentence: str, translation: str) -> Translation:
        """``translation`` (say, the reader's edit) aligned to ``sentence`` by forced decoding, with its score."""
        ...


def post_editing(translator: object) -> PostEditing:
    """``translator`` as a PostEditing one, or a clear error naming it when its backend has no such decoding."""
    if isinstance(translator, PostEditing):
        return translator
    raise UnsupportedError(f"{translator!r} cannot offer alternatives, completions or forced alignment")
