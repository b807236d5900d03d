"""Batch engines: where articles are translated. Every engine has one method, ``translate(jobs)``.

``translate`` takes the jobs (it may pull them lazily, as the local engine does, so translating
starts while later articles are still being fetched) and yields one ``Result`` per job, in any
order: a document, or the reason it failed. The runner writes the files and commits the manifest
for each result, the same way whichever engine produced it. An engine raises a ``ReaderError``
only when the run cannot go on at all (the model cannot be opened here).

- ``LocalEngine``: this process; the model is opened on the first job and kept for the engine's life
  (``watch`` keeps one engine for all its rounds). Given the output folder's library, it commits a long
  document there a part at a time as it goes (``reader.library.parts``), so a killed run resumes
  after the last part; the runner still commits the whole document, and marks it done, at the end;
- ``RayEngine`` (``reader.batch.ray_engine``): an actor pool, each actor loading the model once; a long
  document's parts go to the actors as rows of their own, and are committed in order as they come back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reader.api import iter_article
from reader.batch.progress import ProgressReporter
from reader.errors import ReaderError, describe
from reader.library import parts
from reader.pipeline import CHUNK_INPUTS

if TYPE_CHECKING:
    from reader.batch.plan import Job
    from reader.config import Settings
    from reader.document import Document
    from reader.library import Library
    from reader.translate.base import Translator


@dataclass(frozen=True)
class Result:
    job: Job
    document: Document | None
    error: str = ""
    """Why the job failed, when ``document`` is None."""


class Engine(Protocol):
    def translate(self, jobs: Iterable[Job], *, library: Library | None = None) -> Iterator[Result]:
        """The jobs' results; given the output folder's library, long documents are committed there part by part
        (``reader.library.parts``)."""
        ...


class LocalEngine:
    """Translates in this process, one article after another, reporting sentences as they are done."""

    def __init__(self, factory: Callable[[], Translator], settings: Settings, progress: ProgressReporter) -> None:
        self.factory = factory
        self.settings = settings
        self.progress = progress
        self._translator: Translator | None = None

    def translate(self, jobs: Iterable[Job], *, library: Library | None = None) -> Iterator[Result]:
        for job in jobs:
            # Outside the per-article handling: a model that cannot be opened would fail every article.
            translator = self._open()
            try:
                if library is not None and parts.is_long(job.article, self.settings.part_pages):
                    document = self._translate_in_parts(job, translator, library)
                else:
                    document = self._translate(job, translator)
            except Exception as exc:  # one hostile article must not stop the batch
                yield Result(job, None, describe(exc))
                continue
            yield Result(job, document)

    def _translate(self, job: Job, translator: Translator) -> Document:
        done = 0
        document = None
        # Progress is counted, not read: no small first call, only throughput (as ``reader translate``).
        for step in iter_article(job.article, translator, self.settings, first_chunk=CHUNK_INPUTS, lead=job.lead):
            self.progress.sentences(step.done - done)
            done = step.done
            document = step.document
        if document is None:
            raise ReaderError("the pipeline produced no document")
        return document

    def _translate_in_parts(self, job: Job, translator: Translator, library: Library) -> Document:
        def progress(done: int, total: int) -> None:
            self.progress.message(f"{job.key}: pages {done} of {total} in the library")

        refresh = bool(getattr(self.factory, "refresh", False))
        return parts.translate_into(
            library, job.key, job.article, translator, self.settings, refresh=refresh, progress=progress,
            warn=self.progress.message,  # the later windows' warnings, as the runner reports the first's
        )

    def _open(self) -> Translator:
        if self._translator is None:
            self._translator = self.factory()
        return self._translator
