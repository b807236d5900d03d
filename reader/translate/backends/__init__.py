"""Translation backends: small adapters from a model library to the Translator contract.

Each backend module is imported lazily through ``reader.translate.registry``, so importing
reader never pulls in torch, transformers or CTranslate2. This package itself holds only
light helpers the backends share.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

FINGERPRINT_SIDECAR = ".reader-fingerprint.json"
_MEMO_ENTRIES = 8

MARIAN_REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
# transformers loads safetensors when present, else the PyTorch pickle: fingerprint what it loads.
_WEIGHT_PATTERNS = (
    ("model*.safetensors", "model.safetensors.index.json"),
    ("pytorch_model*.bin", "pytorch_model.bin.index.json"),
)
_FINGERPRINTED_FILES = (
    *MARIAN_REQUIRED_FILES,
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "target_vocab.json",
)


def marian_weights(model_dir: Path) -> list[Path]:
    """The weight files transformers would load from a Hugging Face Marian folder (empty if none)."""
    for patterns in _WEIGHT_PATTERNS:
        found = sorted({p for pattern in patterns for p in model_dir.glob(pattern) if p.is_file()})
        if found:
            return found
    return []


def marian_fingerprint(model_dir: Path) -> str:
    """The identity of a Hugging Face Marian folder: sha256 over its weights, config and vocabularies.

    Every backend that starts from such a folder names it by this value, so equal weights
    give equal cache keys whichever backend or conversion serves them.
    """
    files = marian_weights(model_dir)
    files += [model_dir / name for name in _FINGERPRINTED_FILES if (model_dir / name).is_file()]
    return files_fingerprint(model_dir, files)


def files_fingerprint(folder: Path, files: Iterable[Path]) -> str:
    """The sha256 (hex) over the names and bytes of ``files``: a model's weights, config and vocabularies.

    Hashing hundreds of megabytes on every start would be slow, so results are memoised in a
    sidecar file in ``folder``, keyed by each file's name, size and mtime (several backends can
    keep their own entries there). A read-only folder only means hashing again next time.
    """
    paths = sorted(files, key=lambda p: p.name)
    key = json.dumps([[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in paths])
    sidecar = folder / FINGERPRINT_SIDECAR
    try:
        memo = json.loads(sidecar.read_text(encoding="utf-8"))
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
        fd, tmp = tempfile.mkstemp(prefix=FINGERPRINT_SIDECAR, dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(memo, handle)
            os.replace(tmp, sidecar)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return value
