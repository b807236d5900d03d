"""Word alignment: from the model's cross-attention to word pairs, and from model-input words to displayed ones.

Those models are trained with guided alignment on the last decoder layer's cross-attention,
head 0, so for each target subword the source subword it attends to most is its aligned
piece. This module turns such a ``[target pieces x source pieces]`` matrix into
(source word, target word) pairs over ``str.split()`` words. It is backend-neutral: the
transformers and CTranslate2 backends both pass their attention here (a numpy array, a
tensor converted with ``.tolist()``/``.numpy()``, or nested lists).

The pipeline then maps each model input's pairs onto the displayed sentence (``to_display_words``):
normalization and sub-splitting change the words the model sees, never the ones the reader sees.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

WORD_START = "▁"
"""Sentencepiece's marker for a piece that starts after a space."""

SPECIAL_TOKENS = frozenset({"</s>", "<s>", "<pad>", "<unk>"})
"""Pieces that are never text: end of sentence, decoder start / padding, and <unk> (dropped
when the output is decoded with ``skip_special_tokens``)."""


def _scan(pieces: Sequence[str], special: Collection[str]) -> tuple[list[int | None], int]:
    words: list[int | None] = []
    count = 0
    in_word = False
    for piece in pieces:
        if piece in special:
            words.append(None)
            continue
        first: int | None = None
        for char in piece.replace(WORD_START, " "):
            if char.isspace():
                in_word = False
                continue
            if not in_word:
                count += 1
                in_word = True
            if first is None:
                first = count - 1
        words.append(first)
    return words, count


def piece_words(pieces: Sequence[str], *, special: Collection[str] = SPECIAL_TOKENS) -> list[int | None]:
    """The ``str.split()`` word each piece belongs to, or None for specials and bare ``▁``.

    Mirrors how sentencepiece decodes: pieces are concatenated with ``▁`` read as a space,
    specials are left out, so word *k* is the *k*-th run of non-space characters. A piece
    without ``▁`` (a suffix, or punctuation glued to a word) continues the current word; a
    bare ``▁`` belongs to no word. A piece spanning several words counts for the first.
    """
    return _scan(pieces, special)[0]


def word_count(pieces: Sequence[str], *, special: Collection[str] = SPECIAL_TOKENS) -> int:
    """How many ``str.split()`` words the pieces decode to."""
    return _scan(pieces, special)[1]


def word_alignment(
    attention: Any,
    source_pieces: Sequence[str],
    target_pieces: Sequence[str],
    *,
    special: Collection[str] = SPECIAL_TOKENS,
    source_words: int | None = None,
    target_words: int | None = None,
) -> tuple[tuple[int, int], ...]:
    """(source word, target word) pairs: each target piece aligns to its most-attended source piece.

    ``attention`` is ``[len(target_pieces)][len(source_pieces)]``. Special pieces are dropped
    on both sides (a target special gets no pair; a source special is never chosen).
    ``source_words`` / ``target_words``, when given, are the ``str.split()`` word counts of
    the input sentence and of the decoded output: if the pieces do not decode to that many
    words, the mapping cannot be trusted and no alignment is returned rather than a wrong one.
    """
    import numpy as np

    matrix = np.asarray(attention, dtype=np.float64)
    expected = (len(target_pieces), len(source_pieces))
    if matrix.shape != expected:
        raise ValueError(f"attention has shape {matrix.shape}, expected {expected} (target x source pieces)")
    src, src_count = _scan(source_pieces, special)
    tgt, tgt_count = _scan(target_pieces, special)
    if (source_words is not None and src_count != source_words) or (
        target_words is not None and tgt_count != target_words
    ):
        return ()
    columns = [i for i, word in enumerate(src) if word is not None]
    column_words = [word for word in src if word is not None]
    if not columns:
        return ()
    best = np.argmax(matrix[:, columns], axis=1)
    pairs = {(column_words[int(best[row])], word) for row, word in enumerate(tgt) if word is not None}
    return tuple(sorted(pairs))


def to_display_words(
    pieces: Iterable[tuple[Sequence[int], str, Iterable[tuple[int, int]]]],
) -> tuple[tuple[int, int], ...]:
    """The alignment of translations joined in order, over the words the reader sees.

    Each piece is one model input's ``(origin, translation, alignment)``: its source word j is
    display word ``origin[j]`` (normalization can drop or split words), and its target words follow
    those of the pieces before it in the joined translation. A backend's alignment is not trusted:
    pairs outside either side's words are dropped.
    """
    pairs: set[tuple[int, int]] = set()
    offset = 0
    for origin, translation, alignment in pieces:
        words = len(translation.split())
        for source_word, target_word in alignment:
            if 0 <= source_word < len(origin) and 0 <= target_word < words:
                pairs.add((origin[source_word], offset + target_word))
        offset += words
    return tuple(sorted(pairs))
