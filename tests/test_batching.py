"""How a backend cuts a call into batches: sorted by length, capped in padded tokens, one per worker."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from reader.translate.batching import padded_batches


def test_one_batch_per_worker_when_the_budget_allows():
    lengths = [10, 30, 20, 40, 25, 15]
    assert padded_batches(lengths, budget=10_000, workers=2) == [[3, 1, 4], [2, 5, 0]]
    assert padded_batches(lengths, budget=10_000, workers=1) == [[3, 1, 4, 2, 5, 0]]


def test_the_budget_counts_padded_tokens():
    # Unpadded, 40 + 30 + 25 = 95 would fit 100; padded to the longest it is 3 x 40 = 120.
    lengths = [40, 30, 25, 5, 5, 5, 5]
    assert padded_batches(lengths, budget=100, workers=1) == [[0, 1], [2, 3, 4], [5, 6]]


def test_when_the_budget_binds_the_batches_are_evened_out_if_the_workers_finish_sooner():
    lengths = [100] * 9
    assert [len(b) for b in padded_batches(lengths, budget=10_000, workers=2)] == [5, 4]
    assert [len(b) for b in padded_batches(lengths, budget=300, workers=2)] == [3, 2, 2, 2]  # not 3 + 3 + 3
    assert [len(b) for b in padded_batches(lengths, budget=400, workers=2)] == [4, 4, 1]  # as soon, fewer batches
    assert [len(b) for b in padded_batches(lengths, budget=200, workers=2)] == [2, 2, 2, 2, 1]


def test_an_input_over_the_budget_is_a_batch_of_its_own():
    assert padded_batches([500, 10, 10], budget=100, workers=1) == [[0], [1, 2]]


def test_ties_keep_their_order_and_nothing_is_empty():
    assert padded_batches([7, 7, 7, 7], budget=100, workers=2) == [[0, 1], [2, 3]]
    assert padded_batches([], budget=100, workers=2) == []
    assert padded_batches([3], budget=100, workers=4) == [[0]]
    assert padded_batches([3, 3, 3, 3, 3], budget=100, workers=4) == [[0, 1], [2, 3], [4]]


@given(
    lengths=st.lists(st.integers(min_value=1, max_value=300), max_size=60),
    budget=st.integers(min_value=1, max_value=3000),
    workers=st.integers(min_value=1, max_value=8),
)
def test_batches_hold_every_input_once_within_both_caps(lengths, budget, workers):
    batches = padded_batches(lengths, budget=budget, workers=workers)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)  # runs of the length-sorted inputs
    most = math.ceil(len(lengths) / workers)
    for batch in batches:
        assert 1 <= len(batch) <= most
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= budget
    if lengths and budget >= max(lengths) * most:
        assert len(batches) == math.ceil(len(lengths) / most)  # the budget does not bind: one per worker
