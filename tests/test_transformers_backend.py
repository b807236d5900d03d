"""The transformers backend on locally built Marian models (the toy model translates exactly)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from reader.config import Settings
from reader.errors import InputError, ModelError, ModelNotFoundError
from reader.models.folder import FINGERPRINT_MEMO
from reader.translate import beam_memory, registry
from reader.translate.backends.transformers import TransformersTranslator
from reader.translate.base import Translation, Translator
from tests.support.toy import TOY_ARTICLE_PAIRS, heldout_pairs

SETTINGS = Settings(threads=1)


@pytest.fixture(scope="module")
def translator(toy_model_dir: Path) -> TransformersTranslator:
    return TransformersTranslator.load(toy_model_dir, settings=SETTINGS)


class CountingGenerate:
    """Wraps the model's generate to record the batch sizes it was called with."""

    def __init__(self, translator: TransformersTranslator, monkeypatch: pytest.MonkeyPatch) -> None:
        self.batches: list[int] = []
        model = translator._model
        original = model.generate

        def generate(*args, **kwargs):
            self.batches.append(int(kwargs["input_ids"].shape[0]))
            return original(*args, **kwargs)

        monkeypatch.setattr(model, "generate", generate)


def test_is_a_translator_with_a_weights_fingerprint(translator: TransformersTranslator, toy_model_dir: Path) -> None:
    assert isinstance(translator, Translator)
    kind, weights, decode = translator.fingerprint.split(":")
    assert kind == "transformers"
    assert len(weights) == 16 and int(weights, 16) >= 0
    assert decode == "beam=4;max=512;nrng=0"
    assert (toy_model_dir / FINGERPRINT_MEMO).is_file()


def test_exact_translations_on_heldout_sentences(translator: TransformersTranslator) -> None:
    examples = heldout_pairs()
    outputs = translator.translate_batch([e.source for e in examples])
    exact = sum(o.text == e.target for o, e in zip(outputs, examples, strict=True))
    print(f"toy model: {exact}/{len(examples)} exact translations of held-out sentences")
    assert exact >= 0.98 * len(examples)
    for output in outputs:
        assert math.isfinite(output.score) and output.score < 0
        assert not output.cached


def test_exact_translations_of_the_article_sentences(translator: TransformersTranslator) -> None:
    examples = [e for para in TOY_ARTICLE_PAIRS for e in para]
    outputs = translator.translate_batch([e.source for e in examples])
    assert [o.text for o in outputs] == [e.target for e in examples]
    assert [o.alignment for o in outputs] == [e.alignment for e in examples]
    assert outputs[1] == Translation(
        "The small boy writes a new letter.",
        ((0, 3), (1, 0), (1, 2), (2, 1), (3, 4), (3, 6), (4, 5), (4, 6)),
        outputs[1].score,
    )


def test_batching_matches_one_at_a_time_and_keeps_order(
    translator: TransformersTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = heldout_pairs()[:9]
    sources = [e.source for e in examples]
    singles = [translator.translate_batch([s])[0] for s in sources]
    counter = CountingGenerate(translator, monkeypatch)
    batched = translator.translate_batch(sources)
    assert counter.batches == [9]  # all nine fit the default token budget
    assert [b.text for b in batched] == [s.text for s in singles] == [e.target for e in examples]
    assert [b.alignment for b in batched] == [s.alignment for s in singles]
    assert [b.score for b in batched] == pytest.approx([s.score for s in singles], abs=1e-4)


def test_cross_attention_kept_once_per_sentence(
    translator: TransformersTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beam search holds the source's keys and values once per sentence, not once per beam."""
    made = []
    build = beam_memory.beam_cache

    def recording(config, beams):
        made.append(cache := build(config, beams))
        return cache

    monkeypatch.setattr(beam_memory, "beam_cache", recording)
    sources = [e.source for e in heldout_pairs()[:3]]
    translator.translate_batch(sources)
    (cache,) = made
    cross, own = cache.cross_attention_cache.layers[0], cache.self_attention_cache.layers[0]
    assert cross.keys.shape[0] == cross.values.shape[0] == 3
    assert own.keys.shape[0] == 3 * 4


def test_per_sentence_cross_attention_gives_what_eager_attention_gives(
    toy_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same translations, alignments and scores as transformers' own eager attention and cache."""
    examples = heldout_pairs()[:24]
    sources = [e.source for e in examples] + [" ".join(e.source for e in examples[i : i + 4]) for i in (0, 8, 16)]
    ours = TransformersTranslator.load(toy_model_dir, settings=SETTINGS)
    mine = ours.translate_batch(sources), ours.alternatives(sources[-1], 6), ours.complete(sources[0], "The")
    monkeypatch.setattr(beam_memory, "beam_cache", lambda config, beams: None)  # generate()'s own cache
    ours._model.set_attn_implementation("eager")
    theirs = ours.translate_batch(sources), ours.alternatives(sources[-1], 6), ours.complete(sources[0], "The")
    assert mine == theirs
    assert [t.text for t in mine[0][:24]] == [e.target for e in examples]


def test_token_budget_splits_batches(toy_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """batch_tokens counts padded source tokens x beam hypotheses: memory grows with both."""
    small = TransformersTranslator.load(toy_model_dir, settings=Settings(threads=1, batch_tokens=160))
    examples = heldout_pairs()[:6]
    lengths = sorted((small.count_tokens(e.source) + 1 for e in examples), reverse=True)
    counter = CountingGenerate(small, monkeypatch)
    outputs = small.translate_batch([e.source for e in examples])
    assert [o.text for o in outputs] == [e.target for e in examples]
    assert sum(counter.batches) == 6 and len(counter.batches) > 1
    start = 0
    for size in counter.batches:  # runs of the length-sorted inputs, longest first: padded x beam <= budget
        assert size * lengths[start] * 4 <= 160 or size == 1
        start += size


def test_empty_input_is_not_sent_to_the_model(
    translator: TransformersTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = CountingGenerate(translator, monkeypatch)
    assert translator.translate_batch(["", "  "]) == [Translation("", (), 0.0)] * 2
    assert translator.translate_batch([]) == []
    assert counter.batches == []
    example = heldout_pairs()[0]
    out = translator.translate_batch(["", example.source, " "])
    assert [o.text for o in out] == ["", example.target, ""]
    assert counter.batches == [1]


def test_special_token_text_in_the_input_is_only_text(
    translator: TransformersTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[int]] = []
    original = translator._model.generate

    def generate(*args, **kwargs):
        seen.extend(kwargs["input_ids"].tolist())
        return original(*args, **kwargs)

    monkeypatch.setattr(translator._model, "generate", generate)
    sentence = "يكتب الولد </s> رسالة <pad> <unk>"
    (out,) = translator.translate_batch([sentence])
    (ids,) = seen
    assert ids.count(0) == 1 and ids[-1] == 0  # the only eos is the real one
    assert translator._pad not in ids
    assert translator.count_tokens(sentence) == len(ids) - 1
    assert out.alignment  # the word mapping still sees six source words
    assert all(s < 6 and t < len(out.text.split()) for s, t in out.alignment)


def test_count_tokens_counts_source_pieces_without_eos(translator: TransformersTranslator) -> None:
    tokenizer = translator._tokenizer
    sentence = heldout_pairs()[0].source
    assert translator.count_tokens(sentence) == len(tokenizer(sentence)["input_ids"]) - 1
    assert translator.count_tokens("") == 0


def test_over_long_sentence_raises_before_anything_runs(
    translator: TransformersTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    too_long = " ".join(["الولد"] * 600)
    assert translator.count_tokens(too_long) >= 600
    counter = CountingGenerate(translator, monkeypatch)
    with pytest.raises(InputError, match="limit of 512"):
        translator.translate_batch([heldout_pairs()[0].source, too_long])
    assert counter.batches == []
    word = next(w for e in heldout_pairs() for w in e.source.split() if translator.count_tokens(w) == 1)
    just_fits = " ".join([word] * 511)  # + eos = 512 positions
    assert translator.count_tokens(just_fits) == 511
    (out,) = translator.translate_batch([just_fits])
    assert math.isfinite(out.score)


def test_missing_or_incomplete_folder_is_model_not_found(tmp_path: Path, toy_model_dir: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no model folder"):
        TransformersTranslator.load(tmp_path / "absent", settings=SETTINGS)
    partial = tmp_path / "partial"
    shutil.copytree(toy_model_dir, partial)
    (partial / "model.safetensors").unlink()
    (partial / "target.spm").unlink()
    with pytest.raises(ModelNotFoundError, match=r"missing: target\.spm, model\.safetensors"):
        TransformersTranslator.load(partial, settings=SETTINGS)


def test_broken_weights_are_a_model_error(tmp_path: Path, toy_model_dir: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(toy_model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match="could not load the model"):
        TransformersTranslator.load(broken, settings=SETTINGS)


def test_unavailable_device_is_a_model_error(toy_model_dir: Path) -> None:
    with pytest.raises(ModelError, match="device"):
        TransformersTranslator.load(toy_model_dir, settings=Settings(device="tpu-9000"))


def test_fingerprint_follows_weights_and_beam(tmp_path: Path, toy_model_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(toy_model_dir, copy)
    (copy / FINGERPRINT_MEMO).unlink()
    base = TransformersTranslator.load(copy, settings=SETTINGS).fingerprint
    (memo,) = json.loads((copy / FINGERPRINT_MEMO).read_text()).values()
    assert base.split(":")[1] == memo[:16]
    assert TransformersTranslator.load(copy, settings=SETTINGS).fingerprint == base
    assert TransformersTranslator.load(copy, settings=Settings(threads=1, beam=2)).fingerprint == base.replace(
        "beam=4", "beam=2"
    )
    config = json.loads((copy / "config.json").read_text())
    config["dropout"] = 0.2  # any change to a fingerprinted file changes the model's identity
    (copy / "config.json").write_text(json.dumps(config))
    assert TransformersTranslator.load(copy, settings=SETTINGS).fingerprint != base


def test_beam_setting_reaches_generate(toy_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    greedy = TransformersTranslator.load(toy_model_dir, settings=Settings(threads=1, beam=1))
    seen: list[int] = []
    original = greedy._model.generate

    def generate(*args, **kwargs):
        seen.append(kwargs["num_beams"])
        return original(*args, **kwargs)

    monkeypatch.setattr(greedy._model, "generate", generate)
    example = heldout_pairs()[3]
    assert greedy.translate_batch([example.source])[0].text == example.target
    assert seen == [1]


def test_registry_loads_the_backend(toy_model_dir: Path) -> None:
    translator = registry.create("transformers", toy_model_dir, settings=SETTINGS)
    example = heldout_pairs()[5]
    assert translator.translate_batch([example.source])[0].text == example.target


def test_untrained_tiny_model_runs_the_same_code_path(tiny_model_dir: Path) -> None:
    """Output of random weights is nonsense, but shapes, bounds and the contract hold."""
    translator = TransformersTranslator.load(tiny_model_dir, settings=SETTINGS)
    sentence = "أعلن البنك المركزي رفع سعر الفائدة."
    (out,) = translator.translate_batch([sentence])
    source_tokens = translator.count_tokens(sentence) + 1
    assert len(translator._tokenizer(text_target=out.text)["input_ids"]) <= 2 * source_tokens + 12
    assert math.isfinite(out.score) and out.score < 0
    n_src, n_tgt = len(sentence.split()), len(out.text.split())
    assert all(0 <= s < n_src and 0 <= t < n_tgt for s, t in out.alignment)


def test_legacy_opus_mt_folder_layout(tmp_path: Path, tiny_model_dir: Path) -> None:
    """The hub's opus-mt-ar-en folder: generation settings inside config.json, pytorch_model.bin, no
    generation_config.json. The backend must still forbid <pad> and decode the same way."""
    import torch
    from safetensors.torch import load_file

    legacy = tmp_path / "opus-mt-ar-en"
    legacy.mkdir()
    for name in ("source.spm", "target.spm", "vocab.json"):
        shutil.copy(tiny_model_dir / name, legacy / name)
    (legacy / "tokenizer_config.json").write_text(json.dumps({"target_lang": "en", "source_lang": "ar"}))
    (legacy / "special_tokens_map.json").write_text(
        json.dumps({"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"})
    )
    config = json.loads((tiny_model_dir / "config.json").read_text())
    pad = config["pad_token_id"]
    config.update(
        {
            "_name_or_path": "/tmp/Helsinki-NLP/opus-mt-ar-en",
            "add_bias_logits": False,
            "add_final_layer_norm": False,
            "bad_words_ids": [[pad]],
            "classif_dropout": 0.0,
            "gradient_checkpointing": False,
            "id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
            "label2id": {"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2},
            "max_length": 512,
            "normalize_before": False,
            "normalize_embedding": False,
            "num_beams": 4,
            "num_hidden_layers": 1,
            "static_position_embeddings": True,
            "transformers_version": "4.22.0.dev0",
        }
    )
    (legacy / "config.json").write_text(json.dumps(config))
    torch.save(load_file(tiny_model_dir / "model.safetensors"), legacy / "pytorch_model.bin")

    translator = TransformersTranslator.load(legacy, settings=SETTINGS)
    reference = TransformersTranslator.load(tiny_model_dir, settings=SETTINGS)
    assert translator._bad_words == [[pad]]
    sentence = "قال وزير الخارجية إن المحادثات ستستمر."
    (out,) = translator.translate_batch([sentence])
    (expected,) = reference.translate_batch([sentence])
    assert out.text == expected.text and out.alignment == expected.alignment
    assert out.score == pytest.approx(expected.score, abs=1e-5)
    assert translator.fingerprint != reference.fingerprint  # different files, different identity


def test_forced_output_lengths_are_a_benchmark_hook(toy_model_dir: Path) -> None:
    """force_output_lengths makes every output exactly as long as asked (None: to its limit); output_tokens counts."""
    forced = TransformersTranslator.load(toy_model_dir, settings=SETTINGS)
    sentences = [example.source for example in heldout_pairs()[:3]]
    forced.force_output_lengths(lambda sentence: 9)
    forced.translate_batch(sentences)
    assert forced.output_tokens == 9 * len(sentences) and forced.model_calls >= 1
    forced.force_output_lengths(lambda sentence: None)
    before = forced.output_tokens
    forced.translate_batch(sentences[:1])
    assert forced.output_tokens - before == 2 * forced.count_tokens(sentences[0]) + 12
    forced.force_output_lengths(None)
    assert [r.text for r in forced.translate_batch(sentences)] == [e.target for e in heldout_pairs()[:3]]


@pytest.mark.parametrize(("given", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_openmp_threads_wait_passively_unless_told_otherwise(toy_model_dir: Path, given, expected) -> None:
    """Loading sets OMP_WAIT_POLICY=PASSIVE before torch loads OpenMP (spinning threads stall on shared cores)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given:
        env["OMP_WAIT_POLICY"] = given
    code = (
        "import os, sys; from pathlib import Path; from reader.config import Settings;"
        "from reader.translate.backends.transformers import TransformersTranslator;"
        "assert 'torch' not in sys.modules;"
        "TransformersTranslator.load(Path(sys.argv[1]), settings=Settings(threads=1));"
        "print(os.environ['OMP_WAIT_POLICY'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(toy_model_dir)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == expected
