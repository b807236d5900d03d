"""A fake translation backend, registered through the real backend registry.

It "translates" word by word with a fixed transliteration, reverses nothing, and counts its
calls, so tests can assert exact output, alignment and how often the model ran. ``FakeModel`` is
the one way tests register it (the ``fake_model`` fixture in tests/conftest.py): a model folder,
and the registry factory that loads it, with one record of model calls for every load.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.config import Settings
from reader.models import folder
from reader.translate.base import Translation
from tests.support.models import fake_model_folder

# fmt: off
_LATIN = dict(
    zip(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة",
        ["a", "b", "t", "th", "j", "h", "kh", "d", "dh", "r", "z", "s", "sh", "S", "D", "T", "Z",
         "e", "gh", "f", "q", "k", "l", "m", "n", "h", "w", "y", "'", "aa", "a", "i", "u", "i", "a", "a"],
        strict=True,
    )
)
# fmt: on


def transliterate(word: str) -> str:
    return "".join(_LATIN.get(ch, ch) for ch in word)


class FakeTranslator:
    """Deterministic stand-in for a model: one output word per input word."""

    def __init__(
        self,
        name: str = "fake",
        *,
        model_fingerprint: str = "no-weights",
        fail_on_call: bool = False,
        calls: list[list[str]] | None = None,
    ) -> None:
        self.name = name
        self.model_fingerprint = model_fingerprint
        self.calls: list[list[str]] = [] if calls is None else calls
        """Every batch the model was given (shared with the ``FakeModel`` that loaded it)."""
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


class PipelinedFake(FakeTranslator):
    """A fake backend that takes the next chunk before it hands out this one's translations, as the
    CTranslate2 backend queues the next call's jobs (``reader.translate.base.Pipelined``)."""

    workers = 2

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pulled: list[list[str]] = []
        """Every chunk taken from the caller, in the order taken."""

    def translate_chunks(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[Translation]]:
        ahead: deque[Sequence[str]] = deque()
        for chunk in chunks:
            self.pulled.append(list(chunk))
            ahead.append(chunk)
            if len(ahead) > 1:
                yield self._call(ahead.popleft())
        while ahead:
            yield self._call(ahead.popleft())

    def _call(self, chunk: Sequence[str]) -> list[Translation]:
        return self.translate_batch(chunk) if chunk else []


@dataclass
class FakeModel:
    """A model folder and the 'fake' backend that loads it, registered through the real registry.

    The folder's weights name the model, as for a real one: replace them and the fingerprint, the
    cache key and batch's change detection all change. Every load returns a new FakeTranslator
    sharing ``calls``, so a test sees every model call, whoever opened the model (``loads`` counts
    the openings). Picklable by value: a Ray actor gets its own copy.
    """

    folder: Path
    backend: str = "fake"
    calls: list[list[str]] = field(default_factory=list)
    loads: int = 0

    @classmethod
    def create(cls, path: Path) -> FakeModel:
        return cls(fake_model_folder(path))

    def load(self, model_dir: Path, **_: Any) -> FakeTranslator:
        """The backend factory, with the registry's signature."""
        self.loads += 1
        return FakeTranslator(model_fingerprint=folder.fingerprint(Path(model_dir)), calls=self.calls)

    @property
    def sentences(self) -> list[str]:
        """Every sentence the model was given, in order."""
        return [sentence for call in self.calls for sentence in call]

    def settings(self, **flags: Any) -> Settings:
        """Settings naming this model and backend (flags as for ``Settings.load``)."""
        return Settings.load(model=str(self.folder), backend=self.backend, **flags)
