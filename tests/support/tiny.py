"""Locally built Marian models that follow Helsinki-NLP/opus-mt-ar-en's conventions.

Model weights can never be downloaded here, so tests (and the benchmark) build Marian
folders that load exactly like the real one: ``MarianMTModel`` + ``MarianTokenizer`` with
separate ``source.spm`` / ``target.spm``, a joint ``vocab.json`` with ``</s>`` = 0,
``<unk>`` = 1 and ``<pad>`` last (= decoder start), ``bad_words_ids [[pad]]``, swish,
static sinusoidal positions, scaled and shared (tied) embeddings, beam 4, max length 512.

``build_marian_dir`` is the shared builder (toy.py and the benchmark use it);
``tiny_model_dir()`` builds the untrained tiny model once per source version and caches it.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".cache" / "test-models"

EOS, UNK, PAD = "</s>", "<unk>", "<pad>"

# opus-mt-ar-en's config.json, minus what build_marian_dir derives from the vocabulary.
OPUS_MT_AR_EN: dict[str, Any] = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "activation_function": "swish",
    "max_position_embeddings": 512,
    "scale_embedding": True,
    "share_encoder_decoder_embeddings": True,
    "tie_word_embeddings": True,
    "dropout": 0.1,
    "attention_dropout": 0.0,
    "activation_dropout": 0.0,
    "init_std": 0.02,
}
OPUS_MT_AR_EN_VOCAB_SIZE = 62834

# Text for the tiny model's sentencepiece models: enough characters and words to make
# realistic pieces, small enough to train in well under a second.
TINY_ARABIC = [
    "قال وزير الخارجية إن المحادثات ستستمر غدا في العاصمة.",
    "ارتفعت أسعار النفط بنسبة 3% يوم الثلاثاء بعد قرار المنظمة.",
    "أعلن البنك المركزي رفع سعر الفائدة ربع نقطة مئوية.",
    "هل تعرف أين تقع المكتبة الجديدة؟",
    "افتتحت الحكومة محطة للطاقة الشمسية في الصحراء الغربية.",
    "وصل الرئيس إلى هلسنكي للمشاركة في قمة الأمن السيبراني.",
    "يكتب الولد الصغير رسالة طويلة إلى جدته.",
    "تقرأ البنت كتابا جديدا في الحديقة العامة.",
    "أكد المتحدث أن الاجتماع القادم سيعقد في شهر مايو.",
    "انخفضت درجات الحرارة في معظم المناطق الشمالية، وهطلت أمطار غزيرة.",
    "قال الطبيب: يجب أن يرتاح المريض أسبوعا كاملا.",
    "بلغ عدد الزوار أكثر من 12,000 زائر خلال المعرض.",
]
TINY_ENGLISH = [
    "The foreign minister said the talks would continue tomorrow in the capital.",
    "Oil prices rose 3% on Tuesday after the organization's decision.",
    "The central bank announced a quarter-point rise in the interest rate.",
    "Do you know where the new library is?",
    "The government opened a solar power station in the western desert.",
    "The president arrived in Helsinki to take part in the cyber security summit.",
    "The little boy writes a long letter to his grandmother.",
    "The girl reads a new book in the public garden.",
    "The spokesman confirmed that the next meeting will be held in May.",
    "Temperatures fell in most northern regions, and heavy rain fell.",
    "The doctor said: the patient must rest for a whole week.",
    "More than 12,000 visitors came to the exhibition.",
]


def train_spm(lines: Iterable[str], model_prefix: Path, vocab_size: int) -> Path:
    """Train a unigram sentencepiece model (like OPUS-MT's) and return the ``.model`` path.

    Deterministic: one thread, no sampling or shuffling of the input.
    """
    import sentencepiece as spm

    model_prefix.parent.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_prefix=str(model_prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        num_threads=1,
        shuffle_input_sentence=False,
        input_sentence_size=0,
        minloglevel=2,
    )
    return model_prefix.with_suffix(".model")


def spm_pieces(spm_path: Path) -> list[str]:
    """The normal (non-control, non-unknown) pieces of a sentencepiece model, in id order."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(spm_path))
    return [
        processor.id_to_piece(i)
        for i in range(processor.get_piece_size())
        if not (processor.is_control(i) or processor.is_unknown(i))
    ]


def joint_vocab(source_spm: Path, target_spm: Path, *, size: int | None = None) -> dict[str, int]:
    """OPUS-MT's joint vocabulary: ``</s>`` 0, ``<unk>`` 1, source then new target pieces, ``<pad>`` last.

    ``size`` pads the vocabulary with unused filler pieces up to exactly that many entries
    (the benchmark uses it to get opus-mt-ar-en's 62834).
    """
    pieces = [EOS, UNK]
    seen = set(pieces)
    for piece in [*spm_pieces(source_spm), *spm_pieces(target_spm)]:
        if piece not in seen:
            seen.add(piece)
            pieces.append(piece)
    if size is not None:
        if size < len(pieces) + 1:
            raise ValueError(f"vocabulary needs at least {len(pieces) + 1} entries, asked for {size}")
        pieces.extend(f"▁<filler{i}>" for i in range(size - len(pieces) - 1))
    pieces.append(PAD)
    return {piece: i for i, piece in enumerate(pieces)}


def marian_config(vocab_size: int, **overrides: Any) -> Any:
    """A MarianConfig with opus-mt-ar-en's conventions for a vocabulary of ``vocab_size``."""
    from transformers import MarianConfig

    pad = vocab_size - 1
    values = {
        **OPUS_MT_AR_EN,
        **overrides,
        "vocab_size": vocab_size,
        "decoder_vocab_size": vocab_size,
        "pad_token_id": pad,
        "decoder_start_token_id": pad,
        "eos_token_id": 0,
        "bos_token_id": 0,
        "forced_eos_token_id": 0,
        "architectures": ["MarianMTModel"],
    }
    return MarianConfig(**values)


def build_marian_dir(
    dest: Path,
    *,
    source_spm: Path,
    target_spm: Path,
    vocab: Mapping[str, int],
    seed: int = 0,
    state_dict: Mapping[str, Any] | None = None,
    **config_overrides: Any,
) -> Path:
    """Write a complete HF Marian folder (safetensors weights, spm files, vocab.json) to ``dest``.

    Weights are seeded random unless ``state_dict`` is given (a trained model's weights).
    ``config_overrides`` change architecture values (d_model, layers, heads, FFN, ...);
    the token-id conventions always follow opus-mt-ar-en.
    """
    import torch
    from transformers import GenerationConfig, MarianMTModel, MarianTokenizer

    ids = sorted(vocab.values())
    if ids != list(range(len(ids))) or vocab.get(EOS) != 0 or vocab.get(UNK) != 1 or vocab.get(PAD) != len(ids) - 1:
        raise ValueError("vocab must number 0..n-1 with </s> = 0, <unk> = 1 and <pad> = n-1")
    config = marian_config(len(ids), **config_overrides)
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    if state_dict is not None:
        model.load_state_dict(dict(state_dict))
    pad = config.pad_token_id
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=512,
        num_beams=4,
        pad_token_id=pad,
    )
    dest.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(dest, safe_serialization=True)
    with tempfile.TemporaryDirectory() as tmp:
        vocab_path = Path(tmp) / "vocab.json"
        vocab_path.write_text(json.dumps(dict(vocab), ensure_ascii=False, indent=2), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(source_spm),
            target_spm=str(target_spm),
            vocab=str(vocab_path),
            source_lang="ar",
            target_lang="en",
        )
        tokenizer.save_pretrained(dest)
    return dest


def build_tiny_model(
    dest: Path,
    *,
    d_model: int = 16,
    layers: int = 1,
    heads: int = 2,
    ffn: int = 32,
    vocab_pieces: int = 96,
    seed: int = 0,
) -> Path:
    """An untrained Marian model with opus-mt-ar-en's conventions and tiny dimensions.

    ``vocab_pieces`` is the size of each sentencepiece model (source and target).
    """
    with tempfile.TemporaryDirectory() as tmp:
        source = train_spm(TINY_ARABIC, Path(tmp) / "source", vocab_pieces)
        target = train_spm(TINY_ENGLISH, Path(tmp) / "target", vocab_pieces)
        return build_marian_dir(
            dest,
            source_spm=source,
            target_spm=target,
            vocab=joint_vocab(source, target),
            seed=seed,
            d_model=d_model,
            encoder_layers=layers,
            decoder_layers=layers,
            encoder_attention_heads=heads,
            decoder_attention_heads=heads,
            encoder_ffn_dim=ffn,
            decoder_ffn_dim=ffn,
        )


def source_hash(*files: Path) -> str:
    """A short hash of the code in these files and of the library versions that shape the folder.

    Comments and docstrings are left out, so editing them does not force a rebuild. A file that is
    not Python (a committed model's) counts by its bytes.
    """
    import torch
    import transformers

    digest = hashlib.sha256(f"{torch.__version__}|{transformers.__version__}".encode())
    for path in files:
        if path.suffix != ".py":
            digest.update(path.read_bytes())
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (
                isinstance(body, list)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached_build(name: str, sources: Sequence[Path], build: Callable[[Path], Any]) -> Path:
    """Build into ``.cache/test-models/<name>-<hash>`` once, safely across concurrent processes.

    A file lock serialises builders; the folder appears only complete (atomic rename of a
    finished temporary folder), so a crashed build leaves nothing that looks usable.
    """
    final = CACHE_DIR / f"{name}-{source_hash(*sources)}"
    if final.is_dir():
        return final
    with _locked(CACHE_DIR / f"{name}.lock"):
        if final.is_dir():
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=CACHE_DIR))
        try:
            build(tmp)
            tmp.chmod(0o755)  # mkdtemp makes it private; the finished model is for everyone
            os.rename(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
    return final


def tiny_model_dir() -> Path:
    """The tiny untrained model, built on first use and reused until this file changes."""
    return cached_build("tiny", [Path(__file__)], build_tiny_model)
