"""Cross-request batching: every request's sentences go to the model through one queue, served by lanes.

A CPU model runs fastest on full batches, and a backend is not safe to call from several threads at
once. So the server's translator is used only from the batcher's threads, its lanes. Request threads
hand it their sentences (``submit``) and wait; a free lane takes the oldest job, adds the jobs that
arrived behind it (waiting a few milliseconds for more only while other requests are in flight and not
yet queued), and makes one batch of them all, their repeats translated once. Jobs are taken strictly in
arrival order, so no caller waits behind one that came later. The queue is bounded in sentences: a
job that would overflow it is refused at once (``Busy``, the server's 429) instead of growing memory.

With one lane (a GPU, or a backend with one worker), the jobs that queue while the model decodes are
made the next batch and handed to the model before this one's results are read and aligned
(``translate_chunks``), so that Python work overlaps the next decoding.

CTranslate2 on CPU runs one batch per worker. There the batcher has a lane per worker, each with its
own copy of the translator sharing the model and the cache (``spread``): a lane that takes jobs while
the others are busy makes them one batch for one worker, and answers its requests as soon as that batch
is done. Sixteen clients then settle into a full batch per worker, each answered on its own, and
neither worker waits for the other's batch, nor for requests to come back, before it starts its next.
A lane that starts while the others are idle cuts its batch for every worker, as a lone call does.

Cache reads need no model, so they never queue here: ``ServedTranslator.lookup`` reads the sentence
cache from the request's own thread, and only the misses reach the batcher.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from typing import Any

from reader.errors import ReaderError
from reader.translate.base import Translation, workers_of
from reader.translate.cached import CachedTranslator

REGROUP = 0.05
"""A lane waits up to this fraction of its last batch's time for that batch's requests to come back, while
another lane keeps the model busy: a few milliseconds for opus-mt-sized batches, which then stay whole."""


class Busy(ReaderError):
    """The queue is full: the caller should try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Job:
    sentences: Sequence[str]
    future: Future
    call: Callable[[CachedTranslator], Any] | None = None
    """Work other than a plain batch (alternatives, forced alignment), run alone on the batcher's thread."""


@dataclass
class Stats:
    """What the batcher did (``/health`` shows it): batches sent to the model, their sentences, and the most
    requests one batch served."""

    batches: int = 0
    sentences: int = 0
    largest: int = 0
    most_requests: int = 0


class Batcher:
    """The only caller of a cached translator, from its lanes (see the module docstring)."""

    def __init__(
        self,
        translator: CachedTranslator,
        *,
        wait: float = 0.003,
        max_batch: int = 64,
        max_pending: int = 2048,
    ) -> None:
        self.translator = translator
        self.wait = wait
        """Seconds to wait for more requests before a batch goes, while others are in flight."""
        self.max_batch = max_batch
        """The most sentences one batch takes (a job larger than this still goes whole, alone)."""
        self.max_pending = max_pending
        """The most sentences queued at once; beyond it ``submit`` raises Busy."""
        self.stats = Stats()
        self._jobs: deque[_Job] = deque()
        self._pending = 0
        self._active = 0
        self._seconds_per_sentence = 0.05
        self._cond = threading.Condition()
        self._closed = False
        self._busy = 0
        """Lanes translating now (not waiting for jobs)."""
        self._holding = 0
        """Jobs taken by a lane and not yet answered."""
        self.lanes = _lanes(translator)
        self._threads = [
            threading.Thread(target=self._run, args=(lane,), name=f"reader-batcher-{n}", daemon=True)
            for n, lane in enumerate(self.lanes)
        ]
        for thread in self._threads:
            thread.start()

    # ---- the request side ---------------------------------------------------------------------

    def report(self) -> dict[str, int]:
        with self._cond:
            return asdict(self.stats) | {"waiting": self._pending}

    def session(self) -> _Session:
        """Count a request as in flight while it lasts: the batcher waits a moment for in-flight requests."""
        return _Session(self)

    def submit(self, sentences: Sequence[str]) -> Future:
        """Queue ``sentences`` for translation; the future gives one Translation each, in order."""
        return self._put(_Job(list(sentences), Future()))

    def call(self, work: Callable[[CachedTranslator], Any], size: int = 1) -> Future:
        """Queue ``work(translator)`` to run on a lane, in arrival order like any batch."""
        return self._put(_Job([""] * size, Future(), work))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def _put(self, job: _Job) -> Future:
        with self._cond:
            if self._closed:
                raise ReaderError("the server is shutting down")
            size = len(job.sentences)
            if self._pending and self._pending + size > self.max_pending:
                retry = max(1, round(self._pending * self._seconds_per_sentence))
                raise Busy(f"the translation queue is full ({self._pending} sentences waiting)", retry)
            self._pending += size
            self._jobs.append(job)
            self._cond.notify_all()
        return job.future

    # ---- the lanes ----------------------------------------------------------------------------

    def _run(self, lane: CachedTranslator) -> None:
        expect, patience = 0, 0.0
        while True:
            jobs = self._take(expect=expect, patience=patience)
            if jobs is None:
                return
            started = time.perf_counter()
            if len(self.lanes) > 1:
                with self._cond:
                    others = self._busy - 1
                lane.inner.spread = max(1, len(self.lanes) - others)  # type: ignore[attr-defined]
            try:
                if jobs[0].call is not None:
                    _settle(jobs[0].future, lambda job=jobs[0]: job.call(lane))
                    self._done(jobs, time.perf_counter() - started)
                else:
                    self._translate(lane, jobs)
                    if len(self.lanes) > 1:
                        expect, patience = len(jobs), REGROUP * (time.perf_counter() - started)
            finally:
                with self._cond:
                    self._busy -= 1

    def _take(self, *, block: bool = True, expect: int = 0, patience: float = 0.0) -> list[_Job] | None:
        """The oldest job and those that fit behind it (see the module docstring); None once closed.

        Not ``block``: only plain jobs already queued, at once (None when there are none), for the model to
        start on while it is still busy with the batch before. ``expect``: while another lane is busy, wait
        up to ``patience`` seconds for this many jobs (the requests this lane answered last, coming back).
        """
        with self._cond:
            if not block and (not self._jobs or self._jobs[0].call is not None):
                return None
            while not self._jobs:
                if self._closed:
                    return None
                self._cond.wait()
            first = self._jobs.popleft()
            self._holding += 1
            if block:
                self._busy += 1
            if first.call is not None:
                return [first]
            jobs = [first]
            size = len(first.sentences)
            now = time.monotonic()
            deadline, regroup = now + self.wait, now + patience
            while size < self.max_batch:
                if self._jobs and self._jobs[0].call is None:
                    if size + len(self._jobs[0].sentences) > self.max_batch:
                        break
                    jobs.append(self._jobs.popleft())
                    self._holding += 1
                    size += len(jobs[-1].sentences)
                    continue
                if not block or self._jobs or self._closed:
                    break
                # Wait only for requests in flight that have not queued anything yet, or for this lane's
                # last requests while another lane keeps the model busy.
                now = time.monotonic()
                unqueued = self._active > self._holding and now < deadline
                returning = len(jobs) < expect and self._busy > 1 and now < regroup
                if not (unqueued or returning):
                    break
                self._cond.wait(max(deadline if unqueued else 0, regroup if returning else 0) - now)
            return jobs

    def _translate(self, lane: CachedTranslator, first: list[_Job]) -> None:
        """Translate ``first`` on ``lane``. With one lane, then each batch already waiting behind it,
        pipelined: the model is handed the next batch before this one's results are read and aligned
        (``translate_chunks``), so its decoding overlaps that Python work. A failure fails the requests
        of every batch handed over."""
        from reader.translate.base import translate_chunks

        taken: deque[tuple[list[_Job], list[str]]] = deque()

        def batches() -> Iterator[list[str]]:
            jobs: list[_Job] | None = first
            while jobs:
                unique = list(dict.fromkeys(sentence for job in jobs for sentence in job.sentences))
                taken.append((jobs, unique))
                yield unique
                jobs = self._take(block=False) if len(self.lanes) == 1 else None

        started = time.perf_counter()
        try:
            for translations in translate_chunks(lane, batches()):
                jobs, unique = taken.popleft()
                results = dict(zip(unique, translations, strict=True))
                with self._cond:
                    self.stats.batches += 1
                    self.stats.sentences += len(unique)
                    self.stats.largest = max(self.stats.largest, len(unique))
                    self.stats.most_requests = max(self.stats.most_requests, len(jobs))
                for job in jobs:
                    job.future.set_result([results[sentence] for sentence in job.sentences])
                now = time.perf_counter()
                self._done(jobs, now - started)
                started = now
        except BaseException as exc:
            while taken:
                jobs, _ = taken.popleft()
                for job in jobs:
                    job.future.set_exception(exc)
                self._done(jobs, time.perf_counter() - started)

    def _done(self, jobs: list[_Job], elapsed: float) -> None:
        """Free the queue's room the jobs held, and learn how long a sentence takes (for Retry-After)."""
        size = sum(len(job.sentences) for job in jobs)
        with self._cond:
            self._pending -= size
            self._holding -= len(jobs)
            self._seconds_per_sentence = 0.8 * self._seconds_per_sentence + 0.2 * elapsed / max(1, size)


class _Session:
    def __init__(self, batcher: Batcher) -> None:
        self.batcher = batcher

    def __enter__(self) -> _Session:
        with self.batcher._cond:
            self.batcher._active += 1
        return self

    def __exit__(self, *_: object) -> None:
        with self.batcher._cond:
            self.batcher._active -= 1


def _lanes(translator: CachedTranslator) -> list[CachedTranslator]:
    """One lane per worker where the backend can cut a call for fewer workers (``spread``), else one: each a
    copy of the backend sharing its model (CTranslate2's translators are safe to call from several threads)
    behind its own cache decorator on the shared cache."""
    inner = getattr(translator, "inner", None)
    workers = workers_of(translator)
    if workers < 2 or not hasattr(inner, "spread"):
        return [translator]
    return [translator, *(_copy(translator) for _ in range(workers - 1))]


def _copy(translator: CachedTranslator) -> CachedTranslator:
    return CachedTranslator(copy.copy(translator.inner), translator.cache, refresh=translator.refresh)


def _settle(future: Future, work: Callable[[], Any]) -> None:
    try:
        future.set_result(work())
    except BaseException as exc:
        future.set_exception(exc)


class ServedTranslator:
    """The pipeline's Translator for one request: cache reads here, model work through the batcher.

    ``timeout`` bounds each wait on the batcher (``TimeoutError`` past it).
    """

    def __init__(self, batcher: Batcher, timeout: float) -> None:
        self.batcher = batcher
        self.timeout = timeout
        self._inner = batcher.translator

    @property
    def fingerprint(self) -> str:
        return self._inner.fingerprint

    @property
    def model_fingerprint(self) -> str:
        return self._inner.model_fingerprint

    @property
    def workers(self) -> int:
        return self._inner.workers

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)

    def lookup(self, sentences: Sequence[str]) -> dict[str, Translation]:
        return self._inner.lookup(sentences)

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        if not sentences:
            return []
        return self.batcher.submit(sentences).result(self.timeout)

    def alternatives(self, sentence: str, n: int) -> list[Translation]:
        return self._alone(lambda translator: translator.alternatives(sentence, n), n)

    def complete(self, sentence: str, prefix: str, avoid: Sequence[str] = ()) -> Translation:
        return self._alone(lambda translator: translator.complete(sentence, prefix, avoid))

    def next_words(self, sentence: str, prefix: str, n: int) -> list[Translation]:
        return self._alone(lambda translator: translator.next_words(sentence, prefix, n), n)

    def align(self, sentence: str, translation: str) -> Translation:
        return self._alone(lambda translator: translator.align(sentence, translation))

    def _alone(self, work: Callable[[CachedTranslator], Any], size: int = 1) -> Any:
        return self.batcher.call(work, size).result(self.timeout)
