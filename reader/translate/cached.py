"""A Translator that answers from the sentence cache and sends only the misses to the model."""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from reader.errors import CacheError, ModelError
from reader.translate.base import Translation, Translator, post_editing, translate_chunks, workers_of
from reader.translate.cache import CacheWarning, SentenceCache


class CachedTranslator:
    """Wraps any Translator: a sentence already translated by the same model and settings costs no model call.

    A cache that fails (disk full, unreadable file) costs speed only: the failure is reported as a
    CacheWarning and translation goes on without it.
    """

    def __init__(self, inner: Translator, cache: SentenceCache, *, refresh: bool = False) -> None:
        self.inner = inner
        self.cache = cache
        self.refresh = refresh
        """Force re-translation: never read the cache, but store the new results."""
        self.model_calls = 0
        """Calls made to ``inner.translate_batch``."""
        self.hits = 0
        """Distinct sentences answered from the cache (by ``translate_batch`` or ``lookup``)."""
        self.misses = 0
        """Distinct sentences sent to the model."""

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    @property
    def model_fingerprint(self) -> str:
        return self.inner.model_fingerprint

    @property
    def workers(self) -> int:
        return workers_of(self.inner)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def lookup(self, sentences: Sequence[str]) -> dict[str, Translation]:
        """Cached translations only; never runs the model, so cached sentences can be shown at once."""
        found = self._read(list(dict.fromkeys(sentences)))
        self.hits += len(found)
        return found

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        (translations,) = self.translate_chunks([sentences])
        return translations

    def translate_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[Translation]]:
        """Each chunk answered from the cache where it can, its misses sent to the model, pipelined
        when the model can (``reader.translate.base.translate_chunks``), and cached as they come."""
        pending: deque[tuple[Sequence[str], dict[str, Translation], list[str]]] = deque()

        def misses() -> Iterator[list[str]]:
            for sentences in chunks:
                unique = list(dict.fromkeys(sentences))
                found = self._read(unique)
                self.hits += len(found)
                missing = [sentence for sentence in unique if sentence not in found]
                pending.append((sentences, found, missing))
                yield missing

        for fresh in translate_chunks(self.inner, misses()):
            sentences, found, missing = pending.popleft()
            if missing:
                self.model_calls += 1
                self.misses += len(missing)
                if len(fresh) != len(missing):
                    raise ModelError(f"the model returned {len(fresh)} translations for {len(missing)} sentences")
                new = dict(zip(missing, fresh, strict=True))
                self._write(new)
                found.update(new)
            yield [found[sentence] for sentence in sentences]

    # Post-editing passes through to the model and is never cached: none of it is the machine version.
    # The one cached thing is the machine version itself, which leads the alternatives.

    def alternatives(self, sentence: str, n: int) -> list[Translation]:
        """The machine version first (from the cache when it is there), then the model's other candidates.

        The first is then always what the document shows, even when a beam widened for ``n`` finds
        something the usual search did not.
        """
        editor = post_editing(self.inner)
        machine = self.translate_batch([sentence])[0]
        others = [t for t in editor.alternatives(sentence, n) if t.text != machine.text]
        return [machine, *others][:n]

    def complete(self, sentence: str, prefix: str, avoid: Sequence[str] = ()) -> Translation:
        return post_editing(self.inner).complete(sentence, prefix, avoid)

    def next_words(self, sentence: str, prefix: str, n: int) -> list[Translation]:
        return post_editing(self.inner).next_words(sentence, prefix, n)

    def align(self, sentence: str, translation: str) -> Translation:
        return post_editing(self.inner).align(sentence, translation)

    def _read(self, sentences: list[str]) -> dict[str, Translation]:
        if self.refresh or not sentences:
            return {}
        try:
            return self.cache.get_many(self.fingerprint, sentences)
        except CacheError as exc:
            warnings.warn(CacheWarning(f"{exc}; translating without the cache"), stacklevel=3)
            return {}

    def _write(self, items: dict[str, Translation]) -> None:
        try:
            self.cache.put_many(self.fingerprint, items)
        except CacheError as exc:
            warnings.warn(CacheWarning(f"{exc}; this translation was not cached"), stacklevel=3)

    def __repr__(self) -> str:
        return f"CachedTranslator({self.inner!r}, {self.cache!r}, refresh={self.refresh})"
