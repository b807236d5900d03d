"""Word alignment from cross-attention: hand-made matrices, then the trained toy model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.align import piece_words, word_alignment, word_count
from reader.config import Settings
from tests.support.toy import heldout_scores


def test_pieces_map_to_words_like_sentencepiece_decodes() -> None:
    pieces = ["▁يك", "تب", "▁الو", "لد", "▁رسالة", "."]
    assert piece_words(pieces) == [0, 0, 1, 1, 2, 2]
    assert word_count(pieces) == 3  # يكتب الولد رسالة.


def test_specials_and_bare_word_marks_belong_to_no_word() -> None:
    pieces = ["▁", "«", "كتب", "▁", "▁»", "</s>", "<pad>", "<unk>"]
    # decodes to ' «كتب  »' -> words «كتب and »; specials are dropped, not word breaks
    assert piece_words(pieces) == [None, 0, 0, None, 1, None, None, None]
    assert piece_words(["▁a", "<unk>", "b"]) == [0, None, 0]


def test_first_piece_without_word_mark_starts_the_first_word() -> None:
    assert piece_words(["s", "▁the", "▁boy"]) == [0, 1, 2]
    assert word_count([]) == 0


@given(st.lists(st.sampled_from(["▁", "▁a", "b", "▁cd", ".", "</s>", "▁ ", "<unk>", "▁▁", "e▁f"]), max_size=12))
def test_word_count_matches_split_of_the_decoded_text(pieces: list[str]) -> None:
    decoded = "".join(p for p in pieces if p not in {"</s>", "<unk>"}).replace("▁", " ")
    assert word_count(pieces) == len(decoded.split())
    indices = [w for w in piece_words(pieces) if w is not None]
    assert indices == sorted(indices)


SOURCE = ["▁يك", "تب", "▁الولد", "▁الصغير", "▁رسالة", ".", "</s>"]  # يكتب الولد الصغير رسالة.
TARGET = ["▁The", "▁small", "▁boy", "▁writes", "▁a", "▁letter", ".", "</s>"]  # The small boy writes a letter.


def _attention(best: list[int]) -> np.ndarray:
    """Rows peaked at the given source pieces, with the eos column always second best."""
    matrix = np.full((len(TARGET), len(SOURCE)), 0.01)
    matrix[:, -1] = 0.3
    for row, col in enumerate(best):
        matrix[row, col] = 0.6
    return matrix


def test_word_alignment_reorders_words_and_merges_pieces() -> None:
    #            The small boy writes  a  letter  .  </s>
    attention = _attention([2, 3, 2, 1, 4, 4, 5, 6])
    assert word_alignment(attention, SOURCE, TARGET) == (
        (0, 3),  # يكتب -> writes (its second piece got the attention)
        (1, 0),  # الولد -> The
        (1, 2),  # الولد -> boy
        (2, 1),  # الصغير -> small
        (3, 4),  # رسالة. -> a
        (3, 5),  # رسالة. -> letter.
    )


def test_source_specials_are_never_chosen() -> None:
    attention = _attention([0, 3, 2, 0, 4, 4, 5, 6])
    attention[:, -1] = 0.9  # eos attracts the most attention everywhere (common in real models)
    pairs = word_alignment(attention, SOURCE, TARGET)
    assert all(s < 4 for s, _ in pairs)
    assert {t for _, t in pairs} == {0, 1, 2, 3, 4, 5}


def test_accepts_nested_lists_and_checks_the_shape() -> None:
    attention = _attention([2, 3, 2, 1, 4, 4, 5, 6])
    assert word_alignment(attention.tolist(), SOURCE, TARGET) == word_alignment(attention, SOURCE, TARGET)
    with pytest.raises(ValueError, match="shape"):
        word_alignment(attention[:, :-1], SOURCE, TARGET)


def test_decoder_start_row_gives_no_pair() -> None:
    target = ["<pad>", *TARGET]
    attention = np.vstack([np.full((1, len(SOURCE)), 1 / len(SOURCE)), _attention([2, 3, 2, 1, 4, 4, 5, 6])])
    assert word_alignment(attention, SOURCE, target) == word_alignment(attention[1:], SOURCE, TARGET)


def test_word_count_mismatch_gives_no_alignment_rather_than_a_wrong_one() -> None:
    attention = _attention([2, 3, 2, 1, 4, 4, 5, 6])
    assert word_alignment(attention, SOURCE, TARGET, source_words=4, target_words=6) != ()
    assert word_alignment(attention, SOURCE, TARGET, source_words=5) == ()
    assert word_alignment(attention, SOURCE, TARGET, target_words=7) == ()


def test_only_specials_on_the_source_side() -> None:
    assert word_alignment(np.ones((2, 1)), ["</s>"], ["▁x", "</s>"]) == ()


def test_toy_model_alignment_matches_gold(toy_model_dir: Path) -> None:
    """Head 0 of the last layer, trained with guided alignment, recovers the gold word alignment."""
    from reader.translate.backends.transformers import TransformersTranslator

    translator = TransformersTranslator.load(toy_model_dir, settings=Settings(threads=1))
    scores = heldout_scores(translator)
    print(f"toy alignment on {scores.total} held-out sentences: recall {scores.recall:.4f}, ", end="")
    print(f"precision {scores.precision:.4f}")
    assert scores.gold_pairs > 1000
    assert scores.recall >= 0.9
    assert scores.precision >= 0.9
