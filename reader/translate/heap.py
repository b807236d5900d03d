"""glibc's heap tuned for CTranslate2's beam search: memory a batch freed goes back to the system.

Beam search grows each hypothesis's attention caches step by step, and CTranslate2 allocates the
grown copies from the C heap, from one arena per worker thread. By default glibc raises its mmap
threshold to the largest block freed so far (up to 32 MB), so those multi-megabyte copies come
from the arenas, which keep what is freed: each worker's arena holds on to its last batch's peak
while the other worker builds its own. With the threshold fixed at 32 MB (the top of glibc's own
range) and one arena, the process's peak with every output at its length limit fell from 484 to
377 MB at the same batches and the same CPU time per token (docs/performance.md). Freeing eagerly
costs more than it saves: a threshold of 128 KB (``MALLOC_TRIM_THRESHOLD_=0`` fixes it there too)
took 2.7 times the CPU time, every step's caches faulted in afresh.
"""

from __future__ import annotations

import ctypes
import functools
import os

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
"""mallopt's parameter numbers (glibc's malloc.h)."""
MMAP_THRESHOLD = 32 * 2**20
"""Blocks this large or larger are mapped on their own and unmapped when freed (glibc's dynamic maximum)."""
ARENAS = 1
SETTINGS = ((M_MMAP_THRESHOLD, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_"), (M_ARENA_MAX, ARENAS, "MALLOC_ARENA_MAX"))
"""(parameter, value, the environment variable through which a user's own choice wins)."""


@functools.cache
def keep_heap_small() -> bool:
    """Set glibc's mmap threshold and arena count for this process, once; False where the C library has no mallopt.

    A value the user gave glibc through its environment variable is left as it is. Call it before the
    threads that allocate start (a thread's arena is picked when it first allocates).
    """
    if os.name != "posix":
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    for parameter, value, variable in SETTINGS:
        if variable not in os.environ:
            mallopt(parameter, value)
    return True
