"""Settings, resolved as flag > environment variable > default, and only when asked for.

Nothing is read at import time: call ``Settings.load(...)`` where the value is needed,
passing the command-line flags that were given (None means "not given").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reader.errors import ReaderError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _default_models_dir() -> Path:
    """The repo's ``models/`` folder (editable installs), else a per-user data folder."""
    repo_models = PACKAGE_ROOT / "models"
    if (repo_models / "catalog.toml").is_file():
        return repo_models
    return _data_home() / "reader" / "models"


def _default_cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "reader" / "sentences.sqlite3"


@dataclass(frozen=True)
class Settings:
    model: str = "opus-mt-ar-en"
    """A catalog name or a path to a model folder."""
    backend: str = "auto"
    """'auto' (CTranslate2 when a converted model exists, else transformers), 'transformers' or 'ct2'."""
    models_dir: Path = Path()
    cache_path: Path = Path()
    cache_max_entries: int = 2_000_000
    lookup_dir: Path = Path()
    """Where the word-lookup index is built (default: beside the sentence cache)."""
    library: Path = Path()
    """The reading library: documents, their index, feeds (default $XDG_DATA_HOME/reader/library)."""
    beam: int = 4
    device: str = "auto"
    threads: int = 0
    """Torch / CTranslate2 intra-op threads; 0 lets the library choose."""
    token_budget: int = 100
    """Source subwords per model input; longer sentences are sub-split at clause boundaries."""
    batch_tokens: int = 2048
    memory_mb: int = 500
    """Peak resident memory (MB) the CTranslate2 backend sizes its batches for, every output at its length
    limit: batches grow past ``batch_tokens`` while the model's process stays within it (0: they do not)."""
    strip_diacritics: bool = True
    max_input_bytes: int = 5_000_000
    fetch_timeout: float = 15.0
    fetch_max_bytes: int = 5_000_000
    allow_private_urls: bool = False
    editor: str = ""
    """Who makes the edits (READER_EDITOR, --editor): recorded with each one, and in TMX as changeid."""

    @classmethod
    def load(cls, **flags: Any) -> Settings:
        """Build settings from flags (None = not given), then READER_* variables, then defaults."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            flag = flags.pop(f.name, None)
            env = os.environ.get(f"READER_{f.name.upper()}")
            if flag is not None:
                values[f.name] = _coerce(f.name, f.type, flag)
            elif env not in (None, ""):
                values[f.name] = _coerce(f.name, f.type, env)
        if flags:
            raise TypeError(f"unknown settings: {', '.join(sorted(flags))}")
        values.setdefault("models_dir", _default_models_dir())
        values.setdefault("cache_path", _default_cache_path())
        values.setdefault("lookup_dir", values["cache_path"].parent)
        values.setdefault("library", _data_home() / "reader" / "library")
        return cls(**values)


def _coerce(name: str, type_name: Any, value: Any) -> Any:
    kind = str(type_name)
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "Path":
            return Path(value).expanduser()
        return str(value)
    except ValueError:
        raise ReaderError(f"invalid value {value!r} for setting {name} (READER_{name.upper()})") from None
