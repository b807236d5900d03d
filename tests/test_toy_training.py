"""The toy model's recipe still trains a model that behaves. Opt-in: ``pytest --train-toy`` (about a
minute on a quiet machine); the rest of the suite reads the committed model (tests/data/toy-model).

The same seed trains slightly different weights on AMD and Intel CPUs, so a fresh model is not
compared with the committed one: it must do what any correctly trained toy model does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.config import Settings
from tests.support import toy


@pytest.mark.train_toy
@pytest.mark.slow
def test_a_freshly_trained_toy_model_translates_and_aligns_the_held_out_sentences(tmp_path: Path) -> None:
    from reader.translate.backends.transformers import TransformersTranslator

    model = toy.train_toy_model(tmp_path / "toy")
    assert (model / "config.json").is_file()
    assert sorted(p.name for p in model.iterdir() if p.name in toy.FIXTURE_FILES) == sorted(toy.FIXTURE_FILES)
    translator = TransformersTranslator.load(model, settings=Settings(threads=1))
    scores = toy.heldout_scores(translator)
    print(f"fresh toy model: {scores.exact}/{scores.total} exact, alignment recall {scores.recall:.4f}")
    assert scores.exact >= 0.98 * scores.total
    assert scores.gold_pairs > 1000
    assert scores.recall >= 0.9 and scores.precision >= 0.9
    article = [e for paragraph in toy.TOY_ARTICLE_PAIRS for e in paragraph]
    outputs = translator.translate_batch([e.source for e in article])
    assert [o.text for o in outputs] == [e.target for e in article]
    assert [set(o.alignment) for o in outputs] == [set(e.alignment) for e in article]


def test_the_committed_toy_model_is_what_the_suite_reads(toy_model_dir: Path) -> None:
    for name in toy.FIXTURE_FILES:
        assert (toy_model_dir / name).read_bytes() == (toy.FIXTURE / name).read_bytes(), name
    assert (toy.FIXTURE / "README.md").is_file()
