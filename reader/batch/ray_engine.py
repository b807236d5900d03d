"""The Ray engine: the same pipeline on a Ray Data actor pool; each actor loads the model once.

Division of labour (so the output and manifest are exactly those of the local engine):

- the driver (the ``reader batch`` process) discovers, reads and fetches the articles and
  decides what needs translating, as for the local engine;
- the actors only translate: ``map_batches`` over one article per row, with a callable class
  whose constructor calls the translator factory once (the factory and the settings are
  pickled, never a model), so the model is loaded once per actor;
- the driver receives each document as it is finished, writes its files and commits the
  manifest row. Workers need no access to the output folder, only to the model (the same
  ``READER_MODELS_DIR`` path on every node) and to a sentence cache of their own
  (``READER_CACHE_PATH``, local to each node).

``address`` joins an existing cluster (``ray start --head`` / ``ray://...``); without it a
local Ray instance is started, without dashboard, and left running until the process ends so
that ``--watch`` rounds reuse it. Ray is imported only here, and only when this engine runs.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from reader.api import TranslatorFactory
from reader.batch.engines import Result
from reader.batch.progress import ProgressReporter
from reader.document import Block, Document, Metadata
from reader.errors import ReaderError, describe, first_line
from reader.extras import missing
from reader.ingest import Article
from reader.library import parts

if TYPE_CHECKING:
    from reader.batch.options import RayOptions
    from reader.batch.plan import Job
    from reader.config import Settings
    from reader.library import Library
    from reader.translate.base import Translator


@dataclass
class RayEngine:
    """Translates on a Ray Data actor pool (see the module docstring); yields documents as actors finish them."""

    factory: Callable[[], Translator]
    settings: Settings
    progress: ProgressReporter
    ray: RayOptions

    def translate(self, jobs: Iterable[Job], *, library: Library | None = None) -> Iterator[Result]:
        """All jobs are sent at once; a Ray failure fails the articles that had not come back. Given the output
        folder's library, a long document's parts go to the actors as rows of their own, and each is committed
        there in order as it comes back (``reader.library.parts``), so a killed run resumes after the last one."""
        # The rows go out at once: a long PDF that the plan read a window at a time is read to its end here.
        waiting = {}
        for job in jobs:
            waiting[job.key] = replace(job, article=parts.read_on(job.article, sys.maxsize))
            for warning in waiting[job.key].article.warnings[len(job.article.warnings) :]:
                self.progress.message(warning)  # the later windows' (the runner reported the first's)
        if not waiting:
            return
        in_parts = self._in_parts(waiting.values(), library)
        rows = []
        for job in waiting.values():
            rows.extend(in_parts[job.key].rows() if job.key in in_parts else [_row(job.key, job.article, job.lead)])
        try:
            for key, part, document, error in self._run(rows):
                job = waiting.get(key)
                if job is None:  # a part of a long document that failed already
                    continue
                if document is not None:
                    self.progress.sentences(len(document.sentences))
                if document is not None and key in in_parts:
                    try:
                        document = in_parts[key].arrived(part, document)
                    except Exception as exc:  # a part that cannot be committed fails its document only
                        document, error = None, describe(exc)
                    if document is None and not error:
                        continue  # more parts to come
                yield Result(waiting.pop(key), document, error)
        except ReaderError as exc:
            for job in waiting.values():
                yield Result(job, None, str(exc))

    def _in_parts(self, jobs: Iterable[Job], library: Library | None) -> dict[str, InParts]:
        """The long documents among the jobs, each with what a run before committed of it."""
        if library is None:
            return {}
        from reader.api import article_metadata
        from reader.models.store import resolve

        found, fingerprint = {}, ""
        refresh = bool(getattr(self.factory, "refresh", False))
        for job in jobs:
            if not job.lead and parts.is_long(job.article, self.settings.part_pages):
                fingerprint = fingerprint or resolve(self.settings).fingerprint
                meta = article_metadata(job.article, fingerprint, self.settings)
                committer = parts.Committer(library, job.key, job.article, meta, self.settings, refresh=refresh)
                found[job.key] = InParts(job.key, committer, self.progress)
        return found

    def _run(self, rows: list[dict[str, Any]]) -> Iterator[tuple[str, int, Document | None, str]]:
        _ensure_ray(self.ray.address)
        import ray
        import ray.data

        size = self.ray.workers or default_workers(self.ray.gpus_per_worker)
        cpus = 1
        factory = _with_threads(self.factory, cpus)
        # Our own progress reporter speaks for the run; Ray Data's bars and INFO lines would interleave.
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        context.enable_auto_log_stats = False
        dataset = ray.data.from_items(rows, override_num_blocks=max(1, len(rows)))
        translated = dataset.map_batches(
            TranslateActor,
            fn_constructor_kwargs={"factory": factory, "settings": self.settings},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(size, len(rows))),
            num_cpus=cpus,
            num_gpus=self.ray.gpus_per_worker or None,
        )
        try:
            for row in translated.iter_rows():
                error, part = str(row["error"]), int(row["part"])
                if error:
                    yield str(row["key"]), part, None, error
                else:
                    yield str(row["key"]), part, Document.from_json(str(row["document"])), ""
        except ray.exceptions.RayError as exc:
            raise ReaderError(f"the Ray job failed: {_root_cause(exc)}") from exc


class TranslateActor:
    """A Ray Data callable class: built once per actor, then called with batches of articles."""

    def __init__(self, factory: Callable[[], Translator], settings: Settings) -> None:
        self.translator = factory()
        self.settings = settings

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """Each row an article, or one part of a long document (``part`` from 0; -1 for a whole article)."""
        from reader.api import translate_article

        documents, errors = [], []
        rows = zip(batch["article"], batch["lead"], batch["part"], batch["title"], strict=True)
        for article_json, lead, part, title in rows:
            fields = json.loads(str(article_json))
            article = Article(**{
                **fields,
                "meta": Metadata(**fields["meta"]),
                "warnings": tuple(fields["warnings"]),
                "blocks": tuple(Block(**block) for block in fields["blocks"]),
            })
            try:
                if int(part) >= 0:
                    document = parts.translate_part(article, self.translator, self.settings, title=str(title))
                else:
                    document = translate_article(article, self.translator, self.settings, lead=bool(lead))
                documents.append(document.to_json(indent=None))
                errors.append("")
            except Exception as exc:  # reported per article; the actor goes on with the next one
                documents.append("")
                errors.append(describe(exc))
        keys = [str(k) for k in batch["key"]]
        return {"key": keys, "part": [int(p) for p in batch["part"]], "document": documents, "error": errors}


def _row(key: str, article: Article, lead: bool = False, part: int = -1, title: str = "") -> dict[str, Any]:
    """One row for the actors: an article (``part`` -1), or a part of a long one with the title it translates."""
    text = json.dumps(asdict(article), ensure_ascii=False)
    return {"key": key, "article": text, "lead": lead, "part": part, "title": title}


@dataclass
class InParts:
    """A long document whose parts the actors translate: each committed to the library in order as it comes."""

    key: str
    committer: parts.Committer
    progress: ProgressReporter
    waiting: dict[int, Document] = field(default_factory=dict)
    committed: int = 0

    def rows(self) -> list[dict[str, Any]]:
        todo = self.committer.todo
        return [
            _row(self.key, parts.part_article(self.committer.article, piece), part=index,
                 title=self.committer.title if index == len(todo) - 1 else "")
            for index, piece in enumerate(todo)
        ]

    def arrived(self, part: int, translated: Document) -> Document | None:
        """Commit what is now in order; the whole document once the last part is in, else None."""
        self.waiting[part] = translated
        todo = self.committer.todo
        while self.committed in self.waiting:
            step = self.committer.commit(todo[self.committed], self.waiting.pop(self.committed))
            self.committed += 1
            self.progress.message(f"{self.key}: pages {step.done} of {step.total} in the library")
            if self.committed == len(todo):
                return step.document
        return None


def default_workers(gpus_per_worker: float) -> int:
    """One actor per GPU when actors take GPUs, else one per CPU of the cluster."""
    import ray

    resources = ray.cluster_resources()
    if gpus_per_worker:
        return max(1, int(resources.get("GPU", 0) / gpus_per_worker))
    return max(1, int(resources.get("CPU", 1)))


def _ensure_ray(address: str | None) -> None:
    try:
        import ray
    except ImportError as exc:
        raise ReaderError(missing("the ray engine", "ray", exc=exc)) from exc
    if ray.is_initialized():
        return
    try:
        if address:
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        else:
            ray.init(
                num_cpus=max(1, os.cpu_count() or 1),
                include_dashboard=False,
                logging_level=logging.WARNING,
                log_to_driver=False,
            )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise ReaderError(f"cannot start or join {where}: {first_line(exc)}") from exc


def _with_threads(factory: Callable[[], Translator], threads: int) -> Callable[[], Translator]:
    """Give each actor as many intra-op threads as CPUs it holds, unless the user chose a number."""
    if isinstance(factory, TranslatorFactory) and not factory.settings.threads:
        return replace(factory, settings=replace(factory.settings, threads=threads))
    return factory


def _root_cause(exc: BaseException) -> str:
    """Ray wraps the real error (a worker's traceback) in its own; its last 'XError: ...' line says why."""
    causes = re.findall(r"^\s*(?:[\w]+\.)*(\w+(?:Error|Exception): .+)$", str(exc), flags=re.MULTILINE)
    return causes[-1].strip() if causes else first_line(exc)
