"""The model store: the catalog in models/catalog.toml, installed models, and opening a translator.

A model is named by a catalog name (installed under ``settings.models_dir``) or by a path to a
folder. Converted CTranslate2 copies live beside the original as ``<name>-ct2-<quantization>``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from reader.config import PACKAGE_ROOT, Settings
from reader.errors import ModelError, ModelNotFoundError, ReaderError
from reader.translate import registry
from reader.translate.base import Translator

CATALOG_PATH = PACKAGE_ROOT / "models" / "catalog.toml"
CT2_MARKER = "model.bin"
MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
DOWNLOAD_PATTERNS = [*MARIAN_FILES, "tokenizer_config.json", "generation_config.json", "special_tokens_map.json"]


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    hub_id: str
    revision: str
    size_mb: int
    license: str
    bleu_flores101: float
    notes: str = ""
    default: bool = False


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path
    backend: str
    """'transformers' for a Hugging Face Marian folder, 'ct2' for a CTranslate2 conversion."""


def catalog() -> dict[str, CatalogEntry]:
    try:
        raw = tomllib.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReaderError(f"cannot read the model catalog {CATALOG_PATH}: {exc}") from exc
    return {
        name: CatalogEntry(
            name=name,
            hub_id=entry["hub_id"],
            revision=entry["revision"],
            size_mb=int(entry["size_mb"]),
            license=entry["license"],
            bleu_flores101=float(entry["bleu_flores101"]),
            notes=entry.get("notes", ""),
            default=bool(entry.get("default", False)),
        )
        for name, entry in raw.items()
    }


def backend_of(path: Path) -> str | None:
    """Which backend can load the folder, or None when it is not a model folder."""
    if (path / CT2_MARKER).is_file():
        return "ct2"
    if (path / "config.json").is_file() and any((path / w).is_file() for w in WEIGHT_FILES):
        return "transformers"
    return None


def installed_models(settings: Settings) -> list[InstalledModel]:
    root = settings.models_dir
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        backend = backend_of(path)
        if backend:
            found.append(InstalledModel(path.name, path, backend))
    return found


def ct2_dir(settings: Settings, name: str, quantization: str = "int8") -> Path:
    return settings.models_dir / f"{name}-ct2-{quantization}"


def _how_to_get(name: str) -> str:
    return (
        f"Run `reader models pull {name}` (downloads from the Hugging Face hub), "
        "or `reader models import PATH --name NAME` for a Marian folder you already have, "
        "or point --model / READER_MODEL at a model folder."
    )


def resolve(settings: Settings) -> InstalledModel:
    """Find the model folder and backend that ``settings`` ask for, or say how to get it."""
    spec = settings.model
    as_path = Path(spec).expanduser()
    if as_path.is_dir():
        backend = backend_of(as_path)
        if backend is None:
            raise ModelNotFoundError(
                f"{as_path} is not a model folder: expected config.json with model weights "
                f"(transformers) or {CT2_MARKER} (CTranslate2)"
            )
        return _choose_backend(InstalledModel(as_path.name, as_path, backend), settings)
    if "/" in spec or spec.startswith("."):
        raise ModelNotFoundError(f"model folder {spec} does not exist. {_how_to_get('opus-mt-ar-en')}")
    installed = {m.name: m for m in installed_models(settings)}
    if spec in installed:
        return _choose_backend(installed[spec], settings)
    converted = installed.get(f"{spec}-ct2-int8")
    if converted and settings.backend in ("auto", "ct2"):
        return converted
    known = catalog()
    if spec in known:
        raise ModelNotFoundError(f"model {spec!r} is not installed in {settings.models_dir}. {_how_to_get(spec)}")
    raise ModelNotFoundError(
        f"unknown model {spec!r}. Known models: {', '.join(sorted(known))}; "
        f"installed: {', '.join(sorted(installed)) or 'none'}. {_how_to_get('opus-mt-ar-en')}"
    )


def _choose_backend(model: InstalledModel, settings: Settings) -> InstalledModel:
    """'auto' prefers a CTranslate2 conversion stored beside a transformers model."""
    wanted = settings.backend
    if wanted == "auto":
        if model.backend == "transformers":
            for quantization in ("int8", "float16", "float32", "int8_float16"):
                converted = model.path.parent / f"{model.name}-ct2-{quantization}"
                if backend_of(converted) == "ct2":
                    return InstalledModel(converted.name, converted, "ct2")
        return model
    if wanted == model.backend:
        return model
    if wanted == "ct2":
        converted = model.path.parent / f"{model.name}-ct2-int8"
        if backend_of(converted) == "ct2":
            return InstalledModel(converted.name, converted, "ct2")
        raise ModelNotFoundError(
            f"no CTranslate2 conversion of {model.name}. Run `reader models convert {model.name} --to ct2`."
        )
    if wanted == "transformers" and model.backend == "ct2":
        raise ModelNotFoundError(f"{model.path} is a CTranslate2 model; the transformers backend cannot load it")
    return InstalledModel(model.name, model.path, wanted)


def open_backend(settings: Settings) -> Translator:
    model = resolve(settings)
    return registry.create(model.backend, model.path, settings=settings)


def open_translator(settings: Settings, *, refresh: bool = False) -> Translator:
    """The configured model behind the persistent sentence cache: only cache misses reach the model."""
    from reader.cache import SentenceCache
    from reader.translate.cached import CachedTranslator

    backend = open_backend(settings)
    cache = SentenceCache(settings.cache_path, max_entries=settings.cache_max_entries)
    return CachedTranslator(backend, cache, refresh=refresh)


def pull(name: str, settings: Settings) -> Path:
    """Download a catalog model at its pinned revision, with the hub's progress bars."""
    entry = catalog().get(name)
    if entry is None:
        raise ModelNotFoundError(f"unknown model {name!r}; known: {', '.join(sorted(catalog()))}")
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError as exc:
        raise ReaderError("downloading models needs huggingface_hub: pip install 'reader[ml]'") from exc
    target = settings.models_dir / name
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=settings.models_dir))
    try:
        snapshot_download(
            repo_id=entry.hub_id,
            revision=entry.revision,
            local_dir=staging,
            allow_patterns=[*DOWNLOAD_PATTERNS, *WEIGHT_FILES],
        )
        _validate_marian(staging)
        shutil.rmtree(staging / ".cache", ignore_errors=True)
        _replace_dir(staging, target)
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        raise ModelNotFoundError(
            f"could not download {entry.hub_id}@{entry.revision[:10]}: {_first_line(exc)}. "
            "This needs network access to huggingface.co. Offline, copy the model folder from a "
            f"machine that has it and run `reader models import PATH --name {name}`."
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    (target / "reader-source.json").write_text(
        json.dumps({"hub_id": entry.hub_id, "revision": entry.revision}, indent=2), encoding="utf-8"
    )
    return target


def import_model(path: Path, settings: Settings, *, name: str | None = None) -> Path:
    """Copy a local Hugging Face Marian folder into the store after checking it is complete."""
    source = Path(path).expanduser()
    if not source.is_dir():
        raise ModelNotFoundError(f"{source} is not a folder")
    _validate_marian(source)
    target = settings.models_dir / (name or source.name)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=settings.models_dir))
    try:
        for item in source.iterdir():
            if item.is_file():
                shutil.copy2(item, staging / item.name)
        _replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def convert(name: str, settings: Settings, *, quantization: str = "int8", force: bool = False) -> Path:
    """Store a CTranslate2 conversion of an installed model beside it."""
    from reader.convert import convert_to_ct2

    model = resolve(replace(settings, model=name, backend="transformers"))
    target = ct2_dir(settings, model.name, quantization)
    return convert_to_ct2(model.path, target, quantization=quantization, force=force)


def _validate_marian(folder: Path) -> None:
    missing = [f for f in MARIAN_FILES if not (folder / f).is_file()]
    if not any((folder / w).is_file() for w in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelNotFoundError(f"{folder} is not a complete Marian model folder; missing: {', '.join(missing)}")
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{folder / 'config.json'} is unreadable: {exc}") from exc
    if config.get("model_type") != "marian":
        raise ModelError(f"{folder} holds a {config.get('model_type')!r} model; reader needs a Marian model")


def _replace_dir(staging: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(".")
