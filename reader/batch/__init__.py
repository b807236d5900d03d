"""Batch translation of folders, URL lists and feeds: incremental, resumable, optionally on Ray.

Entry points: ``run_batch`` (one pass) and ``watch`` (poll until interrupted); the command
line is ``reader batch`` (``reader.batch.command``), also runnable as ``python -m reader.batch``.
See docs/batch.md. Nothing heavy (Ray, feedparser, trafilatura, tqdm) is imported here.
"""

from reader.batch.manifest import MANIFEST_NAME, Manifest
from reader.batch.progress import ProgressReporter, make_reporter
from reader.batch.runner import BatchSummary, run_batch, watch

__all__ = [
    "MANIFEST_NAME",
    "BatchSummary",
    "Manifest",
    "ProgressReporter",
    "make_reporter",
    "run_batch",
    "watch",
]
