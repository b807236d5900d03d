"""The CTranslate2 backend and model conversion: same results as the transformers backend, faster.

The toy model (trained, with guided alignment) must give the same translations, alignments and
scores through both backends; the untrained tiny model checks conventions and plumbing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reader.config import Settings
from reader.errors import InputError, ModelError, ModelNotFoundError
from reader.models import folder
from reader.models.convert import convert_to_ct2
from reader.pipeline import translate_text
from reader.translate import registry
from reader.translate.backends.ctranslate2 import KV_BYTES, TOKENS_AT_LIMIT, CT2Translator
from reader.translate.cache import SentenceCache
from reader.translate.cached import CachedTranslator
from reader.translate.pieces import MarianPieces, encode_source
from tests.support.config import cpu_settings as settings
from tests.support.tiny import TINY_ARABIC
from tests.support.toy import TOY_ARTICLE, TOY_ARTICLE_EN, heldout_pairs


@pytest.fixture(autouse=True)
def batches_by_batch_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """READER_MEMORY_MB=0: batches from READER_BATCH_TOKENS alone, not from this process's memory at load,
    so that tests comparing two batchings compare the batchings they name (float scores move with them)."""
    monkeypatch.setenv("READER_MEMORY_MB", "0")


@pytest.fixture(scope="session")
def converted(tmp_path_factory, tiny_model_dir, toy_model_dir):
    """Conversions made once per session: {(model, quantization): folder}."""
    root = tmp_path_factory.mktemp("ct2")
    made: dict[tuple[str, str], Path] = {}

    def get(model: str, quantization: str = "int8") -> Path:
        if (model, quantization) not in made:
            source = {"tiny": tiny_model_dir, "toy": toy_model_dir}[model]
            made[model, quantization] = convert_to_ct2(
                source, root / f"{model}-ct2-{quantization}", quantization=quantization
            )
        return made[model, quantization]

    return get


@pytest.fixture(scope="session")
def toy_translations(toy_model_dir, converted):
    """Held-out toy sentences through transformers and CTranslate2 float32 / int8 (computed once)."""
    sources = [example.source for example in heldout_pairs()]
    s = settings()
    return {
        "transformers": registry.create("transformers", toy_model_dir, settings=s).translate_batch(sources),
        "float32": CT2Translator.load(converted("toy", "float32"), settings=s, compute_type="float32").translate_batch(
            sources
        ),
        "int8": registry.create("ct2", converted("toy", "int8"), settings=s).translate_batch(sources),
    }


# ---- conversion ----------------------------------------------------------------------------


def test_conversion_is_self_contained_and_records_its_source(converted, tiny_model_dir):
    converted_dir = converted("tiny")
    for name in ("model.bin", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "hf_config.json"):
        assert (converted_dir / name).is_file(), name
    record = json.loads((converted_dir / folder.CT2_RECORD).read_text())
    assert record["quantization"] == "int8"
    assert record["source_fingerprint"] == folder.fingerprint(tiny_model_dir)
    assert record["source_name"] == tiny_model_dir.name
    # the temporary folder was renamed into place: no staging folder is left beside it
    assert not [p.name for p in converted_dir.parent.iterdir() if p.name.startswith(".")]
    assert folder.fingerprint(converted_dir) == folder.fingerprint(tiny_model_dir)  # known by its source's


def test_both_backends_name_the_weights_by_the_folders_one_fingerprint(converted, tiny_model_dir):
    transformers = registry.create("transformers", tiny_model_dir, settings=settings())
    ct2 = registry.create("ct2", converted("tiny"), settings=settings())
    assert transformers.model_fingerprint == ct2.model_fingerprint == folder.fingerprint(tiny_model_dir)
    assert transformers.fingerprint.split(":")[1] == ct2.fingerprint.split(":")[3] == transformers.model_fingerprint


def test_converting_again_keeps_an_up_to_date_folder_and_force_replaces_it(tmp_path, tiny_model_dir):
    out = convert_to_ct2(tiny_model_dir, tmp_path / "m-ct2-int8")
    stamp = (out / "model.bin").stat().st_mtime_ns
    assert convert_to_ct2(tiny_model_dir, out) == out
    assert (out / "model.bin").stat().st_mtime_ns == stamp  # not converted again

    with pytest.raises(ModelError, match=r"already exists and is not a float32 conversion.*--force"):
        convert_to_ct2(tiny_model_dir, out, quantization="float32")
    convert_to_ct2(tiny_model_dir, out, quantization="float32", force=True)
    assert json.loads((out / folder.CT2_RECORD).read_text())["quantization"] == "float32"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-ct2-int8"]


def test_an_unrelated_existing_folder_is_never_overwritten_without_force(tmp_path, tiny_model_dir):
    precious = tmp_path / "out"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ModelError, match="already exists"):
        convert_to_ct2(tiny_model_dir, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def _broken_copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".*"))
    return dest


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing-folder", "is not a model folder"),
        ("no-vocab", r"missing: vocab\.json"),
        ("no-weights", r"missing: model\.safetensors"),
        ("not-marian", "holds a 'bert' model; reader needs a Marian model"),
        ("bad-config", r"config\.json is unreadable"),
        ("corrupt-weights", "CTranslate2 could not convert"),
        ("bad-quantization", "unknown quantization 'int4'"),
    ],
)
def test_conversion_errors_are_clean_model_errors(tmp_path, tiny_model_dir, damage, message):
    model = _broken_copy(tiny_model_dir, tmp_path / "model")
    quantization = "int8"
    if damage == "missing-folder":
        model = tmp_path / "nowhere"
    elif damage == "no-vocab":
        (model / "vocab.json").unlink()
    elif damage == "no-weights":
        (model / "model.safetensors").unlink()
    elif damage == "not-marian":
        (model / "config.json").write_text(json.dumps({"model_type": "bert"}))
    elif damage == "bad-config":
        (model / "config.json").write_text("{not json")
    elif damage == "corrupt-weights":
        (model / "model.safetensors").write_bytes(b"\x00" * 64)
    elif damage == "bad-quantization":
        quantization = "int4"
    out = tmp_path / "models" / "model-ct2"
    with pytest.raises(ModelError, match=message):
        convert_to_ct2(model, out, quantization=quantization)
    assert not out.exists()
    assert not (out.parent.exists() and list(out.parent.iterdir()))  # no half-written staging folder


def test_a_model_whose_decoder_start_embedding_was_trained_is_refused(tmp_path, tiny_model_dir):
    """CTranslate2 starts Marian decoders from a zero embedding; converting anyway would change translations."""
    import torch
    from transformers import MarianMTModel

    model = _broken_copy(tiny_model_dir, tmp_path / "fine-tuned")
    weights = MarianMTModel.from_pretrained(model)
    with torch.no_grad():
        weights.model.shared.weight[weights.config.pad_token_id] += 0.01
    weights.save_pretrained(model)
    with pytest.raises(ModelError, match=r"decoder start token \(id \d+\) has a trained, non-zero embedding"):
        convert_to_ct2(model, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ---- the backend on the untrained tiny model -----------------------------------------------


def test_tiny_model_translates_through_the_registry(converted, tiny_model_dir):
    translator = registry.create("ct2", converted("tiny"), settings=settings())
    reference = registry.create("transformers", tiny_model_dir, settings=settings())
    sentences = ["قال وزير الخارجية إن المحادثات ستستمر", "", "   ", "هل تعرف أين تقع المكتبة الجديدة؟"]
    results = translator.translate_batch(sentences)
    assert translator.model_calls == 1
    assert [r.text for r in results[1:3]] == ["", ""]
    for sentence, result in zip(sentences, results, strict=True):
        assert result.score <= 0
        assert not result.cached
        for source_word, target_word in result.alignment:
            assert 0 <= source_word < len(sentence.split())
            assert 0 <= target_word < len(result.text.split())
    assert results[0].text and results[3].text
    assert results[0].score < 0
    for text in sentences:
        assert translator.count_tokens(text) == reference.count_tokens(text)


def test_special_token_text_in_the_input_is_only_text_as_on_transformers(converted, toy_model_dir):
    """A literal </s> or <pad> in an article neither ends the input nor pads it: both backends feed the
    same pieces, so they give the same translation, alignment and token count."""
    translator = CT2Translator.load(converted("toy", "float32"), settings=settings(), compute_type="float32")
    reference = registry.create("transformers", toy_model_dir, settings=settings())
    sentence = "يكتب الولد </s> رسالة <pad> <unk>"
    pieces = translator._source(sentence).pieces
    assert pieces.count("</s>") == 1 and pieces[-1] == "</s>"
    assert "<pad>" not in pieces
    assert translator.count_tokens(sentence) == reference.count_tokens(sentence) == len(pieces) - 1
    (out,) = translator.translate_batch([sentence])
    (expected,) = reference.translate_batch([sentence])
    assert out.text == expected.text
    assert out.alignment == expected.alignment and out.alignment  # six source words, mapped as transformers maps them
    assert out.score == pytest.approx(expected.score, abs=1e-3)


def test_a_sentence_that_starts_like_a_language_code_keeps_its_words(converted, toy_model_dir):
    """MarianTokenizer takes a leading ">>...<<" for a language code, one unknown piece: not here."""
    translator = CT2Translator.load(converted("toy", "float32"), settings=settings(), compute_type="float32")
    reference = registry.create("transformers", toy_model_dir, settings=settings())
    sentence = ">>يكتب الولد<< رسالة"
    pieces = translator._source(sentence).pieces
    assert not any(piece.startswith(">>") and piece.endswith("<<") for piece in pieces)
    assert translator.count_tokens(sentence) == reference.count_tokens(sentence) == len(pieces) - 1
    assert [t.text for t in translator.translate_batch([sentence])] == [
        t.text for t in reference.translate_batch([sentence])
    ]


def test_target_pieces_decode_as_marian_tokenizer_decodes_them(converted):
    from transformers import MarianTokenizer

    folder_path = converted("toy", "float32")
    pieces, marian = MarianPieces.load(folder_path), MarianTokenizer.from_pretrained(str(folder_path))
    vocabulary = CT2Translator.load(folder_path, settings=settings(), compute_type="float32")._target_vocabulary()
    assert vocabulary == marian.convert_ids_to_tokens(list(range(len(vocabulary))))
    known = set(vocabulary)  # all the model can output: a piece outside it comes out as <unk>
    for text in [example.target for example in heldout_pairs()[:5]] + ["a  b", "«x», y.", ""]:
        target = [piece if piece in known else "<unk>" for piece in pieces.spm_target.encode(text, out_type=str)]
        target.append("</s>")
        cases = [target, ["<unk>", *target], [*target[:2], "<pad>", *target[2:]], ["▁", *target]]
        for case in cases:
            ids = marian.convert_tokens_to_ids(case)
            assert pieces.decode(case) == marian.decode(
                ids, skip_special_tokens=True, use_source_tokenizer=False, clean_up_tokenization_spaces=False
            )


def test_translating_on_ctranslate2_never_imports_transformers(converted):
    code = (
        "import sys; from pathlib import Path; from reader.config import Settings; "
        "from reader.translate.backends.ctranslate2 import CT2Translator; "
        "t = CT2Translator.load(Path(sys.argv[1]), settings=Settings.load(device='cpu', threads=1)); "
        "print(bool(t.translate_batch(['يكتب الولد رسالة'])[0].text), 'transformers' in sys.modules)"
    )
    folder_path = str(converted("toy", "int8"))
    ran = subprocess.run([sys.executable, "-c", code, folder_path], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["True", "False"]


def test_both_backends_read_source_pieces_the_same_way(converted, toy_model_dir):
    from transformers import MarianTokenizer

    marian = MarianTokenizer.from_pretrained(str(toy_model_dir))
    ours = MarianPieces.load(converted("toy", "float32"))
    for example in heldout_pairs()[:5]:
        assert encode_source(ours, example.source) == encode_source(marian, example.source)
        assert list(encode_source(ours, example.source).pieces) == [*marian.tokenize(example.source), "</s>"]


def test_blank_input_never_runs_the_model(converted):
    translator = registry.create("ct2", converted("tiny"), settings=settings())
    assert translator.translate_batch([]) == []
    assert [r.text for r in translator.translate_batch(["", " \n "])] == ["", ""]
    assert translator.model_calls == 0


def test_an_input_over_the_models_positions_is_refused_not_truncated(converted):
    translator = registry.create("ct2", converted("tiny"), settings=settings())
    with pytest.raises(InputError, match="over the model's limit of 512"):
        translator.translate_batch(["قال " * 600])


def test_fingerprint_names_backend_precision_weights_and_decoding(converted, tiny_model_dir):
    int8 = registry.create("ct2", converted("tiny"), settings=settings())
    float32 = registry.create("ct2", converted("tiny", "float32"), settings=settings())
    greedy = registry.create("ct2", converted("tiny"), settings=settings(beam=1))
    reference = registry.create("transformers", tiny_model_dir, settings=settings())
    source = folder.fingerprint(tiny_model_dir)
    assert int8.fingerprint == f"ct2:int8:int8_float32:{source}:beam=4;max=512;nrng=0;patience=2"
    assert float32.fingerprint == f"ct2:float32:float32:{source}:beam=4;max=512;nrng=0;patience=2"
    assert greedy.fingerprint == f"ct2:int8:int8_float32:{source}:beam=1;max=512;nrng=0;patience=2"
    assert len({int8.fingerprint, float32.fingerprint, greedy.fingerprint, reference.fingerprint}) == 4


def test_the_sentence_cache_keeps_backends_apart(converted, tiny_model_dir, tmp_path):
    cache = SentenceCache(tmp_path / "cache.sqlite3")
    sentence = ["قال وزير الخارجية"]
    first = CachedTranslator(registry.create("transformers", tiny_model_dir, settings=settings()), cache)
    first.translate_batch(sentence)
    second = CachedTranslator(registry.create("ct2", converted("tiny"), settings=settings()), cache)
    assert second.translate_batch(sentence)[0].cached is False
    assert second.model_calls == 1
    again = CachedTranslator(registry.create("ct2", converted("tiny"), settings=settings()), cache)
    assert again.translate_batch(sentence)[0].cached is True
    assert again.model_calls == 0


def test_loading_errors_are_clear(tmp_path, converted):
    with pytest.raises(ModelNotFoundError, match=r"no model\.bin.*reader models convert"):
        CT2Translator.load(tmp_path, settings=settings())
    broken = tmp_path / "broken"
    shutil.copytree(converted("tiny"), broken)
    (broken / "target.spm").unlink()
    with pytest.raises(ModelError, match=r"lacks tokenizer files: target\.spm"):
        CT2Translator.load(broken, settings=settings())
    (broken / "target.spm").write_bytes(b"not a sentencepiece model")
    with pytest.raises(ModelError, match=r"cannot load the tokenizer file .*target\.spm"):
        CT2Translator.load(broken, settings=settings())
    with pytest.raises(ModelError, match="runs on 'cpu', 'cuda' or 'cuda:N', not 'tpu'"):
        CT2Translator.load(converted("tiny"), settings=Settings.load(device="tpu"))
    with pytest.raises(ModelError, match="sees no such CUDA device"):
        CT2Translator.load(converted("tiny"), settings=Settings.load(device="cuda:7"))


def test_next_words_read_the_vocabulary_in_either_format_ctranslate2_loads(tmp_path, converted):
    """next_words reads logits by CTranslate2's vocabulary order: a .txt vocabulary (older converters)
    gives the same words as the .json one; translating never reads it."""
    original = converted("toy", "float32")
    plain = tmp_path / "plain"
    shutil.copytree(original, plain)
    pieces = json.loads((plain / "shared_vocabulary.json").read_text(encoding="utf-8"))
    (plain / "shared_vocabulary.json").unlink()
    (plain / "shared_vocabulary.txt").write_text("\n".join(pieces) + "\n", encoding="utf-8")
    sentence = heldout_pairs()[0].source
    expected = CT2Translator.load(original, settings=settings(), compute_type="float32").next_words(sentence, "The", 3)
    translator = CT2Translator.load(plain, settings=settings(), compute_type="float32")
    assert translator.next_words(sentence, "The", 3) == expected
    (plain / "shared_vocabulary.txt").unlink()  # gone after loading: a clear error, not a traceback
    fresh = CT2Translator.load(original, settings=settings(), compute_type="float32")
    fresh.model_dir = plain
    with pytest.raises(ModelError, match="has no readable target vocabulary"):
        fresh.next_words(sentence, "The", 3)


def test_a_folder_converted_elsewhere_is_fingerprinted_by_what_ctranslate2_loads(tmp_path, converted):
    plain = tmp_path / "plain"
    shutil.copytree(converted("tiny"), plain, ignore=shutil.ignore_patterns(folder.FINGERPRINT_MEMO))
    (plain / folder.CT2_RECORD).unlink()
    translator = CT2Translator.load(plain, settings=settings())
    files = sorted(p.name for p in plain.iterdir() if not p.name.startswith("."))
    assert {"model.bin", "shared_vocabulary.json", "source.spm", "hf_config.json"} <= set(files)
    expected = hashlib.sha256(b"".join(name.encode() + b"\0" + (plain / name).read_bytes() for name in files))
    weights = expected.hexdigest()[:16]
    assert translator.fingerprint == f"ct2:unknown:int8_float32:{weights}:beam=4;max=512;nrng=0;patience=2"
    assert translator.model_fingerprint == folder.fingerprint(plain) == weights


# ---- the trained toy model: the same results as the transformers backend -------------------


@pytest.mark.slow
def test_toy_float32_gives_exactly_the_transformers_translations_and_alignments(toy_translations):
    reference, ct2 = toy_translations["transformers"], toy_translations["float32"]
    assert [r.text for r in ct2] == [r.text for r in reference]
    assert [r.alignment for r in ct2] == [r.alignment for r in reference]
    for mine, theirs in zip(ct2, reference, strict=True):
        assert mine.score == pytest.approx(theirs.score, abs=1e-3)


@pytest.mark.slow
def test_toy_int8_matches_transformers_on_at_least_98_percent(toy_translations):
    reference, ct2 = toy_translations["transformers"], toy_translations["int8"]
    same = [a.text == b.text and a.alignment == b.alignment for a, b in zip(ct2, reference, strict=True)]
    assert sum(same) >= 0.98 * len(same)
    scored = [abs(a.score - b.score) for a, b, ok in zip(ct2, reference, same, strict=True) if ok]
    assert max(scored) < 0.05


@pytest.mark.slow
def test_toy_ct2_translations_are_the_gold_ones(toy_translations):
    """The backend is not just consistent: it reproduces what the toy model learned."""
    gold = heldout_pairs()
    reference, ct2 = toy_translations["transformers"], toy_translations["float32"]
    right = sum(r.text == g.target for r, g in zip(ct2, gold, strict=True))
    assert right == sum(r.text == g.target for r, g in zip(reference, gold, strict=True))
    assert right >= 0.95 * len(gold)


@pytest.mark.slow
def test_pipeline_documents_are_identical_on_both_backends(converted, toy_model_dir):
    s = settings()
    via_ct2 = translate_text(
        TOY_ARTICLE, CT2Translator.load(converted("toy", "float32"), settings=s, compute_type="float32"), settings=s
    )
    via_transformers = translate_text(
        TOY_ARTICLE, registry.create("transformers", toy_model_dir, settings=s), settings=s
    )
    assert [(p.source, p.translation, p.alignment, p.flags) for p in via_ct2.sentences] == [
        (p.source, p.translation, p.alignment, p.flags) for p in via_transformers.sentences
    ]


def test_batched_alignments_equal_one_sentence_at_a_time(converted):
    """CTranslate2 4.x returns a wrong first attention row in batched beam search; the backend repairs it.

    The untrained tiny model starts its outputs with real word pieces (the toy starts with a bare
    "▁", which belongs to no word), so a wrong first row shows in its alignments.
    """
    translator = CT2Translator.load(converted("tiny", "float32"), settings=settings(), compute_type="float32")
    batched = translator.translate_batch(TINY_ARABIC)
    alone = [translator.translate_batch([sentence])[0] for sentence in TINY_ARABIC]
    same_text = [(b, a) for b, a in zip(batched, alone, strict=True) if b.text == a.text]
    assert len(same_text) >= len(TINY_ARABIC) // 2  # untrained: near-ties may flip a few outputs
    assert [b.alignment for b, _ in same_text] == [a.alignment for _, a in same_text]


class RecordingModel:
    """Stands in for ctranslate2.Translator: records each job's batch (its sources), then runs it."""

    def __init__(self, model) -> None:
        self._model = model
        self.searches: list[list[list[str]]] = []
        self.first_steps: list[list[str]] = []

    def translate_batch(self, source, **kwargs):
        if kwargs.get("max_decoding_length") == 1:
            self.first_steps += source
        else:
            self.searches.append(source)
        return self._model.translate_batch(source, **kwargs)

    def __getattr__(self, name):
        return getattr(self._model, name)


def test_batches_fill_the_workers_within_the_padded_budget(converted):
    """batch_tokens counts padded tokens x beam over the workers' batches: raising it buys larger batches."""
    sentences = [example.source for example in heldout_pairs()[:40]]
    outputs = {}
    for budget in (100_000, 1200, 300):
        translator = CT2Translator.load(
            converted("toy", "float32"),
            settings=Settings.load(device="cpu", threads=2, batch_tokens=budget, memory_mb=0),
            compute_type="float32",
        )
        assert translator.workers == 2 == translator.model.num_translators
        recorder = translator.model = RecordingModel(translator.model)
        outputs[budget] = translator.translate_batch(sentences)
        sizes = [len(batch) for batch in recorder.searches]
        assert sum(sizes) == len(sentences) and max(sizes) <= len(sentences) // 2
        per_batch = budget // (4 * 2)
        for batch in recorder.searches:
            assert len(batch) == 1 or len(batch) * max(len(pieces) for pieces in batch) <= per_batch
        # only inputs that shared a beam search, after its first, have their first attention row recomputed
        assert len(recorder.first_steps) == sum(size - 1 for size in sizes)
        outputs[budget, "sizes"] = sizes
    assert outputs[100_000, "sizes"] == [len(sentences) // 2] * 2  # one batch per worker
    greedy = CT2Translator.load(
        converted("toy", "float32"), settings=Settings.load(device="cpu", threads=2, beam=1), compute_type="float32"
    )
    greedy.model = recorder = RecordingModel(greedy.model)
    assert [r.text for r in greedy.translate_batch(sentences)] == [r.text for r in outputs[100_000]]
    assert recorder.first_steps == []  # greedy search has no first-row bug
    assert len(outputs[300, "sizes"]) > len(outputs[1200, "sizes"]) > 2
    for small in (outputs[300], outputs[1200]):  # the same translations, alignments and scores
        assert [(r.text, r.alignment) for r in small] == [(r.text, r.alignment) for r in outputs[100_000]]
        assert [r.score for r in small] == pytest.approx([r.score for r in outputs[100_000]], abs=1e-4)


def test_a_call_spread_over_one_worker_is_one_batch_within_the_budget(converted):
    """``spread`` (the server's lanes): a call cut for one worker is one batch while the budget allows it,
    with the same translations as a call cut for every worker."""
    sentences = [example.source for example in heldout_pairs()[:12]]
    translator = CT2Translator.load(
        converted("toy", "float32"),
        settings=Settings.load(device="cpu", threads=2, batch_tokens=100_000, memory_mb=0),
        compute_type="float32",
    )
    recorder = translator.model = RecordingModel(translator.model)
    every = translator.translate_batch(sentences)
    assert [len(batch) for batch in recorder.searches] == [6, 6]
    recorder.searches.clear()
    translator.spread = 1
    one = translator.translate_batch(sentences)
    assert [len(batch) for batch in recorder.searches] == [12]
    assert [(r.text, r.alignment) for r in one] == [(r.text, r.alignment) for r in every]


@pytest.mark.slow
def test_cli_convert_then_translate_picks_ct2_automatically(toy_model_dir, tmp_path):
    """`reader models convert NAME --to ct2` stores NAME-ct2-int8; `reader translate` then uses it."""
    from click.testing import CliRunner

    from reader.cli import cli

    def run(*args: str):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    s = Settings.load()
    run("models", "import", str(toy_model_dir), "--name", "toy")
    converted = run("models", "convert", "toy", "--to", "ct2").stdout.strip()
    assert Path(converted) == s.models_dir / "toy-ct2-int8"
    article = tmp_path / "toy.ar.txt"
    article.write_text(TOY_ARTICLE, encoding="utf-8")
    english = run("translate", str(article), "--model", "toy", "--beam", "4").stdout
    assert english.split() == TOY_ARTICLE_EN.split()
    fingerprints = SentenceCache(s.cache_path).stats().per_fingerprint
    assert [f.split(":")[:2] for f in fingerprints] == [["ct2", "int8"]]

    forced = run("translate", str(article), "--model", "toy", "--backend", "transformers").stdout
    assert forced == english
    assert sorted(f.split(":")[0] for f in SentenceCache(s.cache_path).stats().per_fingerprint) == [
        "ct2",
        "transformers",
    ]


@pytest.mark.slow
def test_parallel_workers_give_the_same_results_in_the_same_order(converted):
    """With several threads the backend cuts a call into parallel batches; output order and content hold."""
    sources = [example.source for example in heldout_pairs()[:80]]
    one = CT2Translator.load(converted("toy", "float32"), settings=settings(), compute_type="float32")
    two = CT2Translator.load(
        converted("toy", "float32"), settings=Settings.load(device="cpu", threads=2), compute_type="float32"
    )
    assert (one.workers, two.workers) == (1, 2)
    parallel, single = two.translate_batch(sources), one.translate_batch(sources)
    # Texts and alignments are equal; a score may differ in its last float32 digits with the batch it ran in.
    assert [(t.text, t.alignment) for t in parallel] == [(t.text, t.alignment) for t in single]
    assert [t.score for t in parallel] == pytest.approx([t.score for t in single], rel=1e-4, abs=1e-6)


def test_a_folder_with_both_weight_files_has_one_fingerprint(tmp_path, tiny_model_dir):
    """`reader models pull` can fetch model.safetensors and pytorch_model.bin; transformers loads the first.

    The transformers backend, the conversion's record and the converted model's backend used to
    fingerprint such a folder three ways (the conversion hashed both weight files).
    """
    both = tmp_path / "both"
    shutil.copytree(tiny_model_dir, both, ignore=shutil.ignore_patterns(".*"))
    (both / "pytorch_model.bin").write_bytes(b"an older pickle of other weights, never loaded")
    alone = folder.fingerprint(tiny_model_dir)
    assert folder.fingerprint(both) == alone
    converted_dir = convert_to_ct2(both, tmp_path / "both-ct2-int8")
    assert folder.read_ct2_record(converted_dir).source_fingerprint == alone
    transformers = registry.create("transformers", both, settings=settings())
    ct2 = registry.create("ct2", converted_dir, settings=settings())
    assert transformers.model_fingerprint == ct2.model_fingerprint == alone


class QueueLog:
    """Stands in for ctranslate2.Translator: logs when each input's job is queued and when it is awaited."""

    def __init__(self, model, chunk_of: dict[tuple[str, ...], int]) -> None:
        self._model = model
        self._chunk_of = chunk_of
        self.events: list[tuple[str, int]] = []

    def translate_batch(self, source, **kwargs):
        results = self._model.translate_batch(source, **kwargs)
        if not kwargs.get("asynchronous"):
            return results
        chunks = [self._chunk_of[tuple(pieces)] for pieces in source]
        self.events += [("queue", chunk) for chunk in chunks]
        return [_Awaited(result, chunk, self.events) for result, chunk in zip(results, chunks, strict=True)]

    def __getattr__(self, name):
        return getattr(self._model, name)


class _Awaited:
    def __init__(self, result, chunk: int, events: list[tuple[str, int]]) -> None:
        self._result, self._chunk, self._events = result, chunk, events

    def result(self):
        self._events.append(("await", self._chunk))
        return self._result.result()


def test_the_memory_cap_sizes_the_batches(converted):
    """Batches grow past batch_tokens as far as the memory cap leaves room over the loaded model, no further."""
    model_dir = converted("toy", "float32")
    capped = CT2Translator.load(
        model_dir, settings=Settings.load(device="cpu", threads=2, batch_tokens=300), compute_type="float32"
    )
    assert capped.resident_mb > 0 and capped.bytes_per_token > 0
    config = json.loads((model_dir / "hf_config.json").read_text(encoding="utf-8"))
    assert capped.bytes_per_token == int(KV_BYTES * TOKENS_AT_LIMIT * config["decoder_layers"] * config["d_model"])
    capped.memory_mb = int(capped.resident_mb) + 100
    headroom = (capped.memory_mb - capped.resident_mb) * 2**20
    assert capped.batch_budget == int(headroom // capped.bytes_per_token) > 300
    capped.memory_mb = int(capped.resident_mb) - 1  # no room: batch_tokens still holds
    assert capped.batch_budget == 300
    capped.memory_mb = 0
    assert capped.batch_budget == 300


def chunks_in_turn(
    converted, chunks: list[list[str]], *, first_call_alone: bool = True
) -> tuple[QueueLog, list[tuple[str, int]]]:
    """``translate_chunks`` on two workers, checked against ``translate_batch`` of each chunk: the log, and
    its steps (runs of one event on one chunk)."""
    translator = CT2Translator.load(
        converted("toy", "float32"), settings=Settings.load(device="cpu", threads=2), compute_type="float32"
    )
    translator.first_call_alone = first_call_alone
    expected = [translator.translate_batch(chunk) for chunk in chunks]
    chunk_of = {translator._source(s).pieces: n for n, chunk in enumerate(chunks) for s in chunk}
    translator.model = log = QueueLog(translator.model, chunk_of)
    calls = translator.model_calls
    assert list(translator.translate_chunks(iter(chunks))) == expected
    assert translator.model_calls == calls + len(chunks)
    return log, [event for i, event in enumerate(log.events) if i == 0 or log.events[i - 1] != event]


def test_the_next_chunks_jobs_are_queued_before_a_chunk_is_awaited(converted):
    """translate_chunks keeps the workers busy across calls: one chunk ahead, results in order."""
    sources = [example.source for example in heldout_pairs()[:14]]
    log, steps = chunks_in_turn(converted, [sources[:2], sources[2:8], sources[8:14]])
    assert steps == [("queue", 0), ("queue", 1), ("await", 0), ("queue", 2), ("await", 1), ("await", 2)]
    # beam searches, then the first-row fix-ups of the inputs that shared one after its first (so none
    # for a batch of one)
    assert [log.events.count(("queue", n)) for n in range(3)] == [2, 10, 10]


def test_a_first_call_too_small_for_every_worker_runs_alone(converted):
    """The pipeline's first calls hold a sentence each: the first runs alone, so nothing slows the reader's
    first sentence; then, behind the one awaited, enough for every worker."""
    sources = [example.source for example in heldout_pairs()[:8]]
    chunks = [sources[:1], sources[1:2], sources[2:8]]
    _, steps = chunks_in_turn(converted, chunks)
    assert steps == [("queue", 0), ("await", 0), ("queue", 1), ("queue", 2), ("await", 1), ("await", 2)]
    _, steps = chunks_in_turn(converted, chunks, first_call_alone=False)
    assert steps == [("queue", 0), ("queue", 1), ("queue", 2), ("await", 0), ("await", 1), ("await", 2)]


def test_forced_output_lengths_and_the_fixup_switch_are_benchmark_hooks(converted):
    """force_output_lengths makes every output exactly as long as asked (None: to its limit), output_tokens
    counts them, and fix_first_rows=False queues no first-row fix-up."""
    translator = CT2Translator.load(
        converted("toy", "float32"), settings=Settings.load(device="cpu", threads=2), compute_type="float32"
    )
    sentences = [example.source for example in heldout_pairs()[:6]]
    asked: list[str] = []

    def lengths(sentence: str) -> int:
        asked.append(sentence)
        return 7

    translator.force_output_lengths(lengths)
    translator.model = recorder = RecordingModel(translator.model)
    translator.translate_batch(sentences)
    assert sorted(asked) == sorted(sentences) and translator.output_tokens == 7 * len(sentences)
    assert len(recorder.first_steps) == len(sentences) - len(recorder.searches)
    translator.fix_first_rows = False
    translator.force_output_lengths(lambda sentence: None)
    recorder.first_steps.clear()
    before = translator.output_tokens
    translator.translate_batch(sentences[:1])
    source = len(translator._source(sentences[0]).pieces)
    assert translator.output_tokens - before == 2 * source + 10 and recorder.first_steps == []
    translator.force_output_lengths(None)
    assert [r.text for r in translator.translate_batch(sentences)] == [e.target for e in heldout_pairs()[:6]]
