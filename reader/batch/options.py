"""How a batch run is configured: one dataclass, passed whole from the command to the runner and engines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.batch.progress import ProgressReporter
    from reader.config import Settings
    from reader.translate.base import Translator

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class RayOptions:
    """For ``engine="ray"``: which cluster, and how its actors are sized."""

    address: str | None = None
    """Join this Ray cluster; None starts Ray locally."""
    workers: int | None = None
    """Actors; None means one per GPU when actors take GPUs, else one per CPU."""
    gpus_per_worker: float = 0.0


@dataclass(frozen=True)
class BatchOptions:
    """Everything a run needs besides its sources and output folder."""

    settings: Settings
    """The model and translation settings; they also name the model whose weights decide "changed"."""
    formats: Sequence[str] = ("json",)
    engine: str = "local"
    """'local' (this process) or 'ray' (an actor pool)."""
    ray: RayOptions = RayOptions()
    progress: ProgressReporter | None = None
    """Feedback while running; None is silence."""
    translator_factory: Callable[[], Translator] | None = None
    """What builds the translator (once per process or actor); None means ``reader.open_translator(settings)``."""
    feeds_only: bool = False
    """Every source must be a feed URL; a page that is not a feed is that source's failure (a feed check)."""
    titles_first: frozenset[str] = frozenset()
    """Feed URLs whose new entries get their title and first paragraph translated, the rest when a
    watchlist hits in the run or the article is opened (``Library.complete``)."""
