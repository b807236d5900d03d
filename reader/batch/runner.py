"""The batch runner: sources -> articles -> (only new or changed ones) translated -> files + manifest.

One run, whatever the engine:

1. Lock the output folder (one batch writer at a time), open it as a library (``reader.library``:
   the app may write to it meanwhile) and remove temporary files a killed run left
   (``reader.batch.outputs``); find the model the settings name: its fingerprint is part of what
   decides "changed".
2. Discover the articles the sources name (``reader.batch.sources``), less those the reader
   removed from the library.
3. Decide each article's fate (``reader.batch.plan``): unchanged ones are skipped, the others
   read or fetched and handed to the engine as jobs, each marked pending in the manifest.
4. The engine translates (``reader.batch.engines``: in this process, or on a Ray actor pool).
   For each result this process writes the output files, each atomically, indexes the document
   in the library, and then marks the article done in one manifest transaction, so the two
   engines leave identical folders.
5. Write ``index.html`` and return a ``BatchSummary``.

An article that cannot be read, fetched or translated is recorded as failed and the run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from reader.api import open_translator, rest_article
from reader.batch.engines import Engine, LocalEngine, Result
from reader.batch.manifest import DONE, MANIFEST_NAME, Manifest
from reader.batch.options import ENGINES, BatchOptions
from reader.batch.outputs import Outputs, check_formats, exclusive
from reader.batch.plan import COMPLETED, Job, Unchanged, change_key, plan
from reader.batch.progress import ProgressReporter, QuietReporter
from reader.batch.sources import Failure, Item, discover
from reader.batch.summary import BatchSummary
from reader.document import Document, Flag
from reader.errors import ReaderError, describe
from reader.library import Library, document_id
from reader.models.store import resolve


def run_batch(
    sources: Sequence[str], out_dir: Path, options: BatchOptions, *, engine: Engine | None = None
) -> BatchSummary:
    """Translate what is new or changed in ``sources`` into ``out_dir``; see the module docstring.

    ``engine`` (``make_engine(options)`` by default) may be kept across runs, so a model loads once.
    """
    return _run(sources, Path(out_dir), options, engine or make_engine(options))


def watch(
    sources: Sequence[str],
    out_dir: Path,
    options: BatchOptions,
    *,
    interval: float,
    max_rounds: int | None = None,
    on_round: Callable[[int, BatchSummary], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchSummary:
    """``run_batch`` every ``interval`` seconds until interrupted (Ctrl-C) or ``max_rounds`` rounds.

    Returns the running total; ``on_round`` sees each round's own summary. One engine serves every
    round, so the local engine loads the model once (and only when a round has something to translate).
    """
    engine = make_engine(options)
    total = BatchSummary(out_dir=Path(out_dir), engine=options.engine)

    def one_round(number: int) -> None:
        summary = _run(sources, Path(out_dir), options, engine)
        total.add(summary)
        if on_round is not None:
            on_round(number, summary)

    poll(one_round, interval=interval, max_rounds=max_rounds, sleep=sleep)
    return total


def poll(
    one_round: Callable[[int], None],
    *,
    interval: float,
    max_rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """``one_round(n)`` for n = 1, 2... every ``interval`` seconds, until Ctrl-C or ``max_rounds``; the rounds run."""
    rounds = 0
    try:
        while max_rounds is None or rounds < max_rounds:
            rounds += 1
            one_round(rounds)
            if max_rounds is None or rounds < max_rounds:
                sleep(interval)
    except KeyboardInterrupt:
        pass
    return rounds


def make_engine(options: BatchOptions) -> Engine:
    """The engine the options ask for, with their translator factory (the settings' own by default)."""
    if options.engine not in ENGINES:
        raise ReaderError(f"unknown engine {options.engine!r}; choose from {', '.join(ENGINES)}")
    factory = options.translator_factory or open_translator(options.settings)
    progress = options.progress or QuietReporter()
    if options.engine == "ray":
        from reader.batch.ray_engine import RayEngine

        return RayEngine(factory, options.settings, progress, options.ray)
    return LocalEngine(factory, options.settings, progress)


def _run(sources: Sequence[str], out_dir: Path, options: BatchOptions, engine: Engine) -> BatchSummary:
    outputs = Outputs(out_dir, check_formats(options.formats))
    if not sources:
        raise ReaderError("no sources given: name folders, URL-list files or feed URLs")
    reporter = options.progress or QuietReporter()
    started = time.monotonic()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReaderError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from None
    with exclusive(out_dir), Manifest(out_dir / MANIFEST_NAME) as manifest, Library(out_dir) as library:
        library.open()
        outputs.remove_stale_temporaries()
        summary = BatchSummary(out_dir=out_dir, engine=options.engine)
        round_ = _Round(outputs, manifest, library, reporter, summary, options.titles_first)
        try:
            key = change_key(options.settings, resolve(options.settings).fingerprint)
            found, failures = discover(sources, options.settings, exclude=out_dir, feeds_only=options.feeds_only)
            removed = library.removed()
            items = [item for item in found if document_id(item.key) not in removed]
            summary.removed = len(found) - len(items)
            summary.sources = {item.key: item.origin for item in items}
            reporter.start(len(items) + len(failures))
            for failure in failures:  # a source that is also another source's article leaves that one's row alone
                mine = failure.key not in summary.sources
                round_.fail(failure.key, failure.reason, origin=failure.origin, record=mine)
            settings = options.settings
            planned = plan(items, manifest, complete=outputs.complete, settings=settings, key=key, library=library)
            jobs = round_.jobs(planned)
            # A long document's parts are committed to the library as they are done (a kill resumes there).
            for result in engine.translate(jobs, library=library):
                round_.finish(result)
            # Titles first: an article a watchlist hit in its lead is translated whole (the lead from the cache),
            # and so are the titles-first articles of a feed switched back to full translation.
            full = frozenset(sources) - options.titles_first if options.feeds_only else frozenset()
            for result in engine.translate([*round_.take_watched(), *round_.rest_jobs(full)]):
                round_.finish(result)
            library.deliver_alerts_later()  # in the background: alerts that failed before are tried again
        finally:
            round_.summary.index = outputs.write_index(manifest.rows(DONE))
            round_.summary.feeds = _publish(library, options, reporter)
            reporter.close()
    round_.summary.seconds = time.monotonic() - started
    return round_.summary


class _Round:
    """One run's bookkeeping: every outcome is recorded here, whichever engine produced it."""

    def __init__(
        self,
        outputs: Outputs,
        manifest: Manifest,
        library: Library,
        progress: ProgressReporter,
        summary: BatchSummary,
        titles_first: frozenset[str] = frozenset(),
    ) -> None:
        self.outputs = outputs
        self.manifest = manifest
        self.library = library
        self.progress = progress
        self.summary = summary
        self.titles_first = titles_first
        self.watched: list[Job] = []
        """Titles-first jobs whose lead a watchlist hit: translated whole at the end of the run."""

    def take_watched(self) -> list[Job]:
        watched, self.watched = self.watched, []
        return watched

    def rest_jobs(self, feeds: frozenset[str]) -> list[Job]:
        """The titles-first articles of these feeds still partial in the library, as jobs that translate them
        whole from the library's own text (the entry may have left the feed since), the manifest row kept."""
        leads = set(self.library.leads(feeds)) if feeds else set()
        jobs = []
        for row in self.manifest.rows(DONE) if leads else ():
            if document_id(row.key) not in leads:
                continue
            article = rest_article(self.library.get(document_id(row.key)))
            item = Item(row.key, "url", origin=article.feed, feed=article.feed)
            jobs.append(Job(item, article, row.content_hash or "", COMPLETED, row.hint))
        return jobs

    def jobs(self, steps: Iterator[Job | Unchanged | Failure]) -> Iterator[Job]:
        """The jobs among the plan's steps, each marked pending as the engine takes it; the rest recorded."""
        for step in steps:
            if isinstance(step, Unchanged):
                self.summary.unchanged += 1
                self.progress.article(step.key, "unchanged")
            elif isinstance(step, Failure):
                self.fail(step.key, step.reason, origin=step.origin)
            else:
                article = step.article
                if step.item.kind == "url":  # after planning: the day first seen is not part of "changed"
                    article = self.library.first_seen(document_id(step.key), article, today())
                lead = step.item.origin in self.titles_first
                step = replace(step, article=self.library.without_site_boilerplate(article), lead=lead)
                for warning in step.article.warnings:
                    self.progress.message(warning)
                self.manifest.mark_pending(step.key, step.content_hash, source=step.source, hint=step.hint)
                yield step

    def finish(self, result: Result) -> None:
        job = result.job
        if result.document is None:
            self.fail(job.key, result.error, source=job.source, origin=job.item.origin)
            return
        try:
            self.commit(job, result.document)
        except Exception as exc:  # a file that cannot be written fails this article; the run goes on
            self.fail(job.key, describe(exc), source=job.source, origin=job.item.origin)

    def commit(self, job: Job, document: Document) -> None:
        """Write every output file (atomically), index the document, then mark the article done in one transaction.

        The document shows the reader's edits of its sentences and its glossary flags (``Library.shown``),
        in every output.
        """
        document = self.library.shown(document)
        written = self.outputs.write(job.key, document)
        self.library.indexed(document_id(job.key), document)
        self.manifest.mark_done(
            job.key,
            job.content_hash,
            outputs=written,
            title=_shorten(document.title),
            headline=_shorten(document.title_en),
            date=job.article.meta.date,
            source=job.source,
            hint=job.hint,
            sentences=len(document.sentences),
        )
        if job.lead and self.library.watch_hits(document_id(job.key)):
            self.watched.append(replace(job, lead=False))
        cached = sum(1 for s in document.sentences if s.has(Flag.CACHED))
        self.summary.sentences += sum(1 for s in document.sentences if not s.has(Flag.PENDING))
        self.summary.cache_hits += cached
        done = {"new": self.summary.new, COMPLETED: self.summary.completed}.get(job.outcome, self.summary.changed)
        if job.key not in done:  # a titles-first article completed after a watch hit is counted once
            done.append(job.key)
        self.progress.article(job.key, job.outcome, f"{len(document.sentences)} sentences, {cached} cached")

    def fail(self, key: str, reason: str, *, source: str = "", origin: str = "", record: bool = True) -> None:
        """Count a failure; ``record`` it on the article's manifest row too, unless that row is another source's."""
        if record:
            self.manifest.mark_failed(key, reason, source=source or key)
        self.summary.failed.append(Failure(key, reason, origin))
        self.progress.article(key, "failed", reason)


def _publish(library: Library, options: BatchOptions, reporter: ProgressReporter) -> Path | None:
    """Write the translated feeds into the folder (``reader.publish.static``); a failure is reported, and
    the run's articles are kept all the same."""
    from reader.publish.static import write_feeds

    try:
        return write_feeds(library, app_url=options.settings.app_url, feeds_url=options.settings.feeds_url).folder
    except (OSError, ReaderError) as exc:
        reporter.message(f"the translated feeds were not written: {describe(exc)}")
        return None


def today() -> str:
    """The day, YYYY-MM-DD in UTC, that an undated article is first seen on."""
    return datetime.now(UTC).date().isoformat()


def _shorten(text: str, limit: int = 200) -> str:
    """Index entries: a first paragraph used as a title can be a whole paragraph long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
