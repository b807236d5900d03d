"""Feedback during a batch: a progress bar on a terminal, plain log lines otherwise, or silence.

The runner only calls the ``ProgressReporter`` methods; which kind the user gets is decided
once by ``make_reporter``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from tqdm import tqdm


class ProgressReporter(Protocol):
    def start(self, articles: int) -> None:
        """The number of articles this run will look at."""

    def sentences(self, count: int) -> None:
        """``count`` more sentences are finished (translated, cached or passed through)."""

    def article(self, key: str, outcome: str, detail: str = "") -> None:
        """An article is finished: outcome is 'new', 'changed', 'unchanged' or 'failed'."""

    def message(self, text: str) -> None:
        """A warning or note the user should see (not an error that stops the run)."""

    def close(self) -> None: ...


class QuietReporter:
    """--quiet: nothing while running (the caller still reports failures at the end)."""

    def start(self, articles: int) -> None:
        return

    def sentences(self, count: int) -> None:
        return

    def article(self, key: str, outcome: str, detail: str = "") -> None:
        return

    def message(self, text: str) -> None:
        return

    def close(self) -> None:
        return


class LogReporter:
    """One line per translated or failed article, for logs and pipes (no control characters)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.seen = 0

    def start(self, articles: int) -> None:
        self.total = articles
        self.seen = 0
        self._write(f"batch: {articles} article(s) to check")

    def sentences(self, count: int) -> None:
        return

    def article(self, key: str, outcome: str, detail: str = "") -> None:
        self.seen += 1
        if outcome != "unchanged":
            self._write(f"[{self.seen}/{self.total}] {outcome} {with_key(key, detail)}")

    def message(self, text: str) -> None:
        self._write(f"warning: {text}")

    def close(self) -> None:
        self.stream.flush()

    def _write(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


class BarReporter:
    """A tqdm bar over articles, with sentences done in its postfix; ETA from the article rate."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: tqdm | None = None
        self.done_sentences = 0
        self.failed = 0

    def start(self, articles: int) -> None:
        from tqdm import tqdm

        self.close()
        self.done_sentences = 0
        self.failed = 0
        self.bar = tqdm(total=articles, unit="article", file=self.stream, dynamic_ncols=True, leave=True)
        self._postfix()

    def sentences(self, count: int) -> None:
        self.done_sentences += count
        self._postfix()

    def article(self, key: str, outcome: str, detail: str = "") -> None:
        if outcome == "failed":
            self.failed += 1
            self.message(f"failed {with_key(key, detail)}")
        if self.bar is not None:
            self.bar.update(1)
        self._postfix()

    def message(self, text: str) -> None:
        from tqdm import tqdm

        tqdm.write(text, file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _postfix(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.done_sentences} sentences, {self.failed} failed", refresh=False)
            self.bar.refresh()


def with_key(key: str, detail: str) -> str:
    """'key: detail', without repeating the key when the detail (an error message) starts with it."""
    if not detail:
        return key
    return detail if detail.startswith(f"{key}: ") else f"{key}: {detail}"


def make_reporter(*, quiet: bool = False, stream: TextIO | None = None) -> ProgressReporter:
    """Silence with --quiet; a bar on a terminal; plain lines anywhere else."""
    stream = stream or sys.stderr
    if quiet:
        return QuietReporter()
    if stream.isatty():
        return BarReporter(stream)
    return LogReporter(stream)
