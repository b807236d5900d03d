"""The batch runner: sources -> articles -> (only new or changed ones) translated -> files + manifest.

One run, whatever the engine:

1. Lock the output folder (one writer at a time) and remove temporary files a killed run left.
2. Discover the articles the sources name (``reader.batch.sources``).
3. For each article: skip it when the manifest has it done with the same content hash and
   all requested files present (feed entries whose stamp is unchanged are skipped without
   fetching); otherwise read or fetch it, hash it, and translate it if it is new or changed.
4. Translate: in this process (``local``) or on a Ray actor pool (``ray``,
   ``reader.batch.ray_engine``). Either way this process writes the output files, each
   atomically, and then marks the article done in one manifest transaction, so the two
   engines leave identical folders.
5. Write ``index.html`` and return a ``BatchSummary``.

An article that cannot be read, fetched or translated is recorded as failed and the run goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reader import export
from reader.api import TranslatorFactory, open_translator
from reader.batch.index import write_index
from reader.batch.manifest import DONE, MANIFEST_NAME, Manifest, Row
from reader.batch.progress import ProgressReporter, QuietReporter, with_key
from reader.batch.sources import Failure, Item, content_hash, discover
from reader.document import Document, Flag
from reader.errors import ExportError, ReaderError
from reader.ingest import Article

if TYPE_CHECKING:
    from reader.config import Settings
    from reader.translate.base import Translator

ENGINES = ("local", "ray")
ARTICLES_DIR = "articles"
LOCK_NAME = ".reader-batch.lock"
_LOAD_THREADS = 4
"""Articles read or fetched ahead of the translator (fetching is I/O bound)."""


@dataclass
class BatchSummary:
    out_dir: Path
    engine: str = "local"
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    sentences: int = 0
    """Sentences in the articles translated by this run."""
    cache_hits: int = 0
    """Of those, sentences answered by the shared sentence cache."""
    seconds: float = 0.0
    index: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def translated(self) -> int:
        return len(self.new) + len(self.changed)

    def add(self, other: BatchSummary) -> None:
        """Fold another run's counts into this one (``watch`` keeps a running total)."""
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.sentences += other.sentences
        self.cache_hits += other.cache_hits
        self.seconds += other.seconds
        self.index = other.index or self.index

    def report(self) -> str:
        """The end-of-run summary shown to the user."""
        total = self.translated + self.unchanged + len(self.failed)
        lines = [
            f"{total} article(s) in {self.seconds:.1f} s: {len(self.new)} new, {len(self.changed)} changed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed",
            f"{self.sentences} sentence(s) translated, {self.cache_hits} from the cache",
        ]
        if self.index is not None:
            lines.append(f"index: {self.index}")
        if self.failed:
            lines.append("failures:")
            lines.extend(f"  {with_key(f.key, f.reason)}" for f in self.failed)
        return "\n".join(lines)


@dataclass(frozen=True)
class Job:
    """An article that needs translating."""

    item: Item
    article: Article
    content_hash: str
    outcome: str
    """'new' or 'changed'."""


def run_batch(
    sources: Sequence[str],
    out_dir: Path,
    *,
    formats: Sequence[str],
    settings: Settings,
    engine: str = "local",
    ray_address: str | None = None,
    progress: ProgressReporter | None = None,
    translator_factory: Callable[[], Translator] | None = None,
    ray_workers: int | None = None,
    ray_gpus_per_worker: float = 0.0,
) -> BatchSummary:
    """Translate what is new or changed in ``sources`` into ``out_dir``; see the module docstring."""
    chosen = _check_formats(formats)
    if engine not in ENGINES:
        raise ReaderError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if not sources:
        raise ReaderError("no sources given: name folders, URL-list files or feed URLs")
    out_dir = Path(out_dir)
    factory = translator_factory or open_translator(settings)
    reporter = progress or QuietReporter()
    started = time.monotonic()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReaderError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from None
    with _exclusive(out_dir), Manifest(out_dir / MANIFEST_NAME) as manifest:
        _remove_stale_temporaries(out_dir)
        run = _Run(out_dir, chosen, settings, manifest, reporter, factory, engine)
        try:
            items, failures = discover(sources, settings, exclude=out_dir)
            reporter.start(len(items) + len(failures))
            for failure in failures:
                run.fail(failure.key, failure.reason)
            if engine == "ray":
                run.translate_on_ray(items, ray_address, ray_workers, ray_gpus_per_worker)
            else:
                run.translate_locally(items)
        finally:
            run.summary.index = write_index(out_dir, manifest.rows(DONE))
            reporter.close()
    run.summary.seconds = time.monotonic() - started
    return run.summary


def watch(
    sources: Sequence[str],
    out_dir: Path,
    *,
    interval: float,
    formats: Sequence[str],
    settings: Settings,
    engine: str = "local",
    ray_address: str | None = None,
    progress: ProgressReporter | None = None,
    translator_factory: Callable[[], Translator] | None = None,
    ray_workers: int | None = None,
    ray_gpus_per_worker: float = 0.0,
    max_rounds: int | None = None,
    on_round: Callable[[int, BatchSummary], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchSummary:
    """``run_batch`` every ``interval`` seconds until interrupted (Ctrl-C) or ``max_rounds`` rounds.

    Returns the running total; ``on_round`` sees each round's own summary. The local engine
    loads the model once for all rounds (and only when a round has something to translate).
    """
    factory = translator_factory or open_translator(settings)
    if engine == "local":
        factory = _Once(factory)
    total = BatchSummary(out_dir=Path(out_dir), engine=engine)
    rounds = 0
    try:
        while max_rounds is None or rounds < max_rounds:
            summary = run_batch(
                sources,
                out_dir,
                formats=formats,
                settings=settings,
                engine=engine,
                ray_address=ray_address,
                progress=progress,
                translator_factory=factory,
                ray_workers=ray_workers,
                ray_gpus_per_worker=ray_gpus_per_worker,
            )
            rounds += 1
            total.add(summary)
            if on_round is not None:
                on_round(rounds, summary)
            if max_rounds is None or rounds < max_rounds:
                sleep(interval)
    except KeyboardInterrupt:
        pass
    return total


class _Once:
    """A translator factory that builds its translator on the first call and reuses it."""

    def __init__(self, factory: Callable[[], Translator]) -> None:
        self.factory = factory
        self.translator: Translator | None = None

    def __call__(self) -> Translator:
        if self.translator is None:
            self.translator = self.factory()
        return self.translator


class _Run:
    def __init__(
        self,
        out_dir: Path,
        formats: list[str],
        settings: Settings,
        manifest: Manifest,
        progress: ProgressReporter,
        factory: Callable[[], Translator],
        engine: str,
    ) -> None:
        self.out_dir = out_dir
        self.formats = formats
        self.settings = settings
        self.manifest = manifest
        self.progress = progress
        self.factory = factory
        self.summary = BatchSummary(out_dir=out_dir, engine=engine)
        self.settings_key = settings_key(settings)
        self._translator: Translator | None = None

    # -- deciding what to do ---------------------------------------------------------------

    def jobs(self, items: Sequence[Item]) -> Iterator[Job]:
        """The articles to translate, loaded ahead in threads; unchanged and failed ones are reported here."""
        to_load = []
        for item in items:
            row = self.manifest.get(item.key)
            if item.hint and row is not None and row.hint == self._hint(item) and self._complete(row):
                self._unchanged(item.key)
            else:
                to_load.append((item, row))
        for (item, row), loaded in _load_ahead(to_load, self.settings):
            if isinstance(loaded, ReaderError):
                self.fail(item.key, str(loaded))
                continue
            for warning in loaded.warnings:
                self.progress.message(warning)
            digest = content_hash(loaded, self.settings_key)
            if row is not None and row.status == DONE and row.content_hash == digest and self._complete(row):
                self._unchanged(item.key)
                continue
            outcome = "changed" if row is not None and row.outputs else "new"
            yield Job(item, loaded, digest, outcome)

    def _complete(self, row: Row) -> bool:
        if row.status != DONE:
            return False
        wanted = {self._relative(row.key, fmt) for fmt in self.formats}
        return wanted <= set(row.outputs) and all((self.out_dir / name).is_file() for name in wanted)

    def _hint(self, item: Item) -> str:
        return f"{self.settings_key}|{item.hint}" if item.hint else ""

    # -- engines -------------------------------------------------------------------------------

    def translate_locally(self, items: Sequence[Item]) -> None:
        from reader.api import iter_article

        for job in self.jobs(items):
            # Opening the model is outside the try: when it fails, every article would, so the run stops.
            translator = self._get_translator()
            self.manifest.mark_pending(job.item.key, job.content_hash, source=_source(job), hint=self._hint(job.item))
            try:
                done = 0
                document = None
                for step in iter_article(job.article, translator, self.settings):
                    self.progress.sentences(step.done - done)
                    done = step.done
                    document = step.document
                if document is None:
                    raise ReaderError("the pipeline produced no document")
                self.commit(job, document)
            except Exception as exc:  # one hostile article must not stop the batch
                self.fail(job.item.key, _describe(exc), source=_source(job))

    def translate_on_ray(
        self, items: Sequence[Item], address: str | None, workers: int | None, gpus_per_worker: float
    ) -> None:
        from reader.batch import ray_engine

        jobs = {job.item.key: job for job in self.jobs(items)}
        if not jobs:
            return
        if isinstance(self.factory, TranslatorFactory):
            self.factory.model()
        for job in jobs.values():
            self.manifest.mark_pending(job.item.key, job.content_hash, source=_source(job), hint=self._hint(job.item))
        payload = [ray_engine.Task(key, job.article) for key, job in jobs.items()]
        results = ray_engine.translate(
            payload,
            factory=self.factory,
            settings=self.settings,
            address=address,
            workers=workers,
            gpus_per_worker=gpus_per_worker,
        )
        finished: set[str] = set()
        try:
            for key, document, error in results:
                finished.add(key)
                job = jobs[key]
                if document is None:
                    self.fail(key, error, source=_source(job))
                    continue
                self.progress.sentences(len(document.sentences))
                try:
                    self.commit(job, document)
                except Exception as exc:  # as in translate_locally: fail this article, go on
                    self.fail(key, _describe(exc), source=_source(job))
        except ReaderError as exc:
            for key, job in jobs.items():
                if key not in finished:
                    self.fail(key, str(exc), source=_source(job))

    # -- recording results ---------------------------------------------------------------------

    def commit(self, job: Job, document: Document) -> None:
        """Write every output file (atomically), then mark the article done in one transaction."""
        outputs = []
        for fmt in self.formats:
            relative = self._relative(job.item.key, fmt)
            export.write(document, fmt, self.out_dir / relative)
            outputs.append(relative)
        headline = document.paragraphs[0].translation if document.paragraphs else ""
        self.manifest.mark_done(
            job.item.key,
            job.content_hash,
            outputs=outputs,
            title=_shorten(document.title),
            headline=_shorten(headline),
            date=job.article.date,
            source=_source(job),
            hint=self._hint(job.item),
            sentences=len(document.sentences),
        )
        cached = sum(1 for s in document.sentences if s.has(Flag.CACHED))
        self.summary.sentences += len(document.sentences)
        self.summary.cache_hits += cached
        (self.summary.new if job.outcome == "new" else self.summary.changed).append(job.item.key)
        self.progress.article(job.item.key, job.outcome, f"{len(document.sentences)} sentences, {cached} cached")

    def fail(self, key: str, reason: str, *, source: str = "") -> None:
        self.manifest.mark_failed(key, reason, source=source or key)
        self.summary.failed.append(Failure(key, reason))
        self.progress.article(key, "failed", reason)

    def _unchanged(self, key: str) -> None:
        self.summary.unchanged += 1
        self.progress.article(key, "unchanged")

    def _get_translator(self) -> Translator:
        if self._translator is None:
            self._translator = self.factory()
        return self._translator

    def _relative(self, key: str, fmt: str) -> str:
        return f"{ARTICLES_DIR}/{output_stem(key)}.{fmt}"


def output_stem(key: str) -> str:
    """A readable, filesystem-safe name that depends only on the key, so a rerun overwrites, never duplicates."""
    parts = urlsplit(key)
    if parts.scheme in ("http", "https"):
        segments = [s for s in parts.path.split("/") if s]
        readable = segments[-1] if segments else parts.hostname or ""
    else:
        readable = Path(key).name
    readable = re.sub(r"\.(txt|md|html?|php|aspx?)$", "", readable, flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", readable.lower()).strip("-")[:60].strip("-") or "article"
    return f"{slug}-{hashlib.sha256(key.encode('utf-8', errors='surrogatepass')).hexdigest()[:10]}"


def settings_key(settings: Settings) -> str:
    """The settings that change a translation: a change means every article is retranslated."""
    return (
        f"model={settings.model};backend={settings.backend};beam={settings.beam};"
        f"budget={settings.token_budget};diacritics={settings.strip_diacritics}"
    )


def _load_ahead(
    work: Sequence[tuple[Item, Row | None]], settings: Settings
) -> Iterator[tuple[tuple[Item, Row | None], Article | ReaderError]]:
    """Load articles in order, a few threads ahead of the consumer."""

    def load(item: Item) -> Article | ReaderError:
        try:
            return item.load(settings)
        except ReaderError as exc:
            return exc
        except Exception as exc:  # a parser choking on hostile input fails that article only
            return ReaderError(f"{item.key}: cannot be read ({_describe(exc)})")

    with ThreadPoolExecutor(max_workers=_LOAD_THREADS, thread_name_prefix="reader-load") as pool:
        window: deque[tuple[tuple[Item, Row | None], Future[Article | ReaderError]]] = deque()
        pending = iter(work)
        for entry in pending:
            window.append((entry, pool.submit(load, entry[0])))
            if len(window) >= _LOAD_THREADS * 2:
                break
        while window:
            entry, future = window.popleft()
            yield entry, future.result()
            following = next(pending, None)
            if following is not None:
                window.append((following, pool.submit(load, following[0])))


def _check_formats(formats: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip())) or ["json"]
    for fmt in chosen:
        if fmt not in export.FORMATS:
            raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(export.FORMATS)}")
        try:
            importlib.import_module(export.FORMATS[fmt])
        except ImportError as exc:
            raise ExportError(
                f"the {fmt} export needs packages that are not installed ({exc.name}); "
                "install them with: pip install 'reader[pdf]'"
            ) from exc
    return chosen


@contextlib.contextmanager
def _exclusive(out_dir: Path) -> Iterator[None]:
    """One batch writer per output folder; the OS drops the lock if the process dies."""
    import fcntl

    with (out_dir / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReaderError(f"another reader batch is already writing to {out_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of atomic writes interrupted by a kill (``export.write_atomic`` names)."""
    for folder in (out_dir, out_dir / ARTICLES_DIR):
        if folder.is_dir():
            for path in folder.glob(".*.tmp"):
                path.unlink(missing_ok=True)


def _shorten(text: str, limit: int = 200) -> str:
    """Index entries: a first paragraph used as a title can be a whole paragraph long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _source(job: Job) -> str:
    return job.article.url or job.item.key


def _describe(exc: BaseException) -> str:
    """The message of our own errors; the type too for anything unexpected."""
    if isinstance(exc, ReaderError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return f"unexpected {type(exc).__name__}: {exc}"
