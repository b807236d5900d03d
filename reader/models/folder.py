"""What a model folder holds, and its one fingerprint. A leaf: it imports only the standard library and errors.

Two kinds of folder serve translations:

- a Hugging Face Marian folder (``reader models pull`` / ``import``): ``config.json``, the
  tokenizer's ``source.spm``, ``target.spm`` and ``vocab.json``, and the weights transformers
  loads, the first it finds of ``model.safetensors``, ``model.safetensors.index.json`` (shards),
  ``pytorch_model.bin``, ``pytorch_model.bin.index.json``. Other weight files beside them (the hub
  can hold both formats) are never read, so they do not count;
- a CTranslate2 folder (``reader models convert``): ``model.bin``, the tokenizer files copied
  from its source, the source's ``config.json`` as ``hf_config.json``, and ``reader-ct2.json``,
  the record of the conversion.

A folder's fingerprint names its weights: the sha256 over the counted weights, the config and the
vocabularies, as ``FINGERPRINT_LENGTH`` hex digits. A conversion records its source's fingerprint
and is known by it, so a model keeps one identity whichever backend serves it. The sentence cache
key, the CTranslate2 record, batch change detection and the documents' metadata all use this value.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from reader.errors import ModelError, ModelNotFoundError

TRANSFORMERS = "transformers"
CT2 = "ct2"
"""The two kinds of folder, named by the backend that loads them."""

CONFIG = "config.json"
VOCABULARIES = ("source.spm", "target.spm", "vocab.json")
MARIAN_REQUIRED = (CONFIG, *VOCABULARIES)
MARIAN_EXTRAS = ("generation_config.json", "tokenizer_config.json", "special_tokens_map.json", "target_vocab.json")
"""Optional files that change how the model tokenizes or decodes: fingerprinted when present."""
WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
"""transformers' order of preference; an ``.index.json`` names its shards in its ``weight_map``."""
MISSING_WEIGHTS = "model.safetensors (or pytorch_model.bin)"

CT2_WEIGHTS = "model.bin"
HF_CONFIG_COPY = "hf_config.json"
"""CTranslate2 writes its own config.json, so a conversion keeps its source's one under this name."""
CT2_COPIED_FILES = (*VOCABULARIES, *MARIAN_EXTRAS, "reader-source.json")
"""What a conversion copies from its source beside model.bin, so the folder stands alone."""
CT2_RECORD = "reader-ct2.json"
CT2_RECORD_FORMAT = 1

FINGERPRINT_LENGTH = 16
FINGERPRINT_MEMO = ".reader-fingerprint.json"
_MEMO_ENTRIES = 8
_NOT_MODEL_FILES = frozenset({CT2_RECORD, "reader-source.json"})


@dataclass(frozen=True)
class Ct2Record:
    """What ``reader models convert`` records in a CTranslate2 folder (``reader-ct2.json``)."""

    quantization: str
    source_fingerprint: str
    """The fingerprint of the Marian folder it was converted from: the conversion's own."""
    source_name: str
    ctranslate2_version: str
    converted_at: str
    format: int = CT2_RECORD_FORMAT


def kind(folder: Path) -> str | None:
    """Which backend can load the folder (``CT2`` or ``TRANSFORMERS``), or None when it is not a model folder."""
    if (folder / CT2_WEIGHTS).is_file():
        return CT2
    if (folder / CONFIG).is_file() and marian_weights(folder):
        return TRANSFORMERS
    return None


def marian_weights(folder: Path) -> list[Path]:
    """The weight files transformers loads from a Marian folder (empty when there are none)."""
    for name in WEIGHTS:
        path = folder / name
        if not path.is_file():
            continue
        if not name.endswith(".index.json"):
            return [path]
        try:
            shards = json.loads(path.read_text(encoding="utf-8")).get("weight_map", {}).values()
        except (OSError, ValueError, AttributeError):
            shards = []
        return [path, *sorted({folder / str(shard) for shard in shards if (folder / str(shard)).is_file()})]
    return []


def check_marian(folder: Path) -> None:
    """Fail early, naming what is missing, for a folder that is not a complete Marian model."""
    if not folder.is_dir():
        raise ModelNotFoundError(f"{folder} is not a model folder")
    missing = [name for name in MARIAN_REQUIRED if not (folder / name).is_file()]
    if not marian_weights(folder):
        missing.append(MISSING_WEIGHTS)
    if missing:
        raise ModelNotFoundError(f"{folder} is not a complete Marian model folder; missing: {', '.join(missing)}")
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{folder / CONFIG} is unreadable: {exc}") from exc
    model_type = config.get("model_type") if isinstance(config, dict) else None
    if model_type != "marian":
        raise ModelError(f"{folder} holds a {model_type!r} model; reader needs a Marian model")


def fingerprint(folder: Path) -> str:
    """The model's identity: the same weights give the same value, any other weights another.

    A CTranslate2 folder that reader converted is its source's fingerprint (from its record); one
    converted elsewhere is fingerprinted by everything in it (model.bin, its vocabularies, the tokenizer).
    """
    if kind(folder) == CT2:
        record = read_ct2_record(folder)
        if record is not None and record.source_fingerprint:
            return record.source_fingerprint
        files = [p for p in folder.iterdir() if p.name not in _NOT_MODEL_FILES and not p.name.startswith(".")]
    else:
        files = [*marian_weights(folder), *(folder / name for name in (*MARIAN_REQUIRED, *MARIAN_EXTRAS))]
    return files_fingerprint(folder, [path for path in files if path.is_file()])[:FINGERPRINT_LENGTH]


def files_fingerprint(folder: Path, files: Iterable[Path]) -> str:
    """The sha256 (hex) over the names and bytes of ``files``.

    Hashing hundreds of megabytes on every start would be slow, so results are memoised in a
    sidecar file in ``folder``, keyed by each file's name, size, mtime and ctime (a replaced or
    rewritten file always gets a new ctime). A read-only folder only means hashing again next time.
    """
    paths = sorted(files, key=lambda p: p.name)
    stats = [(p.name, p.stat()) for p in paths]
    key = json.dumps([[name, st.st_size, st.st_mtime_ns, st.st_ctime_ns] for name, st in stats])
    memo_path = folder / FINGERPRINT_MEMO
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if not isinstance(memo, dict):
        memo = {}
    if isinstance(memo.get(key), str):
        return memo[key]

    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    value = digest.hexdigest()

    memo = {k: v for k, v in list(memo.items())[-(_MEMO_ENTRIES - 1) :] if isinstance(v, str)}
    memo[key] = value
    with contextlib.suppress(OSError):
        _write_json_atomic(memo_path, memo)
    return value


def read_ct2_record(folder: Path) -> Ct2Record | None:
    """The conversion record of a CTranslate2 folder, or None when reader did not convert it."""
    try:
        data = json.loads((folder / CT2_RECORD).read_text(encoding="utf-8"))
        return Ct2Record(
            quantization=str(data["quantization"]),
            source_fingerprint=str(data["source_fingerprint"]),
            source_name=str(data.get("source_name", "")),
            ctranslate2_version=str(data.get("ctranslate2_version", "")),
            converted_at=str(data.get("converted_at", "")),
            format=int(data.get("format", CT2_RECORD_FORMAT)),
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_ct2_record(folder: Path, record: Ct2Record) -> None:
    (folder / CT2_RECORD).write_text(json.dumps(asdict(record), indent=2) + "\n", encoding="utf-8")


def replace_folder(staging: Path, target: Path) -> None:
    """Put the complete folder ``staging`` at ``target``; an old ``target`` is moved aside first and removed after."""
    if not target.exists():
        os.rename(staging, target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_json_atomic(path: Path, data: object) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
