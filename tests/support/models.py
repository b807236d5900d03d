"""Model folders for tests that need one the store accepts but no real model: the fake backend loads them."""

from __future__ import annotations

import json
from pathlib import Path


def fake_model_folder(path: Path, *, weights: bytes = b"fake weights") -> Path:
    """A complete-looking Marian folder (config, vocabularies, weights): ``reader.models`` accepts it.

    ``weights`` are its model.safetensors: other bytes are other weights, so another fingerprint.
    """
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "marian"}))
    for name in ("source.spm", "target.spm", "vocab.json"):
        (path / name).write_text("x")
    (path / "model.safetensors").write_bytes(weights)
    return path
