"""Convert a Hugging Face Marian folder into a self-contained CTranslate2 folder.

The converted folder holds CTranslate2's ``model.bin`` plus the tokenizer files, so the
CTranslate2 backend never needs the original folder, and a ``reader-ct2.json`` record of the
quantization and the source model's fingerprint (``reader.models.folder``): the conversion is
known by that fingerprint, so a model keeps one identity whichever backend serves it. The folder
appears only when complete: conversion runs in a temporary sibling folder renamed into place at the end.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.errors import ModelError, first_line
from reader.extras import missing
from reader.models import folder

QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")


def convert_to_ct2(
    model_dir: Path,
    out_dir: Path,
    *,
    quantization: str = "int8",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Convert ``model_dir`` (a Hugging Face Marian folder) into ``out_dir`` and return ``out_dir``.

    An existing ``out_dir`` converted from the same weights with the same quantization is
    kept as is; any other existing folder needs ``force=True`` to be replaced. ``progress`` is told
    each step as it starts (CTranslate2's converter reports nothing while it works).
    """
    report = progress or (lambda step: None)
    model_dir = Path(model_dir).expanduser()
    out_dir = Path(out_dir).expanduser()
    if quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization {quantization!r}; choose one of: {', '.join(QUANTIZATIONS)}")
    folder.check_marian(model_dir)
    fingerprint = folder.fingerprint(model_dir)
    if out_dir.exists() and not force:
        record = folder.read_ct2_record(out_dir)
        if (
            record
            and record.source_fingerprint == fingerprint
            and record.quantization == quantization
            and (out_dir / folder.CT2_WEIGHTS).is_file()
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
        raise ModelError(missing("converting to CTranslate2", "ct2", "ml", exc=exc)) from exc

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise ModelError(f"cannot create {out_dir}: {exc}") from exc
    try:
        try:
            report(f"loading {model_dir.name} and converting it to CTranslate2 {quantization}")
            # force=True: the staging folder exists already (mkdtemp made it ours).
            with warnings.catch_warnings():
                # The converter loads MarianTokenizer, which asks for sacremoses it never uses here.
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
                _marian_converter(TransformersConverter)(str(model_dir)).convert(
                    str(staging), quantization=quantization, force=True
                )
        except Exception as exc:  # the converter raises many types (ValueError, OSError, safetensors, torch)
            raise ModelError(f"CTranslate2 could not convert {model_dir}: {first_line(exc)}") from exc
        try:
            report("copying the tokenizer and recording the conversion")
            for name in folder.CT2_COPIED_FILES:
                if (model_dir / name).is_file():
                    shutil.copy2(model_dir / name, staging / name)
            shutil.copy2(model_dir / folder.CONFIG, staging / folder.HF_CONFIG_COPY)
            record = folder.Ct2Record(
                quantization=quantization,
                source_fingerprint=fingerprint,
                source_name=model_dir.name,
                ctranslate2_version=ctranslate2.__version__,
                converted_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            )
            folder.write_ct2_record(staging, record)
            folder.replace_folder(staging, out_dir)
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
