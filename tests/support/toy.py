"""A toy Marian model trained on a synthetic Arabic-script language with known word alignments.

The real opus-mt-ar-en weights can never be downloaded here. This module defines a small
language (real Arabic words, verb-subject-object order, adjectives after nouns, gender
agreement, clitic ``و``, negation ``لا``, questions with ``هل``) whose English translation
reorders words into subject-verb order with adjectives first, and knows exactly which
source word every English word comes from.

It trains sentencepiece models (small vocabularies, so many words split into several
pieces) and a small MarianMTModel with opus-mt-ar-en's conventions, with cross-entropy plus
Marian's guided-alignment loss on the last decoder layer's cross-attention head 0 (as
OPUS-MT "transformer-align" models are trained). Alignment extraction can then be tested
exactly as it runs on the real model.

The trained model is committed (tests/data/toy-model, with a note of how it was made): the tests
read the same weights on every CPU, and train nothing. ``toy_model_dir()`` is that model.
Training the same seed gives slightly different weights on AMD and Intel CPUs, so the recipe is
checked by what any correctly trained model must do (``heldout_scores``, the toy article), in one
opt-in test (``pytest --train-toy``). ``python -m tests.support.toy DEST`` trains a model into DEST.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import tiny

# --- the language ------------------------------------------------------------------------

# Subjects: (Arabic with the article, English, feminine?)
SUBJECTS = [
    ("الولد", "boy", False),
    ("الرجل", "man", False),
    ("المعلم", "teacher", False),
    ("الطالب", "student", False),
    ("الطبيب", "doctor", False),
    ("الكاتب", "writer", False),
    ("الفلاح", "farmer", False),
    ("التاجر", "merchant", False),
    ("الملك", "king", False),
    ("البنت", "girl", True),
    ("المرأة", "woman", True),
    ("الأم", "mother", True),
    ("الملكة", "queen", True),
    ("الجدة", "grandmother", True),
    ("الممرضة", "nurse", True),
]
# Verbs: (masculine stem, feminine stem, English 3rd person singular, English base form)
VERBS = [
    ("يكتب", "تكتب", "writes", "write"),
    ("يقرأ", "تقرأ", "reads", "read"),
    ("يرى", "ترى", "sees", "see"),
    ("يحب", "تحب", "loves", "love"),
    ("يشتري", "تشتري", "buys", "buy"),
    ("يحمل", "تحمل", "carries", "carry"),
    ("يبيع", "تبيع", "sells", "sell"),
    ("يفتح", "تفتح", "opens", "open"),
    ("يرسم", "ترسم", "draws", "draw"),
    ("يأخذ", "تأخذ", "takes", "take"),
]
# Objects: (Arabic without the article, English, feminine?)
OBJECTS = [
    ("كتاب", "book", False),
    ("بيت", "house", False),
    ("باب", "door", False),
    ("قلم", "pen", False),
    ("حصان", "horse", False),
    ("صندوق", "box", False),
    ("قميص", "shirt", False),
    ("رسالة", "letter", True),
    ("تفاحة", "apple", True),
    ("سيارة", "car", True),
    ("قصة", "story", True),
    ("صورة", "picture", True),
    ("نافذة", "window", True),
    ("شجرة", "tree", True),
]
# Adjectives: (masculine, feminine, English)
ADJECTIVES = [
    ("صغير", "صغيرة", "small"),
    ("كبير", "كبيرة", "big"),
    ("جميل", "جميلة", "beautiful"),
    ("جديد", "جديدة", "new"),
    ("قديم", "قديمة", "old"),
    ("غريب", "غريبة", "strange"),
    ("أحمر", "حمراء", "red"),
]
# Places after في "in": (Arabic with the article, English)
PLACES = [
    ("المدينة", "city"),
    ("البيت", "house"),
    ("السوق", "market"),
    ("المدرسة", "school"),
    ("الحديقة", "garden"),
]
ADVERBS = [("اليوم", "today"), ("الآن", "now")]

SOURCE_VOCAB_PIECES = 110
TARGET_VOCAB_PIECES = 90


@dataclass(frozen=True)
class ToyExample:
    """A sentence pair with its gold alignment over ``str.split()`` words."""

    source: str
    target: str
    alignment: tuple[tuple[int, int], ...]
    """(source word, target word) pairs, sorted."""


def _definite(word: str) -> str:
    return "ال" + word


def _article(next_word: str) -> str:
    return "an" if next_word[0] in "aeiou" else "a"


@dataclass(frozen=True)
class Spec:
    """The choices behind one sentence; indices into the word lists above."""

    subject: int
    verb: int
    obj: int
    subject_adj: int | None = None
    obj_adj: int | None = None
    obj_definite: bool = False
    place: int | None = None
    adverb: int | None = None
    mood: str = "statement"
    """'statement', 'negated' (لا, "does not") or 'question' (هل ... ؟, "does ... ?")."""
    conjunction: bool = False
    """Clitic و on the first word: "and"."""
    period: bool = False
    """A final "." on both sides (questions always end with ؟ / ?)."""


def random_spec(rng: random.Random) -> Spec:
    mood = rng.choices(["statement", "negated", "question"], weights=[70, 18, 12])[0]
    return Spec(
        subject=rng.randrange(len(SUBJECTS)),
        verb=rng.randrange(len(VERBS)),
        obj=rng.randrange(len(OBJECTS)),
        subject_adj=rng.randrange(len(ADJECTIVES)) if rng.random() < 0.4 else None,
        obj_adj=rng.randrange(len(ADJECTIVES)) if rng.random() < 0.45 else None,
        obj_definite=rng.random() < 0.35,
        place=rng.randrange(len(PLACES)) if rng.random() < 0.3 else None,
        adverb=rng.randrange(len(ADVERBS)) if rng.random() < 0.2 else None,
        mood=mood,
        conjunction=rng.random() < 0.15,
        period=rng.random() < 0.5,
    )


def spec(subject: str, verb: str, obj: str, **choices: object) -> Spec:
    """A Spec from English words, for readable fixed sentences: spec("boy", "writes", "letter")."""

    def find(table: list, english: object, column: int) -> int:
        return next(i for i, row in enumerate(table) if row[column] == english)

    named = dict(choices)
    for key, table, column in (
        ("subject_adj", ADJECTIVES, 2),
        ("obj_adj", ADJECTIVES, 2),
        ("place", PLACES, 1),
        ("adverb", ADVERBS, 1),
    ):
        if key in named:
            named[key] = find(table, named[key], column)
    return Spec(find(SUBJECTS, subject, 1), find(VERBS, verb, 2), find(OBJECTS, obj, 1), **named)  # type: ignore[arg-type]


def make_example(spec: Spec) -> ToyExample:
    """Render a Spec as Arabic and English, with the gold word alignment.

    Every English word aligns to the Arabic word it translates: articles to their noun,
    "does"/"not" to هل/لا, "and" to the word carrying the clitic و; a final "."/"?" (glued
    to the last word on both sides) adds a pair between the two last words.
    """
    subject, subject_en, feminine = SUBJECTS[spec.subject]
    masc_verb, fem_verb, verb_s, verb_base = VERBS[spec.verb]
    obj, obj_en, obj_fem = OBJECTS[spec.obj]
    src: list[str] = []
    tgt: list[tuple[str, int]] = []  # English word, index of its Arabic word

    particle = {"question": "هل", "negated": "لا"}.get(spec.mood)
    if particle:
        src.append(particle)
    src.append(fem_verb if feminine else masc_verb)
    verb_at = len(src) - 1
    if spec.conjunction:
        src[0] = "و" + src[0]
        tgt.append(("and", 0))
    if spec.mood == "question":
        tgt.append(("does", 0))

    src.append(subject)
    subject_at = len(src) - 1
    tgt.append(("the", subject_at))
    if spec.subject_adj is not None:
        adj_m, adj_f, adj_en = ADJECTIVES[spec.subject_adj]
        src.append(_definite(adj_f if feminine else adj_m))
        tgt.append((adj_en, len(src) - 1))
    tgt.append((subject_en, subject_at))

    if spec.mood == "negated":
        tgt += [("does", 0), ("not", 0), (verb_base, verb_at)]
    else:
        tgt.append((verb_base if spec.mood == "question" else verb_s, verb_at))

    src.append(_definite(obj) if spec.obj_definite else obj)
    obj_at = len(src) - 1
    adj_en = None
    if spec.obj_adj is not None:
        adj_m, adj_f, adj_en = ADJECTIVES[spec.obj_adj]
        adj = adj_f if obj_fem else adj_m
        src.append(_definite(adj) if spec.obj_definite else adj)
    tgt.append(("the" if spec.obj_definite else _article(adj_en or obj_en), obj_at))
    if adj_en:
        tgt.append((adj_en, len(src) - 1))
    tgt.append((obj_en, obj_at))

    if spec.place is not None:
        place, place_en = PLACES[spec.place]
        src += ["في", place]
        tgt += [("in", len(src) - 2), ("the", len(src) - 1), (place_en, len(src) - 1)]
    if spec.adverb is not None:
        adverb, adverb_en = ADVERBS[spec.adverb]
        src.append(adverb)
        tgt.append((adverb_en, len(src) - 1))

    pairs = {(s, t) for t, (_, s) in enumerate(tgt)}
    words = [w for w, _ in tgt]
    words[0] = words[0].capitalize()
    if spec.mood == "question" or spec.period:
        src[-1] += "؟" if spec.mood == "question" else "."
        words[-1] += "?" if spec.mood == "question" else "."
        pairs.add((len(src) - 1, len(words) - 1))
    return ToyExample(" ".join(src), " ".join(words), tuple(sorted(pairs)))


def sample_example(rng: random.Random) -> ToyExample:
    return make_example(random_spec(rng))


def corpus(seed: int, size: int, *, exclude: frozenset[str] = frozenset()) -> list[ToyExample]:
    """``size`` distinct examples whose sources are not in ``exclude``."""
    rng = random.Random(seed)
    seen: set[str] = set(exclude)
    out: list[ToyExample] = []
    while len(out) < size:
        example = sample_example(rng)
        if example.source not in seen:
            seen.add(example.source)
            out.append(example)
    return out


HELDOUT_SIZE = 200
TRAIN_SIZE = 12_000


def heldout_pairs() -> list[ToyExample]:
    """200 sentences the toy model never saw in training, with gold translations and alignments."""
    return corpus(seed=7, size=HELDOUT_SIZE)


def training_pairs() -> list[ToyExample]:
    """The training set: disjoint from the held-out set and the fixed article sentences."""
    unseen = {e.source for e in heldout_pairs()} | {e.source for para in TOY_ARTICLE_PAIRS for e in para}
    return corpus(seed=1, size=TRAIN_SIZE, exclude=frozenset(unseen))


# A short "article" in the toy language: a headline, then paragraphs of sentences joined
# by a space, paragraphs separated by a blank line. TOY_ARTICLE_EN has the same shape.
TOY_ARTICLE_SPECS: list[list[Spec]] = [
    [spec("farmer", "draws", "picture", obj_adj="beautiful")],
    [
        spec("boy", "writes", "letter", subject_adj="small", obj_adj="new", period=True),
        spec("girl", "reads", "story", obj_adj="old", place="garden", period=True),
        spec("teacher", "opens", "window", obj_definite=True, mood="question"),
    ],
    [
        spec("king", "sells", "horse", obj_adj="red", mood="negated", period=True),
        spec(
            "queen",
            "buys",
            "house",
            subject_adj="strange",
            obj_definite=True,
            place="city",
            conjunction=True,
            adverb="today",
            period=True,
        ),
    ],
]
TOY_ARTICLE_PAIRS: list[list[ToyExample]] = [[make_example(s) for s in para] for para in TOY_ARTICLE_SPECS]
TOY_ARTICLE = "\n\n".join(" ".join(e.source for e in para) for para in TOY_ARTICLE_PAIRS) + "\n"
TOY_ARTICLE_EN = "\n\n".join(" ".join(e.target for e in para) for para in TOY_ARTICLE_PAIRS) + "\n"


# --- the model ---------------------------------------------------------------------------

ARCHITECTURE = {
    "d_model": 64,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 4,
    "decoder_attention_heads": 4,
    "encoder_ffn_dim": 128,
    "decoder_ffn_dim": 128,
}
TRAIN_STEPS = 1200
BATCH_SIZE = 48
LEARNING_RATE = 3e-3
WARMUP_STEPS = 100
ALIGNMENT_WEIGHT = 0.5
SEED = 1234


def _alignment_targets(example: ToyExample, source_pieces: list[str], target_pieces: list[str]) -> list[list[float]]:
    """Gold attention rows (one per target token, eos included) over source tokens (eos included).

    A target piece attends uniformly over the pieces of the source word(s) its word aligns
    to; a final "."/"?" piece attends to the source's final punctuation piece; eos to eos.
    """
    from reader.align import piece_words

    src_words = piece_words(source_pieces)
    tgt_words = piece_words(target_pieces)
    for i in reversed(range(len(tgt_words) - 1)):  # a bare "▁" piece leads into the next word
        if tgt_words[i] is None:
            tgt_words[i] = tgt_words[i + 1]
    n_src = len(source_pieces) + 1  # + </s>
    aligned: dict[int, set[int]] = {}
    for s, t in example.alignment:
        aligned.setdefault(t, set()).add(s)
    last_src = len(example.source.split()) - 1
    last_tgt = len(example.target.split()) - 1
    punctuated = not example.target[-1].isalnum()
    rows = []
    for piece, word in zip(target_pieces, tgt_words, strict=True):
        body = piece.lstrip("▁")
        if punctuated and word == last_tgt and body and not any(c.isalnum() for c in body):
            goal = [i for i, p in enumerate(source_pieces) if src_words[i] == last_src and not p.strip("▁").isalnum()]
            goal = goal or [max(i for i, w in enumerate(src_words) if w == last_src)]
        else:
            words = aligned[word] - {last_src} if punctuated and word == last_tgt else aligned[word]
            words = words or {last_src}
            goal = [i for i, w in enumerate(src_words) if w in words]
        row = [0.0] * n_src
        for i in goal:
            row[i] = 1.0 / len(goal)
        rows.append(row)
    eos = [0.0] * n_src
    eos[-1] = 1.0
    rows.append(eos)
    return rows


_Sample = tuple[list[int], list[int], list[list[float]]]
"""Source ids, target ids (both with eos) and gold attention rows."""


def _train(data: list[_Sample], vocab_size: int, *, steps: int, seed: int) -> dict[str, Any]:
    """Cross-entropy + guided alignment on the last decoder layer's cross-attention head 0."""
    import torch
    from transformers import MarianMTModel

    torch.manual_seed(seed)
    config = tiny.marian_config(vocab_size, **ARCHITECTURE)
    config._attn_implementation = "eager"
    model = MarianMTModel(config)
    model.train()
    pad = config.pad_token_id
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.98))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / WARMUP_STEPS, (WARMUP_STEPS / (step + 1)) ** 0.5)
    )
    rng = random.Random(seed)
    for _ in range(steps):
        batch = rng.sample(data, BATCH_SIZE)
        src_len = max(len(s) for s, _, _ in batch)
        tgt_len = max(len(t) for _, t, _ in batch)
        input_ids = torch.full((BATCH_SIZE, src_len), pad)
        labels = torch.full((BATCH_SIZE, tgt_len), -100)
        gold = torch.zeros(BATCH_SIZE, tgt_len, src_len)
        for b, (s, t, g) in enumerate(batch):
            input_ids[b, : len(s)] = torch.tensor(s)
            labels[b, : len(t)] = torch.tensor(t)
            gold[b, : len(t), : len(s)] = torch.tensor(g)
        out = model(
            input_ids=input_ids,
            attention_mask=input_ids.ne(pad).long(),
            labels=labels,
            output_attentions=True,
        )
        head = out.cross_attentions[-1][:, 0]  # [batch, target, source]
        guided = -(gold * torch.log(head + 1e-9)).sum() / labels.ne(-100).sum()
        loss = out.loss + ALIGNMENT_WEIGHT * guided
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        with torch.no_grad():  # Marian (and CTranslate2) start the decoder from a zero embedding
            model.model.shared.weight[pad].zero_()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def train_toy_model(dest: Path, *, steps: int = TRAIN_STEPS, seed: int = SEED) -> Path:
    """Train the toy model (fixed steps, seeded) and write it as a Marian folder to ``dest``."""
    import torch
    from transformers import MarianTokenizer

    examples = training_pairs()
    with tempfile.TemporaryDirectory() as tmp:
        source_spm = tiny.train_spm([e.source for e in examples], Path(tmp) / "source", SOURCE_VOCAB_PIECES)
        target_spm = tiny.train_spm([e.target for e in examples], Path(tmp) / "target", TARGET_VOCAB_PIECES)
        vocab = tiny.joint_vocab(source_spm, target_spm)
        vocab_path = Path(tmp) / "vocab.json"
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(str(source_spm), str(target_spm), str(vocab_path))

        data = []
        for example in examples:
            src_pieces = tokenizer.tokenize(example.source)
            tgt_ids = tokenizer(text_target=example.target, add_special_tokens=False)["input_ids"]
            tgt_pieces = tokenizer.convert_ids_to_tokens(tgt_ids)
            data.append(
                (
                    [*tokenizer.convert_tokens_to_ids(src_pieces), 0],
                    [*tgt_ids, 0],
                    _alignment_targets(example, src_pieces, tgt_pieces),
                )
            )

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # small matrices: one thread is fastest and immune to busy cores
        try:
            state = _train(data, len(vocab), steps=steps, seed=seed)
        finally:
            torch.set_num_threads(threads)

        return tiny.build_marian_dir(
            dest, source_spm=source_spm, target_spm=target_spm, vocab=vocab, state_dict=state, seed=seed, **ARCHITECTURE
        )


FIXTURE = tiny.ROOT / "tests" / "data" / "toy-model"
"""The committed toy model: trained once with ``train_toy_model`` (its README.md says where and how)."""
FIXTURE_FILES = (
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "source.spm",
    "target.spm",
    "tokenizer_config.json",
    "vocab.json",
)


def _copy_fixture(dest: Path) -> None:
    for name in FIXTURE_FILES:
        shutil.copyfile(FIXTURE / name, dest / name)


def toy_model_dir() -> Path:
    """The committed toy model, copied once into .cache/test-models.

    reader writes beside a model (its fingerprint memo), and tests convert it: they use the copy,
    so the repository's folder stays as committed.
    """
    return tiny.cached_build("toy", [FIXTURE / name for name in FIXTURE_FILES], _copy_fixture)


@dataclass(frozen=True)
class HeldoutScores:
    """How a model does on the held-out sentences: exact translations, and its alignment on those."""

    exact: int
    total: int
    gold_pairs: int
    """Gold word pairs of the exactly translated sentences (alignment is comparable only on those)."""
    recall: float
    precision: float


def heldout_scores(translator: Any) -> HeldoutScores:
    """Translate the held-out sentences with ``translator`` (a reader Translator) and score them."""
    examples = heldout_pairs()
    outputs = translator.translate_batch([e.source for e in examples])
    exact = gold_total = predicted_total = correct = 0
    for example, output in zip(examples, outputs, strict=True):
        if output.text != example.target:
            continue
        exact += 1
        gold, predicted = set(example.alignment), set(output.alignment)
        gold_total += len(gold)
        predicted_total += len(predicted)
        correct += len(gold & predicted)
    return HeldoutScores(
        exact, len(examples), gold_total, correct / max(gold_total, 1), correct / max(predicted_total, 1)
    )


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.support.toy DEST (a folder for the freshly trained toy model)")
    print(train_toy_model(Path(sys.argv[1])))
