"""Which model translates, how fast, and the one loaded copy every session shares."""

from __future__ import annotations

from reader.config import Settings, default
from reader.errors import ModelNotFoundError
from reader.translate.shared import SharedTranslator

BEST, FAST = "best", "fast"
SPEEDS = (BEST, FAST)
BEST_BEAM: int = default("beam")
"""The beam of "Best" when READER_BEAM does not name a wider one (the default, the models' own setting)."""


def beam_for(speed: str, settings: Settings) -> int:
    """Greedy decoding is beam 1: several times faster on CPU, a little less fluent."""
    return 1 if speed == FAST else (settings.beam if settings.beam > 1 else BEST_BEAM)


def speed_label(speed: str, settings: Settings) -> str:
    """'Best (beam 4)' (READER_BEAM when it is wider) or 'Fast (greedy)'."""
    return "Fast (greedy)" if speed == FAST else f"Best (beam {beam_for(BEST, settings)})"


def default_speed(settings: Settings) -> str:
    return FAST if settings.beam == 1 else BEST


def model_choices(settings: Settings) -> list[str]:
    """Models the sidebar offers: the configured one first when it can be loaded, then the installed ones."""
    from reader.models.store import installed_models, resolve

    names = [m.name for m in installed_models(settings)]
    if settings.model in names:
        names.remove(settings.model)
        return [settings.model, *names]
    try:
        resolve(settings)
    except ModelNotFoundError:
        return names
    return [settings.model, *names]


def shown_name(model: str) -> str:
    """How the sidebar names a model: a catalog name, or a model folder's name (never its path)."""
    from reader.api import model_label

    return model_label(model)


def no_model_help(settings: Settings) -> str:
    """Markdown for the panel shown when no model is installed."""
    return (
        "**No translation model is installed yet.**\n\n"
        "In the repository folder, download the default model (needs internet once):\n\n"
        "```\n.venv/bin/reader models pull opus-mt-ar-en\n```\n\n"
        "or import a Marian model folder you already have:\n\n"
        "```\n.venv/bin/reader models import PATH --name opus-mt-ar-en\n```\n\n"
        "Without internet access, `make demo` starts the app with a small offline toy model.\n\n"
        f"Models are stored in `{settings.models_dir}`. Reload this page afterwards."
    )


def open_shared_translator(settings: Settings) -> SharedTranslator:
    """Load the configured model behind the sentence cache (slow: call once, e.g. via st.cache_resource)."""
    from reader.api import open_translator

    return SharedTranslator(open_translator(settings)())
