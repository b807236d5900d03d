"""What a batch run did: the articles new, changed, unchanged and failed, and the report the user sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reader.batch.progress import with_key
from reader.batch.sources import Failure


@dataclass
class BatchSummary:
    out_dir: Path
    engine: str = "local"
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    """Titles-first articles already in the library translated whole, their feed switched back to full."""
    unchanged: int = 0
    removed: int = 0
    """Articles skipped because the reader removed them from the library."""
    failed: list[Failure] = field(default_factory=list)
    sentences: int = 0
    """Sentences in the articles translated by this run."""
    cache_hits: int = 0
    """Of those, sentences answered by the shared sentence cache."""
    seconds: float = 0.0
    index: Path | None = None
    feeds: Path | None = None
    """The translated feeds' folder (``reader.publish.static``), once written."""
    sources: dict[str, str] = field(default_factory=dict)
    """The SOURCE each article came from, by key (a feed check tells its feeds apart by it)."""

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
        self.completed += other.completed
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.sources.update(other.sources)
        self.failed += other.failed
        self.sentences += other.sentences
        self.cache_hits += other.cache_hits
        self.seconds += other.seconds
        self.index = other.index or self.index
        self.feeds = other.feeds or self.feeds

    def report(self) -> str:
        """The end-of-run summary shown to the user."""
        total = self.translated + self.unchanged + len(self.failed)
        lines = [
            f"{total} article(s) in {self.seconds:.1f} s: {len(self.new)} new, {len(self.changed)} changed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed",
            f"{self.sentences} sentence(s) translated, {self.cache_hits} from the cache",
        ]
        if self.completed:
            lines.append(f"{len(self.completed)} titles-first article(s) translated whole (their feed is back to full)")
        if self.index is not None:
            lines.append(f"index: {self.index}")
        if self.feeds is not None:
            lines.append(f"feeds: {self.feeds}")
        if self.failed:
            lines.append("failures:")
            lines.extend(f"  {with_key(f.key, f.reason)}" for f in self.failed)
        return "\n".join(lines)
