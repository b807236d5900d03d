"""Batch translation of folders, URL lists and feeds: incremental, resumable, optionally on Ray.

Entry points: ``run_batch`` (one pass) and ``watch`` (poll until interrupted), both configured by
one ``BatchOptions``; the command line is ``reader batch`` (``reader.cli.batch``), also
runnable as ``python -m reader.batch``. See docs/batch.md. The parts, in the order a run uses them:

- ``sources``: what each SOURCE names (folders, URL lists, feeds) and the articles in it;
- ``plan``: which articles are new, changed or unchanged (the model's weights count);
- ``engines`` / ``ray_engine``: where they are translated, behind one ``translate(jobs)``;
- ``outputs``, ``index``, ``manifest``: the files, the index page and the record of what is done;
- ``runner``: one run from start to end; ``summary`` and ``progress``: what the user is told.

Nothing heavy (Ray, feedparser, trafilatura, tqdm) is imported here.
"""

from reader.batch.manifest import MANIFEST_NAME, Manifest
from reader.batch.options import BatchOptions, RayOptions
from reader.batch.progress import ProgressReporter, make_reporter
from reader.batch.runner import run_batch, watch
from reader.batch.summary import BatchSummary

__all__ = [
    "MANIFEST_NAME",
    "BatchOptions",
    "BatchSummary",
    "Manifest",
    "ProgressReporter",
    "RayOptions",
    "make_reporter",
    "run_batch",
    "watch",
]
