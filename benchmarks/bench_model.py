"""The benchmark's model: opus-mt-ar-en's exact architecture and vocabulary size, random weights.

Kept apart from speed.py because the build is cached by a hash of this file's code (and of
tests/support/tiny.py, whose builders it reuses): editing the benchmark does not rebuild it.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SOURCE_PIECES = 1200
TARGET_PIECES = 400
QUANTIZATION = "int8"


def seed_lines() -> list[str]:
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def build_model() -> Path:
    """Build once (seeded), reuse until this file, tiny.py or the seed articles change.

    Sentencepiece models are trained locally (source: the seed articles; target: tiny.py's English
    lines) and the joint vocabulary is padded with filler pieces to opus-mt-ar-en's 62,834.
    """
    from tests.support import tiny

    arabic = [*tiny.TINY_ARABIC, *seed_lines()]

    def build(dest: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            source = tiny.train_spm(arabic, Path(tmp) / "source", SOURCE_PIECES)
            target = tiny.train_spm(tiny.TINY_ENGLISH, Path(tmp) / "target", TARGET_PIECES)
            vocab = tiny.joint_vocab(source, target, size=tiny.OPUS_MT_AR_EN_VOCAB_SIZE)
            tiny.build_marian_dir(dest, source_spm=source, target_spm=target, vocab=vocab, seed=0)

    seeds = hashlib.sha256("\n".join(arabic).encode()).hexdigest()[:8]
    return tiny.cached_build(f"bench-opus-mt-ar-en-{seeds}", [Path(tiny.__file__), Path(__file__)], build)


def convert_model(hf_dir: Path) -> Path:
    """The CTranslate2 int8 conversion beside it, named as the model store names conversions."""
    from reader.models.convert import convert_to_ct2

    return convert_to_ct2(hf_dir, hf_dir.parent / f"{hf_dir.name}-ct2-{QUANTIZATION}", quantization=QUANTIZATION)
