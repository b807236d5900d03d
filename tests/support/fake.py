"""A fake translation backend, registered through the real backend registry.

It "translates" word by word with a fixed transliteration, reverses nothing, and counts
its calls, so tests can assert exact output, alignment and how often the model ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reader.models import folder
from reader.translate.base import Translation

_LATIN = dict(
    zip(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة",
        [
            "a",
            "b",
            "t",
            "th",
            "j",
            "h",
            "kh",
            "d",
            "dh",
            "r",
            "z",
            "s",
            "sh",
            "S",
            "D",
            "T",
            "Z",
            "e",
            "gh",
            "f",
            "q",
            "k",
            "l",
            "m",
            "n",
            "h",
            "w",
            "y",
            "'",
            "aa",
            "a",
            "i",
            "u",
            "i",
            "a",
            "a",
        ],
        strict=True,
    )
)


def transliterate(word: str) -> str:
    return "".join(_LATIN.get(ch, ch) for ch in word)


class FakeTranslator:
    """Deterministic stand-in for a model: one output word per input word."""

    def __init__(
        self, name: str = "fake", *, model_fingerprint: str = "no-weights", fail_on_call: bool = False
    ) -> None:
        self.name = name
        self.model_fingerprint = model_fingerprint
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call

    @property
    def fingerprint(self) -> str:
        return f"{self.name}:{self.model_fingerprint}:v1"

    @property
    def model_calls(self) -> int:
        return len(self.calls)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        if self.fail_on_call:
            raise AssertionError(f"the model was called with {list(sentences)!r}")
        self.calls.append(list(sentences))
        out = []
        for sentence in sentences:
            words = [transliterate(w) for w in sentence.split()]
            out.append(
                Translation(
                    text=" ".join(words),
                    alignment=tuple((i, i) for i in range(len(words))),
                    score=-0.25,
                )
            )
        return out


def load_fake(model_dir: Path, **_: Any) -> FakeTranslator:
    """Backend factory with the registry's signature: the folder's weights name the fake model, as for a real one."""
    return FakeTranslator(model_fingerprint=folder.fingerprint(Path(model_dir)))
