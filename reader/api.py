"""The composition root: the one place a translator is put together, for the CLI, the app, batch and Ray.

``open_translator(settings)`` returns a ``TranslatorFactory``: a frozen, picklable description of
the translator (the settings, and a backend registered at run time carried by reference). Calling
it opens the backend on the model the settings resolve to and puts it behind the persistent
sentence cache, so only cache misses reach the model. What travels to a Ray actor is this
factory, never a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.cache import SentenceCache
from reader.config import Settings
from reader.models.store import InstalledModel, resolve
from reader.translate import registry
from reader.translate.cached import CachedTranslator

if TYPE_CHECKING:
    from reader.translate.base import Translator
    from reader.translate.registry import BackendFactory


@dataclass(frozen=True)
class TranslatorFactory:
    """``factory()`` opens the configured model behind the sentence cache (see the module docstring)."""

    settings: Settings
    refresh: bool = False
    """Never read the cache, but store what the model returns (``reader translate --refresh``)."""
    plugin: tuple[str, BackendFactory] | None = None
    """A backend registered at run time, registered again wherever the factory is called."""

    def model(self) -> InstalledModel:
        """The model folder and backend the settings name, without loading anything (fails early and clearly)."""
        return resolve(self.settings)

    def open_backend(self) -> Translator:
        """The backend alone, without the cache (loads the model: slow)."""
        if self.plugin is not None:
            registry.register(*self.plugin)
        model = self.model()
        return registry.create(model.backend, model.path, settings=self.settings)

    def __call__(self) -> CachedTranslator:
        return CachedTranslator(self.open_backend(), SentenceCache.for_settings(self.settings), refresh=self.refresh)


def open_translator(settings: Settings, *, refresh: bool = False) -> TranslatorFactory:
    """The factory for the translator ``settings`` describe; nothing is loaded until it is called."""
    if settings.backend == "auto" or settings.backend in registry.BUILTIN:
        return TranslatorFactory(settings, refresh)
    return TranslatorFactory(settings, refresh, (settings.backend, registry.get(settings.backend)))
