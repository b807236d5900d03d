"""reader: an Arabic-to-English translator and bilingual reader.

Importing the package does no work: models, caches and settings load lazily. The entry points
most callers need are re-exported here, and imported only when first used:

- ``reader.open_translator(settings)``: the translator factory (the composition root, ``reader.api``);
- ``reader.translate_article(article, translator, settings)``: an ``Article`` to a translated
  ``Document``, and ``reader.iter_article``, the same as it fills in.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {"open_translator": "reader.api", "translate_article": "reader.api", "iter_article": "reader.api"}
"""Names this package re-exports, and the module each lives in (imported on first use)."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reader' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
