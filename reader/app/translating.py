"""Translating an article while the view fills in, and keeping the result in the library."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from reader import ingest
from reader.app.messages import count
from reader.config import Settings
from reader.document import Document, Flag
from reader.library import Library
from reader.translate.shared import SharedTranslator


@dataclass(frozen=True)
class Reading:
    """One article as the app shows it: the document so far and how it was obtained."""

    document: Document
    done: int
    total: int
    model_calls: int
    warnings: tuple[str, ...] = ()
    unit: str = "sentences"
    """What ``done`` and ``total`` count: sentences, or the pages of a long document kept part by part."""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def status(self) -> str:
        if self.finished:
            return f"Translated {self.total} {self.unit}"
        return f"Translating… {self.done} of {self.total} {self.unit}"

    @property
    def summary(self) -> str:
        """What the translation took, in a reader's words."""
        sentences = self.document.sentences
        cached = sum(1 for s in sentences if s.has(Flag.CACHED))
        if sentences and cached == len(sentences):
            return f"{count(len(sentences), 'sentence')}, all remembered from earlier translations."
        text = f"{count(len(sentences), 'sentence')} translated"
        return text + (f", {cached} of them remembered from earlier translations." if cached else ".")

    @property
    def details(self) -> str:
        """The same in a developer's numbers, for a details area."""
        sentences = self.document.sentences
        cached = sum(1 for s in sentences if s.has(Flag.CACHED))
        passthrough = sum(1 for s in sentences if s.has(Flag.PASSTHROUGH))
        text = (
            f"{len(sentences)} sentences · {cached} from cache · {passthrough} passed through · "
            f"model calls: {self.model_calls}"
        )
        if self.finished and self.model_calls == 0:
            text += " (nothing sent to the model)"
        return text


def translate(
    article: ingest.Article, shared: SharedTranslator, settings: Settings, *, chunk_sentences: int = 16
) -> Iterator[Reading]:
    """The reading as it fills in: cached and passthrough sentences at once, then one update per chunk."""
    from reader.api import iter_article

    run = shared.for_run()
    for progress in iter_article(article, run, settings, chunk_sentences=chunk_sentences):
        yield Reading(progress.document, progress.done, progress.total, run.model_calls, article.warnings)


def translate_into(
    article: ingest.Article, shared: SharedTranslator, settings: Settings, library: Library, key: str
) -> Iterator[Reading]:
    """``translate``, except that a long document goes into the library a part at a time as its pages are
    done (``reader.library.parts``): readable there meanwhile, and a second try goes on where one stopped."""
    from reader.library import parts

    if not parts.is_long(article, settings.part_pages):
        yield from translate(article, shared, settings)
        return
    run = shared.for_run()
    warnings = article.warnings
    for step in parts.iter_into(library, key, article, run, settings):
        warnings += step.warnings  # the later windows' ("page 300 needs OCR")
        yield Reading(step.document, step.done, step.total, run.model_calls, warnings, unit="pages")


def keep(library: Library, reading: Reading, key: str) -> str:
    """Save a finished translation in the library; its id (the Read page opens it)."""
    return library.add(reading.document, key)
