"""The model store: installed models, which folder and backend the settings ask for, pull and import.

A model is named by a catalog name (installed under ``settings.models_dir``) or by a path to a
folder. Converted CTranslate2 copies live beside the original as ``<name>-ct2-<quantization>``.
Opening a translator on the resolved model is ``reader.api``'s job.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from reader.config import Settings
from reader.errors import ModelError, ModelNotFoundError, ReaderError, first_line
from reader.extras import missing
from reader.models import folder
from reader.models.catalog import catalog

DOWNLOAD_PATTERNS = [
    *folder.MARIAN_REQUIRED,
    "tokenizer_config.json",
    "generation_config.json",
    "special_tokens_map.json",
    "model.safetensors",
    "pytorch_model.bin",
]
"""What ``pull`` fetches from a hub repository (which can hold TensorFlow and Rust weights too)."""
CT2_QUANTIZATION_PREFERENCE = ("int8", "float16", "float32", "int8_float16")
"""The conversion 'auto' picks when several sit beside a model."""


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path
    backend: str
    """'transformers' for a Hugging Face Marian folder, 'ct2' for a CTranslate2 conversion (or a plugin's name)."""

    @property
    def fingerprint(self) -> str:
        """The weights' identity (``reader.models.folder.fingerprint``); memoised, so cheap after the first time."""
        return folder.fingerprint(self.path)


def installed_models(settings: Settings) -> list[InstalledModel]:
    root = settings.models_dir
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        backend = folder.kind(path)
        if backend:
            found.append(InstalledModel(path.name, path, backend))
    return found


def ct2_dir(settings: Settings, name: str, quantization: str = "int8") -> Path:
    return settings.models_dir / f"{name}-ct2-{quantization}"


def _how_to_get(name: str) -> str:
    return (
        f"Run `.venv/bin/reader models pull {name}` in the repository folder (downloads from the Hugging Face "
        "hub; plain `reader` where it is installed on your PATH), or `.venv/bin/reader models import PATH --name "
        "NAME` for a Marian folder you already have, or point --model / READER_MODEL at a model folder."
    )


def resolve(settings: Settings) -> InstalledModel:
    """Find the model folder and backend that ``settings`` ask for, or say how to get it."""
    spec = settings.model
    as_path = Path(spec).expanduser()
    if as_path.is_dir():
        backend = folder.kind(as_path)
        if backend is None:
            raise ModelNotFoundError(
                f"{as_path} is not a model folder: expected config.json with model weights "
                f"(transformers) or {folder.CT2_WEIGHTS} (CTranslate2)"
            )
        return _choose_backend(InstalledModel(as_path.name, as_path, backend), settings)
    if "/" in spec or spec.startswith("."):
        raise ModelNotFoundError(f"model folder {spec} does not exist. {_how_to_get('opus-mt-ar-en')}")
    installed = {m.name: m for m in installed_models(settings)}
    if spec in installed:
        return _choose_backend(installed[spec], settings)
    converted = installed.get(f"{spec}-ct2-int8")
    if converted and settings.backend in ("auto", folder.CT2):
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
        if model.backend == folder.TRANSFORMERS:
            for quantization in CT2_QUANTIZATION_PREFERENCE:
                converted = model.path.parent / f"{model.name}-ct2-{quantization}"
                if folder.kind(converted) == folder.CT2:
                    return InstalledModel(converted.name, converted, folder.CT2)
        return model
    if wanted == model.backend:
        return model
    if wanted == folder.CT2:
        converted = model.path.parent / f"{model.name}-ct2-int8"
        if folder.kind(converted) == folder.CT2:
            return InstalledModel(converted.name, converted, folder.CT2)
        raise ModelNotFoundError(
            f"no CTranslate2 conversion of {model.name}. Run `reader models convert {model.name} --to ct2`."
        )
    if wanted == folder.TRANSFORMERS and model.backend == folder.CT2:
        raise ModelNotFoundError(f"{model.path} is a CTranslate2 model; the transformers backend cannot load it")
    return InstalledModel(model.name, model.path, wanted)


def pull(name: str, settings: Settings) -> Path:
    """Download a catalog model at its pinned revision, with the hub's progress bars."""
    entry = catalog().get(name)
    if entry is None:
        raise ModelNotFoundError(f"unknown model {name!r}; known: {', '.join(sorted(catalog()))}")
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError as exc:
        raise ReaderError(missing("downloading models", "ml", exc=exc)) from exc
    target = settings.models_dir / name
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=settings.models_dir))
    try:
        snapshot_download(
            repo_id=entry.hub_id,
            revision=entry.revision,
            local_dir=staging,
            allow_patterns=DOWNLOAD_PATTERNS,
        )
        folder.check_marian(staging)
        shutil.rmtree(staging / ".cache", ignore_errors=True)
        folder.replace_folder(staging, target)
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        raise ModelNotFoundError(
            f"could not download {entry.hub_id}@{entry.revision[:10]}: {first_line(exc)}. "
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
    folder.check_marian(source)
    target = settings.models_dir / (name or source.name)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=settings.models_dir))
    try:
        for item in source.iterdir():
            if item.is_file():
                shutil.copy2(item, staging / item.name)
        folder.replace_folder(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def convert(
    name: str,
    settings: Settings,
    *,
    quantization: str = "int8",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Store a CTranslate2 conversion of an installed model beside it (``progress`` hears each step)."""
    from reader.models.convert import convert_to_ct2

    model = resolve(replace(settings, model=name, backend=folder.TRANSFORMERS))
    target = ct2_dir(settings, model.name, quantization)
    return convert_to_ct2(model.path, target, quantization=quantization, force=force, progress=progress)


def convert_installed(name: str, settings: Settings, *, progress: Callable[[str], None] | None = None) -> Path:
    """Right after ``pull`` or ``import``: the int8 conversion beside the model, as ``auto`` will use it.

    A conversion reader made of weights the install has just replaced is removed first: were the new
    conversion to fail, ``auto`` must fall back to transformers, not serve the old weights.
    """
    target = ct2_dir(settings, name)
    record = folder.read_ct2_record(target)
    if record is not None and record.source_fingerprint != folder.fingerprint(settings.models_dir / name):
        try:
            shutil.rmtree(target)
        except OSError as exc:
            raise ModelError(f"cannot remove {target}, a conversion of the weights just replaced: {exc}") from exc
    return convert(name, settings, progress=progress)


def has_conversion(name: str, settings: Settings) -> bool:
    """Whether an installed model has a CTranslate2 conversion beside it that the ``auto`` backend picks."""
    return any(folder.kind(ct2_dir(settings, name, q)) == folder.CT2 for q in CT2_QUANTIZATION_PREFERENCE)
