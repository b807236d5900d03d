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
    within ``budget``; an input longer than the budget on its own is a batch of one. Longest first
    lets the workers finish together: the slow batches start before the quick ones.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    most = math.ceil(len(order) / max(1, workers))
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
