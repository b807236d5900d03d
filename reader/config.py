"""Settings, resolved as flag > environment variable > default, and only when asked for.

Nothing is read at import time: call ``Settings.load(...)`` where the value is needed,
passing the command-line flags that were given (None means "not given").

This is the one place that holds each setting's default and the values it accepts (``limits``):
settings out of range are refused however they were given, and the command line's options take
their ranges from here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
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


def _limits(low: float, high: float | None = None) -> dict[str, object]:
    """Field metadata: the setting's smallest and largest accepted values (None: no upper bound)."""
    return {"limits": (low, high)}


@dataclass(frozen=True)
class Settings:
    model: str = "opus-mt-ar-en"
    """A catalog name or a path to a model folder."""
    backend: str = "auto"
    """'auto' (CTranslate2 when a converted model exists, else transformers), 'transformers' or 'ct2'."""
    models_dir: Path = Path()
    cache_path: Path = Path()
    cache_max_entries: int = field(default=2_000_000, metadata=_limits(1))
    lookup_dir: Path = Path()
    """Where the word-lookup index is built (default: beside the sentence cache)."""
    library: Path = Path()
    """The reading library: documents, their index, feeds (default $XDG_DATA_HOME/reader/library)."""
    beam: int = field(default=4, metadata=_limits(1, 16))
    """Beam size: 4 is the models' own setting, 1 is greedy (several times faster on CPU); wider than 16
    costs time and memory for nothing on these models."""
    device: str = "auto"
    threads: int = field(default=0, metadata=_limits(0))
    """Torch / CTranslate2 intra-op threads; 0 lets the library choose."""
    token_budget: int = field(default=100, metadata=_limits(1))
    """Source subwords per model input; longer sentences are sub-split at clause boundaries."""
    batch_tokens: int = field(default=2048, metadata=_limits(1))
    memory_mb: int = field(default=500, metadata=_limits(0))
    """Peak resident memory (MB) the CTranslate2 backend sizes its batches for, every output at its length
    limit: batches grow past ``batch_tokens`` while the model's process stays within it (0: they do not)."""
    strip_diacritics: bool = True
    max_input_bytes: int = field(default=5_000_000, metadata=_limits(1))
    max_document_bytes: int = field(default=100_000_000, metadata=_limits(1))
    """The largest PDF, DOCX or EPUB file read; an archive's unpacked parts are capped too (reader.documents)."""
    part_pages: int = field(default=20, metadata=_limits(0))
    """A document of more pages is translated into the library this many pages at a time, each part committed
    as it is done, so a kill loses at most one part and the library shows the pages so far (0: never in parts)."""
    ocr: str = "auto"
    """Pages of a PDF with no credible text: 'auto' reads them by OCR when Tesseract with Arabic is installed,
    'off' only reports them (READER_OCR)."""
    fetch_timeout: float = field(default=15.0, metadata=_limits(0.001))
    fetch_max_bytes: int = field(default=5_000_000, metadata=_limits(1))
    allow_private_urls: bool = False
    editor: str = ""
    """Who makes the edits (READER_EDITOR, --editor): recorded with each one, and in TMX as changeid."""
    smtp_host: str = ""
    """The SMTP server watchlist e-mails go through (READER_SMTP_HOST); none: no e-mail is sent."""
    smtp_port: int = 25
    smtp_from: str = "reader@localhost"
    smtp_user: str = ""
    """A login for the server, when it wants one (READER_SMTP_USER, READER_SMTP_PASSWORD)."""
    smtp_password: str = ""
    app_url: str = "http://localhost:8501/"
    """The reader app's address (READER_APP_URL): translated feeds link each entry to ``<app_url>?doc=<id>``;
    empty: no app links."""
    feeds_url: str = ""
    """Where LIB/feeds/ is published (READER_FEEDS_URL), so the static feeds can name their own address
    (Atom's ``rel="self"``, JSON Feed's ``feed_url``); empty: not named."""

    def __post_init__(self) -> None:
        for f in fields(self):
            low, high = limits(f.name)
            value = getattr(self, f.name)
            if low is not None and (value < low or (high is not None and value > high)):
                accepted = f"from {low} to {high}" if high is not None else f"at least {low}"
                raise ReaderError(f"setting {f.name} must be {accepted}, not {value} (READER_{f.name.upper()})")

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


def limits(name: str) -> tuple[Any, Any]:
    """The smallest and largest value setting ``name`` accepts ((None, None) when any value goes)."""
    for f in fields(Settings):
        if f.name == name:
            return f.metadata.get("limits", (None, None))
    raise KeyError(name)


def default(name: str) -> Any:
    """Setting ``name``'s default (the paths' defaults depend on the environment: ``Settings.load`` has them)."""
    for f in fields(Settings):
        if f.name == name:
            return f.default
    raise KeyError(name)


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
