"""Convert a Hugging Face Marian folder into a self-contained CTranslate2 folder.

The converted folder holds CTranslate2's ``model.bin`` plus the tokenizer files, so the
CTranslate2 backend never needs the original folder, and a ``reader-ct2.json`` sidecar that
records the quantization and the source model's fingerprint (part of the cache key, so
translations from different weights never mix). The folder appears only when complete:
conversion runs in a temporary sibling folder that is renamed into place at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from reader.errors import ModelError
from reader.translate.backends import files_fingerprint

SIDECAR = "reader-ct2.json"
SIDECAR_FORMAT = 1
QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
# The files the transformers backend fingerprints, so both backends name the same weights alike.
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin", "*.index.json")
FINGERPRINTED_FILES = (
    *REQUIRED_FILES,
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "target_vocab.json",
)
# Tokenizer files copied next to model.bin. CTranslate2 writes its own config.json, so the
# Hugging Face one is kept as hf_config.json.
TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "target_vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "generation_config.json",
    "reader-source.json",
)
HF_CONFIG_COPY = "hf_config.json"


def source_fingerprint(model_dir: Path) -> str:
    """The transformers backend's model hash (weights, config, vocabularies), shortened as it shortens it."""
    files = sorted({path for pattern in WEIGHT_PATTERNS for path in model_dir.glob(pattern)})
    files += [model_dir / name for name in FINGERPRINTED_FILES if (model_dir / name).is_file()]
    return files_fingerprint(model_dir, files)[:16]


def read_sidecar(ct2_dir: Path) -> dict[str, Any] | None:
    """The conversion record of a CTranslate2 folder, or None when reader did not convert it."""
    try:
        data = json.loads((ct2_dir / SIDECAR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def convert_to_ct2(model_dir: Path, out_dir: Path, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert ``model_dir`` (a Hugging Face Marian folder) into ``out_dir`` and return ``out_dir``.

    An existing ``out_dir`` converted from the same weights with the same quantization is
    kept as is; any other existing folder needs ``force=True`` to be replaced.
    """
    model_dir = Path(model_dir).expanduser()
    out_dir = Path(out_dir).expanduser()
    if quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization {quantization!r}; choose one of: {', '.join(QUANTIZATIONS)}")
    _check_marian(model_dir)
    fingerprint = source_fingerprint(model_dir)
    if out_dir.exists() and not force:
        record = read_sidecar(out_dir)
        if (
            record
            and record.get("source_fingerprint") == fingerprint
            and record.get("quantization") == quantization
            and (out_dir / "model.bin").is_file()
        ):
            return out_dir
        raise ModelError(
            f"{out_dir} already exists and is not a {quantization} conversion of {model_dir}; "
            "convert again with --force to replace it"
        )
    try:
        import ctranslate2
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise ModelError(
            f"converting to CTranslate2 needs the ctranslate2 package ({exc.name} is missing): "
            "pip install 'reader[ct2,ml]'"
        ) from exc

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise ModelError(f"cannot create {out_dir}: {exc}") from exc
    try:
        try:
            # force=True: the staging folder exists already (mkdtemp made it ours).
            with warnings.catch_warnings():
                # The converter loads MarianTokenizer, which asks for sacremoses it never uses here.
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
                _marian_converter(TransformersConverter)(str(model_dir)).convert(
                    str(staging), quantization=quantization, force=True
                )
        except Exception as exc:  # the converter raises many types (ValueError, OSError, safetensors, torch)
            raise ModelError(f"CTranslate2 could not convert {model_dir}: {_first_line(exc)}") from exc
        try:
            for name in TOKENIZER_FILES:
                if (model_dir / name).is_file():
                    shutil.copy2(model_dir / name, staging / name)
            shutil.copy2(model_dir / "config.json", staging / HF_CONFIG_COPY)
            record = {
                "format": SIDECAR_FORMAT,
                "quantization": quantization,
                "source_fingerprint": fingerprint,
                "source_name": model_dir.name,
                "ctranslate2_version": ctranslate2.__version__,
                "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            (staging / SIDECAR).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            _replace_dir(staging, out_dir)
        except OSError as exc:
            raise ModelError(f"cannot write the converted model to {out_dir}: {exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out_dir


class StartEmbeddingError(ValueError):
    """The model's decoder start embedding is not zero, which CTranslate2's Marian conversion assumes."""


def _marian_converter(base: type) -> type:
    """CTranslate2's converter, refusing models it would silently change.

    CTranslate2 drops Marian's ``<pad>`` token and starts the decoder from a zero embedding, as
    Marian does. Original OPUS-MT weights have a zero ``<pad>`` row, but a model fine-tuned in
    transformers with tied embeddings does not, and its conversion would translate differently.
    """

    class MarianConverter(base):  # type: ignore[misc, valid-type]
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            start = model.config.decoder_start_token_id
            row = model.get_decoder().embed_tokens.weight[start]
            if float(row.abs().max()) > 0:
                raise StartEmbeddingError(
                    f"the decoder start token (id {start}) has a trained, non-zero embedding; CTranslate2 "
                    "starts Marian decoders from a zero embedding, so the converted model would translate "
                    "differently. Use the transformers backend for this model"
                )
            return model

    return MarianConverter


def _check_marian(model_dir: Path) -> None:
    """Fail early, with the missing pieces named, instead of deep inside the converter."""
    if not model_dir.is_dir():
        raise ModelError(f"{model_dir} is not a model folder")
    missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
    if not any(path.is_file() for pattern in WEIGHT_PATTERNS for path in model_dir.glob(pattern)):
        missing.append("model.safetensors (or pytorch_model.bin)")
    if missing:
        raise ModelError(f"{model_dir} is not a complete Marian model folder; missing: {', '.join(missing)}")
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{model_dir / 'config.json'} is unreadable: {exc}") from exc
    model_type = config.get("model_type") if isinstance(config, dict) else None
    if model_type != "marian":
        raise ModelError(f"{model_dir} holds a {model_type!r} model; only Marian models can be converted")


def _replace_dir(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; an old ``target`` is moved aside first and removed after."""
    if not target.exists():
        os.rename(staging, target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
