"""How a backend cuts one call into batches: sorted by length, capped in padded tokens, one per worker.

Every input of a batch is padded to its longest, and the memory a batch holds while it decodes
(attention caches for each hypothesis over the source and the output so far) grows with
examples x longest input. So the cap is on that padded product, never on the unpadded sum. Sorting
by length keeps padding small; at most ceil(n / workers) inputs per batch gives every worker a
batch of its own, which on CPU is where the speed is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def padded_batches(lengths: Sequence[int], *, budget: int, workers: int = 1) -> list[list[int]]:
    """Indices into ``lengths``, grouped into batches, the longest inputs first.

    Each batch is a run of the inputs sorted by decreasing length (ties keep their order), holds at
    most ``ceil(len(lengths) / workers)`` inputs, and its padded size (inputs x its longest) stays
    within ``budget``; an input longer than the budget on its own is a batch of one. When the budget
    makes more batches than workers, the runs are evened out if that lets the workers finish sooner:
    9 long inputs for 2 workers, 3 to a batch, go as 3 + 2 + 2 + 2 rather than 3 + 3 + 3.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    most = math.ceil(len(order) / max(1, workers))
    greedy = _runs(order, lengths, budget, most)
    if len(greedy) <= workers:
        return greedy
    even = _even_runs(order, lengths, budget, math.ceil(len(greedy) / workers) * workers)
    if even is None:
        return greedy
    return min((greedy, even), key=lambda batches: (_makespan(batches, lengths, workers), len(batches)))


def _runs(order: list[int], lengths: Sequence[int], budget: int, most: int) -> list[list[int]]:
    """The fewest runs of ``order`` within ``most`` inputs and the padded budget, each as full as it can be."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current and (len(current) >= most or (len(current) + 1) * lengths[current[0]] > budget):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def _even_runs(order: list[int], lengths: Sequence[int], budget: int, count: int) -> list[list[int]] | None:
    """``order`` cut into ``count`` runs as even as the budget allows; None when it takes more runs."""
    most = math.ceil(len(order) / count)
    batches: list[list[int]] = []
    start = 0
    for left in range(count, 0, -1):
        if start == len(order):
            break
        fair = math.ceil((len(order) - start) / left)
        size = max(1, min(fair, most, budget // lengths[order[start]]))
        batches.append(order[start : start + size])
        start += size
    return batches if start == len(order) else None


def _makespan(batches: list[list[int]], lengths: Sequence[int], workers: int) -> int:
    """When the last worker is done, in padded tokens, each batch taken in turn by the first worker free."""
    loads = [0] * max(1, workers)
    for batch in batches:
        loads[loads.index(min(loads))] += len(batch) * lengths[batch[0]]
    return max(loads)
