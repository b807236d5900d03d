"""A lazy registry of translation backends: names map to import paths, loaded on first use.

Tests and plugins add backends with ``register``; nothing heavy is imported until a
backend is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.errors import ReaderError
from reader.translate.base import Translator

BackendFactory = Callable[..., Translator]
"""``factory(model_dir: Path, *, settings: reader.config.Settings) -> Translator``"""

_BACKENDS: dict[str, str | BackendFactory] = {
    "transformers": "reader.translate.backends.transformers:TransformersTranslator.load",
    "ct2": "reader.translate.backends.ctranslate2:CT2Translator.load",
}


AUTO = "auto"
"""Not a backend: the model store picks CTranslate2 when a conversion exists, else transformers."""

BUILTIN = frozenset(_BACKENDS)
"""Backends reader ships; any other name was registered at run time (a plugin, a test's fake)."""


def register(name: str, factory: BackendFactory) -> None:
    _BACKENDS[name] = factory


def unregister(name: str) -> None:
    _BACKENDS.pop(name, None)


def names() -> list[str]:
    return sorted(_BACKENDS)


def check(name: str) -> str:
    """``name`` if it is ``auto`` or a known backend (a plugin's included), else a ReaderError listing them.

    The one check of a backend's name: every command's ``--backend`` calls it when it parses the flag.
    """
    if name != AUTO and name not in _BACKENDS:
        raise ReaderError(f"unknown backend {name!r}; known: {', '.join([AUTO, *names()])}")
    return name


def get(name: str) -> BackendFactory:
    try:
        entry = _BACKENDS[name]
    except KeyError:
        raise ReaderError(f"unknown backend {name!r}; known: {', '.join(names())}") from None
    if isinstance(entry, str):
        module_name, _, attr = entry.partition(":")
        try:
            target: Any = importlib.import_module(module_name)
        except ImportError as exc:
            if exc.name == module_name:
                raise
            extra = "ct2" if name == "ct2" else "ml"
            raise ReaderError(
                f"backend {name!r} needs packages that are not installed ({exc.name}); "
                f"install them with: pip install 'reader[{extra}]'"
            ) from exc
        for part in attr.split("."):
            target = getattr(target, part)
        entry = target
        _BACKENDS[name] = entry
    return entry


def create(name: str, model_dir: Path, **kwargs: Any) -> Translator:
    return get(name)(model_dir, **kwargs)
