"""The locally built Marian models: opus-mt-ar-en's conventions, and the toy language's data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.align import word_count
from tests.support import toy
from tests.support.tiny import EOS, PAD, UNK, cached_build


@pytest.fixture(scope="module")
def tiny_tokenizer(tiny_model_dir: Path):
    from transformers import MarianTokenizer

    return MarianTokenizer.from_pretrained(str(tiny_model_dir))


def test_tiny_model_has_opus_mt_ar_en_conventions(tiny_model_dir: Path) -> None:
    config = json.loads((tiny_model_dir / "config.json").read_text(encoding="utf-8"))
    vocab = json.loads((tiny_model_dir / "vocab.json").read_text(encoding="utf-8"))
    generation = json.loads((tiny_model_dir / "generation_config.json").read_text(encoding="utf-8"))
    size = len(vocab)
    assert config["architectures"] == ["MarianMTModel"]
    assert config["vocab_size"] == config["decoder_vocab_size"] == size
    assert (vocab[EOS], vocab[UNK], vocab[PAD]) == (0, 1, size - 1)
    assert sorted(vocab.values()) == list(range(size))
    assert config["eos_token_id"] == 0
    assert config["pad_token_id"] == config["decoder_start_token_id"] == size - 1
    assert config["activation_function"] == "swish"
    assert config["scale_embedding"] is True
    assert config["share_encoder_decoder_embeddings"] is True
    assert config["tie_word_embeddings"] is True
    assert config["max_position_embeddings"] == 512
    assert (config["d_model"], config["encoder_layers"], config["decoder_layers"]) == (16, 1, 1)
    assert generation["bad_words_ids"] == [[size - 1]]
    assert (generation["num_beams"], generation["max_length"]) == (4, 512)
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "model.safetensors"):
        assert (tiny_model_dir / name).is_file(), name


def test_tiny_model_weights_load_with_tied_static_embeddings(tiny_model_dir: Path) -> None:
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(str(tiny_model_dir))
    assert type(model.model.encoder.embed_positions).__name__ == "MarianSinusoidalPositionalEmbedding"
    shared = model.get_input_embeddings().weight
    assert model.get_output_embeddings().weight.data_ptr() == shared.data_ptr()
    assert model.model.decoder.embed_tokens.weight.data_ptr() == shared.data_ptr()


def test_tiny_tokenizer_round_trip_appends_eos(tiny_tokenizer) -> None:
    sentence = "أعلن البنك المركزي رفع سعر الفائدة."
    ids = tiny_tokenizer(sentence)["input_ids"]
    assert ids[-1] == 0 and 0 not in ids[:-1]
    assert 1 not in ids  # every character was seen by the source sentencepiece model
    assert tiny_tokenizer.decode(ids, skip_special_tokens=True) == sentence
    pieces = tiny_tokenizer.tokenize(sentence)
    assert pieces[0].startswith("▁")
    assert word_count(pieces) == len(sentence.split())
    assert len(pieces) > len(sentence.split())  # small vocabulary: words split into pieces


def test_tiny_target_side_uses_the_english_model(tiny_tokenizer) -> None:
    ids = tiny_tokenizer(text_target="The central bank announced a rise.")["input_ids"]
    assert ids[-1] == 0
    assert tiny_tokenizer.decode(ids, skip_special_tokens=True) == "The central bank announced a rise."


def test_cached_build_builds_once_and_only_complete_folders_appear(tmp_path: Path, monkeypatch) -> None:
    from tests.support import tiny

    monkeypatch.setattr(tiny, "CACHE_DIR", tmp_path)
    source = tmp_path / "recipe.py"
    source.write_text("X = 1\n")
    calls: list[Path] = []

    def build(dest: Path) -> None:
        calls.append(dest)
        (dest / "weights").write_text("w")

    first = cached_build("demo", [source], build)
    assert cached_build("demo", [source], build) == first
    assert len(calls) == 1 and (first / "weights").read_text() == "w"
    source.write_text('"""Only a docstring changed."""\nX = 1  # and a comment\n')
    assert cached_build("demo", [source], build) == first
    source.write_text("X = 2\n")
    second = cached_build("demo", [source], build)
    assert second != first and len(calls) == 2
    assert all(not p.exists() for p in calls)  # built in temporary folders, then renamed

    def broken(dest: Path) -> None:
        (dest / "half").write_text("")
        raise RuntimeError("build failed")

    source.write_text("X = 3\n")
    with pytest.raises(RuntimeError):
        cached_build("demo", [source], broken)
    assert sorted(p for p in tmp_path.iterdir() if p.is_dir()) == sorted([first, second])


def test_toy_gold_alignments_cover_every_word() -> None:
    examples = toy.heldout_pairs()
    assert len(examples) == 200
    assert len({e.source for e in examples}) == 200
    for example in examples:
        n_src, n_tgt = len(example.source.split()), len(example.target.split())
        assert {t for _, t in example.alignment} == set(range(n_tgt)), example
        assert all(0 <= s < n_src for s, _ in example.alignment), example
        assert list(example.alignment) == sorted(set(example.alignment))


def test_toy_language_reorders_words() -> None:
    example = toy.make_example(toy.spec("boy", "writes", "letter", subject_adj="small", period=True))
    assert example.source == "يكتب الولد الصغير رسالة."
    assert example.target == "The small boy writes a letter."
    # The<-الولد small<-الصغير boy<-الولد writes<-يكتب a<-رسالة letter.<-رسالة.
    assert example.alignment == ((0, 3), (1, 0), (1, 2), (2, 1), (3, 4), (3, 5))
    negated = toy.make_example(toy.spec("queen", "opens", "apple", mood="negated", conjunction=True, obj_adj="old"))
    assert negated.source == "ولا تفتح الملكة تفاحة قديمة"
    assert negated.target == "And the queen does not open an old apple"
    assert negated.alignment == ((0, 0), (0, 3), (0, 4), (1, 5), (2, 1), (2, 2), (3, 6), (3, 8), (4, 7))


def test_heldout_and_article_sentences_are_not_in_training() -> None:
    training = {e.source for e in toy.training_pairs()}
    assert not training & {e.source for e in toy.heldout_pairs()}
    assert not training & {e.source for para in toy.TOY_ARTICLE_PAIRS for e in para}


def test_toy_article_shape() -> None:
    paragraphs = toy.TOY_ARTICLE.strip("\n").split("\n\n")
    english = toy.TOY_ARTICLE_EN.strip("\n").split("\n\n")
    assert [len(p) for p in toy.TOY_ARTICLE_PAIRS] == [1, 3, 2]
    assert len(paragraphs) == len(english) == 3
    assert paragraphs[0] == "يرسم الفلاح صورة جميلة"
    assert english[1] == (
        "The small boy writes a new letter. The girl reads an old story in the garden. "
        "Does the teacher open the window?"
    )


def test_toy_model_splits_words_into_several_pieces(toy_model_dir: Path) -> None:
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(str(toy_model_dir))
    sources = [e.source for e in toy.heldout_pairs()]
    words = {w for s in sources for w in s.split()}
    multi = [w for w in words if len(tokenizer.tokenize(w)) > 1]
    assert len(multi) >= 20
    targets = [e.target for e in toy.heldout_pairs()]
    target_words = {w for s in targets for w in s.split()}
    assert any(len(tokenizer.spm_target.encode(w, out_type=str)) > 1 for w in target_words)
    config = json.loads((toy_model_dir / "config.json").read_text(encoding="utf-8"))
    vocab = json.loads((toy_model_dir / "vocab.json").read_text(encoding="utf-8"))
    assert (vocab[EOS], vocab[UNK], vocab[PAD]) == (0, 1, len(vocab) - 1)
    assert config["pad_token_id"] == config["decoder_start_token_id"] == len(vocab) - 1
    assert (config["d_model"], config["decoder_layers"], config["decoder_attention_heads"]) == (64, 2, 4)
