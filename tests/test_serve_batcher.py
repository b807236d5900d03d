"""The server's batcher: requests that wait together share one model call, in arrival order, within a bound."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from reader.serve.batcher import Batcher, Busy
from reader.translate.base import Translation


class HeldModel:
    """A translator whose calls wait until released, recording what each call got."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.entered.set()
        assert self.release.wait(10)
        self.calls.append(list(sentences))
        return [Translation(sentence.upper()) for sentence in sentences]


def test_waiting_requests_share_a_call_in_arrival_order_and_a_full_queue_refuses():
    model = HeldModel()
    batcher = Batcher(model, wait=0.0, max_batch=4, max_pending=6)  # type: ignore[arg-type]
    try:
        first = batcher.submit(["a"])
        assert model.entered.wait(10)  # the model is busy with the first request
        second = batcher.submit(["b1", "b2"])
        third = batcher.submit(["c1"])
        fourth = batcher.submit(["c1", "d1"])
        with pytest.raises(Busy) as refused:
            batcher.submit(["e"])
        assert refused.value.retry_after >= 1
        model.release.set()
        assert first.result(10) == [Translation("A")]
        assert [t.text for t in second.result(10)] == ["B1", "B2"]
        assert [t.text for t in third.result(10)] == ["C1"]
        assert [t.text for t in fourth.result(10)] == ["C1", "D1"]
        # The oldest first; those behind it join while they fit in a batch; a later one never jumps ahead.
        assert model.calls == [["a"], ["b1", "b2", "c1"], ["c1", "d1"]]
        assert batcher.report()["most_requests"] == 2 and batcher.report()["waiting"] == 0
        assert batcher.submit(["e"]).result(10) == [Translation("E")]
    finally:
        batcher.close()


def test_a_failing_call_fails_its_requests_and_the_batcher_goes_on():
    class Failing(HeldModel):
        def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
            if "bad" in sentences:
                raise RuntimeError("model failure")
            return super().translate_batch(sentences)

    model = Failing()
    model.release.set()
    batcher = Batcher(model, wait=0.0)  # type: ignore[arg-type]
    try:
        with pytest.raises(RuntimeError, match="model failure"):
            batcher.submit(["bad"]).result(10)
        assert batcher.submit(["good"]).result(10) == [Translation("GOOD")]
    finally:
        batcher.close()


def test_the_next_batch_is_handed_to_the_model_before_this_ones_results_are_read():
    class Pipelined:
        """Like CTranslate2 through the cache: queues the next chunk before it reads the current one's results."""

        def __init__(self) -> None:
            self.log: list[tuple[str, list[str]]] = []
            self.entered = threading.Event()
            self.go = threading.Event()

        def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
            (out,) = self.translate_chunks([sentences])
            return out

        def translate_chunks(self, chunks):
            pulled = iter(chunks)
            current = next(pulled, None)
            self.log += [("queued", list(current))] if current is not None else []
            while current is not None:
                self.entered.set()
                assert self.go.wait(10)
                ahead = next(pulled, None)
                self.log += [("queued", list(ahead))] if ahead is not None else []
                self.log.append(("read", list(current)))
                yield [Translation(sentence.upper()) for sentence in current]
                current = ahead

    model = Pipelined()
    batcher = Batcher(model, wait=0.0)  # type: ignore[arg-type]
    try:
        first = batcher.submit(["a"])
        assert model.entered.wait(10)
        second = batcher.submit(["b"])
        model.go.set()
        assert first.result(10) == [Translation("A")] and second.result(10) == [Translation("B")]
        assert model.log == [("queued", ["a"]), ("queued", ["b"]), ("read", ["a"]), ("read", ["b"])]
        assert batcher.report() == {"batches": 2, "sentences": 2, "largest": 1, "most_requests": 1, "waiting": 0}
    finally:
        batcher.close()


class Workers:
    """A two-worker backend like CTranslate2's on CPU: ``spread`` says how many workers a call is cut for.
    A call waits for each of its sentences' events and records (sentence, spread); the lanes' copies share
    both (a shallow copy, as the model is shared)."""

    workers = 2
    fingerprint = "fake-two-workers"
    model_fingerprint = "fake"

    def __init__(self) -> None:
        self.spread = 0
        self.release: dict[str, threading.Event] = {}
        self.entered = threading.Event()
        self.calls: list[tuple[str, int]] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls += [(sentence, self.spread) for sentence in sentences]
        self.entered.set()
        for sentence in sentences:
            assert self.release.setdefault(sentence, threading.Event()).wait(10)
        return [Translation(sentence.upper()) for sentence in sentences]


def test_a_lane_per_worker_answers_its_requests_while_the_other_lane_is_busy(tmp_path):
    """With a lane per worker, a request taken while another lane decodes is one batch for one worker and is
    answered when it is done, not after the earlier, longer batch; a lane alone cuts its call for both."""
    from reader.translate.cache import SentenceCache
    from reader.translate.cached import CachedTranslator

    backend = Workers()
    batcher = Batcher(CachedTranslator(backend, SentenceCache(tmp_path / "cache.sqlite3")), wait=0.0)
    try:
        assert len(batcher.lanes) == 2
        assert batcher.lanes[0].inner is backend and batcher.lanes[1].inner is not backend  # a copy each
        slow = batcher.submit(["slow"])
        assert backend.entered.wait(10)
        fast = batcher.submit(["fast"])
        backend.release.setdefault("fast", threading.Event()).set()
        assert fast.result(10) == [Translation("FAST")]
        assert not slow.done()  # answered on its own lane while the first lane still decodes
        backend.release.setdefault("slow", threading.Event()).set()
        assert slow.result(10) == [Translation("SLOW")]
        # The lone call was cut for every worker; the one made while the other lane was busy, for one.
        assert sorted(backend.calls) == [("fast", 1), ("slow", 2)]
    finally:
        backend.release.setdefault("slow", threading.Event()).set()
        batcher.close()
