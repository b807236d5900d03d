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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from reader.api import TranslatorFactory
from reader.batch.engines import Result
from reader.document import Block, Document, Metadata
from reader.errors import ReaderError, describe, first_line
from reader.extras import missing
from reader.ingest import Article

if TYPE_CHECKING:
    from reader.batch.options import RayOptions
    from reader.batch.plan import Job
    from reader.batch.progress import ProgressReporter
    from reader.config import Settings
    from reader.translate.base import Translator


@dataclass
class RayEngine:
    """Translates on a Ray Data actor pool (see the module docstring); yields documents as actors finish them."""

    factory: Callable[[], Translator]
    settings: Settings
    progress: ProgressReporter
    ray: RayOptions

    def translate(self, jobs: Iterable[Job]) -> Iterator[Result]:
        """All jobs are sent at once; a Ray failure fails the articles that had not come back."""
        waiting = {job.key: job for job in jobs}
        if not waiting:
            return
        try:
            for key, document, error in self._run(list(waiting.values())):
                job = waiting.pop(key)
                if document is not None:
                    self.progress.sentences(len(document.sentences))
                yield Result(job, document, error)
        except ReaderError as exc:
            for job in waiting.values():
                yield Result(job, None, str(exc))

    def _run(self, jobs: list[Job]) -> Iterator[tuple[str, Document | None, str]]:
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
        rows = [
            {"key": job.key, "article": json.dumps(asdict(job.article), ensure_ascii=False), "lead": job.lead}
            for job in jobs
        ]
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
                error = str(row["error"])
                if error:
                    yield str(row["key"]), None, error
                else:
                    yield str(row["key"]), Document.from_json(str(row["document"])), ""
        except ray.exceptions.RayError as exc:
            raise ReaderError(f"the Ray job failed: {_root_cause(exc)}") from exc


class TranslateActor:
    """A Ray Data callable class: built once per actor, then called with batches of articles."""

    def __init__(self, factory: Callable[[], Translator], settings: Settings) -> None:
        self.translator = factory()
        self.settings = settings

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        from reader.api import translate_article

        documents, errors = [], []
        for article_json, lead in zip(batch["article"], batch["lead"], strict=True):
            fields = json.loads(str(article_json))
            fields["meta"] = Metadata(**fields["meta"])
            fields["warnings"] = tuple(fields["warnings"])
            fields["blocks"] = tuple(Block(**block) for block in fields.get("blocks", ()))  # a document's structure
            article = Article(**fields)
            try:
                document = translate_article(article, self.translator, self.settings, lead=bool(lead))
                documents.append(document.to_json(indent=None))
                errors.append("")
            except Exception as exc:  # reported per article; the actor goes on with the next one
                documents.append("")
                errors.append(describe(exc))
        return {"key": [str(k) for k in batch["key"]], "document": documents, "error": errors}


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
