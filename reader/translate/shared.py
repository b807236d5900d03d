"""Decorators for one loaded model shared by many threads (the app's sessions).

``SharedTranslator`` serializes every call: model backends are not safe to call from several
threads at once. ``RunTranslator`` is one run's view of it, counting the model calls that run's
own requests caused, so the app can say "nothing sent to the model" for a re-opened article.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence

from reader.translate.base import Translation
from reader.translate.cached import CachedTranslator


class SharedTranslator:
    """One cached translator for the whole process, used one call at a time."""

    def __init__(self, inner: CachedTranslator) -> None:
        self.inner = inner
        self.lock = threading.Lock()

    def for_run(self) -> RunTranslator:
        return RunTranslator(self)


class RunTranslator:
    """One translation run's view of a shared translator: serialized calls, and its own model-call count."""

    def __init__(self, shared: SharedTranslator) -> None:
        self._shared = shared
        self.model_calls = 0
        """Batches this run sent to the model (cache misses only); 0 means it was all cached."""

    @property
    def fingerprint(self) -> str:
        return self._shared.inner.fingerprint

    @property
    def model_fingerprint(self) -> str:
        return self._shared.inner.model_fingerprint

    @property
    def workers(self) -> int:
        return self._shared.inner.workers

    def count_tokens(self, text: str) -> int:
        with self._shared.lock:
            return self._shared.inner.count_tokens(text)

    def lookup(self, sentences: Sequence[str]) -> dict[str, Translation]:
        with self._shared.lock:
            return self._shared.inner.lookup(sentences)

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        inner = self._shared.inner
        with self._shared.lock:
            before = inner.model_calls
            result = inner.translate_batch(sentences)
            self.model_calls += inner.model_calls - before
        return result

    def translate_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[Translation]]:
        """The model's pipelined chunks, each step under the lock: other runs' calls go in between."""
        inner = self._shared.inner
        steps = inner.translate_chunks(chunks)
        while True:
            with self._shared.lock:
                before = inner.model_calls
                translations = next(steps, None)
                self.model_calls += inner.model_calls - before
            if translations is None:
                return
            yield translations

    # Post-editing (reader.translate.base.PostEditing): one reader's request at a time, like the rest.

    def alternatives(self, sentence: str, n: int) -> list[Translation]:
        with self._shared.lock:
            return self._shared.inner.alternatives(sentence, n)

    def complete(self, sentence: str, prefix: str, avoid: Sequence[str] = ()) -> Translation:
        with self._shared.lock:
            return self._shared.inner.complete(sentence, prefix, avoid)

    def next_words(self, sentence: str, prefix: str, n: int) -> list[Translation]:
        with self._shared.lock:
            return self._shared.inner.next_words(sentence, prefix, n)

    def align(self, sentence: str, translation: str) -> Translation:
        with self._shared.lock:
            return self._shared.inner.align(sentence, translation)
