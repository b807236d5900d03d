"""reader.translate.heap: glibc's heap settings for CTranslate2's workers, a user's own MALLOC_* kept."""

from __future__ import annotations

import sys

import pytest

from reader.translate import heap


class FakeLibc:
    """A C library whose mallopt records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

        def mallopt(parameter: int, value: int) -> int:
            self.calls.append((parameter, value))
            return 1

        self.mallopt = mallopt


def test_the_mmap_threshold_and_arena_count_are_set_unless_the_user_set_them(monkeypatch) -> None:
    libc = FakeLibc()
    monkeypatch.setattr(heap.ctypes, "CDLL", lambda name: libc)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert heap.keep_heap_small.__wrapped__() is True
    assert libc.calls == [(heap.M_MMAP_THRESHOLD, 32 * 2**20), (heap.M_ARENA_MAX, 1)]
    libc.calls.clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert heap.keep_heap_small.__wrapped__() is True
    assert libc.calls == [(heap.M_MMAP_THRESHOLD, 32 * 2**20)]


def test_a_c_library_without_mallopt_is_left_alone(monkeypatch) -> None:
    monkeypatch.setattr(heap.ctypes, "CDLL", lambda name: object())
    assert heap.keep_heap_small.__wrapped__() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibc_takes_the_settings() -> None:
    assert heap.keep_heap_small() is True
