"""reader.models.folder: what a model folder holds, which weights count, and its one fingerprint."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from reader.errors import ModelError, ModelNotFoundError
from reader.models import folder
from reader.models.folder import FINGERPRINT_MEMO, files_fingerprint, marian_weights


def marian(path: Path, *weights: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"model_type": "marian"}))
    for name in ("source.spm", "target.spm", "vocab.json", *weights):
        (path / name).write_text(name)
    return path


def test_files_fingerprint_is_a_memoised_sha256(tmp_path: Path) -> None:
    weights, config = tmp_path / "model.safetensors", tmp_path / "config.json"
    weights.write_bytes(b"\x00" * 3000)
    config.write_text("{}")
    expected = hashlib.sha256(b"config.json\0{}model.safetensors\0" + b"\x00" * 3000).hexdigest()
    assert files_fingerprint(tmp_path, [weights, config]) == expected
    memo = tmp_path / FINGERPRINT_MEMO
    (key,) = json.loads(memo.read_text())
    memo.write_text(json.dumps({key: "memoised"}))
    assert files_fingerprint(tmp_path, [config, weights]) == "memoised"  # no re-hash while the files are untouched
    assert files_fingerprint(tmp_path, [config]) != "memoised"  # another file set has its own entry
    assert len(json.loads(memo.read_text())) == 2
    weights.write_bytes(b"\x01" * 3001)
    assert files_fingerprint(tmp_path, [weights, config]) not in {"memoised", expected}
    memo.write_text("not json")
    assert len(files_fingerprint(tmp_path, [config])) == 64


def test_weights_replaced_with_the_same_size_and_mtime_are_still_noticed(tmp_path: Path) -> None:
    """A copy that keeps the old file's size and timestamps (cp -p of a same-architecture model)."""
    model = marian(tmp_path / "m", "model.safetensors")
    weights = model / "model.safetensors"
    weights.write_bytes(b"a" * 4096)
    before = folder.fingerprint(model)
    stat = weights.stat()
    replacement = tmp_path / "other.safetensors"
    replacement.write_bytes(b"b" * 4096)
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, weights)
    assert (weights.stat().st_size, weights.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert folder.fingerprint(model) != before


def test_only_the_weights_transformers_loads_count(tmp_path: Path) -> None:
    model = marian(tmp_path / "m", "model.safetensors", "pytorch_model.bin", "README.md")
    assert marian_weights(model) == [model / "model.safetensors"]
    with_both = folder.fingerprint(model)
    (model / "pytorch_model.bin").write_text("other pickle")
    (model / "README.md").write_text("edited")
    assert folder.fingerprint(model) == with_both  # neither is read by the model
    (model / "model.safetensors").unlink()
    assert marian_weights(model) == [model / "pytorch_model.bin"]
    assert folder.fingerprint(model) != with_both
    assert len(with_both) == folder.FINGERPRINT_LENGTH


def test_sharded_weights_count_with_their_index(tmp_path: Path) -> None:
    model = marian(tmp_path / "m", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
    shards = {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}
    (model / "model.safetensors.index.json").write_text(json.dumps({"weight_map": shards}))
    (model / "model-00003-of-00002.safetensors").write_text("not in the index")
    assert [p.name for p in marian_weights(model)] == [
        "model.safetensors.index.json",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ]
    before = folder.fingerprint(model)
    (model / "model-00002-of-00002.safetensors").write_text("retrained")
    assert folder.fingerprint(model) != before


def test_a_conversion_is_known_by_its_sources_fingerprint(tmp_path: Path) -> None:
    source = marian(tmp_path / "m", "model.safetensors")
    converted = tmp_path / "m-ct2-int8"
    converted.mkdir()
    (converted / "model.bin").write_text("ct2 weights")
    assert folder.kind(source) == folder.TRANSFORMERS and folder.kind(converted) == folder.CT2
    foreign = folder.fingerprint(converted)
    record = folder.Ct2Record("int8", folder.fingerprint(source), "m", "4.8.5", "2026-12-01T00:00:00Z")
    folder.write_ct2_record(converted, record)
    assert folder.read_ct2_record(converted) == record
    assert folder.fingerprint(converted) == folder.fingerprint(source) != foreign
    (converted / folder.CT2_RECORD).write_text("{not json")
    assert folder.read_ct2_record(converted) is None and folder.fingerprint(converted) == foreign


def test_check_marian_names_what_is_missing_or_wrong(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="is not a model folder"):
        folder.check_marian(tmp_path / "absent")
    model = marian(tmp_path / "m")
    (model / "vocab.json").unlink()
    with pytest.raises(ModelNotFoundError, match=r"missing: vocab\.json, model\.safetensors \(or pytorch_model\.bin\)"):
        folder.check_marian(model)
    marian(model, "pytorch_model.bin")
    folder.check_marian(model)
    (model / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ModelError, match="holds a 'bert' model; reader needs a Marian model"):
        folder.check_marian(model)
